/**
 * The sink job's figures as one CloudWatch Embedded Metric Format line: printed to stdout by a Lambda,
 * CloudWatch Logs turns it into metrics (namespace `ara-gen/sinks`, dimension `Sink`) with no
 * PutMetricData call and no extra permission.
 */
import type { SinkJobResult } from '../sink-job.js';

export const EMF_NAMESPACE = 'ara-gen/sinks';

/** Metric name → unit, in the order they are written. */
export const EMF_METRICS = {
  RecordsDelivered: 'Count',
  RecordsDeadLettered: 'Count',
  RecordsUnacknowledged: 'Count',
  Retries: 'Count',
  Throttled: 'Count',
  Requests: 'Count',
  LatencyP50: 'Milliseconds',
  LatencyP95: 'Milliseconds',
  LatencyP99: 'Milliseconds',
  DurationMs: 'Milliseconds',
} as const;

export type EmfMetric = keyof typeof EMF_METRICS;

/** The EMF document of a run (`timestamp` in epoch milliseconds). */
export function emfRecord(result: SinkJobResult, timestamp: number): Record<string, unknown> {
  const values: Record<EmfMetric, number> = {
    RecordsDelivered: result.records.delivered,
    RecordsDeadLettered: result.records.deadLettered,
    RecordsUnacknowledged: result.records.unacknowledged,
    Retries: result.engine.retries,
    Throttled: result.engine.throttled,
    Requests: result.engine.requests,
    LatencyP50: result.engine.latencyMs.p50,
    LatencyP95: result.engine.latencyMs.p95,
    LatencyP99: result.engine.latencyMs.p99,
    DurationMs: result.durationMs,
  };
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: EMF_NAMESPACE,
          Dimensions: [['Sink']],
          Metrics: (Object.keys(EMF_METRICS) as EmfMetric[]).map((Name) => ({ Name, Unit: EMF_METRICS[Name] })),
        },
      ],
    },
    Sink: result.sink,
    Outcome: result.outcome,
    ...values,
  };
}

/** One line for stdout. */
export function emfLine(result: SinkJobResult, timestamp: number): string {
  return JSON.stringify(emfRecord(result, timestamp));
}
