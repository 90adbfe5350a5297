/**
 * Hard limits of each destination's batch API, in one place for the runtime destinations and the
 * spec validator (which rejects hints a sink could never honour). Dependency-free on purpose: the
 * validator imports it on every `validate` without loading the AWS SDK.
 */

/** Hard limits of one request to the destination's batch API. */
export interface DestinationLimits {
  readonly maxBatchSize: number;
  readonly maxBatchBytes: number;
  readonly maxRecordBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** PutRecords: 500 records, 5 MiB per request (partition keys included), 1 MiB per record. */
export const KINESIS_LIMITS: DestinationLimits = { maxBatchSize: 500, maxBatchBytes: 5 * MiB, maxRecordBytes: MiB };
/**
 * A KPL aggregate is one Kinesis record: it holds at most MAX_KPL_AGGREGATION_BYTES (the record
 * limit, outer partition key included) and at least enough for a record or two.
 */
export const MIN_KPL_AGGREGATION_BYTES = KiB;
export const MAX_KPL_AGGREGATION_BYTES = MiB;
/** PutRecordBatch: 500 records, 4 MiB per request, 1,000 KiB per record. */
export const FIREHOSE_LIMITS: DestinationLimits = { maxBatchSize: 500, maxBatchBytes: 4 * MiB, maxRecordBytes: 1000 * KiB };
/** BatchWriteItem: 25 items, 16 MiB per request, 400 KiB per item. */
export const DYNAMODB_LIMITS: DestinationLimits = { maxBatchSize: 25, maxBatchBytes: 16 * MiB, maxRecordBytes: 400 * KiB };
/** The local NDJSON file sink: Firehose-like batches, Kinesis-sized records. */
export const FILE_LIMITS: DestinationLimits = { maxBatchSize: 500, maxBatchBytes: 4 * MiB, maxRecordBytes: MiB };
/**
 * PutLogEvents: 10,000 events and 1,048,576 bytes per request, each event counted as its UTF-8
 * message plus 26 bytes; 256 KiB per event (overhead included). A request also spans at most 24
 * hours, in time order: the destination sorts and splits batches for those two.
 */
export const CLOUDWATCH_LOGS_LIMITS: DestinationLimits = { maxBatchSize: 10_000, maxBatchBytes: MiB, maxRecordBytes: 256 * KiB };
/** Bytes PutLogEvents counts for each event on top of its UTF-8 message. */
export const CLOUDWATCH_LOGS_EVENT_OVERHEAD = 26;
/** The longest time span of the events of one PutLogEvents request. */
export const CLOUDWATCH_LOGS_MAX_SPAN_MS = 24 * 60 * 60 * 1000;
/**
 * PutMetricData: 1,000 metric data items and a 1 MB (10^6 bytes) payload per request; a datum
 * counts as its JSON form (what the SDK's JSON protocol sends), at most the whole payload.
 */
export const CLOUDWATCH_METRICS_LIMITS: DestinationLimits = { maxBatchSize: 1_000, maxBatchBytes: 1_000_000, maxRecordBytes: 1_000_000 };
/**
 * Redis Streams have no batch API: a batch is one pipeline of XADDs. The bounds are ara-gen's, so
 * that one pipeline stays far below the server's 1 GiB client query buffer and a slow reply never
 * holds up more than 1,000 entries: 1,000 commands, 16 MiB, a record at most 16 MiB (Redis itself
 * takes bulk strings up to 512 MiB).
 */
export const REDIS_STREAM_LIMITS: DestinationLimits = { maxBatchSize: 1_000, maxBatchBytes: 16 * MiB, maxRecordBytes: 16 * MiB };

/** Destination types, in the order messages list them. */
export type DestinationType = 'kinesis' | 'firehose' | 'dynamodb' | 'file' | 'cloudwatch-logs' | 'cloudwatch-metrics' | 'redis-stream';

export const DESTINATION_LIMITS: Readonly<Record<DestinationType, DestinationLimits>> = {
  kinesis: KINESIS_LIMITS,
  firehose: FIREHOSE_LIMITS,
  dynamodb: DYNAMODB_LIMITS,
  file: FILE_LIMITS,
  'cloudwatch-logs': CLOUDWATCH_LOGS_LIMITS,
  'cloudwatch-metrics': CLOUDWATCH_METRICS_LIMITS,
  'redis-stream': REDIS_STREAM_LIMITS,
};

/** The batch API behind each destination type, for messages. */
export const DESTINATION_SERVICES: Readonly<Record<DestinationType, string>> = {
  kinesis: 'Kinesis PutRecords',
  firehose: 'Firehose PutRecordBatch',
  dynamodb: 'DynamoDB BatchWriteItem',
  file: 'the file sink',
  'cloudwatch-logs': 'CloudWatch Logs PutLogEvents',
  'cloudwatch-metrics': 'CloudWatch PutMetricData',
  'redis-stream': 'a Redis XADD pipeline',
};
