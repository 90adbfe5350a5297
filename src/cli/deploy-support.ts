/**
 * The CLI side of the `synth`, `diff`, `deploy` and `destroy` commands, over the compiler's deploy
 * library (src/compiler/deploy): their shared options, loading the spec (findings printed with
 * file:line:col), the credential check, synthesis with readable errors, yes/no on a terminal, and
 * failures turned into exit codes. Each step returns an exit code instead of throwing, so a command
 * reads as a straight sequence.
 */
import { createInterface } from 'node:readline/promises';
import { checkCredentials } from '../compiler/deploy/credentials.js';
import { AraIoHost } from '../compiler/deploy/io-host.js';
import { OutdirError, checkOutdir } from '../compiler/deploy/outdir.js';
import type { AssemblyStack } from '../compiler/deploy/assembly-reader.js';
import type { Deployment } from '../compiler/deploy/session.js';
import type { SynthesisResult } from '../compiler/deploy/synthesize.js';
import { formatText } from '../compiler/format/text.js';
import { isUsageProblem, loadPlatform } from '../compiler/load.js';
import type { EnvironmentModel, PlatformModel } from '../compiler/model.js';
import { type OptionSpec, type ParsedArgs, UsageError } from './command.js';
import { ExitCode } from './exit-codes.js';
import { colourEnabled, err, paint } from './io.js';

// aws-cdk-lib (the compiler's stacks, cdk-nag) and @aws-cdk/toolkit-lib take seconds to load: they
// are imported only once the spec, the arguments and the credentials have been checked, so a usage
// or credential error is reported at once; the toolkit only when an action needs it (not for
// diff --previous, nor for a request the assembly itself refutes).
const synthesis = () => Promise.all([import('../compiler/deploy/synthesize.js'), import('../compiler/app.js'), import('../compiler/nag.js')]);
const deploymentLibrary = () => import('../compiler/deploy/session.js');

/** Where an environment deploys, for messages: `account 123456789012, eu-west-1`, or the credentials' account and region. */
export function deployTarget(env: EnvironmentModel): string {
  return env.account !== undefined && env.region !== undefined ? `account ${env.account}, ${env.region}` : "environment-agnostic: the deploy credentials' account and region";
}

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
    // An output directory that cannot be used is reported before the CDK is loaded (synthesize checks again).
    checkOutdir(outdir);
    const [{ synthesize }] = await synthesis();
    return { result: await synthesize(model, { outdir, strict }) };
  } catch (e) {
    const colour = colourEnabled();
    if (e instanceof OutdirError) {
      err(`${paint('error', 'red', colour)}: ${e.message}\n  hint: ${e.hint}`);
      return { exitCode: ExitCode.Usage };
    }
    const [, { StackResourceLimitError }, { NagFindingsError }] = await synthesis();
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

/** A deployment as the CLI uses it: the library's, plus how this terminal answers and colours. */
export interface Session extends Deployment {
  readonly interactive: boolean;
  readonly colour: boolean;
}

export type Opened = { readonly session: Session; readonly exitCode?: undefined } | { readonly session?: undefined; readonly exitCode: number };

/**
 * The common start of `diff`, `deploy` and `destroy`: load the spec, check credentials (offline,
 * before any network call), synthesize into the assembly directory (unless --assembly reuses one),
 * and open that assembly with the toolkit.
 */
export interface SessionOptions {
  readonly needsCredentials: boolean;
  /** Checks the command's arguments against the model before anything slow (may throw UsageError). */
  readonly checkModel?: (model: PlatformModel) => void;
}

/** The spec's model and the assembly to act on: synthesized into the output directory, or reused (--assembly). */
export type Prepared =
  | { readonly model: PlatformModel; readonly assemblyDir: string; readonly reused: boolean; readonly exitCode?: undefined }
  | { readonly model?: undefined; readonly exitCode: number };

/** Loads the spec, checks the arguments and credentials, and synthesizes (unless --assembly reuses an assembly). */
export async function prepareAssembly(action: Session['action'], args: ParsedArgs, opts: SessionOptions): Promise<Prepared> {
  const loaded = await loadModel(args.positionals[0]!, stringOption(args.options.env));
  if (!loaded.model) return { exitCode: loaded.exitCode };
  const model = loaded.model;
  opts.checkModel?.(model);
  if (opts.needsCredentials) {
    const code = await requireCredentials(action);
    if (code !== undefined) return { exitCode: code };
  }
  const reuse = stringOption(args.options.assembly);
  const assemblyDir = reuse ?? stringOption(args.options.output) ?? 'cdk.out';
  if (reuse === undefined) {
    const synthesized = await synthesizeForCommand(model, assemblyDir, false);
    if (!synthesized.result) return { exitCode: synthesized.exitCode };
    err(`Synthesized ${synthesized.result.build.stacks.map((s) => s.name).join(', ')} into ${assemblyDir}`);
  }
  return { model, assemblyDir, reused: reuse !== undefined };
}

/** The stacks of a prepared assembly (checked to be this spec environment's when reused), without the CDK toolkit. */
export async function assemblyStacks(prepared: { model: PlatformModel; assemblyDir: string; reused: boolean }, args: ParsedArgs): Promise<{ stacks: AssemblyStack[]; allStacks: AssemblyStack[] }> {
  const { DeploymentRequestError, selectStacks } = await deploymentLibrary();
  try {
    return selectStacks(prepared.model, { assemblyDir: prepared.assemblyDir, reused: prepared.reused, stacks: listOption(args.options.stack) });
  } catch (e) {
    if (e instanceof DeploymentRequestError) throw new UsageError(e.message, e.hint);
    throw e;
  }
}

export async function openSession(action: Session['action'], args: ParsedArgs, opts: SessionOptions): Promise<Opened> {
  const colour = colourEnabled();
  const prepared = await prepareAssembly(action, args, opts);
  if (!prepared.model) return { exitCode: prepared.exitCode };
  const { model, assemblyDir, reused } = prepared;
  // The stacks carry their account and region; this only keeps the SDK from probing for a default
  // region. The CLI owns its process environment; the library never sets it.
  // An environment-agnostic spec has no region: the credentials' configuration (AWS_REGION, the profile) gives it.
  if (model.environment.region !== undefined) process.env.AWS_REGION ??= model.environment.region;
  const interactive = interactiveTerminal();
  const host = new AraIoHost({
    interactive,
    yes: args.options.yes === true,
    progress: progressStyle(args.options.progress),
    colour,
    verbose: args.options.verbose === true,
    ask: askYesNo,
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    columns: process.stderr.columns,
  });
  const { DeploymentRequestError, openDeployment } = await deploymentLibrary();
  try {
    const deployment = await openDeployment(model, { action, assemblyDir, reused, stacks: listOption(args.options.stack), host, colour });
    return { session: { ...deployment, interactive, colour } };
  } catch (e) {
    if (e instanceof DeploymentRequestError) throw new UsageError(e.message, e.hint);
    throw e;
  }
}

/** Runs a toolkit action; on failure prints the explanation and returns its exit code (2 for a request to fix, 3 for a failed action). */
export async function runAction<T>(session: Session, fn: () => Promise<T>): Promise<{ value: T; exitCode?: undefined } | { value?: undefined; exitCode: number }> {
  const { runAction: runDeploymentAction } = await deploymentLibrary();
  const r = await runDeploymentAction(session, fn);
  if (!r.failure) return { value: r.value };
  const [first, ...rest] = r.failure.lines;
  err(`error: ${first}`);
  for (const l of rest) err(l);
  return { exitCode: r.failure.kind === 'request' ? ExitCode.Usage : ExitCode.Failed };
}
