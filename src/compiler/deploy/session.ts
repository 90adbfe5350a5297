/**
 * The common start of `diff`, `deploy` and `destroy`: load the spec, check credentials (offline,
 * before any network call), synthesize into the assembly directory, and open that assembly with
 * the toolkit. Also runs a toolkit action with the failure translation of toolkit.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ParsedArgs } from '../../cli/command.js';
import { UsageError } from '../../cli/command.js';
import { colourEnabled, err } from '../../cli/io.js';
import { didYouMean } from '../../util/suggest.js';
import type { PlatformModel } from '../model.js';
import { type AssemblyStack, readAssemblyStacks } from './assembly-reader.js';
import { askYesNo, interactiveTerminal, listOption, loadModel, progressStyle, requireCredentials, stringOption, synthesizeForCommand } from './command-support.js';
import { AraIoHost } from './io-host.js';
import { type ToolkitSession, explainFailure, openAssembly, resolveStacks } from './toolkit.js';

export interface Session extends ToolkitSession {
  readonly action: 'diff' | 'deploy' | 'destroy';
  readonly model: PlatformModel;
  readonly assemblyDir: string;
  readonly host: AraIoHost;
  /** Stacks the command acts on (all of them unless --stack). */
  readonly stacks: AssemblyStack[];
  readonly allStacks: AssemblyStack[];
  readonly interactive: boolean;
  readonly colour: boolean;
}

export type Opened = { readonly session: Session; readonly exitCode?: undefined } | { readonly session?: undefined; readonly exitCode: number };

export interface SessionOptions {
  readonly needsCredentials: boolean;
  /** Checks the command's arguments against the model before anything slow (may throw UsageError). */
  readonly checkModel?: (model: PlatformModel) => void;
}

export async function openSession(action: Session['action'], args: ParsedArgs, opts: SessionOptions): Promise<Opened> {
  const colour = colourEnabled();
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
  const allStacks = reuse === undefined ? readAssemblyStacks(assemblyDir) : readReusedAssembly(reuse, model);
  const { selected, unknown } = resolveStacks(allStacks, listOption(args.options.stack));
  if (unknown !== undefined) {
    const names = allStacks.flatMap((s) => [s.stackName, s.stackName.slice(`${model.name}-${model.environment.name}-`.length)]);
    throw new UsageError(`no stack '${unknown}' in the assembly (stacks: ${allStacks.map((s) => s.stackName).join(', ')})`, didYouMean(unknown, names) || undefined);
  }
  // The stacks carry their account and region; this only keeps the SDK from probing for a default region.
  process.env.AWS_REGION ??= model.environment.region;
  const interactive = interactiveTerminal();
  const host = new AraIoHost({
    interactive,
    yes: args.options.yes === true,
    progress: progressStyle(args.options.progress),
    colour,
    verbose: args.options.verbose === true,
    ask: askYesNo,
  });
  const toolkit = await openAssembly(assemblyDir, host, colour);
  return { session: { ...toolkit, action, model, assemblyDir, host, stacks: selected, allStacks, interactive, colour } };
}

/** An assembly passed with --assembly must exist and belong to this spec and environment. */
function readReusedAssembly(dir: string, model: PlatformModel): AssemblyStack[] {
  if (!existsSync(join(dir, 'manifest.json'))) {
    throw new UsageError(`'${dir}' is not a cloud assembly (no manifest.json)`, `create it with 'ara-gen synth <spec> -o ${dir}', or drop --assembly`);
  }
  const stacks = readAssemblyStacks(dir);
  const prefix = `${model.name}-${model.environment.name}-`;
  const foreign = stacks.filter((s) => !s.stackName.startsWith(prefix)).map((s) => s.stackName);
  if (!stacks.length || foreign.length) {
    throw new UsageError(
      `the assembly in '${dir}' is not the one of ${model.name} environment ${model.environment.name} (it holds ${stacks.map((s) => s.stackName).join(', ') || 'no stacks'})`,
      `re-create it with 'ara-gen synth <spec> --env ${model.environment.name} -o ${dir}', or drop --assembly`,
    );
  }
  return stacks;
}

/** Runs a toolkit action; on failure prints the explanation and returns its exit code. */
export async function runAction<T>(session: Session, fn: () => Promise<T>): Promise<{ value: T; exitCode?: undefined } | { value?: undefined; exitCode: number }> {
  try {
    return { value: await fn() };
  } catch (e) {
    const explained = explainFailure(e, { action: session.action, environment: session.model.environment, host: session.host, assemblyDir: session.assemblyDir });
    const [first, ...rest] = explained.lines;
    err(`error: ${first}`);
    for (const l of rest) err(l);
    return { exitCode: explained.exitCode };
  }
}
