/**
 * Hard limits of the streaming services ara-gen compiles to, in one place for the validator, the
 * constructs and the docs: Firehose buffering (in Firehose's own units) and Lambda's Kinesis event
 * source mappings.
 */

/** Amazon Data Firehose buffering hints to S3: size in MiB, interval in seconds. */
export const FIREHOSE_BUFFERING = {
  minSizeMiB: 1,
  maxSizeMiB: 128,
  /** Record format conversion (Parquet/ORC) needs at least this buffer. */
  minSizeMiBWithConversion: 64,
  minIntervalSeconds: 0,
  maxIntervalSeconds: 900,
} as const;

/** AWS Lambda event source mapping for a Kinesis stream. */
export const KINESIS_EVENT_SOURCE = {
  minBatchSize: 1,
  maxBatchSize: 10_000,
  /** MaximumBatchingWindowInSeconds. */
  maxBatchingWindowSeconds: 300,
  minParallelizationFactor: 1,
  maxParallelizationFactor: 10,
  /** MaximumRetryAttempts: -1 (until the record expires) up to 10,000. */
  minRetryAttempts: -1,
  maxRetryAttempts: 10_000,
  /** Lambda's invocation payload limit (synchronous): a batch must fit in it. */
  maxPayloadBytes: 6 * 1024 * 1024,
} as const;
