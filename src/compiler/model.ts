/**
 * The resolved, typed platform model: the one representation between parsing and code generation.
 * Produced by `resolve()` (blueprint defaults merged, environment overlay applied, references
 * checked, units converted to numbers, physical names computed); consumed by the CDK compiler and
 * the sink-config compiler. No stage after `resolve()` reads raw YAML.
 *
 * Conventions: maps keep the spec's key order (deterministic output); every entry carries `name`
 * (its key in the spec) and `source` (where it was declared) so that later stages can point back
 * at the spec; sizes are bytes, durations carry their unit in the field name.
 */
import type { BufferingHints } from '../contract/buffering.js';
import type { RateLimitingModel } from '../contract/rate-limiting.js';
import type { RetryPolicy } from '../contract/retry.js';
import type { KeyAttribute } from '../contract/sink-config.js';

export type { BufferingHints, KeyAttribute, RateLimitingModel, RetryPolicy };

export interface SourceRef {
  readonly file: string;
  /** JSON pointer of the entry in the spec, e.g. `/crawlers/raw`. */
  readonly path: string;
  readonly line: number;
  readonly col: number;
}

export type RemovalPolicyName = 'destroy' | 'retain';

export interface EnvironmentModel {
  readonly name: string;
  /**
   * The account and region; both undefined in an environment-agnostic spec (no `environments:`),
   * whose stacks take them from the deploy credentials (physical names then hold CloudFormation
   * pseudo-parameters, see naming.ts).
   */
  readonly account?: string;
  readonly region?: string;
  /** The environment's network (`environments.<env>.network`); needed by the warehouse. */
  readonly network?: NetworkModel;
}

/** A VPC ara-gen creates (isolated subnets in three AZs, gateway and interface endpoints), or an existing one. */
export type NetworkModel =
  | { readonly kind: 'created'; readonly cidr: string; readonly availabilityZones: readonly string[]; readonly source: SourceRef }
  | { readonly kind: 'existing'; readonly vpcId: string; readonly subnetIds: readonly string[]; readonly source: SourceRef };

export interface PlatformModel {
  readonly version: 1;
  readonly name: string;
  readonly description?: string;
  /** Blueprint name (`platforms/<platform>/`). */
  readonly platform: string;
  /** The selected deploy target. */
  readonly environment: EnvironmentModel;
  /** Names of every environment declared in the spec (for messages). */
  readonly environmentNames: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly storage: StorageModel;
  readonly catalog: CatalogModel;
  readonly athena: AthenaModel;
  readonly replayers: Readonly<Record<string, ReplayerModel>>;
  readonly crawlers: Readonly<Record<string, CrawlerModel>>;
  readonly jobs: Readonly<Record<string, JobModel>>;
  readonly triggers: Readonly<Record<string, TriggerModel>>;
  /** Triggers connected through `when` conditions, grouped into Glue workflows (derived). */
  readonly workflows: Readonly<Record<string, WorkflowModel>>;
  readonly streams: Readonly<Record<string, StreamModel>>;
  readonly sinks: Readonly<Record<string, SinkModel>>;
  readonly deliveryStreams: Readonly<Record<string, DeliveryStreamModel>>;
  readonly warehouse?: WarehouseModel;
  readonly dashboards: Readonly<Record<string, DashboardModel>>;
  readonly source: SourceRef;
}

// ---- foundations ---------------------------------------------------------------------------

export interface StorageModel {
  /** `kms`: one customer-managed key with rotation; `s3`: S3-managed keys (SSE-S3). */
  readonly encryption: 'kms' | 's3';
  readonly removalPolicy: RemovalPolicyName;
  readonly layers: Readonly<Record<string, LayerModel>>;
  /** Physical name of the server-access-logs bucket. */
  readonly accessLogsBucketName: string;
  readonly source: SourceRef;
}

export interface LayerModel {
  readonly name: string;
  /** Days before objects move to STANDARD_IA. */
  readonly infrequentAccessDelay: number;
  /** Days before objects move to GLACIER; undefined = never archived. */
  readonly archiveDelay?: number;
  /** Physical bucket name: `<platform>-<env>-<layer>-<account>-<region>`. */
  readonly bucketName: string;
  readonly source: SourceRef;
}

export interface CatalogModel {
  readonly databases: Readonly<Record<string, DatabaseModel>>;
}

export interface DatabaseModel {
  readonly name: string;
  readonly layer: string;
  /** Optional prefix inside the layer bucket used as the database location. */
  readonly prefix: string;
  /** Physical Glue database name (lower case, underscores). */
  readonly glueName: string;
  readonly source: SourceRef;
}

export interface AthenaModel {
  readonly workgroups: Readonly<Record<string, WorkgroupModel>>;
}

export interface WorkgroupModel {
  readonly name: string;
  readonly physicalName: string;
  readonly resultsRetentionDays: number;
  /** Per-query bytes-scanned cutoff; undefined = no limit. */
  readonly bytesScannedCutoff?: number;
  readonly enforceConfiguration: boolean;
  readonly resultsBucketName: string;
  readonly source: SourceRef;
}

// ---- batch analytics -----------------------------------------------------------------------

export interface LayerLocation {
  readonly layer: string;
  /** Normalised: no leading slash, ends with `/` unless empty. */
  readonly prefix: string;
}

export interface ReplayerModel {
  readonly name: string;
  /** e.g. `{ group: 'retail', table: 'customer' }` for `retail/customer`. */
  readonly dataset: { readonly group: string; readonly table: string };
  readonly frequencySeconds: number;
  readonly target: ({ readonly kind: 'layer' } & LayerLocation) | { readonly kind: 'sink'; readonly sink: string };
  /** Seed of the deterministic generator. */
  readonly seed: number;
  /** Records generated per window. */
  readonly recordsPerWindow: number;
  /**
   * Lambda reserved concurrency; absent = none (a reservation fails in accounts whose concurrency
   * quota is at its minimum of 10, and windows are idempotent, so overlaps are harmless).
   */
  readonly reservedConcurrency?: number;
  readonly physicalName: string;
  readonly source: SourceRef;
}

export interface CrawlerModel {
  readonly name: string;
  readonly database: string;
  readonly targets: readonly LayerLocation[];
  readonly exclude: readonly string[];
  /** Optional own schedule (cron/rate); usually started by a trigger instead. */
  readonly schedule?: string;
  readonly physicalName: string;
  readonly source: SourceRef;
}

export interface JobModel {
  readonly name: string;
  /** Template under `platforms/<platform>/templates/`, e.g. `csv-to-parquet`. */
  readonly template: string;
  /** The spec's `source`: the catalog table the job reads. */
  readonly input: { readonly database: string; readonly table: string };
  /** Output location and catalog table (table defaults to the input table's name). */
  readonly target: LayerLocation & { readonly database: string; readonly table: string };
  readonly partitionBy: readonly string[];
  readonly glueVersion: string;
  readonly workerType: string;
  readonly workers: number;
  readonly timeoutMinutes: number;
  readonly maxRetries: number;
  readonly physicalName: string;
  readonly source: SourceRef;
}

export type GlueRunState = 'SUCCEEDED' | 'FAILED' | 'TIMEOUT' | 'STOPPED';

export interface TriggerTarget {
  readonly kind: 'crawler' | 'job';
  readonly name: string;
}

export interface TriggerCondition extends TriggerTarget {
  readonly state: GlueRunState;
}

export type TriggerModel = ScheduledTriggerModel | ConditionalTriggerModel;

interface TriggerBase {
  readonly name: string;
  readonly actions: readonly TriggerTarget[];
  readonly startOnCreation: boolean;
  /** Workflow this trigger belongs to (see PlatformModel.workflows), if any. */
  readonly workflow?: string;
  readonly physicalName: string;
  readonly source: SourceRef;
}

export interface ScheduledTriggerModel extends TriggerBase {
  readonly type: 'scheduled';
  /** AWS schedule expression, `cron(...)` (6 fields) or `rate(...)`; Glue accepts only cron, so rates are converted. */
  readonly schedule: string;
}

export interface ConditionalTriggerModel extends TriggerBase {
  readonly type: 'conditional';
  readonly conditions: readonly TriggerCondition[];
  readonly logical: 'AND' | 'ANY';
}

export interface WorkflowModel {
  readonly name: string;
  readonly physicalName: string;
  /** Trigger names in the workflow, in spec order. */
  readonly triggers: readonly string[];
}

// ---- streaming -----------------------------------------------------------------------------

export interface StreamModel {
  readonly name: string;
  readonly mode: 'provisioned' | 'on-demand';
  /** Shard count for provisioned streams. */
  readonly shards?: number;
  readonly retentionHours: number;
  readonly encryption: 'kms' | 'none';
  readonly physicalName: string;
  readonly source: SourceRef;
}

export type SinkDestinationModel =
  | { readonly type: 'kinesis'; readonly stream: string; readonly streamName: string }
  | { readonly type: 'firehose'; readonly deliveryStream: string; readonly deliveryStreamName: string }
  | { readonly type: 'dynamodb'; readonly tableName: string }
  /** Appends delivered batches as NDJSON to a local file (dry runs, debugging, benchmarks). */
  | { readonly type: 'file'; readonly path: string }
  /** PutLogEvents to an existing log group; the stream is created at the first write with createLogStream. */
  | { readonly type: 'cloudwatch-logs'; readonly logGroup: string; readonly logStream: string; readonly createLogStream: boolean; readonly timestampField?: string }
  /** PutMetricData: one datum per event, its value from valueField, dimensions from the fields of the same names. */
  | { readonly type: 'cloudwatch-metrics'; readonly namespace: string; readonly metricName: string; readonly valueField: string; readonly dimensions: readonly string[]; readonly unit?: string }
  /** Pipelined XADD to a self-hosted Redis (`sink run` only); the server URL comes from the environment. */
  | { readonly type: 'redis-stream'; readonly stream: string; readonly maxLength?: number; readonly fields: 'json' | 'top-level'; readonly jsonField?: string };

export interface SinkModel {
  readonly name: string;
  readonly type: SinkDestinationModel['type'];
  readonly destination: SinkDestinationModel;
  /** Event field used as the Kinesis partition key; undefined = random key. */
  readonly partitionKey?: string;
  /** Event field used as the Kinesis explicit hash key. */
  readonly explicitHashKey?: string;
  readonly aggregation: 'none' | 'kpl';
  /** With aggregation kpl: the largest aggregate in bytes (undefined = the runtime's default, 51,200). */
  readonly aggregationMaxBytes?: number;
  /** Stream-fed sinks (`source: { stream }`): a Lambda consumes the stream and runs the engine. */
  readonly input?: StreamSourceModel;
  /**
   * DynamoDB only: the table's key attributes, partition key first, then the optional sort key.
   * Undefined = the runtime learns them with DescribeTable.
   */
  readonly keyAttributes?: readonly KeyAttribute[];
  readonly bufferingHints: BufferingHints;
  readonly rateLimiting: RateLimitingModel;
  readonly retry: RetryPolicy;
  readonly source: SourceRef;
}

/** A sink's Kinesis source: the Lambda event source mapping's settings. */
export interface StreamSourceModel {
  readonly kind: 'stream';
  readonly stream: string;
  /** Records per Lambda invocation (1-10,000). */
  readonly batchSize: number;
  /** Seconds Lambda gathers records before invoking (0-300). */
  readonly maxBatchingWindowSeconds: number;
  /** Concurrent batches per shard (1-10). */
  readonly parallelizationFactor: number;
  /** Split a failing batch in two and retry each half. */
  readonly bisectOnError: boolean;
  /** Retries of a failing batch before it goes to the on-failure queue (-1 = until the record expires). */
  readonly maxRetryAttempts: number;
  readonly startingPosition: 'LATEST' | 'TRIM_HORIZON';
  /** The consuming Lambda's function name. */
  readonly functionName: string;
}

export interface DeliveryStreamModel {
  readonly name: string;
  /** From a Kinesis stream of the spec, or direct PUT (what a `firehose` sink writes to). */
  readonly input: { readonly kind: 'stream'; readonly stream: string } | { readonly kind: 'direct' };
  readonly target: LayerLocation;
  readonly format: 'json' | 'parquet';
  readonly table?: { readonly database: string; readonly name: string };
  readonly bufferingHints: { readonly sizeMiB: number; readonly intervalSeconds: number };
  readonly physicalName: string;
  readonly source: SourceRef;
}

// ---- warehouse and visualization -------------------------------------------------------------

export interface WarehouseModel {
  /** Name dashboards refer to (`warehouse.name`, default its database). */
  readonly name?: string;
  readonly engine: 'redshift-serverless' | 'redshift-provisioned';
  readonly database: string;
  /** Redshift Serverless base RPUs. */
  readonly baseCapacity?: number;
  /** Provisioned cluster node type and count. */
  readonly nodeType?: string;
  readonly nodes?: number;
  /** External schemas over catalog databases, in the spec's lookup order. */
  readonly spectrum: readonly SpectrumDatabaseModel[];
  /** Where the star schema reads each retail table: the first Spectrum database holding it. */
  readonly sources: {
    readonly customer?: WarehouseSourceModel;
    readonly storeSale?: WarehouseSourceModel;
    readonly webSale?: WarehouseSourceModel;
  };
  readonly model: 'star-schema';
  readonly loadScheduleSeconds: number;
  readonly physicalName: string;
  readonly source: SourceRef;
}

export interface SpectrumDatabaseModel {
  /** The catalog database's spec name. */
  readonly database: string;
  readonly glueName: string;
  /** Layer bucket (and prefix) holding the database's data. */
  readonly layer: string;
  readonly prefix: string;
  /** Redshift external schema over it: `spectrum_<database>`. */
  readonly externalSchema: string;
}

export interface WarehouseSourceModel {
  /** Spec name of the catalog database. */
  readonly database: string;
  readonly externalSchema: string;
  /** Glue table name. */
  readonly table: string;
}

export interface DashboardModel {
  readonly name: string;
  readonly input:
    | { readonly kind: 'warehouse'; readonly warehouse: string }
    | {
        readonly kind: 'athena';
        readonly workgroup: string;
        /** The sale tables Athena reads: the first catalog database holding each. */
        readonly tables: readonly { readonly channel: 'store' | 'web'; readonly glueDatabase: string; readonly table: string }[];
      };
  readonly principal: string;
  readonly physicalName: string;
  readonly source: SourceRef;
}
