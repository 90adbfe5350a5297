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
/** PutRecordBatch: 500 records, 4 MiB per request, 1,000 KiB per record. */
export const FIREHOSE_LIMITS: DestinationLimits = { maxBatchSize: 500, maxBatchBytes: 4 * MiB, maxRecordBytes: 1000 * KiB };
/** BatchWriteItem: 25 items, 16 MiB per request, 400 KiB per item. */
export const DYNAMODB_LIMITS: DestinationLimits = { maxBatchSize: 25, maxBatchBytes: 16 * MiB, maxRecordBytes: 400 * KiB };
/** The local NDJSON file sink: Firehose-like batches, Kinesis-sized records. */
export const FILE_LIMITS: DestinationLimits = { maxBatchSize: 500, maxBatchBytes: 4 * MiB, maxRecordBytes: MiB };

/** Destination types, in the order messages list them. */
export type DestinationType = 'kinesis' | 'firehose' | 'dynamodb' | 'file';

export const DESTINATION_LIMITS: Readonly<Record<DestinationType, DestinationLimits>> = { kinesis: KINESIS_LIMITS, firehose: FIREHOSE_LIMITS, dynamodb: DYNAMODB_LIMITS, file: FILE_LIMITS };

/** The batch API behind each destination type, for messages. */
export const DESTINATION_SERVICES: Readonly<Record<DestinationType, string>> = {
  kinesis: 'Kinesis PutRecords',
  firehose: 'Firehose PutRecordBatch',
  dynamodb: 'DynamoDB BatchWriteItem',
  file: 'the file sink',
};
