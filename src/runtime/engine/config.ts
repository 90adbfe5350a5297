/**
 * Resolution and validation of the engine's configuration: buffering hints (the destination's
 * defaults where the config omits one, Flink's rules, the destination's hard limits) and the retry
 * policy. Every rejection names the setting, its value, the rule and the fix.
 */
import { type BufferingHints, HINT_NAMES } from '../../contract/buffering.js';
import { DEFAULT_RETRY } from '../../contract/defaults.js';
import type { DestinationLimits } from '../../contract/limits.js';
import type { RetryPolicy } from '../../contract/retry.js';
import { closest } from '../../util/suggest.js';
import { SinkConfigError } from './errors.js';

export { DEFAULT_RETRY, HINT_NAMES };

const LIMIT_UNITS: Record<keyof DestinationLimits, string> = {
  maxBatchSize: 'entries per request',
  maxBatchBytes: 'bytes per request',
  maxRecordBytes: 'bytes per record',
};

/** Merges `hints` over `defaults` and validates the result for a destination. */
export function resolveHints(
  defaults: BufferingHints,
  hints: Partial<BufferingHints> | undefined,
  limits: DestinationLimits,
  destination: string,
): BufferingHints {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(hints ?? {})) {
    if (!(HINT_NAMES as readonly string[]).includes(key)) {
      const guess = closest(key, HINT_NAMES);
      throw new SinkConfigError(
        `unknown buffering hint "${key}"${guess ? `; did you mean "${guess}"?` : `; known hints: ${HINT_NAMES.join(', ')}.`}`,
      );
    }
    if (value !== undefined) merged[key] = value;
  }
  for (const name of HINT_NAMES) {
    const value = merged[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new SinkConfigError(
        `buffering hint ${name} = ${JSON.stringify(value)} is invalid: every buffering hint must be a positive integer; ` +
          `set ${name} to a whole number of at least 1 (the default for ${destination} is ${defaults[name]}).`,
      );
    }
  }
  const h = merged as unknown as BufferingHints;
  if (h.maxBufferedRequests <= h.maxBatchSize) {
    throw new SinkConfigError(
      `buffering hint maxBufferedRequests = ${h.maxBufferedRequests} must be greater than maxBatchSize = ${h.maxBatchSize} ` +
        `(the buffer must hold more than one batch); raise maxBufferedRequests or lower maxBatchSize.`,
    );
  }
  if (h.maxBatchBytes < h.maxRecordBytes) {
    throw new SinkConfigError(
      `buffering hint maxBatchBytes = ${h.maxBatchBytes} must be at least maxRecordBytes = ${h.maxRecordBytes} ` +
        `(a batch must fit the largest record); raise maxBatchBytes or lower maxRecordBytes.`,
    );
  }
  for (const name of Object.keys(LIMIT_UNITS) as (keyof DestinationLimits)[]) {
    if (h[name] > limits[name]) {
      throw new SinkConfigError(
        `buffering hint ${name} = ${h[name]} exceeds the limit of ${destination} (${limits[name]} ${LIMIT_UNITS[name]}); ` +
          `set ${name} to ${limits[name]} or less.`,
      );
    }
  }
  return Object.freeze({ ...h });
}

/** Merges `retry` over the defaults and validates it. */
export function resolveRetry(retry: Partial<RetryPolicy> | undefined): RetryPolicy {
  const names = Object.keys(DEFAULT_RETRY) as (keyof RetryPolicy)[];
  const merged: Record<string, unknown> = { ...DEFAULT_RETRY };
  for (const [key, value] of Object.entries(retry ?? {})) {
    if (!(names as string[]).includes(key)) {
      const guess = closest(key, names);
      throw new SinkConfigError(`unknown retry setting "${key}"${guess ? `; did you mean "${guess}"?` : `; known settings: ${names.join(', ')}.`}`);
    }
    if (value !== undefined) merged[key] = value;
  }
  const check = (name: keyof RetryPolicy, min: number, rule: string): void => {
    const v = merged[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new SinkConfigError(`retry.${name} = ${JSON.stringify(v)} is invalid: it must be ${rule}; set it to e.g. ${DEFAULT_RETRY[name]}.`);
    }
  };
  check('maxAttempts', 0, 'a whole number of at least 0 (0 retries forever)');
  check('initialBackoffMs', 1, 'a positive whole number of milliseconds');
  check('maxBackoffMs', 1, 'a positive whole number of milliseconds');
  check('requestTimeoutMs', 1, 'a positive whole number of milliseconds');
  const r = merged as unknown as RetryPolicy;
  if (r.maxBackoffMs < r.initialBackoffMs) {
    throw new SinkConfigError(
      `retry.maxBackoffMs = ${r.maxBackoffMs} must be at least retry.initialBackoffMs = ${r.initialBackoffMs}; raise maxBackoffMs or lower initialBackoffMs.`,
    );
  }
  return Object.freeze({ ...r });
}
