/**
 * Steps and options shared by the `synth`, `diff`, `deploy` and `destroy` commands: load the spec
 * (findings printed with file:line:col), check credentials, synthesize with readable errors, ask
 * yes/no on a terminal. Each step returns an exit code instead of throwing, so a command reads as
 * a straight sequence.
 */
import { createInterface } from 'node:readline/promises';
import type { OptionSpec } from '../../cli/command.js';
import { ExitCode } from '../../cli/exit-codes.js';
import { colourEnabled, err, paint } from '../../cli/io.js';
import { StackResourceLimitError } from '../app.js';
import { formatText } from '../format/text.js';
import { NagFindingsError } from '../nag.js';
import { isUsageProblem, loadPlatform } from '../load.js';
import type { PlatformModel } from '../model.js';
import { checkCredentials } from './credentials.js';
import { OutdirError } from './outdir.js';
import { type SynthesisResult, synthesize } from './synthesize.js';

export const options = {
  env: { name: 'env', short: 'e', type: 'string', valueName: 'NAME', description: 'Environment of the spec to target (default: the first one declared).' },
  output: { name: 'output', short: 'o', type: 'string', valueName: 'DIR', description: 'Cloud assembly directory (default: cdk.out).' },
  assembly: {
    name: 'assembly',
    type: 'string',
    valueName: 'DIR',
    description: "Use this assembly from an earlier 'ara-gen synth' of the same spec and environment instead of synthesizing again.",
  },
  stack: { name: 'stack', type: 'string', multiple: true, valueName: 'NAME', description: 'Only this stack (stack name or module, e.g. batch); repeatable.' },
  yes: { name: 'yes', short: 'y', type: 'boolean', description: 'Approve security-sensitive changes / confirm without asking (required without a terminal).' },
  progress: { name: 'progress', type: 'string', valueName: 'STYLE', choices: ['bar', 'events'], description: 'Progress display (default: bar on a terminal, events otherwise).' },
  verbose: { name: 'verbose', short: 'v', type: 'boolean', description: "Also print the CDK toolkit's debug messages." },
} as const satisfies Record<string, OptionSpec>;

export type Loaded = { readonly model: PlatformModel; readonly exitCode?: undefined } | { readonly model?: undefined; readonly exitCode: number };

/** Loads and validates the spec; prints every finding. Errors → exit 1 (2 when the file is unreadable). */
export async function loadModel(file: string, env: string | undefined): Promise<Loaded> {
  const result = await loadPlatform(file, env === undefined ? {} : { env });
  if (result.diagnostics.length) {
    err(formatText([{ file, diagnostics: result.diagnostics, ...(result.document ? { text: result.document.text } : {}) }], { colour: colourEnabled() }));
  }
  if (result.model) return { model: result.model };
  return { exitCode: result.diagnostics.some(isUsageProblem) ? ExitCode.Usage : ExitCode.Findings };
}

/** Offline credential check before anything that may call AWS. Returns an exit code on failure. */
export async function requireCredentials(command: string): Promise<number | undefined> {
  const check = await checkCredentials(process.env, { command });
  if (check.found) return undefined;
  err(`${paint('error', 'red', colourEnabled())}: ${check.message}`);
  return ExitCode.Usage;
}

export type Synthesized = { readonly result: SynthesisResult; readonly exitCode?: undefined } | { readonly result?: undefined; readonly exitCode: number };

/**
 * Synthesizes into `outdir`. An unusable output directory is a usage error (2); a stack over the
 * CloudFormation limit, or cdk-nag findings under --strict, are findings (1).
 */
export async function synthesizeForCommand(model: PlatformModel, outdir: string, strict: boolean): Promise<Synthesized> {
  try {
    return { result: await synthesize(model, { outdir, strict }) };
  } catch (e) {
    const colour = colourEnabled();
    if (e instanceof OutdirError) {
      err(`${paint('error', 'red', colour)}: ${e.message}\n  hint: ${e.hint}`);
      return { exitCode: ExitCode.Usage };
    }
    if (e instanceof StackResourceLimitError) {
      err(`${paint('error', 'red', colour)}: ${e.message}`);
      return { exitCode: ExitCode.Findings };
    }
    if (e instanceof NagFindingsError) {
      for (const f of e.findings) err(`${paint('error', 'red', colour)}: cdk-nag ${f.rule} on ${f.path}: ${f.message}`);
      err(`${e.findings.length} unsuppressed cdk-nag finding(s) with --strict: nothing was written`);
      return { exitCode: ExitCode.Findings };
    }
    throw e;
  }
}

/** A person can answer questions: stdin and stderr are terminals. */
export function interactiveTerminal(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

export function progressStyle(option: unknown): 'bar' | 'events' {
  if (option === 'bar' || option === 'events') return option;
  return process.stderr.isTTY && !process.env.CI ? 'bar' : 'events';
}

/** Asks on the terminal; anything but y/yes is a no. Only call when interactiveTerminal(). */
export async function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export const stringOption = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const listOption = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : []);
