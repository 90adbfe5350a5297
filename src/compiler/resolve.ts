/**
 * resolve(): a checked SpecDocument -> the typed PlatformModel of one environment. Blueprint
 * `spec` and per-entry `defaults` merged, the environment overlay applied, units converted,
 * prefixes normalised, physical names computed (naming.ts), Glue workflows derived from trigger
 * chains. The only place that turns spec data into model values.
 */
import type { Diagnostic } from './diagnostics.js';
import { type SpecDocument, type SpecPath, toPointer } from './document.js';
import type {
  AthenaModel,
  BufferingHints,
  CatalogModel,
  CrawlerModel,
  DashboardModel,
  DeliveryStreamModel,
  JobModel,
  KeyAttribute,
  LayerLocation,
  NetworkModel,
  PlatformModel,
  RateLimitingModel,
  ReplayerModel,
  RetryPolicy,
  SinkDestinationModel,
  SinkModel,
  SourceRef,
  StorageModel,
  StreamModel,
  StreamSourceModel,
  TriggerModel,
  TriggerTarget,
  WarehouseModel,
  WorkflowModel,
} from './model.js';
import { type NameContext, canonicalS3Prefix, accessLogsBucketName, athenaResultsBucketName, glueName, glueTableName, layerBucketName, resourceName } from './naming.js';
import { findBlueprint } from './rules/blueprint.js';
import { HINT_NAMES, hintValue } from './rules/buffering.js';
import { type Dict, SpecNode, SpecView, dict, entries, environmentsOf, isDict, isEnvironmentAgnostic, list, num, str } from './rules/spec-view.js';
import { replayerFunctionName, sinkFunctionName } from './rules/names.js';
import { warehouseName } from './rules/references.js';
import { toGlueSchedule } from './rules/schedules.js';
import { actionsOf, conditionsOf, triggerGroups } from './rules/triggers.js';
import { externalSchemaName, lakeSaleTables, warehouseSources } from './rules/warehouse.js';
import { parseDuration, parseSize } from './units.js';
import { didYouMean } from '../util/suggest.js';
import { AIMD_DEFAULTS, DEFAULT_PLATFORM, SPEC_DEFAULTS as D, SPEC_RETRY_DEFAULTS } from '../contract/defaults.js';
import { MAX_KPL_AGGREGATION_BYTES, MIN_KPL_AGGREGATION_BYTES } from '../contract/limits.js';

export interface ResolveOptions {
  /** Environment to resolve; default: the first environment declared in the spec. */
  env?: string;
}

/** The blueprint `platforms/<name>/blueprint.yaml` (parsed once, cached); undefined if there is none. */
export function loadBlueprint(name: string): unknown {
  return findBlueprint(name);
}

export { canonicalS3Prefix } from './naming.js';

/** The environments a spec declares, in order. */
export function environmentNames(doc: SpecDocument): string[] {
  return environmentsOf(doc.data);
}

/**
 * Resolves `doc` (which must have passed the schema and the rules) for one environment. Problems
 * that only show here (unknown environment, unknown platform) come back as diagnostics, no model.
 */
export function resolve(doc: SpecDocument, options: ResolveOptions = {}): { model?: PlatformModel; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const data = dict(doc.data);
  const envNames = environmentsOf(data);
  const env = options.env ?? envNames[0];
  if (env === undefined || !envNames.includes(env)) {
    const dym = env === undefined ? '' : didYouMean(env, envNames);
    diagnostics.push(
      doc.diagnostic({
        code: 'ARA290',
        message: env === undefined ? 'the spec declares no environment to resolve' : `environment '${env}' is not declared in the spec`,
        path: ['environments'],
        part: 'key',
        hint: isEnvironmentAgnostic(data)
          ? `the spec declares no environments: its one environment is '${envNames[0]}' (environment-agnostic); declare 'environments:' to deploy to named accounts and regions`
          : envNames.length ? (dym ? `${dym} (declared environments: ${envNames.join(', ')})` : `declared environments: ${envNames.join(', ')}`) : "declare one under 'environments:'",
      }),
    );
    return { diagnostics };
  }
  const platform = str(data.platform) ?? DEFAULT_PLATFORM;
  if (!findBlueprint(platform)) {
    diagnostics.push(doc.diagnostic({ code: 'ARA200', message: `platform '${platform}' has no blueprint (platforms/${platform}/blueprint.yaml)`, path: ['platform'] }));
    return { diagnostics };
  }
  const view = new SpecView(doc, env, diagnostics);
  const c = view.nameContext();
  if (!c) {
    diagnostics.push(doc.diagnostic({ code: 'ARA290', message: `environment '${env}' needs an account and a region`, path: ['environments', env] }));
    return { diagnostics };
  }
  const model = new Resolver(view, c, platform, envNames).model();
  return diagnostics.some((d) => d.severity === 'error') ? { diagnostics } : { model, diagnostics };
}

/** `keyAttributes` of a dynamodb sink (the schema checked the shape), in spec order: partition key, then sort key. */
function keyAttributesOf(v: readonly unknown[]): KeyAttribute[] {
  return v.map((k) => dict(k)).map((k) => ({ name: str(k.name) ?? '', type: k.type === 'N' ? 'N' : 'S' }));
}

class Resolver {
  private readonly d: Dict;

  constructor(
    private readonly view: SpecView,
    private readonly c: NameContext,
    private readonly platform: string,
    private readonly envNames: string[],
  ) {
    this.d = view.data;
  }

  private source(path: SpecPath): SourceRef {
    const at = this.view.origin(path);
    const { start } = this.view.doc.locate(at, 'key');
    return { file: this.view.doc.file, path: toPointer(at), line: start.line, col: start.col };
  }

  private defaults(kind: string): Dict {
    return dict(this.view.defaults(kind));
  }

  /** A field of `entry`, else the blueprint default of its kind. */
  private pick(entry: Dict, defaults: Dict, key: string): unknown {
    return entry[key] ?? defaults[key];
  }

  private fail(path: SpecPath, code: string, message: string, hint?: string): void {
    this.view.report({ code, message, path, hint });
  }

  private seconds(v: unknown, path: SpecPath, bare: 's' = 's'): number {
    const r = parseDuration(v, 's', bare);
    if (r.ok) return r.value;
    this.fail(path, 'ARA280', r.error, 'write a whole number of seconds, e.g. 2s, 90s or 5m');
    return 0;
  }

  private bytes(v: unknown, path: SpecPath): number {
    const r = parseSize(v);
    if (r.ok) return r.value;
    this.fail(path, 'ARA280', r.error, "write a whole number of bytes, e.g. 1024, '512KiB' or '5MiB'");
    return 0;
  }

  /** ARA253: a KPL aggregate is one Kinesis record (at most 1 MiB) and must hold more than a record header. */
  private aggregationMaxBytes(sink: string, aggregation: 'none' | 'kpl', v: unknown, path: SpecPath): number | undefined {
    const bytes = this.bytes(v, path);
    if (bytes === 0) return undefined;
    if (aggregation !== 'kpl') {
      this.fail(path, 'ARA253', `sink '${sink}': aggregationMaxBytes applies only with aggregation: kpl`, "remove 'aggregationMaxBytes', or set 'aggregation: kpl'");
    } else if (bytes < MIN_KPL_AGGREGATION_BYTES || bytes > MAX_KPL_AGGREGATION_BYTES) {
      this.fail(path, 'ARA253', `sink '${sink}': aggregationMaxBytes is ${bytes} bytes; a KPL aggregate is one Kinesis record of ${MIN_KPL_AGGREGATION_BYTES} to ${MAX_KPL_AGGREGATION_BYTES} bytes (1KiB to 1MiB)`, "use e.g. '50KiB' (the KPL's default) or '1MiB'");
    }
    return bytes;
  }

  private location(v: unknown): LayerLocation {
    const l = dict(v);
    return { layer: str(l.layer) ?? '', prefix: canonicalS3Prefix(l.prefix) };
  }

  private glueSchedule(schedule: string, path: SpecPath): string {
    const r = toGlueSchedule(schedule);
    if ('cron' in r) return r.cron;
    this.fail(path, r.code, r.problem, r.hint);
    return schedule;
  }

  model(): PlatformModel {
    const d = this.d;
    const e = dict(dict(d.environments)[this.c.env]);
    const triggers = this.triggers();
    const { workflows, membership } = this.workflows();
    for (const [n, t] of Object.entries(triggers)) {
      const w = membership.get(n);
      if (w !== undefined) triggers[n] = { ...t, workflow: w };
    }
    const warehouse = this.warehouse();
    return {
      version: 1,
      name: this.c.platform,
      ...(str(d.description) !== undefined ? { description: str(d.description) } : {}),
      platform: this.platform,
      // Environment-agnostic (no `environments:`): no account or region; the stacks get no `env`.
      environment: this.view.agnostic ? { name: this.c.env } : { name: this.c.env, account: str(e.account) ?? '', region: str(e.region) ?? '', ...this.network(e) },
      environmentNames: this.envNames,
      tags: Object.fromEntries(Object.entries(dict(d.tags)).map(([k, v]) => [k, String(v)])),
      storage: this.storage(),
      catalog: this.catalog(),
      athena: this.athena(),
      replayers: this.replayers(),
      crawlers: this.crawlers(),
      jobs: this.jobs(),
      triggers,
      workflows,
      streams: this.streams(),
      sinks: this.sinks(),
      deliveryStreams: this.deliveryStreams(),
      ...(warehouse ? { warehouse } : {}),
      dashboards: this.dashboards(),
      source: this.source([]),
    };
  }

  private storage(): StorageModel {
    const s = dict(this.d.storage);
    const def = this.defaults('layer');
    const layers = Object.fromEntries(
      entries(s.layers).map(([n, l]) => {
        const archive = num(l.archiveDelay);
        return [
          n,
          {
            name: n,
            infrequentAccessDelay: num(this.pick(l, def, 'infrequentAccessDelay')) ?? D.layer.infrequentAccessDelay,
            ...(archive !== undefined ? { archiveDelay: archive } : {}),
            bucketName: layerBucketName(this.c, n),
            source: this.source(['storage', 'layers', n]),
          },
        ];
      }),
    );
    return {
      encryption: s.encryption === 's3' ? 's3' : 'kms',
      removalPolicy: s.removalPolicy === 'destroy' ? 'destroy' : 'retain',
      layers,
      accessLogsBucketName: accessLogsBucketName(this.c),
      source: this.source(['storage']),
    };
  }

  private catalog(): CatalogModel {
    const def = this.defaults('database');
    return {
      databases: Object.fromEntries(
        entries(dict(this.d.catalog).databases).map(([n, db]) => [
          n,
          { name: n, layer: str(db.layer) ?? '', prefix: canonicalS3Prefix(this.pick(db, def, 'prefix')), glueName: glueName(this.c, n), source: this.source(['catalog', 'databases', n]) },
        ]),
      ),
    };
  }

  private athena(): AthenaModel {
    const def = this.defaults('workgroup');
    return {
      workgroups: Object.fromEntries(
        entries(dict(this.d.athena).workgroups).map(([n, w]) => {
          const at = ['athena', 'workgroups', n];
          const cutoff = w.bytesScannedCutoff === undefined ? undefined : this.bytes(w.bytesScannedCutoff, [...at, 'bytesScannedCutoff']);
          return [
            n,
            {
              name: n,
              physicalName: resourceName(this.c, n),
              resultsRetentionDays: num(this.pick(w, def, 'resultsRetentionDays')) ?? D.workgroup.resultsRetentionDays,
              ...(cutoff !== undefined ? { bytesScannedCutoff: cutoff } : {}),
              enforceConfiguration: this.pick(w, def, 'enforceConfiguration') !== false,
              resultsBucketName: athenaResultsBucketName(this.c, n),
              source: this.source(at),
            },
          ];
        }),
      ),
    };
  }

  private replayers(): Record<string, ReplayerModel> {
    const def = this.defaults('replayer');
    return Object.fromEntries(
      entries(this.d.replayers).map(([n, r]) => {
        const at = ['replayers', n];
        const [group = '', table = ''] = (str(r.dataset) ?? '').split('/');
        const t = dict(r.target);
        const target: ReplayerModel['target'] = t.sink !== undefined ? { kind: 'sink', sink: str(t.sink) ?? '' } : { kind: 'layer', ...this.location(t) };
        return [
          n,
          {
            name: n,
            dataset: { group, table },
            frequencySeconds: this.seconds(this.pick(r, def, 'frequency'), [...at, 'frequency']),
            target,
            seed: num(this.pick(r, def, 'seed')) ?? D.replayer.seed,
            recordsPerWindow: num(this.pick(r, def, 'recordsPerWindow')) ?? D.replayer.recordsPerWindow,
            ...(num(r.reservedConcurrency) !== undefined ? { reservedConcurrency: num(r.reservedConcurrency)! } : {}),
            physicalName: replayerFunctionName(this.c, n),
            source: this.source(at),
          },
        ];
      }),
    );
  }

  private crawlers(): Record<string, CrawlerModel> {
    const def = this.defaults('crawler');
    return Object.fromEntries(
      entries(this.d.crawlers).map(([n, cr]) => {
        const at = ['crawlers', n];
        const schedule = str(cr.schedule);
        return [
          n,
          {
            name: n,
            database: str(cr.database) ?? '',
            targets: list(cr.targets).map((t) => this.location(t)),
            exclude: list(this.pick(cr, def, 'exclude')).map(String),
            ...(schedule !== undefined ? { schedule: this.glueSchedule(schedule, [...at, 'schedule']) } : {}),
            physicalName: resourceName(this.c, n),
            source: this.source(at),
          },
        ];
      }),
    );
  }

  private jobs(): Record<string, JobModel> {
    const def = this.defaults('job');
    return Object.fromEntries(
      entries(this.d.jobs).map(([n, j]) => {
        const input = dict(j.source);
        const target = dict(j.target);
        const inputTable = str(input.table) ?? '';
        return [
          n,
          {
            name: n,
            template: str(j.template) ?? '',
            input: { database: str(input.database) ?? '', table: inputTable },
            target: { ...this.location(target), database: str(target.database) ?? '', table: str(target.table) ?? inputTable },
            partitionBy: list(this.pick(j, def, 'partitionBy')).map(String),
            glueVersion: String(this.pick(j, def, 'glueVersion') ?? D.job.glueVersion),
            workerType: String(this.pick(j, def, 'workerType') ?? D.job.workerType),
            workers: num(this.pick(j, def, 'workers')) ?? D.job.workers,
            timeoutMinutes: num(this.pick(j, def, 'timeoutMinutes')) ?? D.job.timeoutMinutes,
            maxRetries: num(this.pick(j, def, 'maxRetries')) ?? D.job.maxRetries,
            physicalName: resourceName(this.c, n),
            source: this.source(['jobs', n]),
          },
        ];
      }),
    );
  }

  private triggers(): Record<string, TriggerModel> {
    const scheduledDefaults = this.defaults('trigger');
    // Conditional triggers are active by default (as in the reference architecture): an inactive
    // one silently breaks the chain its scheduled trigger starts.
    const conditionalDefaults = { ...scheduledDefaults, ...this.defaults('conditionalTrigger') };
    const out: Record<string, TriggerModel> = {};
    for (const [n, t] of entries(this.d.triggers)) {
      const at = ['triggers', n];
      const def = t.when !== undefined ? conditionalDefaults : scheduledDefaults;
      const base = {
        name: n,
        actions: actionsOf(new SpecNode(t, ['triggers', n])).map((a): TriggerTarget => ({ kind: a.kind, name: a.name })),
        startOnCreation: this.pick(t, def, 'startOnCreation') === true,
        physicalName: resourceName(this.c, n),
        source: this.source(at),
      };
      if (t.when !== undefined) {
        out[n] = {
          ...base,
          type: 'conditional',
          conditions: conditionsOf(new SpecNode(t, ['triggers', n])).map((cnd) => ({ kind: cnd.kind, name: cnd.name, state: (cnd.state ?? D.condition.state) as 'SUCCEEDED' })),
          logical: Array.isArray(dict(t.when).any) ? 'ANY' : 'AND',
        };
      } else {
        out[n] = { ...base, type: 'scheduled', schedule: this.glueSchedule(str(t.schedule) ?? '', [...at, 'schedule']) };
      }
    }
    return out;
  }

  /**
   * Triggers linked by a `when` on something another trigger starts form one Glue workflow, named
   * after its start trigger (see triggerGroups; ARA233 keeps two start triggers out of one).
   */
  private workflows(): { workflows: Record<string, WorkflowModel>; membership: Map<string, string> } {
    const workflows: Record<string, WorkflowModel> = {};
    const membership = new Map<string, string>();
    for (const { head, members } of triggerGroups(this.d.triggers)) {
      if (members.length < 2) continue;
      workflows[head] = { name: head, physicalName: resourceName(this.c, head), triggers: members };
      for (const m of members) membership.set(m, head);
    }
    return { workflows, membership };
  }

  private streams(): Record<string, StreamModel> {
    const def = this.defaults('stream');
    return Object.fromEntries(
      entries(this.d.streams).map(([n, s]) => {
        const mode = this.pick(s, def, 'mode') === 'on-demand' ? 'on-demand' : 'provisioned';
        return [
          n,
          {
            name: n,
            mode,
            ...(mode === 'provisioned' ? { shards: num(this.pick(s, def, 'shards')) ?? D.stream.shards } : {}),
            retentionHours: num(this.pick(s, def, 'retentionHours')) ?? D.stream.retentionHours,
            encryption: this.pick(s, def, 'encryption') === 'none' ? 'none' : 'kms',
            physicalName: resourceName(this.c, n),
            source: this.source(['streams', n]),
          },
        ];
      }),
    );
  }

  private sinks(): Record<string, SinkModel> {
    const out: Record<string, SinkModel> = {};
    for (const [n, s] of entries(this.d.sinks)) {
      const at = ['sinks', n];
      const type = str(s.type) ?? 'kinesis';
      const def = this.defaults(`sink.${type}`);
      const common = this.defaults('sink');
      const hintsIn = { ...dict(def.bufferingHints), ...dict(s.bufferingHints) };
      const hints = Object.fromEntries(
        HINT_NAMES.map((h) => {
          const v = hintValue(h, hintsIn[h]);
          if (v === undefined) this.fail([...at, 'bufferingHints', h], 'ARA280', `sink '${n}': ${h} '${String(hintsIn[h])}' is not usable: it must come to a whole, positive number`, h.endsWith('Bytes') ? "write a whole number of bytes, e.g. 1024, '512KiB' or '5MiB'" : 'write a whole, positive number');
          return [h, v ?? 0];
        }),
      ) as unknown as BufferingHints;
      const destination: SinkDestinationModel =
        type === 'cloudwatch-logs' || type === 'cloudwatch-metrics' || type === 'redis-stream'
          ? newDestination(type, s)
          : type === 'firehose'
          ? { type, deliveryStream: str(s.deliveryStream) ?? '', deliveryStreamName: resourceName(this.c, str(s.deliveryStream) ?? '') }
          : type === 'dynamodb'
            ? { type, tableName: str(s.table) ?? '' }
            : type === 'file'
              ? { type, path: str(s.path) ?? '' }
              : { type: 'kinesis', stream: str(s.stream) ?? '', streamName: resourceName(this.c, str(s.stream) ?? '') };
      const partitionKey = str(s.partitionKey);
      const explicitHashKey = str(s.explicitHashKey);
      const keyAttributes = type === 'dynamodb' && Array.isArray(s.keyAttributes) ? keyAttributesOf(s.keyAttributes) : undefined;
      const input = isDict(s.source) ? this.streamSource(n, s.source) : undefined;
      const aggregation = this.pick(s, common, 'aggregation') === 'kpl' ? 'kpl' : 'none';
      const aggregationMaxBytes = s.aggregationMaxBytes === undefined ? undefined : this.aggregationMaxBytes(n, aggregation, s.aggregationMaxBytes, [...at, 'aggregationMaxBytes']);
      out[n] = {
        name: n,
        type: destination.type,
        destination,
        ...(partitionKey !== undefined ? { partitionKey } : {}),
        ...(explicitHashKey !== undefined ? { explicitHashKey } : {}),
        aggregation,
        ...(aggregationMaxBytes !== undefined ? { aggregationMaxBytes } : {}),
        ...(keyAttributes ? { keyAttributes } : {}),
        ...(input ? { input } : {}),
        bufferingHints: hints,
        rateLimiting: this.rateLimiting(dict(s.rateLimiting), dict(def.rateLimiting)),
        retry: this.retry(dict(s.retry), dict(common.retry)),
        source: this.source(at),
      };
    }
    return out;
  }

  /** A sink's `source: { stream, ... }`: the event source mapping's settings (rules ARA285-ARA289 check them). */
  private streamSource(sink: string, src: Dict): StreamSourceModel {
    const def = this.defaults('streamSource');
    const d = D.streamSource;
    const bisect = this.pick(src, def, 'bisectOnError');
    return {
      kind: 'stream',
      stream: str(src.stream) ?? '',
      batchSize: num(this.pick(src, def, 'batchSize')) ?? d.batchSize,
      // Whole seconds and bounds are ARA287 (rules/stream-sinks.ts), reported once there.
      maxBatchingWindowSeconds: Math.round(msOrZero(this.pick(src, def, 'maxBatchingWindow') ?? d.maxBatchingWindow) / 1000),
      parallelizationFactor: num(this.pick(src, def, 'parallelizationFactor')) ?? d.parallelizationFactor,
      bisectOnError: typeof bisect === 'boolean' ? bisect : d.bisectOnError,
      maxRetryAttempts: num(this.pick(src, def, 'maxRetryAttempts')) ?? d.maxRetryAttempts,
      startingPosition: (this.pick(src, def, 'startingPosition') ?? d.startingPosition) === 'latest' ? 'LATEST' : 'TRIM_HORIZON',
      functionName: sinkFunctionName(this.c, sink),
    };
  }

  private rateLimiting(user: Dict, def: Dict): RateLimitingModel {
    const strategy = user.strategy ?? def.strategy;
    if (strategy !== 'aimd') return { strategy: 'none' };
    // Values of a different default strategy do not carry over.
    const inherit = def.strategy === 'aimd' ? def : {};
    const slowStart = user.slowStart ?? inherit.slowStart;
    return {
      strategy: 'aimd',
      increaseRate: num(user.increaseRate ?? inherit.increaseRate) ?? AIMD_DEFAULTS.increaseRate,
      decreaseFactor: num(user.decreaseFactor ?? inherit.decreaseFactor) ?? AIMD_DEFAULTS.decreaseFactor,
      slowStart: typeof slowStart === 'boolean' ? slowStart : AIMD_DEFAULTS.slowStart,
    };
  }

  private retry(user: Dict, def: Dict): RetryPolicy {
    const v = (k: keyof RetryPolicy): number => num(user[k] ?? def[k]) ?? SPEC_RETRY_DEFAULTS[k];
    return { maxAttempts: v('maxAttempts'), initialBackoffMs: v('initialBackoffMs'), maxBackoffMs: v('maxBackoffMs'), requestTimeoutMs: v('requestTimeoutMs') };
  }

  private deliveryStreams(): Record<string, DeliveryStreamModel> {
    const def = this.defaults('deliveryStream');
    return Object.fromEntries(
      entries(this.d.deliveryStreams).map(([n, ds]) => {
        const src = dict(ds.source);
        const hints = { ...dict(def.bufferingHints), ...dict(ds.bufferingHints) };
        const table = isDict(ds.table) ? { database: str(ds.table.database) ?? '', name: str(ds.table.name) ?? '' } : undefined;
        return [
          n,
          {
            name: n,
            input: src.direct === true ? { kind: 'direct' } : { kind: 'stream', stream: str(src.stream) ?? '' },
            target: this.location(ds.target),
            format: this.pick(ds, def, 'format') === 'parquet' ? 'parquet' : 'json',
            ...(table ? { table } : {}),
            bufferingHints: { sizeMiB: num(hints.sizeMiB) ?? D.deliveryStream.bufferingHints.sizeMiB, intervalSeconds: num(hints.intervalSeconds) ?? D.deliveryStream.bufferingHints.intervalSeconds },
            physicalName: resourceName(this.c, n),
            source: this.source(['deliveryStreams', n]),
          } satisfies DeliveryStreamModel,
        ];
      }),
    );
  }

  private warehouse(): WarehouseModel | undefined {
    const w = this.d.warehouse;
    if (!isDict(w)) return undefined;
    const def = this.defaults('warehouse');
    const name = warehouseName(w) ?? '';
    const serverless = w.engine !== 'redshift-provisioned';
    const databases = dict(this.d.catalog).databases;
    const dbDefaults = this.defaults('database');
    const spectrum = list(dict(w.spectrum).databases)
      .filter((n): n is string => typeof n === 'string')
      .map((n) => {
        const db = dict(dict(databases)[n]);
        return { database: n, glueName: glueName(this.c, n), layer: str(db.layer) ?? '', prefix: canonicalS3Prefix(this.pick(db, dbDefaults, 'prefix')), externalSchema: externalSchemaName(n) };
      });
    const sources = Object.fromEntries(
      Object.entries(warehouseSources(this.d)).map(([k, v]) => [k, { database: v.database, externalSchema: externalSchemaName(v.database), table: glueTableName(v.table) }]),
    );
    return {
      engine: serverless ? 'redshift-serverless' : 'redshift-provisioned',
      name,
      database: str(w.database) ?? '',
      ...(serverless
        ? { baseCapacity: num(this.pick(w, def, 'baseCapacity')) ?? D.warehouse.baseCapacity }
        : { nodeType: String(this.pick(w, def, 'nodeType') ?? D.warehouse.nodeType), nodes: num(this.pick(w, def, 'nodes')) ?? D.warehouse.nodes }),
      spectrum,
      sources,
      model: 'star-schema',
      loadScheduleSeconds: this.seconds(this.pick(w, def, 'loadSchedule'), ['warehouse', 'loadSchedule']),
      physicalName: resourceName(this.c, name),
      source: this.source(['warehouse']),
    };
  }

  private network(e: Dict): { network?: NetworkModel } {
    const n = e.network;
    if (!isDict(n)) return {};
    const source = this.source(['environments', this.c.env, 'network']);
    if (n.vpcId !== undefined) return { network: { kind: 'existing', vpcId: str(n.vpcId) ?? '', subnetIds: list(n.subnetIds).map(String), source } };
    const def = dict(this.defaults('network'));
    return { network: { kind: 'created', cidr: String(n.cidr ?? def.cidr ?? D.network.cidr), availabilityZones: list(n.availabilityZones).map(String), source } };
  }

  private dashboards(): Record<string, DashboardModel> {
    return Object.fromEntries(
      entries(this.d.dashboards).map(([n, db]) => {
        const src = dict(db.source);
        const input: DashboardModel['input'] =
          src.workgroup !== undefined
            ? { kind: 'athena', workgroup: str(src.workgroup) ?? '', tables: lakeSaleTables(this.d).map((t) => ({ channel: t.channel, glueDatabase: glueName(this.c, t.database), table: glueTableName(t.table) })) }
            : { kind: 'warehouse', warehouse: str(src.warehouse) ?? '' };
        return [n, { name: n, input, principal: str(db.principal) ?? '', physicalName: resourceName(this.c, n), source: this.source(['dashboards', n]) }];
      }),
    );
  }
}

/** The destinations whose settings are all in the sink entry (no physical name to compute). */
function newDestination(type: 'cloudwatch-logs' | 'cloudwatch-metrics' | 'redis-stream', s: Dict): SinkDestinationModel {
  const timestampField = str(s.timestampField);
  const unit = str(s.unit);
  const maxLength = num(s.maxLength);
  const jsonField = str(s.jsonField);
  switch (type) {
    case 'cloudwatch-logs':
      return { type, logGroup: str(s.logGroup) ?? '', logStream: str(s.logStream) ?? '', createLogStream: s.createLogStream === true, ...(timestampField !== undefined && { timestampField }) };
    case 'cloudwatch-metrics':
      return {
        type,
        namespace: str(s.namespace) ?? '',
        metricName: str(s.metricName) ?? '',
        valueField: str(s.valueField) ?? '',
        dimensions: Array.isArray(s.dimensions) ? s.dimensions.filter((d): d is string => typeof d === 'string') : [],
        ...(unit !== undefined && { unit }),
      };
    case 'redis-stream':
      return { type, stream: str(s.stream) ?? '', ...(maxLength !== undefined && { maxLength }), fields: s.fields === 'top-level' ? 'top-level' : 'json', ...(jsonField !== undefined && { jsonField }) };
  }
}

function msOrZero(v: unknown): number {
  const r = parseDuration(v, 'ms', 's');
  return r.ok ? r.value : 0;
}
