/**
 * The shape of a spec, generated from schema/platform.schema.json by src/compiler/schema-types.ts
 * (scripts/build.js): do not edit. Lenient: every field optional, a discriminated entry's variants
 * merged; read values through SpecNode (rules/spec-view.ts), which checks their type at run time.
 */
/* eslint-disable */

/** One YAML file declaring an AWS analytics platform (data lake, catalog, Athena, replayers, crawlers, Glue jobs and triggers, Kinesis streams, async sinks, Firehose, Redshift, QuickSight). Defaults come from the blueprint named by `platform`. See docs/spec-language.md. */
export interface PlatformSpec {
  /** Version of the spec language (1). */
  readonly version?: 1;
  /** Platform name; prefixes every physical resource name (keep it short: bucket names are at most 63 characters). */
  readonly name?: NameSpec;
  /** Free text. */
  readonly description?: string;
  /** Blueprint under `platforms/` providing defaults. */
  readonly platform?: NameSpec;
  /** Deploy targets by name (at least one when present). Omit it for one implicit environment named `default` whose stacks are environment-agnostic: account and region come from the deploy credentials. */
  readonly environments?: { readonly [name: string]: EnvironmentSpec };
  /** Tags applied to every resource. */
  readonly tags?: TagsSpec;
  /** The data lake. */
  readonly storage?: StorageSpec;
  /** The Glue data catalog. */
  readonly catalog?: CatalogSpec;
  /** Amazon Athena. */
  readonly athena?: AthenaSpec;
  /** Data replayers by name. */
  readonly replayers?: { readonly [name: string]: ReplayerSpec };
  /** Glue crawlers by name. */
  readonly crawlers?: { readonly [name: string]: CrawlerSpec };
  /** Glue ETL jobs by name. */
  readonly jobs?: { readonly [name: string]: JobSpec };
  /** Glue triggers by name; conditional chains become Glue workflows. */
  readonly triggers?: { readonly [name: string]: TriggerSpec };
  /** Kinesis data streams by name. */
  readonly streams?: { readonly [name: string]: StreamSpec };
  /** Async sinks by name. */
  readonly sinks?: { readonly [name: string]: SinkSpec };
  /** Firehose delivery streams by name. */
  readonly deliveryStreams?: { readonly [name: string]: DeliveryStreamSpec };
  /** The Redshift warehouse. */
  readonly warehouse?: WarehouseSpec;
  /** QuickSight dashboards by name. */
  readonly dashboards?: { readonly [name: string]: DashboardSpec };
}

/** An entry name: letters, digits, `-` and `_`, starting with a letter or digit. Physical AWS names are derived from it (see docs/spec-language.md). */
export type NameSpec = string;

/** A size: an integer number of bytes, or a number with a unit: B, KiB, MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB (powers of 1000). */
export type SizeSpec = number | string;

/** A duration: a number with a unit (`ms`, `s`, `m`, `h`, `d`), or an integer number of seconds. */
export type DurationSpec = number | string;

/** What happens to stored data when a stack is deleted: `retain` keeps buckets and keys (safe default), `destroy` empties and deletes them (development only). */
export type RemovalPolicySpec = "destroy" | "retain";

/** An S3 key prefix inside the layer bucket; normalised to no leading `/` and a trailing `/`. */
export type PrefixSpec = string;

/** An AWS schedule expression: `cron(min hour day-of-month month day-of-week year)` (6 fields, exactly one of day-of-month/day-of-week is `?`) or `rate(N unit)`. */
export type ScheduleSpec = string;

/** Tags applied to every resource (AWS tag rules: keys up to 128, values up to 256 characters). */
export type TagsSpec = { readonly [name: string]: string };

/** A location in a data-lake layer. */
export interface LayerLocationSpec {
  /** Name of a storage layer (`storage.layers`). */
  readonly layer?: NameSpec;
  /** Key prefix inside the layer bucket. */
  readonly prefix?: PrefixSpec;
}

/** A Glue table of the catalog. */
export interface CatalogTableSpec {
  /** Name of a catalog database (`catalog.databases`). */
  readonly database?: NameSpec;
  /** Glue table name (lower case, digits, `_`). */
  readonly table?: string;
}

/** A data-lake layer: one S3 bucket (encrypted, TLS-only, versioned, public access blocked) with lifecycle transitions. */
export interface LayerSpec {
  /** Days before objects move to S3 Standard-IA (at least 30). */
  readonly infrequentAccessDelay?: number;
  /** Days before objects move to S3 Glacier (at least 90 and more than infrequentAccessDelay). Omit to never archive. */
  readonly archiveDelay?: number;
  /** Free text. */
  readonly description?: string;
}

/** The data lake: one bucket per layer, one server-access-logs bucket, one KMS key. */
export interface StorageSpec {
  /** `kms`: one customer-managed KMS key with rotation (bucket keys on); `s3`: S3-managed keys (SSE-S3). */
  readonly encryption?: "kms" | "s3";
  /** Removal policy of buckets and keys (an environment's `removalPolicy` overrides it). */
  readonly removalPolicy?: RemovalPolicySpec;
  /** Data-lake layers by name; the blueprint provides `raw`, `clean` and `transform`. */
  readonly layers?: { readonly [name: string]: LayerSpec };
}

/** A Glue database bound to a layer. */
export interface DatabaseSpec {
  /** Storage layer holding the data of this database. */
  readonly layer?: NameSpec;
  /** Prefix inside the layer bucket used as the database location. */
  readonly prefix?: PrefixSpec;
  /** Free text. */
  readonly description?: string;
}

/** The Glue data catalog. */
export interface CatalogSpec {
  /** Glue databases by name. */
  readonly databases?: { readonly [name: string]: DatabaseSpec };
}

/** An Athena workgroup with its own encrypted results bucket. */
export interface WorkgroupSpec {
  /** Days query results are kept in the results bucket. */
  readonly resultsRetentionDays?: number;
  /** Per-query limit of data scanned (at least 10MB); omit for no limit. */
  readonly bytesScannedCutoff?: SizeSpec;
  /** Force the workgroup settings (encryption, results location) on every query. */
  readonly enforceConfiguration?: boolean;
  /** Free text. */
  readonly description?: string;
}

/** Amazon Athena. */
export interface AthenaSpec {
  /** Athena workgroups by name. */
  readonly workgroups?: { readonly [name: string]: WorkgroupSpec };
}

/** Replay into a layer prefix as CSV files. */
export interface ReplayerLayerTargetSpec {
  /** Storage layer to write to. */
  readonly layer?: NameSpec;
  /** Prefix inside the layer bucket. */
  readonly prefix?: PrefixSpec;
}

/** Replay into a sink (as JSON events). */
export interface ReplayerSinkTargetSpec {
  /** Name of a sink (`sinks`). */
  readonly sink?: NameSpec;
}

/** Replays a time-stamped dataset into a layer prefix or a sink on a schedule. */
export interface ReplayerSpec {
  /** Dataset as `<group>/<table>`; the `retail` group has web_sale, store_sale, customer, customer_address, item, promo, store, warehouse. */
  readonly dataset?: string;
  /** How often a window of records is replayed. */
  readonly frequency?: DurationSpec;
  /** Where records go: `{ layer, prefix }` or `{ sink }`. */
  readonly target?: {
    /** Storage layer to write to. */
    readonly layer?: NameSpec;
    /** Name of a sink. */
    readonly sink?: NameSpec;
    /** Prefix inside the layer bucket. */
    readonly prefix?: PrefixSpec;
  };
  /** Seed of the deterministic generator. */
  readonly seed?: number;
  /** Records generated per window. */
  readonly recordsPerWindow?: number;
  /** Reserved concurrency of the replayer's Lambda function; omit for none (a reservation fails in accounts whose concurrency quota is 10). */
  readonly reservedConcurrency?: number;
  /** Free text. */
  readonly description?: string;
}

/** A Glue crawler cataloguing layer prefixes into a database. */
export interface CrawlerSpec {
  /** Catalog database the crawler writes tables to. */
  readonly database?: NameSpec;
  /** Layer locations to crawl. */
  readonly targets?: readonly LayerLocationSpec[];
  /** Glob patterns excluded from crawling. */
  readonly exclude?: readonly string[];
  /** Own schedule; usually a trigger starts the crawler instead. */
  readonly schedule?: ScheduleSpec;
  /** Free text. */
  readonly description?: string;
}

/** A Glue ETL job rendered from a template of the platform. */
export interface JobSpec {
  /** Job template under `platforms/<platform>/templates/`. */
  readonly template?: NameSpec;
  /** Catalog table the job reads. */
  readonly source?: CatalogTableSpec;
  /** Where the job writes, and the catalog table it maintains. */
  readonly target?: {
    /** Storage layer to write to. */
    readonly layer?: NameSpec;
    /** Prefix inside the layer bucket. */
    readonly prefix?: PrefixSpec;
    /** Catalog database of the output table. */
    readonly database?: NameSpec;
    /** Output table name; defaults to the source table name. */
    readonly table?: string;
  };
  /** Output partition columns. */
  readonly partitionBy?: readonly string[];
  /** Glue version: `3.0` (Spark 3.1, Python 3.7), `4.0` (Spark 3.3, Python 3.10) or `5.0` (Spark 3.5, Python 3.11). */
  readonly glueVersion?: "3.0" | "4.0" | "5.0";
  /** Glue worker type: `G.025X` (2 vCPU, 4 GB; streaming), `G.1X` (4 vCPU, 16 GB), `G.2X` (8 vCPU, 32 GB), `G.4X` (16 vCPU, 64 GB) or `G.8X` (32 vCPU, 128 GB). */
  readonly workerType?: "G.025X" | "G.1X" | "G.2X" | "G.4X" | "G.8X";
  /** Number of workers. */
  readonly workers?: number;
  /** Job run timeout in minutes. */
  readonly timeoutMinutes?: number;
  /** Retries of a failed job run. */
  readonly maxRetries?: number;
  /** Free text. */
  readonly description?: string;
}

/** An action: `{ job: <name> }` or `{ crawler: <name> }` (exactly one). */
export interface TriggerTargetSpec {
  /** Name of a crawler. */
  readonly crawler?: NameSpec;
  /** Name of a job. */
  readonly job?: NameSpec;
}

/** A run state of one job or crawler: `crawler` or `job` (exactly one), plus `state`. */
export interface ConditionSpec {
  /** Name of a crawler. */
  readonly crawler?: NameSpec;
  /** Name of a job. */
  readonly job?: NameSpec;
  /** Run state that fires the trigger: `SUCCEEDED` (default), `FAILED`, `TIMEOUT` or `STOPPED` (the last two are job states: crawlers report only SUCCEEDED or FAILED). */
  readonly state?: "SUCCEEDED" | "FAILED" | "TIMEOUT" | "STOPPED";
}

/** Condition of a conditional trigger: one condition (`{ crawler|job, state }`), or `{ all: [...] }` / `{ any: [...] }`. */
export interface WhenSpec {
  /** Every condition must hold. */
  readonly all?: readonly ConditionSpec[];
  /** Any condition suffices. */
  readonly any?: readonly ConditionSpec[];
  /** Name of a crawler. */
  readonly crawler?: NameSpec;
  /** Name of a job. */
  readonly job?: NameSpec;
  /** Run state that fires the trigger: `SUCCEEDED` (default), `FAILED`, `TIMEOUT` or `STOPPED` (the last two are job states: crawlers report only SUCCEEDED or FAILED). */
  readonly state?: "SUCCEEDED" | "FAILED" | "TIMEOUT" | "STOPPED";
}

/** A trigger that starts its actions on a schedule. */
export interface ScheduledTriggerSpec {
  /** When to fire; Glue accepts only cron, so rate expressions are converted (rate(5 minutes) = cron(0/5 * * * ? *)). */
  readonly schedule?: ScheduleSpec;
  /** Jobs and crawlers to start. */
  readonly actions?: readonly TriggerTargetSpec[];
  /** Activate the trigger when it is created. */
  readonly startOnCreation?: boolean;
  /** Free text. */
  readonly description?: string;
}

/** A trigger that starts its actions when watched jobs/crawlers reach a state; triggers chained this way form one Glue workflow. */
export interface ConditionalTriggerSpec {
  /** The watched run states. */
  readonly when?: WhenSpec;
  /** Jobs and crawlers to start. */
  readonly actions?: readonly TriggerTargetSpec[];
  /** Activate the trigger when it is created (conditional triggers are active by default, so the chain a scheduled trigger starts runs to the end). */
  readonly startOnCreation?: boolean;
  /** Free text. */
  readonly description?: string;
}

/** A Glue trigger: scheduled (`schedule`) or conditional (`when`). */
export interface TriggerSpec {
  /** Schedule expression (scheduled trigger). */
  readonly schedule?: ScheduleSpec;
  /** Condition (conditional trigger). */
  readonly when?: WhenSpec;
  /** Jobs and crawlers to start. */
  readonly actions?: readonly TriggerTargetSpec[];
  /** Activate the trigger when it is created (conditional triggers are active by default, so the chain a scheduled trigger starts runs to the end). */
  readonly startOnCreation?: boolean;
  /** Free text. */
  readonly description?: string;
}

/** A Kinesis data stream (KMS-encrypted by default). */
export interface StreamSpec {
  /** Shard count of a provisioned stream. */
  readonly shards?: number;
  /** Capacity mode: `provisioned` (set `shards`) or `on-demand`. */
  readonly mode?: "provisioned" | "on-demand";
  /** Hours records are kept. */
  readonly retentionHours?: number;
  /** `kms`: server-side encryption with a customer-managed key; `none`: unencrypted (not recommended). */
  readonly encryption?: "kms" | "none";
  /** Free text. */
  readonly description?: string;
}

/** Flink-style buffering hints of the async sink; omitted hints take the destination's defaults (see the blueprint). */
export interface BufferingHintsSpec {
  /** Most entries in one request (Kinesis, Firehose ≤ 500; DynamoDB ≤ 25). */
  readonly maxBatchSize?: number;
  /** Most bytes in one request (Kinesis ≤ 5MiB, Firehose ≤ 4MiB, DynamoDB ≤ 16MiB). */
  readonly maxBatchBytes?: SizeSpec;
  /** Largest accepted entry (Kinesis ≤ 1MiB, Firehose ≤ 1000KiB, DynamoDB ≤ 400KiB); larger entries go to the dead-letter file. */
  readonly maxRecordBytes?: SizeSpec;
  /** Entries buffered before writes wait (back-pressure); must exceed maxBatchSize. */
  readonly maxBufferedRequests?: number;
  /** Longest time an entry waits before its batch is flushed, in milliseconds. */
  readonly maxTimeInBufferMs?: number;
  /** Concurrent requests. */
  readonly maxInFlightRequests?: number;
}

/** Congestion control of in-flight messages (FLIP-242): `aimd` (additive increase, multiplicative decrease) or `none`. */
export interface RateLimitingSpec {
  /** Rate-limiting strategy: `aimd` (additive increase of the in-flight budget after each successful request, multiplicative decrease after a failure; FLIP-242) or `none` (no limit beyond maxInFlightRequests). */
  readonly strategy?: "aimd" | "none";
  /** Messages added to the in-flight budget after a fully successful request (a positive integer). */
  readonly increaseRate?: number;
  /** Factor applied to the budget after a request with failures, strictly between 0 and 1. */
  readonly decreaseFactor?: number;
  /** Slow start, as in TCP: the in-flight budget starts at up to 4 batches and grows by every acknowledged batch (doubling per round trip) until the first request with a failure, then AIMD takes over. `false`: Flink's classic start at one batch, additive increase only. */
  readonly slowStart?: boolean;
}

/** Retries of failed entries: exponential backoff with full jitter. */
export interface RetrySpec {
  /** Attempts per entry before it goes to the dead-letter file; 0 = retry forever. */
  readonly maxAttempts?: number;
  /** First backoff in milliseconds. */
  readonly initialBackoffMs?: number;
  /** Backoff ceiling in milliseconds. */
  readonly maxBackoffMs?: number;
  /** Timeout of one request in milliseconds. */
  readonly requestTimeoutMs?: number;
}

/** A Kinesis stream feeding the sink inside the platform: a Lambda consumes the stream through an event source mapping and runs the sink's engine. Runs only for AWS destinations (not `file` or `redis-stream`). */
export interface StreamSourceSpec {
  /** Name of a stream (`streams`). */
  readonly stream?: NameSpec;
  /** Records per Lambda invocation (Lambda allows 1 to 10,000). */
  readonly batchSize?: number;
  /** How long Lambda gathers records before invoking (whole seconds, 0 to 300 s). */
  readonly maxBatchingWindow?: DurationSpec;
  /** Concurrent batches per shard (1 to 10): throughput grows with shards × this. */
  readonly parallelizationFactor?: number;
  /** Split a failing batch in two and retry each half. */
  readonly bisectOnError?: boolean;
  /** Retries of a failing batch before its records go to the on-failure queue (-1: until they expire from the stream). */
  readonly maxRetryAttempts?: number;
  /** Where a new mapping starts reading: `trim-horizon` (the oldest record kept) or `latest` (records written after the deploy). */
  readonly startingPosition?: "trim-horizon" | "latest";
}

/** A sink writing to a Kinesis stream of the spec (PutRecords). */
export interface KinesisSinkSpec {
  /** Kinesis Data Streams. */
  readonly type?: "kinesis";
  /** Name of a stream (`streams`). */
  readonly stream?: NameSpec;
  /** Event field used as the partition key; omit for a random key. */
  readonly partitionKey?: string;
  /** Event field used as the explicit hash key. */
  readonly explicitHashKey?: string;
  /** `kpl`: pack many events into one Kinesis record (KPL aggregation format); `none`: one record per event. */
  readonly aggregation?: "none" | "kpl";
  /** With `aggregation: kpl`: the largest aggregate, as Kinesis counts it (data + partition key), like the KPL's AggregationMaxSize; 1KiB to 1MiB (ARA253). Default 50KiB (51200 bytes). */
  readonly aggregationMaxBytes?: SizeSpec;
  /** Feed the sink from a stream inside the platform (a Lambda on the stream); without it the sink runs with `ara-gen sink run` or from a replayer. */
  readonly source?: StreamSourceSpec;
  /** Buffering hints; omitted ones take the destination defaults. */
  readonly bufferingHints?: BufferingHintsSpec;
  /** Rate limiting (default: AIMD +10 / ×0.5; Kinesis ×0.99). */
  readonly rateLimiting?: RateLimitingSpec;
  /** Retry policy. */
  readonly retry?: RetrySpec;
  /** Free text. */
  readonly description?: string;
}

/** A sink writing to a direct-PUT delivery stream of the spec (PutRecordBatch). */
export interface FirehoseSinkSpec {
  /** Amazon Data Firehose. */
  readonly type?: "firehose";
  /** Name of a delivery stream (`deliveryStreams`) whose source is `{ direct: true }`. */
  readonly deliveryStream?: NameSpec;
  /** Feed the sink from a stream inside the platform (a Lambda on the stream); without it the sink runs with `ara-gen sink run` or from a replayer. */
  readonly source?: StreamSourceSpec;
  /** Buffering hints; omitted ones take the destination defaults. */
  readonly bufferingHints?: BufferingHintsSpec;
  /** Rate limiting (default: AIMD +10 / ×0.5; Kinesis ×0.99). */
  readonly rateLimiting?: RateLimitingSpec;
  /** Retry policy. */
  readonly retry?: RetrySpec;
  /** Free text. */
  readonly description?: string;
}

/** A sink writing to a DynamoDB table (BatchWriteItem). */
export interface DynamodbSinkSpec {
  /** Amazon DynamoDB. */
  readonly type?: "dynamodb";
  /** Physical DynamoDB table name (the table is not created by ara-gen). */
  readonly table?: string;
  /** The table's key attributes with their types: the partition key, then the sort key if the table has one. Events missing one, or with one of the wrong type, go to the dead-letter file before any request is sent. Omit it to have the runtime read the key schema with DescribeTable. */
  readonly keyAttributes?: readonly ({
    /** Attribute name (a top-level field of the events). */
    readonly name?: string;
    /** Attribute type: `S` (string) or `N` (number); binary (`B`) keys cannot come from JSON events. */
    readonly type?: "S" | "N";
  })[];
  /** Feed the sink from a stream inside the platform (a Lambda on the stream); without it the sink runs with `ara-gen sink run` or from a replayer. */
  readonly source?: StreamSourceSpec;
  /** Buffering hints; omitted ones take the destination defaults. */
  readonly bufferingHints?: BufferingHintsSpec;
  /** Rate limiting (default: AIMD +10 / ×0.5; Kinesis ×0.99). */
  readonly rateLimiting?: RateLimitingSpec;
  /** Retry policy. */
  readonly retry?: RetrySpec;
  /** Free text. */
  readonly description?: string;
}

/** A sink appending batches as NDJSON to a local file (dry runs, debugging, benchmarks). */
export interface FileSinkSpec {
  /** Local NDJSON file. */
  readonly type?: "file";
  /** File path, relative to the working directory. */
  readonly path?: string;
  /** Feed the sink from a stream inside the platform (a Lambda on the stream); without it the sink runs with `ara-gen sink run` or from a replayer. */
  readonly source?: StreamSourceSpec;
  /** Buffering hints; omitted ones take the destination defaults. */
  readonly bufferingHints?: BufferingHintsSpec;
  /** Rate limiting (default: AIMD +10 / ×0.5; Kinesis ×0.99). */
  readonly rateLimiting?: RateLimitingSpec;
  /** Retry policy. */
  readonly retry?: RetrySpec;
  /** Free text. */
  readonly description?: string;
}

/** A sink writing each event as one log event (its JSON line as the message) to a CloudWatch Logs log stream (PutLogEvents). */
export interface CloudwatchLogsSinkSpec {
  /** Amazon CloudWatch Logs. */
  readonly type?: "cloudwatch-logs";
  /** Physical name of the log group; it must exist (ara-gen does not create it). */
  readonly logGroup?: string;
  /** Log stream the events go to, inside the log group. */
  readonly logStream?: string;
  /** Create the log stream at the first write when it does not exist yet; without it a missing stream stops the sink. */
  readonly createLogStream?: boolean;
  /** Event field holding the event time, in milliseconds since the epoch or as an ISO 8601 date-time; omit it to stamp each event with the time it is read. Events without a usable time go to the dead-letter file. */
  readonly timestampField?: string;
  /** Feed the sink from a stream inside the platform (a Lambda on the stream); without it the sink runs with `ara-gen sink run` or from a replayer. */
  readonly source?: StreamSourceSpec;
  /** Buffering hints; omitted ones take the destination defaults. */
  readonly bufferingHints?: BufferingHintsSpec;
  /** Rate limiting (default: AIMD +10 / ×0.5; Kinesis ×0.99). */
  readonly rateLimiting?: RateLimitingSpec;
  /** Retry policy. */
  readonly retry?: RetrySpec;
  /** Free text. */
  readonly description?: string;
}

/** A sink turning each event into one CloudWatch metric data point (PutMetricData). */
export interface CloudwatchMetricsSinkSpec {
  /** Amazon CloudWatch metrics. */
  readonly type?: "cloudwatch-metrics";
  /** Namespace of the metric; `AWS/` is reserved for AWS services. */
  readonly namespace?: string;
  /** Name of the metric. */
  readonly metricName?: string;
  /** Event field (name or dotted path) holding the value; events where it is missing or not a number go to the dead-letter file with the reason. */
  readonly valueField?: string;
  /** Dimension names, each also the event field its value comes from (at most 30). */
  readonly dimensions?: readonly string[];
  /** Unit of the metric. */
  readonly unit?: "Seconds" | "Microseconds" | "Milliseconds" | "Bytes" | "Kilobytes" | "Megabytes" | "Gigabytes" | "Terabytes" | "Bits" | "Kilobits" | "Megabits" | "Gigabits" | "Terabits" | "Percent" | "Count" | "Bytes/Second" | "Kilobytes/Second" | "Megabytes/Second" | "Gigabytes/Second" | "Terabytes/Second" | "Bits/Second" | "Kilobits/Second" | "Megabits/Second" | "Gigabits/Second" | "Terabits/Second" | "Count/Second" | "None";
  /** Feed the sink from a stream inside the platform (a Lambda on the stream); without it the sink runs with `ara-gen sink run` or from a replayer. */
  readonly source?: StreamSourceSpec;
  /** Buffering hints; omitted ones take the destination defaults. */
  readonly bufferingHints?: BufferingHintsSpec;
  /** Rate limiting (default: AIMD +10 / ×0.5; Kinesis ×0.99). */
  readonly rateLimiting?: RateLimitingSpec;
  /** Retry policy. */
  readonly retry?: RetrySpec;
  /** Free text. */
  readonly description?: string;
}

/** A sink appending each event to a Redis stream (pipelined XADD), for a self-hosted Redis run with `sink run`. The server URL comes from REDIS_URL or --endpoint, never from the spec. */
export interface RedisStreamSinkSpec {
  /** Redis Streams. */
  readonly type?: "redis-stream";
  /** Key of the Redis stream (created by the first XADD). */
  readonly stream?: string;
  /** Trim the stream to about this many entries on each write (`XADD ... MAXLEN ~`); omit to keep every entry. */
  readonly maxLength?: number;
  /** `json`: each entry holds the whole event as one field named `jsonField`; `top-level`: one field per top-level key of the event (nested values as JSON). */
  readonly fields?: "json" | "top-level";
  /** Field name of the event in `json` mode. */
  readonly jsonField?: string;
  /** Feed the sink from a stream inside the platform (a Lambda on the stream); without it the sink runs with `ara-gen sink run` or from a replayer. */
  readonly source?: StreamSourceSpec;
  /** Buffering hints; omitted ones take the destination defaults. */
  readonly bufferingHints?: BufferingHintsSpec;
  /** Rate limiting (default: AIMD +10 / ×0.5; Kinesis ×0.99). */
  readonly rateLimiting?: RateLimitingSpec;
  /** Retry policy. */
  readonly retry?: RetrySpec;
  /** Free text. */
  readonly description?: string;
}

/** An async sink, discriminated by `type`: kinesis, firehose, dynamodb, file, cloudwatch-logs, cloudwatch-metrics or redis-stream. Each variant is a closed object (unknown keys are errors). */
export interface SinkSpec {
  /** Destination type: `kinesis` (PutRecords to a stream of the spec), `firehose` (PutRecordBatch to a direct-PUT delivery stream), `dynamodb` (BatchWriteItem to a table), `file` (NDJSON appended to a local file), `cloudwatch-logs` (PutLogEvents to a log stream), `cloudwatch-metrics` (PutMetricData) or `redis-stream` (pipelined XADD to a self-hosted Redis). */
  readonly type?: "kinesis" | "firehose" | "dynamodb" | "file" | "cloudwatch-logs" | "cloudwatch-metrics" | "redis-stream";
  /** Name of a stream (`streams`). */
  readonly stream?: NameSpec | string;
  /** Event field used as the partition key; omit for a random key. */
  readonly partitionKey?: string;
  /** Event field used as the explicit hash key. */
  readonly explicitHashKey?: string;
  /** `kpl`: pack many events into one Kinesis record (KPL aggregation format); `none`: one record per event. */
  readonly aggregation?: "none" | "kpl";
  /** With `aggregation: kpl`: the largest aggregate, as Kinesis counts it (data + partition key), like the KPL's AggregationMaxSize; 1KiB to 1MiB (ARA253). Default 50KiB (51200 bytes). */
  readonly aggregationMaxBytes?: SizeSpec;
  /** Feed the sink from a stream inside the platform (a Lambda on the stream); without it the sink runs with `ara-gen sink run` or from a replayer. */
  readonly source?: StreamSourceSpec;
  /** Buffering hints; omitted ones take the destination defaults. */
  readonly bufferingHints?: BufferingHintsSpec;
  /** Rate limiting (default: AIMD +10 / ×0.5; Kinesis ×0.99). */
  readonly rateLimiting?: RateLimitingSpec;
  /** Retry policy. */
  readonly retry?: RetrySpec;
  /** Free text. */
  readonly description?: string;
  /** Name of a delivery stream (`deliveryStreams`) whose source is `{ direct: true }`. */
  readonly deliveryStream?: NameSpec;
  /** Physical DynamoDB table name (the table is not created by ara-gen). */
  readonly table?: string;
  /** The table's key attributes with their types: the partition key, then the sort key if the table has one. Events missing one, or with one of the wrong type, go to the dead-letter file before any request is sent. Omit it to have the runtime read the key schema with DescribeTable. */
  readonly keyAttributes?: readonly ({
    /** Attribute name (a top-level field of the events). */
    readonly name?: string;
    /** Attribute type: `S` (string) or `N` (number); binary (`B`) keys cannot come from JSON events. */
    readonly type?: "S" | "N";
  })[];
  /** File path, relative to the working directory. */
  readonly path?: string;
  /** Physical name of the log group; it must exist (ara-gen does not create it). */
  readonly logGroup?: string;
  /** Log stream the events go to, inside the log group. */
  readonly logStream?: string;
  /** Create the log stream at the first write when it does not exist yet; without it a missing stream stops the sink. */
  readonly createLogStream?: boolean;
  /** Event field holding the event time, in milliseconds since the epoch or as an ISO 8601 date-time; omit it to stamp each event with the time it is read. Events without a usable time go to the dead-letter file. */
  readonly timestampField?: string;
  /** Namespace of the metric; `AWS/` is reserved for AWS services. */
  readonly namespace?: string;
  /** Name of the metric. */
  readonly metricName?: string;
  /** Event field (name or dotted path) holding the value; events where it is missing or not a number go to the dead-letter file with the reason. */
  readonly valueField?: string;
  /** Dimension names, each also the event field its value comes from (at most 30). */
  readonly dimensions?: readonly string[];
  /** Unit of the metric. */
  readonly unit?: "Seconds" | "Microseconds" | "Milliseconds" | "Bytes" | "Kilobytes" | "Megabytes" | "Gigabytes" | "Terabytes" | "Bits" | "Kilobits" | "Megabits" | "Gigabits" | "Terabits" | "Percent" | "Count" | "Bytes/Second" | "Kilobytes/Second" | "Megabytes/Second" | "Gigabytes/Second" | "Terabytes/Second" | "Bits/Second" | "Kilobits/Second" | "Megabits/Second" | "Gigabits/Second" | "Terabits/Second" | "Count/Second" | "None";
  /** Trim the stream to about this many entries on each write (`XADD ... MAXLEN ~`); omit to keep every entry. */
  readonly maxLength?: number;
  /** `json`: each entry holds the whole event as one field named `jsonField`; `top-level`: one field per top-level key of the event (nested values as JSON). */
  readonly fields?: "json" | "top-level";
  /** Field name of the event in `json` mode. */
  readonly jsonField?: string;
}

/** A Firehose delivery stream into a layer, optionally converting JSON to Parquet against a Glue table. */
export interface DeliveryStreamSpec {
  /** Input: `{ stream }` (a Kinesis stream of the spec) or `{ direct: true }` (direct PUT, what a `firehose` sink writes to). */
  readonly source?: {
    /** Name of a stream. */
    readonly stream?: NameSpec;
    /** Direct PUT. */
    readonly direct?: true;
  };
  /** Where objects are written. */
  readonly target?: LayerLocationSpec;
  /** `json`: as received; `parquet`: converted with the schema of `table` (needs sizeMiB ≥ 64). */
  readonly format?: "json" | "parquet";
  /** Glue table whose schema drives the Parquet conversion. */
  readonly table?: {
    /** Catalog database. */
    readonly database?: NameSpec;
    /** Table name. */
    readonly name?: string;
  };
  /** Firehose buffering, in Firehose's units (blueprint default 128 MiB / 900 s). */
  readonly bufferingHints?: {
    /** Buffer size in MiB. */
    readonly sizeMiB?: number;
    /** Buffer interval in seconds. */
    readonly intervalSeconds?: number;
  };
  /** Free text. */
  readonly description?: string;
}

/** Redshift Serverless. */
export interface ServerlessWarehouseSpec {
  /** Redshift Serverless namespace and workgroup. */
  readonly engine?: "redshift-serverless";
  /** Name dashboards refer to; defaults to `database`. */
  readonly name?: NameSpec;
  /** Redshift database name. */
  readonly database?: NameSpec;
  /** Base capacity in RPUs (8 to 512, multiple of 8). */
  readonly baseCapacity?: number;
  /** Redshift Spectrum: an external schema per catalog database the warehouse reads (the star schema's `customer`, `store_sale` and `web_sale` tables are taken from the first database that holds each). */
  readonly spectrum?: {
    /** Catalog databases, in lookup order. */
    readonly databases?: readonly NameSpec[];
  };
  /** Warehouse model loaded by the stored procedures: `star-schema` (customer, date and time dimensions and a sale fact, loaded from the clean layer through Spectrum). */
  readonly model?: "star-schema";
  /** How often the model is loaded from the lake. */
  readonly loadSchedule?: DurationSpec;
  /** Free text. */
  readonly description?: string;
}

/** A provisioned Redshift cluster. */
export interface ProvisionedWarehouseSpec {
  /** Provisioned Redshift cluster. */
  readonly engine?: "redshift-provisioned";
  /** Name dashboards refer to; defaults to `database`. */
  readonly name?: NameSpec;
  /** Redshift database name. */
  readonly database?: NameSpec;
  /** Node type of the cluster: RA3 nodes (`ra3.large`, `ra3.xlplus`, `ra3.4xlarge`, `ra3.16xlarge`; managed storage) or DC2 nodes (`dc2.large`, `dc2.8xlarge`; local SSD, previous generation). */
  readonly nodeType?: "ra3.large" | "ra3.xlplus" | "ra3.4xlarge" | "ra3.16xlarge" | "dc2.large" | "dc2.8xlarge";
  /** Number of nodes (CloudFormation's AWS::Redshift::Cluster accepts at most 100). */
  readonly nodes?: number;
  /** Redshift Spectrum: an external schema per catalog database the warehouse reads (the star schema's `customer`, `store_sale` and `web_sale` tables are taken from the first database that holds each). */
  readonly spectrum?: {
    /** Catalog databases, in lookup order. */
    readonly databases?: readonly NameSpec[];
  };
  /** Warehouse model loaded by the stored procedures: `star-schema` (customer, date and time dimensions and a sale fact, loaded from the clean layer through Spectrum). */
  readonly model?: "star-schema";
  /** How often the model is loaded from the lake. */
  readonly loadSchedule?: DurationSpec;
  /** Free text. */
  readonly description?: string;
}

/** The Redshift warehouse, discriminated by `engine`. */
export interface WarehouseSpec {
  /** Redshift engine: `redshift-serverless` (Redshift Serverless namespace and workgroup, sized in RPUs) or `redshift-provisioned` (a provisioned cluster of `nodes` × `nodeType`). */
  readonly engine?: "redshift-serverless" | "redshift-provisioned";
  /** Name dashboards refer to; defaults to `database`. */
  readonly name?: NameSpec;
  /** Redshift database name. */
  readonly database?: NameSpec;
  /** Node type of the cluster: RA3 nodes (`ra3.large`, `ra3.xlplus`, `ra3.4xlarge`, `ra3.16xlarge`; managed storage) or DC2 nodes (`dc2.large`, `dc2.8xlarge`; local SSD, previous generation). */
  readonly nodeType?: "ra3.large" | "ra3.xlplus" | "ra3.4xlarge" | "ra3.16xlarge" | "dc2.large" | "dc2.8xlarge";
  /** Number of nodes (CloudFormation's AWS::Redshift::Cluster accepts at most 100). */
  readonly nodes?: number;
  /** Redshift Spectrum: an external schema per catalog database the warehouse reads (the star schema's `customer`, `store_sale` and `web_sale` tables are taken from the first database that holds each). */
  readonly spectrum?: {
    /** Catalog databases, in lookup order. */
    readonly databases?: readonly NameSpec[];
  };
  /** Warehouse model loaded by the stored procedures: `star-schema` (customer, date and time dimensions and a sale fact, loaded from the clean layer through Spectrum). */
  readonly model?: "star-schema";
  /** How often the model is loaded from the lake. */
  readonly loadSchedule?: DurationSpec;
  /** Free text. */
  readonly description?: string;
  /** Base capacity in RPUs (8 to 512, multiple of 8). */
  readonly baseCapacity?: number;
}

/** QuickSight data source and assets. */
export interface DashboardSpec {
  /** Data source: `{ warehouse }` (Redshift, direct query) or `{ workgroup }` (Athena). */
  readonly source?: {
    /** Warehouse name. */
    readonly warehouse?: NameSpec;
    /** Athena workgroup name. */
    readonly workgroup?: NameSpec;
  };
  /** QuickSight user or group ARN granted access (`arn:aws:quicksight:<region>:<account>:group/<namespace>/<group>` or `...:user/<namespace>/<user>`). */
  readonly principal?: string;
  /** Free text. */
  readonly description?: string;
}

/** An availability zone id (`<region code>-az<n>`, e.g. `euw1-az1` in eu-west-1): ids name the same zone in every account, unlike names such as `eu-west-1a`. */
export type AzIdSpec = string;

/** A VPC ara-gen creates: isolated subnets in three availability zones, an S3 gateway endpoint and the Glue interface endpoint Redshift Spectrum needs (no NAT, no internet gateway). */
export interface CreatedNetworkSpec {
  /** Three distinct availability zone ids of the environment's region. */
  readonly availabilityZones?: readonly AzIdSpec[];
  /** IPv4 range of the VPC, `/16` to `/24`, split into four equal parts of which the three subnets use three (default `10.0.0.0/16`). */
  readonly cidr?: string;
  /** Free text. */
  readonly description?: string;
}

/** An existing VPC: named, never looked up (synth stays offline). Its subnets need routes to S3 and Glue (endpoints or NAT). */
export interface ExistingNetworkSpec {
  /** Id of the VPC (`vpc-` and 8 or 17 hexadecimal digits). */
  readonly vpcId?: string;
  /** Three subnets of the VPC, in three different availability zones (Redshift Serverless needs three). */
  readonly subnetIds?: readonly string[];
  /** Free text. */
  readonly description?: string;
}

/** The network of the warehouse in this environment: `{ availabilityZones, cidr }` (ara-gen creates the VPC) or `{ vpcId, subnetIds }` (an existing one). */
export interface NetworkSpec {
  /** Id of an existing VPC. */
  readonly vpcId?: string;
  /** Three subnets of the VPC, in three different availability zones (Redshift Serverless needs three). */
  readonly subnetIds?: readonly string[];
  /** Free text. */
  readonly description?: string;
  /** Three distinct availability zone ids of the environment's region. */
  readonly availabilityZones?: readonly AzIdSpec[];
  /** IPv4 range of the VPC, `/16` to `/24`, split into four equal parts of which the three subnets use three (default `10.0.0.0/16`). */
  readonly cidr?: string;
}

/** A deploy target, selected with `--env` (default: the first one). */
export interface EnvironmentSpec {
  /** AWS account id (12 digits, quoted). */
  readonly account?: string;
  /** AWS region. */
  readonly region?: string;
  /** The VPC of the warehouse and the dashboards' VPC connection in this environment (needed when the spec declares a warehouse). */
  readonly network?: NetworkSpec;
  /** Shortcut for `overrides.storage.removalPolicy`. */
  readonly removalPolicy?: RemovalPolicySpec;
  /** Extra tags for this environment (merged over the top-level tags). */
  readonly tags?: TagsSpec;
  /** Settings that differ in this environment. */
  readonly overrides?: OverridesSpec;
  /** Free text. */
  readonly description?: string;
}

/** An environment's overrides: partial sections, merged into the effective spec by SpecView. */
export type OverridesSpec = { readonly [section: string]: unknown };
