/**
 * Defaults of the sink settings, in one table. The engine falls back on them where a sink config
 * or a library caller omits a setting.
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

/** Buffering hints used where a config omits one, per destination type. */
export const BUFFERING_DEFAULTS: Readonly<Record<DestinationType, BufferingHints>> = {
  kinesis: KINESIS_DEFAULTS,
  firehose: FIREHOSE_DEFAULTS,
  dynamodb: DYNAMODB_DEFAULTS,
  file: FILE_DEFAULTS,
};

/** The engine's retry policy where a config or caller omits one (0 attempts = retry forever). */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 0, initialBackoffMs: 50, maxBackoffMs: 5000, requestTimeoutMs: 30000 };

/** The engine's rate limiting where a config or caller omits it: AIMD with slow start. */
export const DEFAULT_RATE_LIMITING: RateLimitingModel = { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5, slowStart: true };
