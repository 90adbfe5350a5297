/**
 * Model → CDK app → cloud assembly. One stack per module, named `<platform>-<env>-<module>`, in the
 * model's account and region, tagged with the spec's tags. Output is deterministic: no version
 * reporting, no stack traces in metadata, content-addressed assets, logical IDs from spec names.
 */
import { App, CfnResource, Stack, Tags } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { Construct, IConstruct } from 'constructs';
import type { PlatformModel } from './model.js';
import { stackName } from './naming.js';
import { NagFindingsError, runNag, type NagFinding } from './nag.js';
import { FoundationsStack } from './stacks/foundations-stack.js';
import { BatchStack, hasBatchContent } from './stacks/batch-stack.js';
import { hasStreamingContent, StreamingStack } from './stacks/streaming-stack.js';

export interface BuildOptions {
  outdir: string;
  /** Unacknowledged cdk-nag findings are an error (NagFindingsError, nothing written). */
  strict?: boolean;
  /**
   * Also run CDK's built-in CloudFormation template validation at synth (writes
   * `validation-report.json`). Off by default: it loads a rule engine that costs seconds per synth,
   * for templates generated from typed L1 constructs (the tests run it on the flagship).
   */
  cfnValidation?: boolean;
}

export interface StackSummary {
  name: string;
  module: string;
  resourceCounts: Record<string, number>;
  total: number;
}

export interface NotCompiledSection {
  section: string;
  entries: string[];
  reason: string;
}

export interface BuildResult {
  assembly: CloudAssembly;
  stacks: StackSummary[];
  /** Unacknowledged cdk-nag findings. */
  nagFindings: NagFinding[];
  /** Spec sections this compiler does not turn into stacks: reported, never silently dropped. */
  notCompiled: NotCompiledSection[];
}

/** CloudFormation's hard limit of resources per stack. */
export const MAX_RESOURCES_PER_STACK = 500;

export class StackResourceLimitError extends Error {
  constructor(
    readonly module: string,
    readonly stackName: string,
    readonly count: number,
    readonly byType: Record<string, number>,
  ) {
    const top = Object.entries(byType)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([t, n]) => `${n} ${t}`)
      .join(', ');
    super(
      `module '${module}' (stack ${stackName}) has ${count} CloudFormation resources, more than the limit of ${MAX_RESOURCES_PER_STACK} per stack (largest: ${top}); ` +
        `split its entries across several platform specs or reduce them`,
    );
    this.name = 'StackResourceLimitError';
  }
}

const modules = new WeakMap<Stack, string>();

/**
 * The modules `model` compiles to, in stack order: addModuleStacks creates exactly these stacks, so
 * a command can name the stacks before synthesizing (`diff --template` checks its stack first).
 */
export function modulesOf(model: PlatformModel): string[] {
  return ['foundations', ...(hasBatchContent(model) ? ['batch'] : []), ...(hasStreamingContent(model) ? ['streaming'] : [])];
}

/** The CDK app of a model: one stack per module with content. For tests (`Template.fromStack`). */
export function buildApp(model: PlatformModel, options: BuildOptions): { app: App; stacks: Stack[] } {
  const app = new App({
    outdir: options.outdir,
    analyticsReporting: false,
    stackTraces: false,
    builtinCloudFormationValidation: options.cfnValidation ?? false,
    context: {
      'aws:cdk:version-reporting': false,
      // No creation stack traces in the metadata: they hold local paths (non-reproducible output).
      'aws:cdk:disable-creation-stack-traces': true,
      // Batch imports the foundations key with Fn::ImportValue: a strong reference keeps foundations
      // from dropping the key while batch uses it. Said explicitly, so the CDK warns about nothing.
      '@aws-cdk/core:defaultCrossStackReferences': 'strong',
    },
  });
  const { stacks } = addModuleStacks(app, model);
  return { app, stacks };
}

export interface ModuleStacks {
  readonly foundations: FoundationsStack;
  /** Present when the model has batch content (replayers, crawlers, jobs, triggers). */
  readonly batch?: BatchStack;
  /** Every module stack, in deploy order. */
  readonly stacks: Stack[];
}

/**
 * The model's module stacks under `scope` (the App of `ara-gen synth`, or any construct outside a
 * stack in a user's CDK app: the Platform construct), one per module with content, named
 * `<platform>-<env>-<module>`, in the model's account and region, tagged with the spec's tags.
 */
export function addModuleStacks(scope: Construct, model: PlatformModel): ModuleStacks {
  const names = { platform: model.name, env: model.environment.name };
  const env = { account: model.environment.account, region: model.environment.region };
  const common = (module: string) => ({
    stackName: stackName(names, module),
    env,
    description: `${model.name} (${model.environment.name}) ${module} module, generated by ara-gen`,
    analyticsReporting: false,
  });

  const stacks: Stack[] = [];
  const wanted = modulesOf(model);
  const foundations = new FoundationsStack(scope, stackName(names, 'foundations'), { ...common('foundations'), model });
  modules.set(foundations, 'foundations');
  stacks.push(foundations);
  let batch: BatchStack | undefined;
  if (wanted.includes('batch')) {
    batch = new BatchStack(scope, stackName(names, 'batch'), { ...common('batch'), model, storage: foundations.storage });
    batch.addStackDependency(foundations, 'buckets, key and catalog databases');
    modules.set(batch, 'batch');
    stacks.push(batch);
  }
  if (wanted.includes('streaming')) {
    const streaming = new StreamingStack(scope, stackName(names, 'streaming'), { ...common('streaming'), model, storage: foundations.storage });
    streaming.addStackDependency(foundations, 'buckets, key and catalog tables');
    modules.set(streaming, 'streaming');
    stacks.push(streaming);
  }
  for (const stack of stacks) {
    for (const [k, v] of Object.entries(model.tags)) Tags.of(stack).add(k, v);
  }
  return { foundations, ...(batch ? { batch } : {}), stacks };
}

/** Builds, checks (resource limit, cdk-nag) and synthesizes the model into `options.outdir`. */
export function buildAssembly(model: PlatformModel, options: BuildOptions): BuildResult {
  const { app, stacks } = buildApp(model, options);
  for (const stack of stacks) checkResourceLimit(stack);
  const nagFindings = runNag(stacks);
  if (options.strict && nagFindings.length) throw new NagFindingsError(nagFindings);
  const assembly = app.synth();
  const summaries = stacks.map((stack): StackSummary => {
    const template = assembly.getStackArtifact(stack.artifactId).template as { Resources?: Record<string, { Type: string }> };
    const resourceCounts = countByType(Object.values(template.Resources ?? {}).map((r) => r.Type));
    return { name: stack.stackName, module: modules.get(stack)!, resourceCounts, total: Object.values(resourceCounts).reduce((a, b) => a + b, 0) };
  });
  return { assembly, stacks: summaries, nagFindings, notCompiled: notCompiled(model) };
}

/**
 * Sections of the model that no stack of this compiler covers yet. (Sinks are not among them: they
 * compile to sink-runtime configs, written beside the assembly.)
 */
export function notCompiled(model: PlatformModel): NotCompiledSection[] {
  const out: NotCompiledSection[] = [];
  const add = (section: string, entries: string[], reason: string) => {
    if (entries.length) out.push({ section, entries, reason });
  };
  add(
    'replayers',
    Object.values(model.replayers).filter((r) => r.target.kind === 'sink').map((r) => r.name),
    'the replayer-into-sink Lambda of the streaming module is not compiled yet',
  );
  add('warehouse', model.warehouse ? [model.warehouse.database] : [], 'the warehouse module is not compiled to CDK yet');
  add('dashboards', Object.keys(model.dashboards), 'the visualization module is not compiled to CDK yet');
  return out;
}

function checkResourceLimit(stack: Stack): void {
  const types: string[] = [];
  const visit = (c: IConstruct) => {
    if (CfnResource.isCfnResource(c)) types.push(c.cfnResourceType);
    for (const child of c.node.children) visit(child);
  };
  visit(stack);
  if (types.length > MAX_RESOURCES_PER_STACK) {
    throw new StackResourceLimitError(modules.get(stack)!, stack.stackName, types.length, countByType(types));
  }
}

function countByType(types: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of [...types].sort()) counts[t] = (counts[t] ?? 0) + 1;
  return counts;
}
