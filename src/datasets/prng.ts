/**
 * A small seeded PRNG (mulberry32) and a string hash to key it. Windows and entities get their own
 * generator keyed by (seed, table, key) so any window can be produced alone, in any order, on any
 * machine, and always yields the same rows. Pure JS: runs unchanged in Lambda and in the local runtime.
 */
import { hash32, seededRandom } from '../util/prng.js';

export { hash32 };

export class Prng {
  /** Uniform in [0, 1). */
  readonly next: () => number;

  constructor(seed: number) {
    this.next = seededRandom(seed);
  }

  /** Integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform double in [min, max), rounded to cents. */
  money(min: number, max: number): number {
    return cents(min + this.next() * (max - min));
  }

  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.next() * values.length)]!;
  }
}

export function cents(x: number): number {
  return Math.round(x * 100) / 100;
}
