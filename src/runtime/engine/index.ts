/** The async-sink engine's public surface (re-exported by `ara-gen/runtime`). */
export {
  ACCEPTED,
  AsyncSinkWriter,
  FatalSinkError,
  SinkConfigError,
  type AsyncSinkWriterOptions,
  type WriterSnapshot,
} from './async-sink-writer.js';
export { systemClock, FakeClock, settle, type Clock } from './clock.js';
export { Backoff, backoffCeiling, seededRandom, type BackoffOptions, type JitterMode } from './backoff.js';
export { classifyError, classifyNetworkError, networkCode } from './errors.js';
export { RetryQueue } from './retry-queue.js';
export {
  AimdScaling,
  CongestionControlStrategy,
  NoRateLimiting,
  createRateLimitingStrategy,
  DEFAULT_RATE_LIMITING,
  SLOW_START_INITIAL_BATCHES,
  type RateLimitingSettings,
  type RateLimitingStrategy,
  type ScalingStrategy,
  type RequestInfo,
  type ResultInfo,
  type CongestionControlOptions,
} from './rate-limiting.js';
export { resolveHints, resolveRetry, DEFAULT_RETRY, HINT_NAMES } from './settings.js';
export { SinkMetrics, Histogram, summarize, type SinkStats } from './metrics.js';
export { RequestBuffer } from './request-buffer.js';
