/**
 * Time and timers for the engine, injectable so that tests (ours and users') can drive buffer
 * timers, backoff delays and request timeouts deterministically.
 */
export interface Clock {
  /** Milliseconds from an arbitrary origin; monotonic. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Wall-clock time: `performance.now()` (sub-millisecond latencies) and Node timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface FakeTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/** Lets pending promise callbacks (and the microtasks they queue) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A manual clock: time moves only when the test says so. Timers fire in due order (ties in
 * creation order). `advance` is synchronous; `tick` also lets promise callbacks run between
 * timers, which is what an engine whose completions are promises needs.
 */
export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: FakeTimer[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer: FakeTimer = { id: this.nextId++, due: this.current + Math.max(0, ms), fn };
    // Keep the list sorted by due time, stable for equal times.
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1]!.due > timer.due) i--;
    this.timers.splice(i, 0, timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    const i = this.timers.findIndex((t) => t.id === handle);
    if (i >= 0) this.timers.splice(i, 1);
  }

  /** Number of armed timers. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Delays (from now) of the armed timers, soonest first. */
  timerDelays(): number[] {
    return this.timers.map((t) => t.due - this.current);
  }

  /** Moves time forward by `ms`, firing due timers synchronously. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (let t = this.timers[0]; t && t.due <= target; t = this.timers[0]) {
      this.timers.shift();
      this.current = t.due;
      t.fn();
    }
    this.current = target;
  }

  /** Moves time forward by `ms`, letting promise callbacks run before and after each timer. */
  async tick(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (let t = this.timers[0]; t && t.due <= target; t = this.timers[0]) {
      this.timers.shift();
      this.current = t.due;
      t.fn();
      await settle();
    }
    this.current = target;
    await settle();
  }

  /** Fires every timer (including ones armed meanwhile) until none is left or `maxMs` elapsed. */
  async runAll(maxMs = 3_600_000): Promise<void> {
    const limit = this.current + maxMs;
    await settle();
    for (let t = this.timers[0]; t && t.due <= limit; t = this.timers[0]) {
      this.timers.shift();
      this.current = Math.max(this.current, t.due);
      t.fn();
      await settle();
    }
  }
}
