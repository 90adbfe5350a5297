/**
 * A small seeded PRNG (mulberry32) and a string hash to key it. Windows and entities get their own
 * generator keyed by (seed, table, key) so any window can be produced alone, in any order, on any
 * machine, and always yields the same rows. Pure JS: runs unchanged in Lambda and in the local runtime.
 */

/** FNV-1a over the UTF-16 code units of `s`, finished with a murmur3 avalanche. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
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
