/**
 * The shared async-sink engine, after Apache Flink's AsyncSinkWriter and FLIP-242: buffers entries,
 * sends them in batches (by count, bytes and a single buffer timer) with bounded concurrency and an
 * adaptive congestion-control budget, retries failed entries, applies backpressure to writers and
 * stops with one clear message on a fatal destination error.
 *
 * Failures are classified by the destination (retryable, throttled, fatal, rejected; see
 * ../destination.ts); the engine acts on the category alone:
 * - every failed entry waits by its OWN attempt count (exponential backoff with jitter) in a retry
 *   queue, and goes out at the head of the next batch once due, while new data keeps flowing;
 * - only throttling shrinks the rate budget (see rate-limiting.ts); random loss does not;
 * - only a whole request throttled pauses the whole writer, for a bounded, growing time;
 * - fatal errors stop the sink, rejected entries are dead-lettered at once, and an endpoint that
 *   cannot be reached at all (DNS, refused) stops the sink within seconds.
 *
 * Memory bound: the buffer holds at most maxBufferedRequests entries from writes plus the entries
 * waiting for a retry (at most the entries in flight, maxInFlightRequests × maxBatchSize, at any
 * one time); writes stay blocked while buffer + retries hold maxBufferedRequests entries or more.
 * Writes that are not awaited queue up beyond that (their promises are pending): await write() to
 * get backpressure.
 */
import type { BufferingHints } from '../../contract/buffering.js';
import type { RetryPolicy } from '../../contract/retry.js';
import { failureKind, type BatchOutcome, type Destination, type EntryFailure, type FailureClass } from '../destination.js';
import { backoffCeiling, type JitterMode } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import { resolveHints, resolveRetry } from './settings.js';
import { classifyError, FatalSinkError, SinkConfigError } from './errors.js';
import { SinkMetrics, summarize, type SinkStats } from './metrics.js';
import { createRateLimitingStrategy, DEFAULT_RATE_LIMITING, type RateLimitingSettings, type RateLimitingStrategy } from './rate-limiting.js';
import { RequestBuffer } from './request-buffer.js';
import { RetryQueue, type RetryItem } from './retry-queue.js';
import { PartitionPacer, type PacerSettings } from './partition-pacer.js';
import { AIMD_DEFAULTS } from '../../contract/defaults.js';

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
  /** Merged over DEFAULT_RETRY (src/contract/defaults.ts). */
  retry?: Partial<RetryPolicy>;
  /** Injectable time and timers (FakeClock in tests). */
  clock?: Clock;
  /** Jitter source; tests pass a seeded one. */
  random?: () => number;
  /** Jitter of the retry backoff (default full jitter). */
  jitter?: JitterMode;
  /** Oversize entries, rejected entries and entries whose attempts are exhausted (with the tag given to write). */
  onDeadLetter?: (entry: E, reason: string, tag: number) => void;
  /**
   * Tags (as given to write) of entries the destination acknowledged, once per request. Lets a
   * caller track which input is done (exact checkpoints). Entries written without a tag report -1.
   */
  onAcknowledged?: (tags: readonly number[]) => void;
  /**
   * An endpoint that cannot be reached at all (DNS failure, connection refused: the destination
   * marks such errors `unreachable`) stops the sink once this many requests in a row failed so, with
   * no answer in between, over at least `unreachableTimeoutMs`. A restarting server gets that long
   * to come back. Defaults: 3 and 2000 ms.
   */
  maxUnreachable?: number;
  unreachableTimeoutMs?: number;
  /** @deprecated Old name of maxUnreachable. */
  maxConnectionRefused?: number;
}

/** Unacknowledged entries, encoded with destination.encodeEntry (checkpoints). */
export interface WriterSnapshot {
  readonly version: 1;
  readonly entries: unknown[];
}

interface InFlightRequest<E> {
  readonly id: number;
  readonly entries: E[];
  readonly sizes: number[];
  readonly attempts: number[];
  readonly seqs: number[];
  readonly tags: number[];
  /** Lowest of seqs (retried entries go first, so seqs are not sorted). */
  readonly minSeq: number;
  readonly startedAt: number;
  readonly controller: AbortController;
  timer: unknown;
  settled: boolean;
}

interface PendingWrite<E> {
  readonly entry: E;
  readonly size: number;
  readonly seq: number;
  readonly tag: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

interface FlushWaiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/**
 * What write() returns when the entry went into the buffer (or the dead letters) at once: a caller
 * may compare with it and skip an await per record.
 */
export const ACCEPTED: Promise<void> = Promise.resolve();
const RESOLVED = ACCEPTED;
const NO_FAILURES: ReadonlyMap<number, EntryFailure> = new Map();

/**
 * Orders the entries taken from the retry queue: retried entries first, then entries of a paced
 * partition that were never sent, each in write order (seq). No-op when already so (the usual case).
 */
function sortBySeq<E>(entries: E[], sizes: number[], attempts: number[], seqs: number[], tags: number[]): void {
  const before = (a: number, b: number): number => (attempts[a] === 0 ? 1 : 0) - (attempts[b] === 0 ? 1 : 0) || seqs[a]! - seqs[b]!;
  let sorted = true;
  for (let i = 1; i < seqs.length && sorted; i++) if (before(i - 1, i) > 0) sorted = false;
  if (sorted) return;
  const order = seqs.map((_, i) => i).sort(before);
  const permute = <T>(xs: T[]): void => {
    const copy = order.map((i) => xs[i]!);
    for (let i = 0; i < copy.length; i++) xs[i] = copy[i]!;
  };
  permute(entries);
  permute(sizes);
  permute(attempts);
  permute(seqs);
  permute(tags);
}

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
  private readonly random: () => number;
  private readonly jitter: JitterMode;
  private readonly onDeadLetter: ((entry: E, reason: string, tag: number) => void) | undefined;
  private readonly onAcknowledged: ((tags: readonly number[]) => void) | undefined;
  private readonly maxUnreachable: number;
  private readonly unreachableTimeoutMs: number;

  /** New entries, in write order. */
  private readonly buffer = new RequestBuffer<E>();
  /** Failed entries waiting for their backoff. */
  private readonly retries = new RetryQueue<E>();
  /** Insertion order = send order. */
  private readonly inFlight = new Set<InFlightRequest<E>>();
  private waiting: PendingWrite<E>[] = [];
  private waitingHead = 0;
  private flushWaiters: FlushWaiter[] = [];

  /** Write sequence numbers (write order; flush targets). */
  private nextSeq = 0;
  private nextRequestId = 0;
  /** Buffered entries with seq below this go out in partial batches (timer fired, flush). */
  private forceSeq = -Infinity;
  private bufferTimer: unknown = undefined;
  private wakeTimer: unknown = undefined;
  private wakeAt = Infinity;
  /** Whole-writer pause after a whole request was throttled (clock time; 0 = none). */
  private pausedUntil = 0;
  private throttledRequestStreak = 0;
  private unreachableStreak = 0;
  private unreachableSince = 0;
  private fatal: FatalSinkError | undefined;
  private closing: Promise<void> | undefined;
  private pumping = false;
  private pumpAgain = false;
  /** Partitions paced on their own (destination.partitionOf), by partition. */
  private readonly pacers = new Map<string, PartitionPacer>();
  private readonly pacing: PacerSettings | undefined;

  constructor(options: AsyncSinkWriterOptions<E>) {
    const destination = options.destination;
    this.destination = destination;
    this.hints = resolveHints(destination.defaults, options.hints, destination.limits, destination.description);
    this.retry = resolveRetry(options.retry);
    const rl = options.rateLimiting ?? DEFAULT_RATE_LIMITING;
    this.rateLimiter = isStrategy(rl) ? rl : createRateLimitingStrategy(rl, this.hints);
    if (destination.partitionOf && destination.partitionRecordsPerSecond) {
      const aimd = !isStrategy(rl) && rl.strategy === 'aimd' ? rl : AIMD_DEFAULTS;
      this.pacing = { ceiling: destination.partitionRecordsPerSecond, increaseRate: aimd.increaseRate, decreaseFactor: aimd.decreaseFactor };
    }
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.jitter = options.jitter ?? 'full';
    this.onDeadLetter = options.onDeadLetter;
    this.onAcknowledged = options.onAcknowledged;
    this.maxUnreachable = options.maxUnreachable ?? options.maxConnectionRefused ?? 3;
    this.unreachableTimeoutMs = options.unreachableTimeoutMs ?? 2000;
    if (!Number.isInteger(this.maxUnreachable) || this.maxUnreachable < 1) {
      throw new SinkConfigError(`maxUnreachable = ${this.maxUnreachable} must be a positive integer; set it to e.g. 3.`);
    }
    if (!(this.unreachableTimeoutMs >= 0)) {
      throw new SinkConfigError(`unreachableTimeoutMs = ${this.unreachableTimeoutMs} must be 0 or more milliseconds; set it to e.g. 2000.`);
    }
  }

  // ---- public API ------------------------------------------------------------------------------

  /**
   * Adds an entry. Resolves once it is in the buffer; stays pending while the buffer is full
   * (backpressure); returns ACCEPTED when it did not wait. Entries larger than maxRecordBytes go to
   * the dead letters at once. `tag` is the caller's: reported back by onAcknowledged and
   * onDeadLetter. `knownSize`: destination.sizeOf(entry), when the caller computed it already.
   */
  write(entry: E, tag = -1, knownSize?: number): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closing) return Promise.reject(new Error(`cannot write to ${this.destination.description}: the sink is closed`));
    let size: number;
    try {
      size = knownSize ?? this.destination.sizeOf(entry);
    } catch (err) {
      return Promise.reject(err);
    }
    const m = this.metrics;
    m.recordsIn++;
    m.bytesIn += size;
    if (size > this.hints.maxRecordBytes) {
      this.deadLetter(entry, `record of ${size} bytes exceeds maxRecordBytes (${this.hints.maxRecordBytes})`, tag);
      return RESOLVED;
    }
    const seq = this.nextSeq++;
    if (this.waitingHead < this.waiting.length || this.occupancy() >= this.hints.maxBufferedRequests) {
      return new Promise<void>((resolve, reject) => {
        this.waiting.push({ entry, size, seq, tag, resolve, reject });
      });
    }
    const buffer = this.buffer;
    const limit = this.batchLimit();
    const maxBytes = this.hints.maxBatchBytes;
    // A buffer that held a full batch already was pumped when it filled, and nothing a write does
    // can unblock it (requests in flight, the rate budget, a pause): what can (a completion, a
    // timer, a flush) pumps by itself. A busy sink's buffer is full for most writes: pumping on
    // each of them was a tenth of the engine's CPU and two objects per record.
    const wasFull = buffer.length >= limit || buffer.bytes >= maxBytes;
    buffer.push(entry, size, 0, seq, tag);
    if (wasFull) return RESOLVED;
    if (buffer.length >= limit || buffer.bytes >= maxBytes) this.pump();
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
   * Stops sending at once: in-flight requests are aborted (their entries stay unacknowledged),
   * pending writes, flushes and closes reject with `reason`. For a bounded drain: after it, the
   * snapshot holds everything not acknowledged. Then close the destination with close().
   */
  abort(reason: string): void {
    this.stop(new FatalSinkError(this.destination.description, 'Aborted', reason, 'run the sink again to deliver the rest'));
  }

  /**
   * Every unacknowledged entry: in flight (send order), waiting for a retry, then buffered (write
   * order). Entries whose write() is still pending are not included (their writer has not been
   * released). At-least-once: entries in flight may be delivered again after restore.
   */
  snapshot(): WriterSnapshot {
    const entries: unknown[] = [];
    const encode = (e: E): void => void entries.push(this.destination.encodeEntry(e));
    for (const req of this.inFlight) req.entries.forEach(encode);
    this.retries.toArray().forEach(encode);
    this.buffer.toArray().forEach(encode);
    return { version: 1, entries };
  }

  /** Unacknowledged entries (in flight, waiting for a retry, buffered), without encoding them. */
  unacknowledgedEntries(): E[] {
    const out: E[] = [];
    for (const req of this.inFlight) out.push(...req.entries);
    out.push(...this.retries.toArray(), ...this.buffer.toArray());
    return out;
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
      if (size > this.hints.maxRecordBytes) this.deadLetter(entry, `record of ${size} bytes exceeds maxRecordBytes (${this.hints.maxRecordBytes})`, -1);
      else decoded.push({ entry, size });
    }
    // Sequence numbers below every unacknowledged entry keep the buffer in order.
    const base = Math.min(this.minUnacked(), this.nextSeq) - decoded.length;
    for (let i = decoded.length - 1; i >= 0; i--) this.buffer.unshift(decoded[i]!.entry, decoded[i]!.size, 0, base + i);
    if (base + decoded.length > this.forceSeq) this.forceSeq = base + decoded.length;
    this.pump();
  }

  /** JSON-ready summary of the metrics. */
  stats(): SinkStats {
    const budget = this.rateLimiter.currentBudget();
    return summarize(this.metrics, this.buffer.length + this.retries.length + (this.waiting.length - this.waitingHead), {
      strategy: this.rateLimiter.name,
      budget: Number.isFinite(budget) ? budget : null,
      pacedPartitions: this.pacers.size,
    });
  }

  /** Entries in the buffer and waiting for a retry (not in flight). */
  get bufferedEntries(): number {
    return this.buffer.length + this.retries.length;
  }

  /** Bytes in the buffer and waiting for a retry. */
  get bufferedBytes(): number {
    return this.buffer.bytes + this.retries.bytes;
  }

  /** The error that stopped the sink, if any. */
  get fatalError(): FatalSinkError | undefined {
    return this.fatal;
  }

  // ---- sending ---------------------------------------------------------------------------------

  private occupancy(): number {
    return this.buffer.length + this.retries.length;
  }

  private batchLimit(): number {
    return Math.min(this.hints.maxBatchSize, this.rateLimiter.maxBatchSize());
  }

  /** Sends what may be sent, admits blocked writes, re-arms the timers, resolves flushes. */
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
    const retries = this.retries;
    const maxBatchBytes = this.hints.maxBatchBytes;
    while (!this.fatal && (buffer.length > 0 || retries.length > 0)) {
      const now = this.clock.now();
      if (this.pausedUntil > now) {
        this.armWake(this.pausedUntil);
        return;
      }
      const limit = this.batchLimit();
      // Due retries first, then new data.
      const due = retries.length > 0 ? retries.peekDue(now, limit, maxBatchBytes) : { n: 0, bytes: 0 };
      // Entries not due yet need a wake-up; due ones left behind go out when a request completes.
      if (retries.length > due.n) this.armWake(retries.nextDueAfter(now));
      const forced = due.n > 0 || (buffer.length > 0 && buffer.headSeq() < this.forceSeq);
      if (!forced && buffer.length < limit && buffer.bytes < maxBatchBytes) return;
      // While the limiter refuses even one entry nothing can go out: do not size a batch. This runs
      // on every write while the buffer holds a batch and requests are in flight (the usual state
      // of a busy sink): sizing 500 entries per write was a tenth of `sink run`'s CPU.
      if (this.rateLimiter.shouldBlock({ batchSize: 1, id: this.nextRequestId })) return;
      let n = due.n;
      let bytes = due.bytes;
      let fromBuffer = 0;
      while (n < limit && fromBuffer < buffer.length) {
        const size = buffer.sizeAt(fromBuffer);
        if (bytes + size > maxBatchBytes) break;
        bytes += size;
        n++;
        fromBuffer++;
      }
      if (n === 0) return; // only retries that are not due yet
      if (this.rateLimiter.shouldBlock({ batchSize: n, id: this.nextRequestId })) return;
      this.send(due.n, fromBuffer);
    }
  }

  /**
   * Queues a paced partition's entries at its rate: in slices of 50 ms worth of records, each due
   * when its records fit (one slice at a time, so a backlog never goes out as one burst).
   */
  private schedulePaced(pacer: PartitionPacer, items: readonly RetryItem<E>[]): void {
    const now = this.clock.now();
    const slice = Math.max(1, Math.floor(pacer.rate / 20));
    for (let i = 0; i < items.length; i += slice) {
      const part = items.slice(i, i + slice);
      this.retries.add(pacer.reserve(part.length, now) - (part.length * 1000) / pacer.rate, part);
    }
  }

  /** Paced partition of an entry, if its partition is paced now. */
  private pacedPartition(entry: E): string | undefined {
    const p = this.destination.partitionOf!(entry);
    return p !== undefined && this.pacers.has(p) ? p : undefined;
  }

  private send(fromRetries: number, fromBuffer: number): void {
    const buffer = this.buffer;
    const entries: E[] = [];
    const sizes: number[] = [];
    const attempts: number[] = [];
    const seqs: number[] = [];
    const tags: number[] = [];
    if (fromRetries > 0) {
      this.retries.take(fromRetries, entries, sizes, attempts, seqs, tags);
      // Retries of several failed responses (answered out of order) go out in write order.
      if (fromRetries > 1) sortBySeq(entries, sizes, attempts, seqs, tags);
    }
    // New entries of a paced partition wait for their slot in the retry queue instead.
    const paced = this.pacers.size > 0 ? new Map<string, RetryItem<E>[]>() : undefined;
    for (let i = 0; i < fromBuffer; i++) {
      const size = buffer.headSize();
      const seq = buffer.headSeq();
      const tag = buffer.headTag();
      const att = buffer.headAttempts();
      const entry = buffer.shift();
      const p = paced ? this.pacedPartition(entry) : undefined;
      if (p !== undefined) {
        let list = paced!.get(p);
        if (!list) paced!.set(p, (list = []));
        list.push({ entry, size, attempts: att, seq, tag });
        continue;
      }
      sizes.push(size);
      seqs.push(seq);
      tags.push(tag);
      attempts.push(att);
      entries.push(entry);
    }
    if (paced) for (const [p, items] of paced) this.schedulePaced(this.pacers.get(p)!, items);
    const n = entries.length;
    if (n === 0) return;
    let retried = 0;
    for (let i = 0; i < n; i++) if (attempts[i]!++ > 0) retried++;
    const m = this.metrics;
    m.requests++;
    m.retries += retried;
    m.inFlightRequests++;
    m.inFlightEntries += n;
    if (m.inFlightRequests > m.maxInFlight) m.maxInFlight = m.inFlightRequests;
    m.batchSize.record(n);
    const id = this.nextRequestId++;
    this.rateLimiter.registerInFlightRequest({ batchSize: n, id });

    let minSeq = Infinity;
    for (const q of seqs) if (q < minSeq) minSeq = q;
    const req: InFlightRequest<E> = {
      id,
      entries,
      sizes,
      attempts,
      seqs,
      tags,
      minSeq,
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

  /** Marks a request complete; false when it already was (a late answer after a timeout or abort). */
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
    // An answer: the endpoint is reachable, and the request itself was not throttled.
    this.unreachableStreak = 0;
    this.throttledRequestStreak = 0;
    const n = req.entries.length;
    const m = this.metrics;
    const failures = outcome?.failures ?? [];
    const latencyMs = this.clock.now() - req.startedAt;
    if (failures.length === 0) {
      m.recordsOut += n;
      for (let i = 0; i < n; i++) m.bytesOut += req.sizes[i]!;
      this.acknowledged(req.tags);
      this.rateLimiter.registerCompletedRequest({ batchSize: n, failedEntries: 0, throttledEntries: 0, throttled: false, latencyMs, id: req.id });
      if (this.pacers.size > 0) this.pacedAccepted(req, NO_FAILURES);
      this.pump();
      return;
    }
    // Index → failure; out-of-range or duplicate indices from a destination are ignored.
    const failedAt = new Map<number, (typeof failures)[number]>();
    for (const f of failures) if (Number.isInteger(f.index) && f.index >= 0 && f.index < n) failedAt.set(f.index, f);
    let throttled = 0;
    let fatalFailure: (typeof failures)[number] | undefined;
    const retry: number[] = [];
    const acked: number[] = [];
    for (let i = 0; i < n; i++) {
      const f = failedAt.get(i);
      if (!f) {
        m.recordsOut++;
        m.bytesOut += req.sizes[i]!;
        acked.push(req.tags[i]!);
        continue;
      }
      const kind = failureKind(f);
      if (kind === 'rejected') {
        // Not congestion and not the sink's fault: one bad entry must never block or stop the sink.
        this.deadLetter(req.entries[i]!, `rejected by ${this.destination.description}: ${f.code}: ${f.message}`, req.tags[i]!);
        continue;
      }
      if (kind === 'throttled') throttled++;
      if (kind === 'fatal' && !fatalFailure) fatalFailure = f;
      retry.push(i);
    }
    m.throttled += throttled;
    this.acknowledged(acked);
    // Throttles of one partition while others were accepted: that partition is paced, not all.
    const local = throttled > 0 && this.pacing ? this.localThrottle(req, failedAt) : undefined;
    if (local) {
      let pacer = this.pacers.get(local.partition);
      if (!pacer) this.pacers.set(local.partition, (pacer = new PartitionPacer(this.pacing!, this.clock.now())));
      pacer.throttled(local.share, req.id, this.nextRequestId);
    }
    this.rateLimiter.registerCompletedRequest({ batchSize: n, failedEntries: retry.length, throttledEntries: local ? 0 : throttled, throttled: !local && throttled > 0, latencyMs, id: req.id });
    if (this.pacers.size > 0) this.pacedAccepted(req, failedAt);
    if (fatalFailure) {
      // Keep the entries (snapshot/checkpoint) but stop.
      this.requeue(req, retry, '', false);
      this.stop(new FatalSinkError(this.destination.description, fatalFailure.code, fatalFailure.message, fatalFailure.fix));
      return;
    }
    if (retry.length > 0) {
      const first = failedAt.get(retry[0]!)!;
      if (local) {
        // The paced partition's throttled entries wait for their slots; the others back off.
        const inPartition = retry.filter((i) => local.throttledIndices.has(i));
        const others = retry.filter((i) => !local.throttledIndices.has(i));
        this.requeue(req, inPartition, `${first.code}: ${first.message}`, true, false, this.pacers.get(local.partition));
        if (others.length) this.requeue(req, others, `${first.code}: ${first.message}`, true);
      } else {
        this.requeue(req, retry, `${first.code}: ${first.message}`, true);
      }
    }
    this.pump();
  }

  /**
   * The partition of a request's throttles when they all fall in one partition and an entry of
   * another partition was accepted in the same request (a hot partition, not a saturated
   * destination), with the throttled share of that partition's entries.
   */
  private localThrottle(req: InFlightRequest<E>, failedAt: ReadonlyMap<number, EntryFailure>): { partition: string; share: number; throttledIndices: Set<number> } | undefined {
    const partitionOf = this.destination.partitionOf!;
    let partition: string | undefined;
    const throttledIndices = new Set<number>();
    for (const [i, f] of failedAt) {
      if (failureKind(f) !== 'throttled') continue;
      const p = partitionOf(req.entries[i]!);
      if (p === undefined || (partition !== undefined && p !== partition)) return undefined;
      partition = p;
      throttledIndices.add(i);
    }
    if (partition === undefined) return undefined;
    let inPartition = 0;
    let otherAccepted = false;
    for (let i = 0; i < req.entries.length; i++) {
      const p = partitionOf(req.entries[i]!);
      if (p === partition) inPartition++;
      else if (!failedAt.has(i)) otherAccepted = true;
    }
    return otherAccepted ? { partition, share: throttledIndices.size / inPartition, throttledIndices } : undefined;
  }

  /** Paced partitions whose entries in this request were all accepted speed up (and retire at their limit). */
  private pacedAccepted(req: InFlightRequest<E>, failedAt: ReadonlyMap<number, EntryFailure>): void {
    const partitionOf = this.destination.partitionOf!;
    const seen = new Map<string, boolean>();
    for (let i = 0; i < req.entries.length; i++) {
      const p = partitionOf(req.entries[i]!);
      if (p === undefined || !this.pacers.has(p)) continue;
      const f = failedAt.get(i);
      const ok = !f || failureKind(f) !== 'throttled';
      seen.set(p, (seen.get(p) ?? true) && ok);
    }
    for (const [p, ok] of seen) if (ok && this.pacers.get(p)!.accepted()) this.pacers.delete(p);
  }

  private classify(err: unknown): FailureClass {
    try {
      return this.destination.classifyError ? this.destination.classifyError(err) : classifyError(err);
    } catch (e) {
      return { kind: 'fatal', code: 'ClassificationFailed', message: `classifying ${String(err)} failed: ${String(e)}` };
    }
  }

  private onRejected(req: InFlightRequest<E>, err: unknown): void {
    if (!this.settle(req)) return;
    const cls = this.classify(err);
    const n = req.entries.length;
    const m = this.metrics;
    m.failedRequests++;
    const throttled = cls.kind === 'throttled';
    if (throttled) m.throttled += n;
    this.rateLimiter.registerCompletedRequest({ batchSize: n, failedEntries: n, throttledEntries: throttled ? n : 0, throttled, latencyMs: this.clock.now() - req.startedAt, id: req.id });
    const all = Array.from({ length: n }, (_, i) => i);
    const now = this.clock.now();
    if (cls.unreachable) {
      if (this.unreachableStreak++ === 0) this.unreachableSince = now;
    } else {
      this.unreachableStreak = 0;
    }
    if (cls.kind === 'fatal') {
      this.requeue(req, all, '', false);
      this.stop(new FatalSinkError(this.destination.description, cls.code, cls.message, cls.fix));
      return;
    }
    if (cls.unreachable && this.unreachableStreak >= this.maxUnreachable && now - this.unreachableSince >= this.unreachableTimeoutMs) {
      this.requeue(req, all, '', false);
      const seconds = ((now - this.unreachableSince) / 1000).toFixed(1);
      this.stop(new FatalSinkError(this.destination.description, cls.code, `unreachable for ${seconds} s, ${this.unreachableStreak} requests in a row: ${cls.message}`, cls.fix));
      return;
    }
    if (cls.kind === 'rejected') {
      req.entries.forEach((e, i) => this.deadLetter(e, `rejected by ${this.destination.description}: ${cls.code}: ${cls.message}`, req.tags[i]!));
      this.pump();
      return;
    }
    if (throttled) {
      // The whole request was refused for load: pause every send, for a bounded, growing time.
      this.throttledRequestStreak++;
      const pause = this.delayFor(this.throttledRequestStreak);
      if (now + pause > this.pausedUntil) this.pausedUntil = now + pause;
    }
    // An unreachable endpoint is not the records' fault: they are not dead-lettered for it.
    this.requeue(req, all, `${cls.code}: ${cls.message}`, !cls.unreachable, cls.unreachable);
    this.pump();
  }

  private onTimeout(req: InFlightRequest<E>): void {
    if (req.settled) return;
    const error = Object.assign(new Error(`no response within ${this.retry.requestTimeoutMs} ms`), { name: 'RequestTimeout' });
    req.controller.abort(error);
    this.onRejected(req, error);
  }

  /** Backoff before attempt n+1 after n failed attempts: exponential ceiling, jittered. */
  private delayFor(attempt: number, jitter: JitterMode = this.jitter): number {
    const { initialBackoffMs: initial, maxBackoffMs: max } = this.retry;
    const ceiling = backoffCeiling(attempt, initial, max);
    switch (jitter) {
      case 'none':
        return ceiling;
      case 'equal':
        return Math.round(ceiling / 2 + this.random() * (ceiling / 2));
      case 'decorrelated':
        return Math.round(Math.min(max, initial + this.random() * (Math.min(max, ceiling * 1.5) - initial)));
      default:
        return Math.round(this.random() * ceiling);
    }
  }

  /**
   * Puts failed entries of a request into the retry queue, each due after the backoff of its own
   * attempt count (entries sharing an attempt count share one jittered delay). With
   * `deadLetterExhausted`, entries out of attempts go to the dead letters; on a stop (fatal) the
   * entries are queued as they are, for the snapshot.
   */
  private requeue(req: InFlightRequest<E>, indices: readonly number[], reason: string, deadLetterExhausted: boolean, unreachable = false, pacer?: PartitionPacer): void {
    const max = this.retry.maxAttempts;
    const byAttempts = new Map<number, RetryItem<E>[]>();
    for (const i of indices) {
      const attempts = req.attempts[i]!;
      if (deadLetterExhausted && !this.fatal && max > 0 && attempts >= max) {
        this.deadLetter(req.entries[i]!, `not delivered after ${attempts} attempt${attempts === 1 ? '' : 's'}; last error ${reason}`, req.tags[i]!);
        continue;
      }
      let list = byAttempts.get(attempts);
      if (!list) byAttempts.set(attempts, (list = []));
      list.push({ entry: req.entries[i]!, size: req.sizes[i]!, attempts, seq: req.seqs[i]!, tag: req.tags[i]! });
    }
    if (pacer && !this.fatal) {
      // A paced partition's throttled entries wait for their slots, in write order.
      this.schedulePaced(pacer, [...byAttempts.values()].flat().sort((a, b) => a.seq - b.seq));
      return;
    }
    const now = this.clock.now();
    // An unreachable endpoint answers at once: at least half the ceiling (equal jitter) keeps the
    // retries spaced, so that unreachableTimeoutMs passes in a few attempts and not thousands.
    for (const [attempts, items] of byAttempts) {
      const delay = this.fatal ? 0 : this.delayFor(attempts, unreachable ? 'equal' : this.jitter);
      this.retries.add(now + delay, items);
    }
  }

  // ---- writers, flushes, timers ---------------------------------------------------------------

  /** Moves blocked writes into the buffer while there is room; true when any moved. */
  private admitWaiting(): boolean {
    let moved = false;
    const max = this.hints.maxBufferedRequests;
    while (this.waitingHead < this.waiting.length && this.occupancy() < max) {
      const w = this.waiting[this.waitingHead]!;
      this.waiting[this.waitingHead++] = undefined as unknown as PendingWrite<E>;
      this.buffer.push(w.entry, w.size, 0, w.seq, w.tag);
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
    let min = this.retries.minSeq();
    if (this.buffer.length > 0 && this.buffer.headSeq() < min) min = this.buffer.headSeq();
    for (const req of this.inFlight) if (req.minSeq < min) min = req.minSeq;
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

  /** One timer for the earliest of: the end of a pause, the next retry due. */
  private armWake(at: number): void {
    if (!Number.isFinite(at) || (this.wakeTimer !== undefined && this.wakeAt <= at)) return;
    if (this.wakeTimer !== undefined) this.clock.clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = this.clock.setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeAt = Infinity;
      this.pump();
    }, Math.max(0, at - this.clock.now()));
  }

  private clearTimers(): void {
    if (this.bufferTimer !== undefined) this.clock.clearTimeout(this.bufferTimer);
    if (this.wakeTimer !== undefined) this.clock.clearTimeout(this.wakeTimer);
    this.bufferTimer = undefined;
    this.wakeTimer = undefined;
    this.wakeAt = Infinity;
  }

  private acknowledged(tags: readonly number[]): void {
    if (!this.onAcknowledged || tags.length === 0) return;
    try {
      this.onAcknowledged(tags);
    } catch (err) {
      this.stop(new FatalSinkError(this.destination.description, 'AcknowledgeFailed', err instanceof Error ? err.message : String(err), 'report this as a bug'));
    }
  }

  private deadLetter(entry: E, reason: string, tag = -1): void {
    this.metrics.deadLetters++;
    if (!this.onDeadLetter) return;
    try {
      this.onDeadLetter(entry, reason, tag);
    } catch (err) {
      this.stop(new FatalSinkError(this.destination.description, 'DeadLetterFailed', err instanceof Error ? err.message : String(err), 'check that the dead-letter store can be written (path, permissions, free space)'));
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
