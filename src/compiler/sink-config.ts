/**
 * Compiles the model's sinks into sink-runtime config documents (schema/sink-config.schema.json),
 * one per sink, written by `synth` to `<outdir>/sinks/<sink>.json`. Physical names come from the
 * resolved model; nothing secret and no endpoint is written (those come from the environment at
 * run time). Key order is fixed here so that the output is byte-for-byte deterministic.
 */
import type { PlatformModel, RateLimitingModel, SinkModel } from './model.js';
import type { SinkConfig, SinkConfigDestination } from '../contract/sink-config.js';

export function compileSinkConfigs(model: PlatformModel): Record<string, SinkConfig> {
  const out: Record<string, SinkConfig> = {};
  // Spec order (the model keeps it): the same spec always yields the same files in the same order.
  for (const [name, sink] of Object.entries(model.sinks)) out[name] = compileSinkConfig(model, sink);
  return out;
}

export function compileSinkConfig(model: PlatformModel, sink: SinkModel): SinkConfig {
  const h = sink.bufferingHints;
  const r = sink.retry;
  const config: SinkConfig = {
    version: 1,
    sink: sink.name,
    platform: model.name,
    environment: model.environment.name,
    destination: destinationOf(sink, model.environment.region),
    bufferingHints: {
      maxBatchSize: h.maxBatchSize,
      maxBatchBytes: h.maxBatchBytes,
      maxRecordBytes: h.maxRecordBytes,
      maxBufferedRequests: h.maxBufferedRequests,
      maxTimeInBufferMs: h.maxTimeInBufferMs,
      maxInFlightRequests: h.maxInFlightRequests,
    },
    rateLimiting: rateLimitingOf(sink.rateLimiting),
    retry: {
      maxAttempts: r.maxAttempts,
      initialBackoffMs: r.initialBackoffMs,
      maxBackoffMs: r.maxBackoffMs,
      requestTimeoutMs: r.requestTimeoutMs,
    },
    ...(sink.partitionKey !== undefined && { partitionKey: sink.partitionKey }),
    ...(sink.explicitHashKey !== undefined && { explicitHashKey: sink.explicitHashKey }),
    // Copied item by item: name before type in every item, whatever order the spec used.
    ...(sink.keyAttributes !== undefined && { keyAttributes: sink.keyAttributes.map((k) => ({ name: k.name, type: k.type })) }),
    aggregation: sink.aggregation,
    ...(sink.aggregationMaxBytes !== undefined && { aggregationMaxBytes: sink.aggregationMaxBytes }),
  };
  return config;
}

/**
 * `region` is omitted in an environment-agnostic spec: the runtime then takes it from its
 * environment (AWS_REGION, the Lambda's own region), like the stacks take it from the credentials.
 */
function destinationOf(sink: SinkModel, region: string | undefined): SinkConfigDestination {
  const at = region !== undefined ? { region } : {};
  const d = sink.destination;
  switch (d.type) {
    case 'kinesis':
      return { type: 'kinesis', streamName: d.streamName, ...at };
    case 'firehose':
      return { type: 'firehose', deliveryStreamName: d.deliveryStreamName, ...at };
    case 'dynamodb':
      return { type: 'dynamodb', tableName: d.tableName, ...at };
    case 'file':
      return { type: 'file', path: d.path };
    // Key order fixed here (not the spec's) so that the files are byte-for-byte deterministic.
    case 'cloudwatch-logs':
      return { type: d.type, logGroupName: d.logGroup, logStreamName: d.logStream, createLogStream: d.createLogStream, ...(d.timestampField !== undefined && { timestampField: d.timestampField }), ...at };
    case 'cloudwatch-metrics':
      return { type: d.type, namespace: d.namespace, metricName: d.metricName, valueField: d.valueField, dimensions: [...d.dimensions], ...(d.unit !== undefined && { unit: d.unit }), ...at };
    case 'redis-stream':
      return { type: d.type, stream: d.stream, ...(d.maxLength !== undefined && { maxLength: d.maxLength }), fields: d.fields, ...(d.jsonField !== undefined && { jsonField: d.jsonField }) };
  }
}

function rateLimitingOf(r: RateLimitingModel): RateLimitingModel {
  return r.strategy === 'none'
    ? { strategy: 'none' }
    : { strategy: 'aimd', increaseRate: r.increaseRate, decreaseFactor: r.decreaseFactor, slowStart: r.slowStart };
}

/** The file text `synth` writes: two-space JSON and a final newline. */
export function formatSinkConfig(config: SinkConfig): string {
  return JSON.stringify(config, null, 2) + '\n';
}
