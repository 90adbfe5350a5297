/**
 * Resolution and validation of the engine's configuration: buffering hints (the destination's
 * defaults where the config omits one, Flink's rules, the destination's hard limits) and the retry
 * policy. Every rejection names the setting, its value, the rule and the fix.
 */
import { type BufferingHints, HINT_NAMES, SIZE_HINTS, describeHintProblem, hintProblems } from '../../contract/buffering.js';
import { DEFAULT_RETRY } from '../../contract/defaults.js';
import type { DestinationLimits } from '../../contract/limits.js';
import type { RetryPolicy } from '../../contract/retry.js';
import { closest } from '../../util/suggest.js';
import { SinkConfigError } from './errors.js';

export { DEFAULT_RETRY, HINT_NAMES };

/** Merges `hints` over `defaults` and validates the result for a destination (the rules: src/contract/buffering.ts). */
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
  const [problem] = hintProblems(merged, limits);
  if (problem) {
    const { message, fix } = describeHintProblem(problem, { destination, show: (h, v) => (SIZE_HINTS.includes(h) ? `${v} bytes` : String(v)), literal: (_h, v) => String(v) });
    const standard = problem.rule === 'positive-integer' ? ` (the default for ${destination} is ${defaults[problem.hint]})` : '';
    throw new SinkConfigError(`buffering hint ${message}; ${fix}${standard}.`);
  }
  return Object.freeze({ ...(merged as unknown as BufferingHints) });
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
