/**
 * A deployment session, as a library: the cloud assembly of one spec environment opened with the
 * CDK toolkit, the stacks to act on selected, and toolkit failures explained in words. No argv, no
 * printing, no exit codes, no process.env: callers pass what they decided (src/cli adapts it to
 * flags, output and exit codes; a CDK app or a script can use it directly). The toolkit finds
 * credentials and its default region the SDK's way (each stack carries its own account and region).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { didYouMean } from '../../util/suggest.js';
import type { PlatformModel } from '../model.js';
import { type AssemblyStack, readAssemblyStacks, resolveStacks } from './assembly-reader.js';
import type { AraIoHost } from './io-host.js';
import { deferToolkitSdkClients } from './lazy-sdk-clients.js';
// toolkit.js loads @aws-cdk/toolkit-lib (about a second of CPU with its AWS SDK clients): imported
// only once the request has been checked, so a wrong stack or a foreign assembly is reported at once.
import type { FailureExplanation, ToolkitSession } from './toolkit.js';

export type DeployAction = 'diff' | 'deploy' | 'destroy';

/** The request cannot be carried out as given (unknown stack, an assembly of another spec): fix the request. */
export class DeploymentRequestError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'DeploymentRequestError';
  }
}

export interface DeploymentOptions {
  readonly action: DeployAction;
  /** The cloud assembly of `model` (written by synthesize()). */
  readonly assemblyDir: string;
  /** The assembly comes from an earlier run: check that it is this spec environment's. */
  readonly reused?: boolean;
  /** Stack names or modules (`batch`) to act on; empty or absent = every stack. */
  readonly stacks?: readonly string[];
  readonly host: AraIoHost;
  /** Colour in the toolkit's own messages. Default: none. */
  readonly colour?: boolean;
}

export interface Deployment extends ToolkitSession {
  readonly action: DeployAction;
  readonly model: PlatformModel;
  readonly assemblyDir: string;
  readonly host: AraIoHost;
  /** Stacks the action applies to (all of them unless `stacks` selected some). */
  readonly stacks: AssemblyStack[];
  readonly allStacks: AssemblyStack[];
}

/** Where the stacks of a deployment come from, and which of them it acts on. */
export type StackSelection = Pick<DeploymentOptions, 'assemblyDir' | 'reused' | 'stacks'>;

/**
 * Reads the assembly and selects the stacks, without the CDK toolkit (offline checks and
 * comparisons need no more). Throws DeploymentRequestError for a request that cannot work.
 */
export function selectStacks(model: PlatformModel, options: StackSelection): { stacks: AssemblyStack[]; allStacks: AssemblyStack[] } {
  const { assemblyDir } = options;
  const allStacks = options.reused ? readReusedAssembly(assemblyDir, model) : readAssemblyStacks(assemblyDir);
  const { selected, unknown } = resolveStacks(allStacks, options.stacks ?? []);
  if (unknown !== undefined) {
    const names = allStacks.flatMap((s) => [s.stackName, s.stackName.slice(`${model.name}-${model.environment.name}-`.length)]);
    throw new DeploymentRequestError(`no stack '${unknown}' in the assembly (stacks: ${allStacks.map((s) => s.stackName).join(', ')})`, didYouMean(unknown, names) || undefined);
  }
  return { stacks: selected, allStacks };
}

/** Opens the assembly and selects the stacks. Throws DeploymentRequestError for a request that cannot work. */
export async function openDeployment(model: PlatformModel, options: DeploymentOptions): Promise<Deployment> {
  const { assemblyDir } = options;
  const { stacks, allStacks } = selectStacks(model, options);
  deferToolkitSdkClients();
  const { openAssembly } = await import('./toolkit.js');
  const toolkit = await openAssembly(assemblyDir, options.host, options.colour ?? false);
  return { ...toolkit, action: options.action, model, assemblyDir, host: options.host, stacks, allStacks };
}

/** An assembly from an earlier run must exist and belong to this spec and environment. */
function readReusedAssembly(dir: string, model: PlatformModel): AssemblyStack[] {
  if (!existsSync(join(dir, 'manifest.json'))) {
    throw new DeploymentRequestError(`'${dir}' is not a cloud assembly (no manifest.json)`, `create it with 'ara-gen synth <spec> -o ${dir}', or drop --assembly`);
  }
  const stacks = readAssemblyStacks(dir);
  const prefix = `${model.name}-${model.environment.name}-`;
  const foreign = stacks.filter((s) => !s.stackName.startsWith(prefix)).map((s) => s.stackName);
  if (!stacks.length || foreign.length) {
    throw new DeploymentRequestError(
      `the assembly in '${dir}' is not the one of ${model.name} environment ${model.environment.name} (it holds ${stacks.map((s) => s.stackName).join(', ') || 'no stacks'})`,
      `re-create it with 'ara-gen synth <spec> --env ${model.environment.name} -o ${dir}', or drop --assembly`,
    );
  }
  return stacks;
}

export type ActionResult<T> = { readonly value: T; readonly failure?: undefined } | { readonly value?: undefined; readonly failure: FailureExplanation };

/** Runs a toolkit action; a failure comes back explained (what went wrong, in words, and its kind). */
export async function runAction<T>(d: Deployment, fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { value: await fn() };
  } catch (e) {
    const { explainFailure } = await import('./toolkit.js');
    return { failure: explainFailure(e, { action: d.action, environment: d.model.environment, host: d.host, assemblyDir: d.assemblyDir }) };
  }
}
