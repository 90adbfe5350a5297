/**
 * The AWS destinations and their converters, and the factory that builds them from the
 * `destination` section of a sink config (the `file` destination is dispatched by the sink).
 */
import type { Destination, ElementConverter } from '../destination.js';
import type { AwsCredentials } from './aws-client.js';
import { createDynamoDbDestination, dynamoDbConverter, type KeyAttribute } from './dynamodb.js';
import { createFirehoseDestination, firehoseConverter } from './firehose.js';
import { createKinesisDestination, kinesisConverter } from './kinesis.js';

export { classifyAwsError, awsEntryFailure, awsFix } from './aws-errors.js';
export { awsClientConfig, resolveEndpoint, resolveRegion, type AwsClientConfig, type AwsCredentials, type AwsClientOptions, type AwsServiceId } from './aws-client.js';
export {
  createKinesisDestination,
  kinesisConverter,
  kinesisEntrySize,
  KINESIS_DEFAULTS,
  KINESIS_LIMITS,
  type KinesisConverterOptions,
  type KinesisDestinationOptions,
  type KinesisEntry,
} from './kinesis.js';
export { KplAggregator, KPL_MAGIC, isAggregated, type KplAggregatorOptions, type UserRecord } from './kpl-aggregation.js';
export { createFirehoseDestination, firehoseConverter, FIREHOSE_DEFAULTS, FIREHOSE_LIMITS, type FirehoseConverterOptions, type FirehoseDestinationOptions, type FirehoseEntry } from './firehose.js';
export {
  createDynamoDbDestination,
  dynamoDbConverter,
  DYNAMODB_DEFAULTS,
  DYNAMODB_LIMITS,
  type DynamoDbConverterOptions,
  type DynamoDbDestinationOptions,
  type DynamoDbEntry,
  type KeyAttribute,
} from './dynamodb.js';
export { itemSize, marshallItem, marshallValue, unmarshallItem, type DynamoItem, type JsonAttributeValue } from './dynamodb-item.js';

export type AwsDestinationType = 'kinesis' | 'firehose' | 'dynamodb';

/** The `destination` section of a sink config, for the AWS destination types. */
export interface AwsDestinationConfig {
  readonly type: AwsDestinationType;
  readonly streamName?: string;
  readonly deliveryStreamName?: string;
  readonly tableName?: string;
  readonly region?: string;
  readonly endpoint?: string;
}

export interface DestinationFactoryOptions {
  /** Endpoint override (wins over the config and over AWS_ENDPOINT_URL_*). */
  readonly endpoint?: string;
  /** HTTP sockets per client; pass the resolved maxInFlightRequests. */
  readonly maxSockets?: number;
  /** DynamoDB key attributes (skips DescribeTable). */
  readonly keyAttributes?: readonly (string | KeyAttribute)[];
  /** Absent = the SDK's default credential chain. */
  readonly credentials?: AwsCredentials;
}

export interface ConverterOptions {
  readonly partitionKey?: string;
  readonly explicitHashKey?: string;
  readonly keyAttributes?: readonly (string | KeyAttribute)[];
  /** Firehose: one JSON document per line (default true). */
  readonly newlineDelimited?: boolean;
}

function required(dest: AwsDestinationConfig, field: 'streamName' | 'deliveryStreamName' | 'tableName'): string {
  const value = dest[field];
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`a ${dest.type} destination needs "${field}"`);
  return value;
}

export function destinationFromConfig(dest: AwsDestinationConfig, options: DestinationFactoryOptions = {}): Destination<unknown> {
  const common = { region: dest.region, endpoint: options.endpoint ?? dest.endpoint, maxSockets: options.maxSockets, credentials: options.credentials };
  switch (dest.type) {
    case 'kinesis':
      return createKinesisDestination({ ...common, streamName: required(dest, 'streamName') }) as Destination<unknown>;
    case 'firehose':
      return createFirehoseDestination({ ...common, deliveryStreamName: required(dest, 'deliveryStreamName') }) as Destination<unknown>;
    case 'dynamodb':
      return createDynamoDbDestination({ ...common, tableName: required(dest, 'tableName'), keyAttributes: options.keyAttributes }) as Destination<unknown>;
    default:
      throw new TypeError(`unknown AWS destination type "${(dest as { type: string }).type}"; expected kinesis, firehose or dynamodb`);
  }
}

export function converterFromConfig(type: AwsDestinationType, options: ConverterOptions = {}): ElementConverter<unknown> {
  switch (type) {
    case 'kinesis':
      return kinesisConverter({ partitionKey: options.partitionKey, explicitHashKey: options.explicitHashKey });
    case 'firehose':
      return firehoseConverter({ newlineDelimited: options.newlineDelimited });
    case 'dynamodb':
      return dynamoDbConverter({ keyAttributes: options.keyAttributes });
    default:
      throw new TypeError(`unknown AWS destination type "${type as string}"; expected kinesis, firehose or dynamodb`);
  }
}
