/**
 * The defaults, in one table: what the spec language fills in where a spec and its blueprint say
 * nothing (SPEC_DEFAULTS), and what the engine uses where a sink config or a library caller omits
 * a setting. The aws-native blueprint (platforms/aws-native/blueprint.yaml) states the same values
 * in the spec's own units, and the schema's `default`s repeat them for editors:
 * test/unit/defaults.test.ts fails when the blueprint, the schema, the validator or the engine differ
 * from this table (its KNOWN_DISAGREEMENTS lists the few that still do, until they are settled).
 */
import type { BufferingHints } from './buffering.js';
import { DESTINATION_LIMITS, type DestinationType } from './limits.js';
import type { RateLimitingModel } from './rate-limiting.js';
import type { RetryPolicy } from './retry.js';

/** Apache Flink AsyncSinkWriter's defaults: the destination's hard limits, 10,000 buffered, 5 s in the buffer, 50 in flight. */
function flinkDefaults(type: DestinationType): BufferingHints {
  return { ...DESTINATION_LIMITS[type], maxBufferedRequests: 10_000, maxTimeInBufferMs: 5_000, maxInFlightRequests: 50 };
}

export const KINESIS_DEFAULTS: BufferingHints = flinkDefaults('kinesis');
export const FIREHOSE_DEFAULTS: BufferingHints = flinkDefaults('firehose');
export const DYNAMODB_DEFAULTS: BufferingHints = flinkDefaults('dynamodb');
export const FILE_DEFAULTS: BufferingHints = flinkDefaults('file');
/** Flink has no sink for these: the limits, with fewer requests in flight (per-account request quotas). */
export const CLOUDWATCH_LOGS_DEFAULTS: BufferingHints = { ...DESTINATION_LIMITS['cloudwatch-logs'], maxBufferedRequests: 20_000, maxTimeInBufferMs: 5_000, maxInFlightRequests: 10 };
export const CLOUDWATCH_METRICS_DEFAULTS: BufferingHints = { ...DESTINATION_LIMITS['cloudwatch-metrics'], maxBufferedRequests: 10_000, maxTimeInBufferMs: 5_000, maxInFlightRequests: 10 };
/** Redis: Firehose-sized pipelines, a short buffer time (a local store is quick to answer). */
export const REDIS_STREAM_DEFAULTS: BufferingHints = { maxBatchSize: 500, maxBatchBytes: 4 * 1024 * 1024, maxRecordBytes: 1024 * 1024, maxBufferedRequests: 10_000, maxTimeInBufferMs: 1_000, maxInFlightRequests: 8 };

/** Buffering hints used where a config omits one, per destination type. */
export const BUFFERING_DEFAULTS: Readonly<Record<DestinationType, BufferingHints>> = {
  kinesis: KINESIS_DEFAULTS,
  firehose: FIREHOSE_DEFAULTS,
  dynamodb: DYNAMODB_DEFAULTS,
  file: FILE_DEFAULTS,
  'cloudwatch-logs': CLOUDWATCH_LOGS_DEFAULTS,
  'cloudwatch-metrics': CLOUDWATCH_METRICS_DEFAULTS,
  'redis-stream': REDIS_STREAM_DEFAULTS,
};

/**
 * KPL aggregation (aggregation: kpl): an aggregate holds at most this many bytes as Kinesis counts
 * them, the KPL's AggregationMaxSize default. Small aggregates keep each shard's 1 MiB/s budget
 * divisible and a retried aggregate cheap; the sink config's aggregationMaxBytes overrides it.
 */
export const KPL_AGGREGATION_MAX_BYTES = 51_200;

/** The Kinesis shard map (KPL aggregation) is reloaded in the background when older than this. */
export const KINESIS_SHARD_MAP_MAX_AGE_MS = 60_000;

/**
 * The retry policy of every sink, spec or library caller alike: each entry waits by its own
 * attempt count (100 ms × 2^(n-1), full jitter, at most 10 s) and goes to the dead letters after
 * 10 attempts (about 30 s of retries: long enough for throttling and transient failures, short
 * enough that a record that cannot be delivered does not hold the pipeline for ever).
 */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, initialBackoffMs: 100, maxBackoffMs: 10000, requestTimeoutMs: 30000 };

export type AimdSettings = Extract<RateLimitingModel, { readonly strategy: 'aimd' }>;

/**
 * FLIP-242's AIMD (+10 messages per success) with TCP-like slow start. decreaseFactor is the
 * largest cut per congestion event: the engine cuts in proportion to the throttled share of a
 * request, once per round trip, and only for throttling (engine/rate-limiting.ts).
 */
export const AIMD_DEFAULTS: AimdSettings = { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5, slowStart: true };

/** The engine's rate limiting where a config or caller omits it. */
export const DEFAULT_RATE_LIMITING: RateLimitingModel = AIMD_DEFAULTS;

// ---- the spec language ----------------------------------------------------------------------

/** The blueprint a spec gets when it names none. */
export const DEFAULT_PLATFORM = 'aws-native';

/** Glue ETL job settings (Glue 4.0 on two G.1X workers, an hour, no retries). */
export const GLUE_JOB_DEFAULTS = { glueVersion: '4.0', workerType: 'G.1X', workers: 2, timeoutMinutes: 60, maxRetries: 0 } as const;

/** A spec sink's retry policy: the engine's (one policy for every sink). */
export const SPEC_RETRY_DEFAULTS: RetryPolicy = DEFAULT_RETRY;

/**
 * A spec sink's rate limiting per destination: the engine's AIMD for every one. Flink's Kinesis
 * sink scales down by 0.99 because it cuts on every failed request; with cuts only for throttling,
 * in proportion and once per round trip, 0.99 would leave a throttled stream almost unthrottled.
 */
export const RATE_LIMITING_DEFAULTS: Readonly<Record<DestinationType, RateLimitingModel>> = {
  kinesis: AIMD_DEFAULTS,
  firehose: AIMD_DEFAULTS,
  dynamodb: AIMD_DEFAULTS,
  file: AIMD_DEFAULTS,
  'cloudwatch-logs': AIMD_DEFAULTS,
  'cloudwatch-metrics': AIMD_DEFAULTS,
  'redis-stream': AIMD_DEFAULTS,
};

/** Per destination type: the buffering hints and rate limiting a spec sink gets. */
const SINK_TYPE_DEFAULTS = Object.fromEntries(
  (Object.keys(BUFFERING_DEFAULTS) as DestinationType[]).map((t) => [t, { bufferingHints: BUFFERING_DEFAULTS[t], rateLimiting: RATE_LIMITING_DEFAULTS[t] }]),
) as Readonly<Record<DestinationType, { readonly bufferingHints: BufferingHints; readonly rateLimiting: RateLimitingModel }>>;

/**
 * Per-entry defaults of the spec language, by the blueprint's `defaults:` kind (`storage` and
 * `condition` are not blueprint kinds: the blueprint's `spec.storage` and the compiler apply them).
 * Sizes are bytes; durations are written as in a spec.
 */
export const SPEC_DEFAULTS = {
  storage: { encryption: 'kms', removalPolicy: 'retain' },
  layer: { infrequentAccessDelay: 90 },
  database: { prefix: '' },
  workgroup: { resultsRetentionDays: 30, enforceConfiguration: true },
  replayer: { frequency: '60s', seed: 42, recordsPerWindow: 100 },
  crawler: { exclude: [] as string[] },
  job: { ...GLUE_JOB_DEFAULTS, partitionBy: [] as string[] },
  trigger: { startOnCreation: false },
  conditionalTrigger: { startOnCreation: true },
  condition: { state: 'SUCCEEDED' },
  stream: { mode: 'provisioned', shards: 1, retentionHours: 24, encryption: 'kms' },
  sink: {
    aggregation: 'none',
    retry: SPEC_RETRY_DEFAULTS,
    ...SINK_TYPE_DEFAULTS,
  },
  /**
   * A sink's stream source (`sinks.<name>.source`): Lambda's own defaults except two. Retries stop
   * after 10 (Lambda's -1 retries a failing batch until its records expire, blocking the shard for
   * the stream's retention); a new mapping starts at the oldest record kept, so records written
   * between the stream's and the mapping's creation are not skipped.
   */
  streamSource: { batchSize: 100, maxBatchingWindow: '0s', parallelizationFactor: 1, bisectOnError: true, maxRetryAttempts: 10, startingPosition: 'trim-horizon' },
  deliveryStream: { format: 'json', bufferingHints: { sizeMiB: 128, intervalSeconds: 900 } },
  warehouse: { baseCapacity: 8, nodeType: 'ra3.xlplus', nodes: 2, model: 'star-schema', loadSchedule: '1h' },
  /** A created warehouse network (environments.<env>.network). */
  network: { cidr: '10.0.0.0/16' },
} as const;

/** Destination settings of a spec sink beyond hints and rate limiting, where the spec omits them. */
export const DESTINATION_OPTION_DEFAULTS = {
  'cloudwatch-logs': { createLogStream: false },
  'cloudwatch-metrics': { dimensions: [] as string[] },
  'redis-stream': { fields: 'json', jsonField: 'event' },
} as const;
