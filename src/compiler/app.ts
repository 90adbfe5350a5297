/**
 * Model → CDK app → cloud assembly. One stack per module, named `<platform>-<env>-<module>`, in the
 * model's account and region, tagged with the spec's tags. Output is deterministic: no version
 * reporting, no stack traces in metadata, content-addressed assets, logical IDs from spec names.
 */
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource, Stack, type StackProps, Tags } from './cdk-core.js';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { Construct, IConstruct } from 'constructs';
import type { PlatformModel } from './model.js';
import { stackName } from './naming.js';
import { NagFindingsError, runNag, type NagFinding } from './nag.js';
import { FoundationsStack } from './stacks/foundations-stack.js';
import { BatchStack, batchUnits, hasBatchContent } from './stacks/batch-stack.js';
import { DashboardsStack, QUICKSIGHT_PREREQUISITE } from './stacks/dashboards-stack.js';
import { WarehouseStack } from './stacks/warehouse-stack.js';
import { STACK_LIMITS, type SplitUnit, type StackPart, partHasUnits, partName, partsNeeded, stackPart } from './stacks/split.js';
import { hasStreamingContent, sinkReplayerSupport, StreamingStack } from './stacks/streaming-stack.js';

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
  /**
   * Parts per module (`{ batch: 3 }`): normally left out, buildAssembly() finds the number itself.
   * @default - one stack per module, split only when a stack would pass CloudFormation's limits
   */
  parts?: Readonly<Record<string, number>>;
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
  /** What must exist in the account before the first deploy, outside CloudFormation (one sentence each). */
  prerequisites: string[];
}

/** Account set-up the stacks rely on but cannot create. */
export function prerequisites(model: PlatformModel): string[] {
  return Object.keys(model.dashboards).length ? [QUICKSIGHT_PREREQUISITE] : [];
}

/** CloudFormation's hard limit of resources per stack. */
export const MAX_RESOURCES_PER_STACK = STACK_LIMITS.resources;
/** Template bytes above which a module is split (CloudFormation's limit is 1 MB; kept with margin). */
export const MAX_TEMPLATE_BYTES = 950_000;

/** A single split unit (a workflow with its jobs, or a module that cannot split) over the limits. */
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
      `module '${module}' (stack ${stackName}) has ${count} CloudFormation resources in entries that must share one stack, more than the limit of ${MAX_RESOURCES_PER_STACK} per stack (largest: ${top}); ` +
        `split that workflow into smaller ones`,
    );
    this.name = 'StackResourceLimitError';
  }
}

const modules = new WeakMap<Stack, string>();
/** Split units in each module part stack. */
const unitCounts = new WeakMap<Stack, number>();

/** Everything a module's part stack is built from. */
interface ModuleContext {
  readonly model: PlatformModel;
  readonly foundations: FoundationsStack;
  readonly part: StackPart;
  /** The first stack of each module built before this one (dashboards read the warehouse's). */
  readonly built: ReadonlyMap<string, Stack>;
}

/**
 * The module stacks after foundations, in build order. Each lists its split units (none: the
 * module is absent) and builds one part; buildApp() does the naming, parts, dependencies and tags
 * for all of them, so a new module (streaming, warehouse, ...) gets automatic splitting by adding
 * a row here and honouring `part.has(kind, name)`.
 */
const MODULES: readonly {
  readonly name: string;
  units(model: PlatformModel): SplitUnit[];
  build(scope: Construct, id: string, props: StackProps, ctx: ModuleContext): Stack;
}[] = [
  {
    name: 'batch',
    units: (model) => (hasBatchContent(model) ? batchUnits(model) : []),
    build: (scope, id, props, { model, foundations, part }) => new BatchStack(scope, id, { ...props, model, storage: foundations.storage, part }),
  },
  {
    // One unit: the streaming module does not split its entries yet (over the limits it is reported).
    name: 'streaming',
    units: (model) => (hasStreamingContent(model) ? [{ key: 'streaming', members: [] }] : []),
    build: (scope, id, props, { model, foundations }) => new StreamingStack(scope, id, { ...props, model, storage: foundations.storage }),
  },
  {
    // One warehouse per platform: one unit.
    name: 'warehouse',
    units: (model) => (model.warehouse ? [{ key: 'warehouse', members: [] }] : []),
    build: (scope, id, props, { model, foundations }) => new WarehouseStack(scope, id, { ...props, model, storage: foundations.storage }),
  },
  {
    name: 'dashboards',
    units: (model) => (Object.keys(model.dashboards).length ? [{ key: 'dashboards', members: [] }] : []),
    build: (scope, id, props, { model, built }) => {
      const warehouse = built.get('warehouse') as WarehouseStack | undefined;
      const stack = new DashboardsStack(scope, id, { ...props, model, ...(warehouse ? { warehouse } : {}) });
      if (warehouse) stack.addStackDependency(warehouse, 'the warehouse endpoint, its network and its reader user');
      return stack;
    },
  },
];

/**
 * The modules `model` compiles to, in stack order (a module split into parts adds `-2`, `-3`...
 * stacks after synth): a command can name the stacks before synthesizing (`diff --template`).
 */
export function modulesOf(model: PlatformModel): string[] {
  return ['foundations', ...MODULES.filter((m) => m.units(model).length > 0).map((m) => m.name)];
}

/** The CDK app of a model: one stack per module with content (or per part of a split module). */
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
  const { stacks } = addModuleStacks(app, model, options.parts);
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
export function addModuleStacks(scope: Construct, model: PlatformModel, parts: Readonly<Record<string, number>> = {}): ModuleStacks {
  const names = { platform: model.name, env: model.environment.name };
  const { account, region } = model.environment;
  // No `env` at all for an environment-agnostic spec: the CDK's environment-agnostic stacks.
  const env = account !== undefined && region !== undefined ? { env: { account, region } } : {};
  const common = (module: string, name: string, part?: StackPart): StackProps => ({
    stackName: name,
    ...env,
    description: `${model.name} (${model.environment.name}) ${module} module${part && part.count > 1 ? ` part ${part.index + 1} of ${part.count}` : ''}, generated by ara-gen`,
    analyticsReporting: false,
  });

  const stacks: Stack[] = [];
  const foundationsName = stackName(names, 'foundations');
  const foundations = new FoundationsStack(scope, foundationsName, { ...common('foundations', foundationsName), model });
  modules.set(foundations, 'foundations');
  stacks.push(foundations);
  let batch: BatchStack | undefined;
  const built = new Map<string, Stack>();
  for (const m of MODULES) {
    const units = m.units(model);
    const count = Math.max(1, parts[m.name] ?? 1);
    for (let i = 0; i < count; i++) {
      if (!partHasUnits(units, i, count)) continue;
      const part = stackPart(units, i, count);
      const name = partName(stackName(names, m.name), i);
      const stack = m.build(scope, name, common(m.name, name, part), { model, foundations, part, built });
      if (i === 0) built.set(m.name, stack);
      stack.addStackDependency(foundations, 'buckets, key and catalog databases');
      modules.set(stack, m.name);
      unitCounts.set(stack, units.filter((u) => u.members.some((x) => part.has(x.kind, x.name))).length);
      stacks.push(stack);
      if (m.name === 'batch' && i === 0) batch = stack as BatchStack;
    }
  }
  for (const stack of stacks) {
    for (const [k, v] of Object.entries(model.tags)) Tags.of(stack).add(k, v);
  }
  return { foundations, ...(batch ? { batch } : {}), stacks };
}

/**
 * Builds, checks (cdk-nag) and synthesizes the model into `options.outdir`. A module whose stack
 * would pass CloudFormation's limits (500 resources; 1 MB of template, measured on the written
 * template with margin) is rebuilt as more part stacks (stacks/split.ts); when that happens after
 * a synth, `outdir` is emptied and written again.
 */
export function buildAssembly(model: PlatformModel, options: BuildOptions): BuildResult {
  const parts: Record<string, number> = { ...options.parts };
  for (let attempt = 0; ; attempt++) {
    const { app, stacks } = buildApp(model, { ...options, parts });
    // Resource counts are known before synth: grow the parts without writing anything.
    const overCount = grow(stacks, parts, (s) => resourceTypes(s).length, MAX_RESOURCES_PER_STACK, (total) => partsNeeded(total, 0));
    if (overCount) {
      checkSplittable(overCount);
      continue;
    }
    const assembly = app.synth();
    const templateFile = (s: Stack) => join(assembly.directory, assembly.getStackArtifact(s.artifactId).templateFile);
    const bytes = (s: Stack) => statSync(templateFile(s)).size;
    const overBytes = grow(stacks, parts, bytes, MAX_TEMPLATE_BYTES, (total, resources) => partsNeeded(resources, total));
    if (overBytes) {
      checkSplittable(overBytes);
      // Each round grows the parts at least in proportion to the overshoot, so this ends in a few
      // rounds; the bound only turns a planning bug into an error instead of a loop or, worse, a
      // template CloudFormation rejects at deploy.
      if (attempt >= 16) throw new Error(`stack split did not converge: ${overBytes.stack.stackName} is still ${overBytes.value} bytes after ${attempt + 1} rounds`);
      for (const e of readdirSync(options.outdir)) rmSync(join(options.outdir, e), { recursive: true, force: true });
      continue;
    }
    // cdk-nag on the final parts only, after synth: a stack whose template, construct paths and
    // acknowledgements are unchanged since an earlier check reuses its verdict (nag.ts).
    const nagFindings = runNag(stacks, (s) => readFileSync(templateFile(s), 'utf8'));
    // Under --strict the caller discards what was written (synthesize() stages the output).
    if (options.strict && nagFindings.length) throw new NagFindingsError(nagFindings);
    const summaries = stacks.map((stack): StackSummary => {
      const template = assembly.getStackArtifact(stack.artifactId).template as { Resources?: Record<string, { Type: string }> };
      const resourceCounts = countByType(Object.values(template.Resources ?? {}).map((r) => r.Type));
      return { name: stack.stackName, module: modules.get(stack)!, resourceCounts, total: Object.values(resourceCounts).reduce((a, b) => a + b, 0) };
    });
    return { assembly, stacks: summaries, nagFindings, notCompiled: notCompiled(model), prerequisites: prerequisites(model) };
  }
}

/**
 * Modules with a stack whose `measure` exceeds `limit`: their part count grows (at least by one,
 * else to what `needed(total measure, total resources)` asks). Returns the first such module.
 */
function grow(
  stacks: readonly Stack[],
  parts: Record<string, number>,
  measure: (s: Stack) => number,
  limit: number,
  needed: (total: number, resources: number) => number,
): { module: string; stack: Stack; value: number } | undefined {
  let first: { module: string; stack: Stack; value: number } | undefined;
  const totals = new Map<string, { value: number; resources: number; over: boolean; largest: number }>();
  for (const s of stacks) {
    const module = modules.get(s)!;
    const value = measure(s);
    const t = totals.get(module) ?? { value: 0, resources: 0, over: false, largest: 0 };
    t.value += value;
    t.resources += resourceTypes(s).length;
    t.largest = Math.max(t.largest, value);
    if (value > limit) {
      t.over = true;
      first ??= { module, stack: s, value };
    }
    totals.set(module, t);
  }
  for (const [module, t] of totals) {
    if (!t.over) continue;
    const current = parts[module] ?? 1;
    // Parts are filled by hash, so they are uneven: grow by how far the largest part is over, not
    // only by the module's total (which a lucky average can meet while one part stays too big).
    parts[module] = Math.max(current + 1, needed(t.value, t.resources), Math.ceil((current * t.largest) / limit));
  }
  return first;
}

/** A module that cannot split (foundations), or a part holding a single unit, cannot get smaller. */
function checkSplittable(over: { module: string; stack: Stack }): void {
  if (MODULES.some((m) => m.name === over.module) && (unitCounts.get(over.stack) ?? 0) > 1) return;
  const types = resourceTypes(over.stack);
  throw new StackResourceLimitError(over.module, over.stack.stackName, types.length, countByType(types));
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
  for (const r of Object.values(model.replayers)) {
    const support = r.target.kind === 'sink' ? sinkReplayerSupport(model, r) : undefined;
    if (support && !support.supported) add('replayers', [r.name], support.reason);
  }
  return out;
}

/** The CloudFormation resource types of a stack's constructs (one per resource). */
function resourceTypes(stack: Stack): string[] {
  const types: string[] = [];
  const visit = (c: IConstruct) => {
    if (CfnResource.isCfnResource(c)) types.push(c.cfnResourceType);
    for (const child of c.node.children) visit(child);
  };
  visit(stack);
  return types;
}

function countByType(types: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of [...types].sort()) counts[t] = (counts[t] ?? 0) + 1;
  return counts;
}
