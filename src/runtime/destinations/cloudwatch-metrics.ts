/**
 * CloudWatch Metrics destination: each event becomes one metric datum (the value of a named field,
 * dimensions from named fields, the read time as its timestamp), sent with PutMetricData under one
 * namespace. PutMetricData accepts or refuses a request as a whole, so the converter checks what
 * the service would refuse (a value missing, not a number or out of range; a dimension value
 * missing or too long) and those events are dead-lettered with the reason. Should the service
 * still refuse a batch as invalid, its data are sent one by one so that only the bad ones are
 * rejected.
 */
import type { CloudWatchClient, MetricDatum, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { ConversionError, type BatchOutcome, type Destination, type ElementConverter, type EntryFailure } from '../destination.js';
import { sdkClient, type AwsCredentials } from './aws-client.js';
import { classifyAwsError } from './aws-errors.js';
import { codePointLength, describeType, isPlainObject, readField } from './event-fields.js';
import { CLOUDWATCH_METRICS_DEFAULTS } from '../../contract/defaults.js';
import { CLOUDWATCH_METRICS_LIMITS } from '../../contract/limits.js';

export interface CloudWatchMetricsEntry {
  readonly value: number;
  /** Dimension values, in the order of the configured dimension names. */
  readonly dimensions: readonly string[];
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
}

export { CLOUDWATCH_METRICS_DEFAULTS, CLOUDWATCH_METRICS_LIMITS };

/** CloudWatch refuses values of a smaller or larger magnitude (zero excepted). */
const MIN_MAGNITUDE = 8.515920e-109;
const MAX_MAGNITUDE = 1.174271e108;
const MAX_DIMENSION_VALUE_CHARS = 1024;

export interface CloudWatchMetricsOptions {
  readonly namespace: string;
  readonly metricName: string;
  /** Dimension names; each is also the event field its value comes from. */
  readonly dimensions?: readonly string[];
  readonly unit?: StandardUnit;
}

export interface CloudWatchMetricsDestinationOptions extends CloudWatchMetricsOptions {
  readonly region?: string;
  readonly endpoint?: string;
  /** Absent = the SDK's default credential chain. */
  readonly credentials?: AwsCredentials;
  /** A caller-owned client (not destroyed by close()). */
  readonly client?: CloudWatchClient;
  readonly maxSockets?: number;
}

const INVALID = new Set(['InvalidParameterValueException', 'InvalidParameterValue', 'InvalidParameterCombinationException', 'InvalidParameterCombination', 'MissingRequiredParameterException', 'MissingParameter']);
const isInvalid = (err: unknown): boolean => INVALID.has(String((err as { name?: unknown } | null)?.name));

export function createCloudWatchMetricsDestination(options: CloudWatchMetricsDestinationOptions): Destination<CloudWatchMetricsEntry> {
  const { namespace, metricName, unit } = options;
  const names = options.dimensions ?? [];
  const aws = sdkClient('CloudWatch', options, () => import('@aws-sdk/client-cloudwatch'), (m, config) => new m.CloudWatchClient(config));

  const datum = (e: CloudWatchMetricsEntry): MetricDatum => {
    const d: MetricDatum = { MetricName: metricName, Value: e.value, Timestamp: new Date(e.timestamp) };
    if (unit) d.Unit = unit;
    if (names.length) d.Dimensions = names.map((Name, i) => ({ Name, Value: e.dimensions[i] }));
    return d;
  };
  const put = async (batch: readonly CloudWatchMetricsEntry[], signal: AbortSignal) => {
    const { PutMetricDataCommand } = await aws.sdk();
    return aws.client().send(new PutMetricDataCommand({ Namespace: namespace, MetricData: batch.map(datum) }), { abortSignal: signal });
  };
  // What the JSON protocol sends for a datum beyond its dimension values, counted once.
  const fixedBytes = Buffer.byteLength(JSON.stringify(datum({ value: 0, dimensions: names.map(() => ''), timestamp: 0 })));

  return {
    description: `CloudWatch metric ${metricName} in namespace ${namespace}`,
    limits: CLOUDWATCH_METRICS_LIMITS,
    defaults: CLOUDWATCH_METRICS_DEFAULTS,
    // The datum's JSON: the fixed part, at most 48 digits of value and timestamp, the dimension values.
    sizeOf(e) {
      let n = fixedBytes + 48;
      for (const v of e.dimensions) n += Buffer.byteLength(JSON.stringify(v));
      return n;
    },

    async submit(batch: readonly CloudWatchMetricsEntry[], signal: AbortSignal): Promise<BatchOutcome> {
      try {
        await put(batch, signal);
        return { failures: [] };
      } catch (err) {
        if (batch.length === 1 || !isInvalid(err)) throw err;
      }
      const failures: EntryFailure[] = [];
      for (let i = 0; i < batch.length; i++) {
        try {
          await put([batch[i]!], signal);
        } catch (err) {
          if (!isInvalid(err)) throw err;
          failures.push({ index: i, code: String((err as Error).name), message: (err as Error).message, kind: 'rejected' });
        }
      }
      return { failures };
    },

    classifyError(err) {
      const c = classifyAwsError(err);
      if (c.kind === 'fatal' && c.code.startsWith('AccessDenied')) return { ...c, fix: `grant the identity running the sink cloudwatch:PutMetricData (its condition cloudwatch:namespace may name ${namespace})` };
      return c;
    },
    encodeEntry: (e) => ({ value: e.value, dimensions: e.dimensions, timestamp: e.timestamp }),

    decodeEntry(json: unknown): CloudWatchMetricsEntry {
      if (!isPlainObject(json) || typeof json.value !== 'number' || typeof json.timestamp !== 'number' || !Array.isArray(json.dimensions) || !json.dimensions.every((d) => typeof d === 'string')) {
        throw new TypeError('not an encoded CloudWatch metrics entry: expected { value, dimensions: [<string>], timestamp }');
      }
      return { value: json.value, dimensions: json.dimensions as string[], timestamp: json.timestamp };
    },

    async close(): Promise<void> {
      aws.close();
    },
  };
}

export interface CloudWatchMetricsConverterOptions {
  /** Event field holding the metric value (a number). */
  readonly valueField: string;
  readonly dimensions?: readonly string[];
  /** The read time (tests pass a fixed one). */
  readonly now?: () => number;
}

export function cloudWatchMetricsConverter(options: CloudWatchMetricsConverterOptions): ElementConverter<CloudWatchMetricsEntry> {
  const { valueField } = options;
  const names = options.dimensions ?? [];
  const now = options.now ?? Date.now;
  return (event: unknown): CloudWatchMetricsEntry => {
    const lookup = readField(event, valueField);
    if (!lookup.found) throw new ConversionError(`value field "${valueField}" is missing: ${lookup.reason}`);
    const value = lookup.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConversionError(`value field "${valueField}" is ${describeType(value)}; a metric value must be a number`);
    const magnitude = Math.abs(value);
    if (value !== 0 && (magnitude < MIN_MAGNITUDE || magnitude > MAX_MAGNITUDE)) {
      throw new ConversionError(`value field "${valueField}" is ${value}; CloudWatch takes 0 or magnitudes from ${MIN_MAGNITUDE} to ${MAX_MAGNITUDE}`);
    }
    const dimensions = names.map((name) => {
      const d = readField(event, name);
      if (!d.found) throw new ConversionError(`dimension field "${name}" is missing: ${d.reason}`);
      const v = d.value;
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new ConversionError(`dimension field "${name}" is ${describeType(v)}; expected a string, a number or a boolean`);
      const text = String(v);
      if (text.length === 0) throw new ConversionError(`dimension field "${name}" is an empty string; CloudWatch needs 1 to ${MAX_DIMENSION_VALUE_CHARS} characters`);
      if (codePointLength(text) > MAX_DIMENSION_VALUE_CHARS) throw new ConversionError(`dimension field "${name}" has ${codePointLength(text)} characters; CloudWatch allows at most ${MAX_DIMENSION_VALUE_CHARS}`);
      return text;
    });
    return { value, dimensions, timestamp: now() };
  };
}
