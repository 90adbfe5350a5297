/**
 * Exponential backoff with jitter (Flink's async sink retries at once; we wait). "Full jitter"
 * spreads retries of many writers uniformly below the exponential ceiling; "decorrelated jitter"
 * grows from the previous delay. Both are capped by `maxMs`.
 * See https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/.
 */
export type JitterMode = 'full' | 'equal' | 'decorrelated' | 'none';

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly jitter?: JitterMode;
  /** Uniform [0,1) source; tests pass a seeded one. */
  readonly random?: () => number;
}

/** Exponential ceiling for the n-th consecutive failure (n ≥ 1): initial × 2^(n-1), capped. */
export function backoffCeiling(attempt: number, initialMs: number, maxMs: number): number {
  if (attempt <= 0) return 0;
  // 2^(n-1) overflows to Infinity for large n, and Math.min handles that.
  return Math.min(maxMs, initialMs * 2 ** (attempt - 1));
}

/** Stateful backoff: `next()` after each failure, `reset()` after a success. */
export class Backoff {
  private attempt = 0;
  private previous = 0;
  private readonly jitter: JitterMode;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    this.jitter = options.jitter ?? 'full';
    this.random = options.random ?? Math.random;
  }

  /** Consecutive failures since the last reset. */
  get failures(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
    this.previous = 0;
  }

  /** Records one more failure and returns the delay before the next attempt (ms). */
  next(): number {
    this.attempt++;
    const { initialMs, maxMs } = this.options;
    const ceiling = backoffCeiling(this.attempt, initialMs, maxMs);
    let delay: number;
    switch (this.jitter) {
      case 'none':
        delay = ceiling;
        break;
      case 'equal':
        delay = ceiling / 2 + this.random() * (ceiling / 2);
        break;
      case 'decorrelated': {
        const base = this.previous || initialMs;
        delay = Math.min(maxMs, initialMs + this.random() * (base * 3 - initialMs));
        break;
      }
      default:
        delay = this.random() * ceiling;
    }
    this.previous = delay;
    return Math.round(delay);
  }
}

/** Deterministic uniform [0,1) generator for reproducible jitter in tests. */
export { seededRandom } from '../../util/prng.js';
