/**
 * The sink-runtime config document (schema/sink-config.schema.json): what `synth` writes to
 * `<outdir>/sinks/<sink>.json` and `sink run` reads. The types only; reading and validating a
 * config file is the runtime's (src/runtime/sink-config-file.ts).
 */
import type { BufferingHints } from './buffering.js';
import type { RateLimitingSettings } from './rate-limiting.js';
import type { RetryPolicy } from './retry.js';

/** A DynamoDB key attribute: the partition key, or the sort key. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export const SINK_CONFIG_VERSION = 1;

export type SinkConfigDestination =
  | { readonly type: 'kinesis'; readonly streamName: string; readonly region?: string }
  | { readonly type: 'firehose'; readonly deliveryStreamName: string; readonly region?: string }
  | { readonly type: 'dynamodb'; readonly tableName: string; readonly region?: string }
  | { readonly type: 'file'; readonly path: string; readonly region?: string }
  | {
      readonly type: 'cloudwatch-logs';
      readonly logGroupName: string;
      readonly logStreamName: string;
      readonly createLogStream: boolean;
      readonly timestampField?: string;
      /** Absent: the runtime's own region (AWS_REGION), for an environment-agnostic spec. */
      readonly region?: string;
    }
  | {
      readonly type: 'cloudwatch-metrics';
      readonly namespace: string;
      readonly metricName: string;
      readonly valueField: string;
      readonly dimensions: readonly string[];
      readonly unit?: string;
      /** Absent: the runtime's own region (AWS_REGION), for an environment-agnostic spec. */
      readonly region?: string;
    }
  /** No endpoint and no credentials: REDIS_URL or --endpoint at run time. */
  | { readonly type: 'redis-stream'; readonly stream: string; readonly maxLength?: number; readonly fields: 'json' | 'top-level'; readonly jsonField?: string };

export interface SinkConfig {
  readonly version: 1;
  readonly sink: string;
  readonly platform: string;
  readonly environment: string;
  readonly destination: SinkConfigDestination;
  readonly bufferingHints: BufferingHints;
  readonly rateLimiting: RateLimitingSettings;
  readonly retry: RetryPolicy;
  readonly partitionKey?: string;
  readonly explicitHashKey?: string;
  /** DynamoDB only: the table's key attributes (DescribeTable when absent). */
  readonly keyAttributes?: readonly KeyAttribute[];
  readonly aggregation: 'none' | 'kpl';
  /**
   * With aggregation kpl: the largest aggregate in bytes as Kinesis counts them (the KPL's
   * AggregationMaxSize). Default KPL_AGGREGATION_MAX_BYTES (src/contract/defaults.ts); between
   * MIN_KPL_AGGREGATION_BYTES and MAX_KPL_AGGREGATION_BYTES (src/contract/limits.ts).
   */
  readonly aggregationMaxBytes?: number;
}
