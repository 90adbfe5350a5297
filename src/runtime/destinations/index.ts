/**
 * The AWS destinations and their converters, and the factory that builds them from the
 * `destination` section of a sink config (the `file` destination is dispatched by the sink).
 */
import type { Destination, ElementConverter } from '../destination.js';
import type { AwsCredentials } from './aws-client.js';
import { createDynamoDbDestination, dynamoDbConverter, type KeyAttribute } from './dynamodb.js';
import { createFirehoseDestination, firehoseConverter } from './firehose.js';
import { createKinesisDestination, kinesisConverter } from './kinesis.js';
import { cloudWatchLogsConverter, createCloudWatchLogsDestination } from './cloudwatch-logs.js';
import { cloudWatchMetricsConverter, createCloudWatchMetricsDestination } from './cloudwatch-metrics.js';
import { createRedisStreamDestination, redisStreamConverter } from './redis-stream.js';
import type { StandardUnit } from '@aws-sdk/client-cloudwatch';

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
export { createCloudWatchLogsDestination, cloudWatchLogsConverter, logEventSize, timeOrderedParts, CLOUDWATCH_LOGS_DEFAULTS, type CloudWatchLogsEntry, type CloudWatchLogsDestinationOptions, type CloudWatchLogsConverterOptions } from './cloudwatch-logs.js';
export { createCloudWatchMetricsDestination, cloudWatchMetricsConverter, CLOUDWATCH_METRICS_DEFAULTS, type CloudWatchMetricsEntry, type CloudWatchMetricsDestinationOptions, type CloudWatchMetricsConverterOptions } from './cloudwatch-metrics.js';
export { createRedisStreamDestination, redisStreamConverter, resolveRedisUrl, REDIS_STREAM_DEFAULTS, type RedisStreamEntry, type RedisStreamDestinationOptions, type RedisStreamConverterOptions } from './redis-stream.js';
export { itemSize, marshallItem, marshallValue, unmarshallItem, type DynamoItem, type JsonAttributeValue } from './dynamodb-item.js';

export type AwsDestinationType = 'kinesis' | 'firehose' | 'dynamodb' | 'cloudwatch-logs' | 'cloudwatch-metrics' | 'redis-stream';

/** The `destination` section of a sink config, for every type but `file` (the sink's own). */
export interface AwsDestinationConfig {
  readonly type: AwsDestinationType;
  readonly streamName?: string;
  readonly deliveryStreamName?: string;
  readonly tableName?: string;
  readonly logGroupName?: string;
  readonly logStreamName?: string;
  readonly createLogStream?: boolean;
  readonly timestampField?: string;
  readonly namespace?: string;
  readonly metricName?: string;
  readonly valueField?: string;
  readonly dimensions?: readonly string[];
  readonly unit?: string;
  readonly stream?: string;
  readonly maxLength?: number;
  readonly fields?: 'json' | 'top-level';
  readonly jsonField?: string;
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

type NameField = 'streamName' | 'deliveryStreamName' | 'tableName' | 'logGroupName' | 'logStreamName' | 'namespace' | 'metricName' | 'valueField' | 'stream';

function required(dest: AwsDestinationConfig, field: NameField): string {
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
    case 'cloudwatch-logs':
      return createCloudWatchLogsDestination({ ...common, logGroup: required(dest, 'logGroupName'), logStream: required(dest, 'logStreamName'), createLogStream: dest.createLogStream }) as Destination<unknown>;
    case 'cloudwatch-metrics':
      return createCloudWatchMetricsDestination({
        ...common,
        namespace: required(dest, 'namespace'),
        metricName: required(dest, 'metricName'),
        dimensions: dest.dimensions,
        unit: dest.unit as StandardUnit | undefined,
      }) as Destination<unknown>;
    case 'redis-stream':
      return createRedisStreamDestination({ stream: required(dest, 'stream'), maxLength: dest.maxLength, url: options.endpoint }) as Destination<unknown>;
    default:
      throw new TypeError(`unknown destination type "${(dest as { type: string }).type}"`);
  }
}

export function converterFromConfig(type: AwsDestinationType, options: ConverterOptions = {}, dest?: AwsDestinationConfig): ElementConverter<unknown> {
  switch (type) {
    case 'cloudwatch-logs':
      return cloudWatchLogsConverter({ timestampField: dest?.timestampField });
    case 'cloudwatch-metrics':
      return cloudWatchMetricsConverter({ valueField: required(dest ?? { type }, 'valueField'), dimensions: dest?.dimensions });
    case 'redis-stream':
      return redisStreamConverter({ fields: dest?.fields, jsonField: dest?.jsonField, stream: dest?.stream, maxLength: dest?.maxLength });
    case 'kinesis':
      return kinesisConverter({ partitionKey: options.partitionKey, explicitHashKey: options.explicitHashKey });
    case 'firehose':
      return firehoseConverter({ newlineDelimited: options.newlineDelimited });
    case 'dynamodb':
      return dynamoDbConverter({ keyAttributes: options.keyAttributes });
    default:
      throw new TypeError(`unknown destination type "${type as string}"`);
  }
}
