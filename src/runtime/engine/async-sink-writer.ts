/**
 * The shared async-sink engine, after Apache Flink's AsyncSinkWriter and FLIP-242: buffers entries,
 * sends them in batches (by count, bytes and a single buffer timer) with bounded concurrency and an
 * adaptive rate limit, retries failed entries (at the head of the buffer, in write order, after an
 * exponential backoff with jitter), applies backpressure to writers and stops with one clear
 * message on a fatal destination error.
 *
 * Improvements over Flink: backoff before retries; sizes count what the service counts (the
 * destination's sizeOf); fatal versus retryable classification (access denied, missing resources,
 * KMS and credential errors stop the sink; network faults are retried); per-request timeouts;
 * dead letters instead of exceptions for oversize entries and exhausted attempts; the buffer stays
 * in write order even when concurrent requests fail in any order.
 *
 * Memory bound: the buffer holds at most maxBufferedRequests entries from writes plus the entries of
 * requests that failed and were requeued, so at most maxBufferedRequests + (entries in flight, at most
 * maxInFlightRequests × maxBatchSize); writes stay blocked until the buffer is below
 * maxBufferedRequests again. Writes that are not awaited queue up beyond that (their promises are
 * pending): await write() to get backpressure.
 */
import type { BufferingHints } from '../../contract/buffering.js';
import type { RetryPolicy } from '../../contract/retry.js';
import type { BatchOutcome, Destination } from '../destination.js';
import { Backoff, type JitterMode } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import { resolveHints, resolveRetry } from './config.js';
import { classifyEntryCode, classifyError, FatalSinkError, SinkConfigError } from './errors.js';
import { SinkMetrics, summarize, type SinkStats } from './metrics.js';
import { createRateLimitingStrategy, DEFAULT_RATE_LIMITING, type RateLimitingSettings, type RateLimitingStrategy } from './rate-limiting.js';
import { RequestBuffer } from './request-buffer.js';

export { FatalSinkError, SinkConfigError } from './errors.js';
export type { Clock } from './clock.js';
export type { RateLimitingStrategy } from './rate-limiting.js';
export type { SinkMetrics, SinkStats } from './metrics.js';

export interface AsyncSinkWriterOptions<E> {
  destination: Destination<E>;
  /** Merged over destination.defaults, then validated. */
  hints?: Partial<BufferingHints>;
  /** Default: { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5 } (with slow start). */
  rateLimiting?: RateLimitingSettings | RateLimitingStrategy;
  /** Defaults: maxAttempts 0 (forever), initialBackoffMs 50, maxBackoffMs 5000, requestTimeoutMs 30000. */
  retry?: Partial<RetryPolicy>;
  /** Injectable time and timers (FakeClock in tests). */
  clock?: Clock;
  /** Jitter source; tests pass a seeded one. */
  random?: () => number;
  /** Jitter of the retry backoff (default full jitter). */
  jitter?: JitterMode;
  /** Oversize entries and entries whose attempts are exhausted. */
  onDeadLetter?: (entry: E, reason: string) => void;
  /**
   * Consecutive whole-request ECONNREFUSED failures (no response in between) after which the sink
   * stops: a refused connection is usually a wrong endpoint, but also a restarting server, so it is
   * retried a few times first. Default 10.
   */
  maxConnectionRefused?: number;
}

/** Unacknowledged entries, encoded with destination.encodeEntry (checkpoints). */
export interface WriterSnapshot {
  readonly version: 1;
  readonly entries: unknown[];
}

interface InFlightRequest<E> {
  readonly entries: E[];
  readonly sizes: number[];
  readonly attempts: number[];
  readonly seqs: number[];
  readonly startedAt: number;
  readonly controller: AbortController;
  timer: unknown;
  settled: boolean;
}

interface PendingWrite<E> {
  readonly entry: E;
  readonly size: number;
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

interface FlushWaiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

interface Requeued<E> {
  entry: E;
  size: number;
  attempts: number;
  seq: number;
}

const RESOLVED: Promise<void> = Promise.resolve();

function isStrategy(x: RateLimitingSettings | RateLimitingStrategy): x is RateLimitingStrategy {
  return typeof (x as RateLimitingStrategy).shouldBlock === 'function';
}

export class AsyncSinkWriter<E> {
  readonly hints: BufferingHints;
  readonly retry: RetryPolicy;
  readonly metrics = new SinkMetrics();
  readonly rateLimiter: RateLimitingStrategy;

  private readonly destination: Destination<E>;
  private readonly clock: Clock;
  private readonly onDeadLetter: ((entry: E, reason: string) => void) | undefined;
  private readonly backoff: Backoff;
  private readonly maxConnectionRefused: number;

  private readonly buffer = new RequestBuffer<E>();
  /** Insertion order = send order. */
  private readonly inFlight = new Set<InFlightRequest<E>>();
  private waiting: PendingWrite<E>[] = [];
  private waitingHead = 0;
  private flushWaiters: FlushWaiter[] = [];

  /** Write sequence numbers: the buffer is always sorted by them (write order). */
  private nextSeq = 0;
  /** Entries with seq below this go out in partial batches (timer fired, flush, retry). */
  private forceSeq = -Infinity;
  private bufferTimer: unknown = undefined;
  private backoffTimer: unknown = undefined;
  private backoffUntil = 0;
  private refusedStreak = 0;
  private fatal: FatalSinkError | undefined;
  private closing: Promise<void> | undefined;
  private pumping = false;
  private pumpAgain = false;

  constructor(options: AsyncSinkWriterOptions<E>) {
    const destination = options.destination;
    this.destination = destination;
    this.hints = resolveHints(destination.defaults, options.hints, destination.limits, destination.description);
    this.retry = resolveRetry(options.retry);
    const rl = options.rateLimiting ?? DEFAULT_RATE_LIMITING;
    this.rateLimiter = isStrategy(rl) ? rl : createRateLimitingStrategy(rl, this.hints);
    this.clock = options.clock ?? systemClock;
    this.onDeadLetter = options.onDeadLetter;
    this.maxConnectionRefused = options.maxConnectionRefused ?? 10;
    if (!Number.isInteger(this.maxConnectionRefused) || this.maxConnectionRefused < 1) {
      throw new SinkConfigError(`maxConnectionRefused = ${options.maxConnectionRefused} must be a positive integer; set it to e.g. 10.`);
    }
    this.backoff = new Backoff({
      initialMs: this.retry.initialBackoffMs,
      maxMs: this.retry.maxBackoffMs,
      jitter: options.jitter ?? 'full',
      random: options.random ?? Math.random,
    });
  }

  // ---- public API ------------------------------------------------------------------------------

  /**
   * Adds an entry. Resolves once it is in the buffer; stays pending while the buffer is full
   * (backpressure). Entries larger than maxRecordBytes go to the dead letters at once.
   */
  write(entry: E): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closing) return Promise.reject(new Error(`cannot write to ${this.destination.description}: the sink is closed`));
    let size: number;
    try {
      size = this.destination.sizeOf(entry);
    } catch (err) {
      return Promise.reject(err);
    }
    const m = this.metrics;
    m.recordsIn++;
    m.bytesIn += size;
    if (size > this.hints.maxRecordBytes) {
      this.deadLetter(entry, `record of ${size} bytes exceeds maxRecordBytes (${this.hints.maxRecordBytes})`);
      return RESOLVED;
    }
    const seq = this.nextSeq++;
    if (this.waitingHead < this.waiting.length || this.buffer.length >= this.hints.maxBufferedRequests) {
      return new Promise<void>((resolve, reject) => {
        this.waiting.push({ entry, size, seq, resolve, reject });
      });
    }
    const buffer = this.buffer;
    buffer.push(entry, size, 0, seq);
    if (buffer.length >= this.batchLimit() || buffer.bytes >= this.hints.maxBatchBytes) this.pump();
    else if (buffer.length === 1 && this.bufferTimer === undefined) this.armBufferTimer();
    return RESOLVED;
  }

  /** Resolves when every entry written before the call is acknowledged or dead-lettered. */
  flush(): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    const target = this.nextSeq;
    if (target > this.forceSeq) this.forceSeq = target;
    if (this.minUnacked() >= target) return RESOLVED;
    const promise = new Promise<void>((resolve, reject) => this.flushWaiters.push({ target, resolve, reject }));
    this.pump();
    return promise;
  }

  /** Flushes, stops the timers and closes the destination. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        let error: unknown;
        try {
          await this.flush();
        } catch (e) {
          error = e;
        }
        this.clearTimers();
        await this.destination.close();
        if (error) throw error;
      })();
    }
    return this.closing;
  }

  /**
   * Every unacknowledged entry: in flight (send order) then buffered (write order). Entries whose
   * write() is still pending are not included (their writer has not been released). At-least-once:
   * entries in flight may be delivered again after restore.
   */
  snapshot(): WriterSnapshot {
    const entries: unknown[] = [];
    for (const req of this.inFlight) for (const e of req.entries) entries.push(this.destination.encodeEntry(e));
    for (const e of this.buffer.toArray()) entries.push(this.destination.encodeEntry(e));
    return { version: 1, entries };
  }

  /** Re-queues a snapshot's entries at the head of the buffer, ahead of every new write. */
  restore(snapshot: WriterSnapshot): void {
    if (this.fatal) throw this.fatal;
    if (!snapshot || snapshot.version !== 1 || !Array.isArray(snapshot.entries)) {
      throw new SinkConfigError(
        `cannot restore the sink: the snapshot must be { "version": 1, "entries": [...] }, got ${JSON.stringify(snapshot)?.slice(0, 80)}; delete the checkpoint or use one written by this version.`,
      );
    }
    const decoded: { entry: E; size: number }[] = [];
    for (const json of snapshot.entries) {
      const entry = this.destination.decodeEntry(json);
      const size = this.destination.sizeOf(entry);
      this.metrics.recordsIn++;
      this.metrics.bytesIn += size;
      if (size > this.hints.maxRecordBytes) this.deadLetter(entry, `record of ${size} bytes exceeds maxRecordBytes (${this.hints.maxRecordBytes})`);
      else decoded.push({ entry, size });
    }
    // Sequence numbers below every unacknowledged entry keep the buffer in order.
    const base = Math.min(this.minUnacked(), this.nextSeq) - decoded.length;
    for (let i = decoded.length - 1; i >= 0; i--) this.buffer.unshift(decoded[i]!.entry, decoded[i]!.size, 0, base + i);
    this.pump();
  }

  /** JSON-ready summary of the metrics. */
  stats(): SinkStats {
    const budget = this.rateLimiter.currentBudget();
    return summarize(this.metrics, this.buffer.length + (this.waiting.length - this.waitingHead), {
      strategy: this.rateLimiter.name,
      budget: Number.isFinite(budget) ? budget : null,
    });
  }

  /** Entries in the buffer (not in flight). */
  get bufferedEntries(): number {
    return this.buffer.length;
  }

  /** Bytes in the buffer. */
  get bufferedBytes(): number {
    return this.buffer.bytes;
  }

  /** The error that stopped the sink, if any. */
  get fatalError(): FatalSinkError | undefined {
    return this.fatal;
  }

  // ---- sending ---------------------------------------------------------------------------------

  private batchLimit(): number {
    return Math.min(this.hints.maxBatchSize, this.rateLimiter.maxBatchSize());
  }

  /** Sends what may be sent, admits blocked writes, re-arms the timer, resolves flushes. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.sendReady();
        if (this.admitWaiting()) this.pumpAgain = true;
      } while (this.pumpAgain && !this.fatal);
    } finally {
      this.pumping = false;
    }
    if (!this.fatal && this.buffer.length > 0 && this.bufferTimer === undefined && !(this.buffer.headSeq() < this.forceSeq)) {
      this.armBufferTimer();
    }
    this.resolveFlushes();
  }

  private sendReady(): void {
    const buffer = this.buffer;
    const maxBatchBytes = this.hints.maxBatchBytes;
    while (!this.fatal && buffer.length > 0) {
      const limit = this.batchLimit();
      if (buffer.length < limit && buffer.bytes < maxBatchBytes && !(buffer.headSeq() < this.forceSeq)) return;
      if (this.backoffUntil > 0) {
        const wait = this.backoffUntil - this.clock.now();
        if (wait > 0) {
          this.armBackoffTimer(wait);
          return;
        }
        this.backoffUntil = 0;
      }
      // The batch takes entries from the head and stops before exceeding the byte limit.
      const max = Math.min(limit, buffer.length);
      let n = 0;
      let bytes = 0;
      while (n < max) {
        const size = buffer.sizeAt(n);
        if (bytes + size > maxBatchBytes) break;
        bytes += size;
        n++;
      }
      if (n === 0) n = 1; // unreachable: every entry is ≤ maxRecordBytes ≤ maxBatchBytes
      if (this.rateLimiter.shouldBlock({ batchSize: n })) return;
      this.send(n);
    }
  }

  private send(n: number): void {
    const buffer = this.buffer;
    const entries: E[] = new Array(n);
    const sizes: number[] = new Array(n);
    const attempts: number[] = new Array(n);
    const seqs: number[] = new Array(n);
    let retried = 0;
    for (let i = 0; i < n; i++) {
      sizes[i] = buffer.headSize();
      seqs[i] = buffer.headSeq();
      const a = buffer.headAttempts();
      if (a > 0) retried++;
      attempts[i] = a + 1;
      entries[i] = buffer.shift();
    }
    const m = this.metrics;
    m.requests++;
    m.retries += retried;
    m.inFlightRequests++;
    m.inFlightEntries += n;
    if (m.inFlightRequests > m.maxInFlight) m.maxInFlight = m.inFlightRequests;
    m.batchSize.record(n);
    this.rateLimiter.registerInFlightRequest({ batchSize: n });

    const req: InFlightRequest<E> = {
      entries,
      sizes,
      attempts,
      seqs,
      startedAt: this.clock.now(),
      controller: new AbortController(),
      timer: undefined,
      settled: false,
    };
    this.inFlight.add(req);
    req.timer = this.clock.setTimeout(() => this.onTimeout(req), this.retry.requestTimeoutMs);
    let pending: Promise<BatchOutcome>;
    try {
      pending = this.destination.submit(entries, req.controller.signal);
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      (outcome) => this.onOutcome(req, outcome),
      (err) => this.onRejected(req, err),
    );
  }

  /** Marks a request complete; false when it already was (a late answer after a timeout). */
  private settle(req: InFlightRequest<E>): boolean {
    if (req.settled) return false;
    req.settled = true;
    this.clock.clearTimeout(req.timer);
    this.inFlight.delete(req);
    const m = this.metrics;
    m.inFlightRequests--;
    m.inFlightEntries -= req.entries.length;
    m.latencyMs.record(Math.max(0, this.clock.now() - req.startedAt));
    return true;
  }

  private onOutcome(req: InFlightRequest<E>, outcome: BatchOutcome | undefined): void {
    if (!this.settle(req)) return;
    this.refusedStreak = 0;
    const n = req.entries.length;
    const m = this.metrics;
    const failures = outcome?.failures ?? [];
    if (failures.length === 0) {
      m.recordsOut += n;
      for (let i = 0; i < n; i++) m.bytesOut += req.sizes[i]!;
      this.rateLimiter.registerCompletedRequest({ batchSize: n, failedEntries: 0, throttled: false, latencyMs: this.clock.now() - req.startedAt });
      this.backoff.reset();
      this.pump();
      return;
    }
    // Index → failure; out-of-range or duplicate indices from a destination are ignored.
    const failedAt = new Map<number, { code: string; message: string; rejected?: boolean }>();
    for (const f of failures) if (Number.isInteger(f.index) && f.index >= 0 && f.index < n) failedAt.set(f.index, f);
    let throttled = 0;
    let fatalCode: { code: string; message: string } | undefined;
    const retry: number[] = [];
    for (let i = 0; i < n; i++) {
      const f = failedAt.get(i);
      if (!f) {
        m.recordsOut++;
        m.bytesOut += req.sizes[i]!;
        continue;
      }
      if (f.rejected) {
        // Not congestion and not the sink's fault: one bad entry must never block or stop the sink.
        this.deadLetter(req.entries[i]!, `rejected by ${this.destination.description}: ${f.code}: ${f.message}`);
        continue;
      }
      const cls = classifyEntryCode(f.code);
      if (cls.throttled) throttled++;
      if (cls.kind === 'fatal' && !fatalCode) fatalCode = f;
      retry.push(i);
    }
    m.throttled += throttled;
    this.rateLimiter.registerCompletedRequest({
      batchSize: n,
      failedEntries: retry.length,
      throttled: throttled > 0,
      latencyMs: this.clock.now() - req.startedAt,
    });
    if (fatalCode) {
      // Keep the entries (snapshot/checkpoint) but stop.
      this.requeue(req, retry, '', false);
      this.stop(new FatalSinkError(this.destination.description, fatalCode.code, fatalCode.message));
      return;
    }
    if (retry.length > 0) {
      const first = failedAt.get(retry[0]!)!;
      this.requeue(req, retry, `${first.code}: ${first.message}`, true);
      this.scheduleBackoff();
    } else {
      this.backoff.reset();
    }
    this.pump();
  }

  private onRejected(req: InFlightRequest<E>, err: unknown): void {
    if (!this.settle(req)) return;
    const cls = classifyError(err);
    const n = req.entries.length;
    const m = this.metrics;
    m.failedRequests++;
    if (cls.throttled) m.throttled += n;
    this.rateLimiter.registerCompletedRequest({ batchSize: n, failedEntries: n, throttled: cls.throttled, latencyMs: this.clock.now() - req.startedAt });
    const all = Array.from({ length: n }, (_, i) => i);
    if (cls.code === 'ECONNREFUSED') this.refusedStreak++;
    else this.refusedStreak = 0;
    if (cls.kind === 'fatal' || this.refusedStreak >= this.maxConnectionRefused) {
      this.requeue(req, all, '', false);
      const detail = cls.kind === 'fatal' ? cls.message : `${this.refusedStreak} consecutive requests were refused: ${cls.message}`;
      this.stop(new FatalSinkError(this.destination.description, cls.code, detail));
      return;
    }
    this.requeue(req, all, `${cls.code}: ${cls.message}`, true);
    this.scheduleBackoff();
    this.pump();
  }

  private onTimeout(req: InFlightRequest<E>): void {
    if (req.settled) return;
    const error = Object.assign(new Error(`no response within ${this.retry.requestTimeoutMs} ms`), { name: 'RequestTimeout' });
    req.controller.abort(error);
    this.onRejected(req, error);
  }

  /**
   * Puts failed entries of a request back at the head of the buffer, merged by write order with
   * entries requeued by other requests (concurrent requests fail in any order), and forces them
   * out in the next request. With `deadLetterExhausted`, entries out of attempts go to the dead letters.
   */
  private requeue(req: InFlightRequest<E>, indices: readonly number[], reason: string, deadLetterExhausted: boolean): void {
    const max = this.retry.maxAttempts;
    const back: Requeued<E>[] = [];
    for (const i of indices) {
      const attempts = req.attempts[i]!;
      if (deadLetterExhausted && !this.fatal && max > 0 && attempts >= max) {
        this.deadLetter(req.entries[i]!, `not delivered after ${attempts} attempt${attempts === 1 ? '' : 's'}; last error ${reason}`);
        continue;
      }
      back.push({ entry: req.entries[i]!, size: req.sizes[i]!, attempts, seq: req.seqs[i]! });
    }
    if (back.length === 0) return;
    const buffer = this.buffer;
    const lastSeq = back[back.length - 1]!.seq;
    // Older entries already at the head (requeued by another request) keep their place in the merge.
    const older: Requeued<E>[] = [];
    while (buffer.length > 0 && buffer.headSeq() < lastSeq) {
      const size = buffer.headSize();
      const attempts = buffer.headAttempts();
      const seq = buffer.headSeq();
      older.push({ entry: buffer.shift(), size, attempts, seq });
    }
    const merged: Requeued<E>[] = [];
    let a = 0;
    let b = 0;
    while (a < older.length || b < back.length) {
      if (b >= back.length || (a < older.length && older[a]!.seq < back[b]!.seq)) merged.push(older[a++]!);
      else merged.push(back[b++]!);
    }
    for (let i = merged.length - 1; i >= 0; i--) {
      const r = merged[i]!;
      buffer.unshift(r.entry, r.size, r.attempts, r.seq);
    }
    if (lastSeq + 1 > this.forceSeq) this.forceSeq = lastSeq + 1;
  }

  private scheduleBackoff(): void {
    const delay = this.backoff.next();
    if (delay <= 0) return;
    const until = this.clock.now() + delay;
    if (until > this.backoffUntil) this.backoffUntil = until;
  }

  // ---- writers, flushes, timers ---------------------------------------------------------------

  /** Moves blocked writes into the buffer while there is room; true when any moved. */
  private admitWaiting(): boolean {
    let moved = false;
    const max = this.hints.maxBufferedRequests;
    while (this.waitingHead < this.waiting.length && this.buffer.length < max) {
      const w = this.waiting[this.waitingHead]!;
      this.waiting[this.waitingHead++] = undefined as unknown as PendingWrite<E>;
      this.buffer.push(w.entry, w.size, 0, w.seq);
      w.resolve();
      moved = true;
    }
    if (this.waitingHead === this.waiting.length && this.waitingHead > 0) {
      this.waiting = [];
      this.waitingHead = 0;
    }
    return moved;
  }

  /** Lowest sequence number not yet acknowledged (Infinity when everything is). */
  private minUnacked(): number {
    let min = Infinity;
    if (this.buffer.length > 0) min = this.buffer.headSeq();
    for (const req of this.inFlight) if (req.seqs[0]! < min) min = req.seqs[0]!;
    if (this.waitingHead < this.waiting.length) min = Math.min(min, this.waiting[this.waitingHead]!.seq);
    return min;
  }

  private resolveFlushes(): void {
    if (this.flushWaiters.length === 0) return;
    const min = this.minUnacked();
    const still: FlushWaiter[] = [];
    for (const w of this.flushWaiters) {
      if (w.target <= min) w.resolve();
      else still.push(w);
    }
    this.flushWaiters = still;
  }

  private armBufferTimer(): void {
    this.bufferTimer = this.clock.setTimeout(() => {
      this.bufferTimer = undefined;
      if (this.nextSeq > this.forceSeq) this.forceSeq = this.nextSeq;
      this.pump();
    }, this.hints.maxTimeInBufferMs);
  }

  private armBackoffTimer(wait: number): void {
    if (this.backoffTimer !== undefined) return;
    this.backoffTimer = this.clock.setTimeout(() => {
      this.backoffTimer = undefined;
      this.pump();
    }, wait);
  }

  private clearTimers(): void {
    if (this.bufferTimer !== undefined) this.clock.clearTimeout(this.bufferTimer);
    if (this.backoffTimer !== undefined) this.clock.clearTimeout(this.backoffTimer);
    this.bufferTimer = undefined;
    this.backoffTimer = undefined;
  }

  private deadLetter(entry: E, reason: string): void {
    this.metrics.deadLetters++;
    if (!this.onDeadLetter) return;
    try {
      this.onDeadLetter(entry, reason);
    } catch (err) {
      this.stop(new FatalSinkError(this.destination.description, 'DeadLetterFailed', err instanceof Error ? err.message : String(err)));
    }
  }

  /** Stops the sink: pending and future write/flush/close reject with the error. */
  private stop(error: FatalSinkError): void {
    if (this.fatal) return;
    this.fatal = error;
    this.clearTimers();
    // Stop the other requests too: their entries stay unacknowledged for the snapshot.
    for (const req of this.inFlight) req.controller.abort(error);
    const waiting = this.waiting.slice(this.waitingHead);
    this.waiting = [];
    this.waitingHead = 0;
    for (const w of waiting) w.reject(error);
    const flushes = this.flushWaiters;
    this.flushWaiters = [];
    for (const f of flushes) f.reject(error);
  }
}
