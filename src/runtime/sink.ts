/**
 * A sink: one sink-runtime config made runnable. Input events are converted for the destination
 * (unusable ones go to the dead-letter sink with the original input), optionally packed into KPL
 * aggregates, and fed to the AsyncSinkWriter. `snapshot()` captures every record accepted but not
 * yet acknowledged (writer entries, aggregates on their way to the writer, records still in the
 * aggregator), which is what a checkpoint stores beside the input offset.
 */
import type { Clock } from './engine/clock.js';
import { systemClock } from './engine/clock.js';
import { ACCEPTED, AsyncSinkWriter } from './engine/async-sink-writer.js';
import type { SinkStats } from './engine/metrics.js';
import type { SinkConfig } from './sink-config-file.js';
import type { DeadLetterSink } from './dead-letter.js';
import { ConversionError, type BatchOutcome, type Destination, type ElementConverter } from './destination.js';
import { converterFromConfig, destinationFromConfig } from './destinations/index.js';
import { createFileDestination, fileConverter } from './destinations/file.js';
import { ShardedKplAggregator, type TaggedEntry, type UserRecord } from './destinations/kpl-aggregation.js';
import type { KinesisEntry } from './destinations/kinesis.js';
import { KinesisShardMap } from './destinations/kinesis-shards.js';
import { FatalSinkError } from './engine/errors.js';
import { KPL_AGGREGATION_MAX_BYTES } from '../contract/defaults.js';

export interface SinkOptions {
  /** Endpoint URL override (wins over AWS_ENDPOINT_URL_* from the environment). */
  readonly endpoint?: string;
  /** Where undeliverable records go; without one they are only counted. */
  readonly deadLetter?: DeadLetterSink;
  readonly clock?: Clock;
  /** Jitter source of the retry backoff (tests pass a seeded one). */
  readonly random?: () => number;
  /** Use this destination instead of the one the config describes (tests, custom destinations). */
  readonly destination?: Destination<unknown>;
  /** Use this converter instead of the destination type's. */
  readonly converter?: ElementConverter<unknown>;
  /**
   * Called with the tags (SinkInput.tag) of input records once they are done: delivered, or
   * dead-lettered (conversion, oversize, rejected, attempts exhausted). Each tag is reported once
   * per outcome of its entry; the sink job uses it for exact checkpoints.
   */
  readonly onSettled?: (tags: readonly number[], outcome: 'delivered' | 'dead-lettered') => void;
}

/** Where an event came from, for its dead-letter line. */
export interface SinkInput {
  /** The input line as given. Default: the event re-serialised. */
  readonly raw?: string;
  /** 1-based input line number. */
  readonly at?: number | null;
  /** The caller's id of this input record (≥ 0), reported back by SinkOptions.onSettled. */
  readonly tag?: number;
  /** The producer's exact bytes, base64, when `raw` cannot hold them (invalid UTF-8). */
  readonly rawBase64?: string;
}

export type DeadLetterReason = 'invalid-input' | 'conversion' | 'oversize' | 'undeliverable';

/** A user record as JSON (KPL pending records in a snapshot). */
interface EncodedUserRecord {
  readonly data: string;
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
}

export interface SinkSnapshot {
  readonly version: 1;
  /** The writer's unacknowledged entries (in flight first, then buffered), encoded. */
  readonly entries: readonly unknown[];
  /** KPL user records not yet packed into an aggregate (base64 data). */
  readonly pending: readonly EncodedUserRecord[];
}

export interface SinkRunStats {
  readonly sink: string;
  readonly destination: string;
  /**
   * User records: accepted into the pipeline by write(), re-queued by restore(), acknowledged by the
   * destination, dead-lettered (every reason, including input rejected before conversion).
   */
  readonly records: { readonly accepted: number; readonly restored: number; readonly delivered: number; readonly deadLettered: number };
  readonly deadLetters: Readonly<Record<DeadLetterReason, number>>;
  /** The engine's figures; entries are what the destination receives (KPL aggregates with kpl). */
  readonly engine: SinkStats;
}

export class Sink {
  readonly config: SinkConfig;
  readonly destination: Destination<unknown>;
  private readonly writer: AsyncSinkWriter<unknown>;
  private readonly convert: ElementConverter<unknown>;
  private readonly aggregator?: ShardedKplAggregator;
  /** KPL: the shard map's first load; writes wait for it (records are grouped by shard). */
  private shardsLoading: Promise<void> | undefined;
  /** Snapshot records restored before the shard map was loaded: aggregated once it is. */
  private restoredPending: UserRecord[] = [];
  /** Aggregates handed to writer.write() whose promise has not resolved: still ours to snapshot. */
  private readonly handoff = new Set<unknown>();
  private readonly deadLetterSink?: DeadLetterSink;
  private readonly clock: Clock;
  private readonly maxRecordBytes: number;
  private aggregateTimer: unknown;
  private readonly onSettled: SinkOptions['onSettled'];
  /** KPL: tags of the user records of each aggregate handed to the writer. */
  private readonly aggregateTags = new Map<number, number[]>();
  private nextAggregateId = 0;
  private accepted = 0;
  /** User records re-queued from a snapshot (accepted by an earlier run). */
  private restored = 0;
  private delivered = 0;
  private readonly dead: Record<DeadLetterReason, number> = { 'invalid-input': 0, conversion: 0, oversize: 0, undeliverable: 0 };

  constructor(config: SinkConfig, options: SinkOptions = {}) {
    this.config = config;
    this.clock = options.clock ?? systemClock;
    this.deadLetterSink = options.deadLetter;
    const base = options.destination ?? buildDestination(config, options.endpoint);
    this.destination = countingDestination(base, (n) => (this.delivered += n));
    this.convert = options.converter ?? buildConverter(config);
    this.onSettled = options.onSettled;
    this.writer = new AsyncSinkWriter<unknown>({
      destination: this.destination,
      hints: config.bufferingHints,
      rateLimiting: config.rateLimiting,
      retry: config.retry,
      clock: options.clock,
      random: options.random,
      onDeadLetter: (entry, reason, tag) => this.onEngineDeadLetter(entry, reason, tag),
      ...(options.onSettled && { onAcknowledged: (tags: readonly number[]) => this.settle(tags, 'delivered') }),
    });
    this.maxRecordBytes = this.writer.hints.maxRecordBytes;
    if (config.aggregation === 'kpl') {
      // An aggregate is one Kinesis record: at most maxRecordBytes; a record too large to share one
      // passes through alone (the aggregator emits single records as plain records).
      const maxBytes = Math.min(config.aggregationMaxBytes ?? KPL_AGGREGATION_MAX_BYTES, this.maxRecordBytes);
      const shardMap = (base as { shardMap?: unknown }).shardMap;
      if (shardMap instanceof KinesisShardMap) {
        this.aggregator = new ShardedKplAggregator({ maxBytes }, shardMap);
        this.shardsLoading = this.loadShards(shardMap);
        this.shardsLoading.catch(() => undefined /* surfaced by the next write/flush */);
      } else {
        this.aggregator = new ShardedKplAggregator({ maxBytes });
      }
    }
  }

  /**
   * Accepts one input event. Resolves once it is in the pipeline (the writer's buffer, or the
   * aggregator) or dead-lettered; waits while the writer's buffer is full (backpressure): returns
   * the engine's ACCEPTED when it did not wait. Rejects with FatalSinkError once the destination
   * failed fatally.
   */
  write(event: unknown, input: SinkInput = {}): Promise<void> {
    return this.writeEvent(event, input.raw, input.at ?? null, input.tag ?? -1);
  }

  /** write() with the SinkInput fields as arguments: no object per record (the sink job's loop). */
  writeEvent(event: unknown, raw: string | undefined, at: number | null, tag: number): Promise<void> {
    if (this.shardsLoading) return this.shardsLoading.then(() => this.writeEvent(event, raw, at, tag));
    let entry: unknown;
    try {
      entry = this.convert(event, raw);
    } catch (e) {
      if (!(e instanceof ConversionError)) throw e;
      this.deadLetter('conversion', e.message, raw ?? safeStringify(event), at, tag);
      return resolved;
    }
    const size = this.destination.sizeOf(entry);
    if (size > this.maxRecordBytes) {
      this.deadLetter('oversize', `record is ${size} bytes; maxRecordBytes is ${this.maxRecordBytes}`, raw ?? safeStringify(event), at, tag);
      return resolved;
    }
    this.accepted++;
    if (!this.aggregator) return this.writer.write(entry, tag, size);
    const wasEmpty = this.aggregator.size === 0;
    const finished = this.aggregator.add(entry as UserRecord, tag);
    if (wasEmpty) this.armAggregateTimer();
    return finished ? this.handOff(finished) : resolved;
  }

  /**
   * Records an input line that never became an event (invalid JSON or UTF-8, overlong line).
   * `rawBase64`: the producer's exact bytes when `raw` cannot hold them.
   */
  rejectInput(reason: string, raw: string, at: number | null, tag = -1, rawBase64?: string): void {
    this.deadLetter('invalid-input', reason, raw, at, tag, rawBase64);
  }

  /** Stops sending at once (bounded drains): unacknowledged records stay unacknowledged. */
  abort(reason: string): void {
    this.clearAggregateTimer();
    this.writer.abort(reason);
  }

  /** The error that stopped the sink, if any. */
  get fatalError(): Error | undefined {
    return this.writer.fatalError;
  }

  /** Resolves when everything accepted so far is acknowledged (or dead-lettered). */
  async flush(): Promise<void> {
    await this.shardsLoading;
    await this.drainAggregator();
    await this.writer.flush();
  }

  /** Flushes, then stops the writer and closes the destination. */
  async close(): Promise<void> {
    try {
      await this.shardsLoading;
    } catch (e) {
      this.clearAggregateTimer();
      await this.writer.close().catch(() => undefined);
      throw e;
    }
    await this.drainAggregator();
    this.clearAggregateTimer();
    await this.writer.close();
  }

  /** Synchronous; consistent with the records accepted so far (see class comment). */
  snapshot(): SinkSnapshot {
    const writer = this.writer.snapshot();
    const handoff = [...this.handoff].map((e) => this.destination.encodeEntry(e));
    const pending = this.aggregator ? [...this.restoredPending, ...this.aggregator.pending()].map(encodeUserRecord) : [];
    return { version: 1, entries: [...writer.entries, ...handoff], pending };
  }

  /** Re-queues a snapshot's records ahead of new writes. Call before the first write. */
  restore(snapshot: SinkSnapshot): void {
    if (snapshot.version !== 1) throw new TypeError(`unsupported sink snapshot version ${String(snapshot.version)}`);
    const entries = [...snapshot.entries];
    for (const e of entries) this.restored += this.recordsOf(this.destination.decodeEntry(e));
    this.restored += snapshot.pending.length;
    if (snapshot.pending.length) {
      if (!this.aggregator) throw new TypeError('the snapshot holds KPL records but the sink does not aggregate');
      const records = snapshot.pending.map(decodeUserRecord);
      // Grouped by shard once the map is there (writes wait for it too, so these stay first).
      if (this.shardsLoading) this.restoredPending = records;
      else for (const e of this.aggregateAll(records)) entries.push(this.destination.encodeEntry(e.entry));
    }
    if (entries.length) this.writer.restore({ version: 1, entries });
  }

  /** User records that are accepted but not yet acknowledged. */
  unacknowledged(): number {
    return this.accepted + this.restored - this.delivered - this.dead.undeliverable;
  }

  /** The record counters alone (cheap: progress displays, checkpoints). */
  counts(): SinkRunStats['records'] {
    const d = this.dead;
    const deadLettered = d['invalid-input'] + d.conversion + d.oversize + d.undeliverable;
    return { accepted: this.accepted, restored: this.restored, delivered: this.delivered, deadLettered };
  }

  stats(): SinkRunStats {
    return {
      sink: this.config.sink,
      destination: this.destination.description,
      records: this.counts(),
      deadLetters: { ...this.dead },
      engine: this.writer.stats(),
    };
  }

  /** Adds records to the aggregator; returns the aggregates that filled up (their tags are -1). */
  private aggregateAll(records: readonly UserRecord[]): TaggedEntry[] {
    const finished: TaggedEntry[] = [];
    for (const r of records) {
      const f = this.aggregator!.add(r, -1);
      if (f) finished.push(f);
    }
    if (records.length) this.armAggregateTimer();
    return finished;
  }

  /**
   * Loads the stream's shard map before the first record is aggregated. Throttling and transient
   * failures are retried a few times (the retry policy's backoff); anything else, or running out
   * of attempts, stops the sink with the destination's sentence.
   */
  private async loadShards(shardMap: KinesisShardMap): Promise<void> {
    const { initialBackoffMs, maxBackoffMs } = this.writer.retry;
    for (let attempt = 1; ; attempt++) {
      try {
        await shardMap.load();
        break;
      } catch (err) {
        const cls = this.destination.classifyError?.(err) ?? { kind: 'fatal' as const, code: (err as Error).name ?? 'Error', message: String(err) };
        if (cls.kind === 'fatal' || cls.kind === 'rejected' || attempt >= SHARD_MAP_ATTEMPTS) {
          const fix = cls.code.startsWith('AccessDenied') ? 'grant the sink kinesis:ListShards on the stream (KPL aggregation groups records by shard)' : cls.fix;
          this.writer.abort(`listing the shards failed: ${cls.message}`);
          throw new FatalSinkError(this.destination.description, cls.code, `ListShards: ${cls.message}`, fix);
        }
        await new Promise<void>((resolve) => this.clock.setTimeout(resolve, Math.min(maxBackoffMs, initialBackoffMs * 2 ** (attempt - 1))));
      }
    }
    this.shardsLoading = undefined;
    const restored = this.restoredPending;
    this.restoredPending = [];
    // Behind the snapshot's entries (restored already), ahead of every new write.
    for (const f of this.aggregateAll(restored)) this.handOff(f).catch(() => undefined /* surfaced by the next write/flush */);
  }

  private handOff({ entry: aggregate, tags }: TaggedEntry): Promise<void> {
    this.handoff.add(aggregate);
    const done = (): void => void this.handoff.delete(aggregate);
    let writerTag = -1;
    if (this.onSettled) {
      writerTag = this.nextAggregateId++;
      this.aggregateTags.set(writerTag, tags);
    }
    const p = this.writer.write(aggregate, writerTag);
    p.then(done, done);
    return p;
  }

  private drainPending(): Promise<void> | undefined {
    const finished = this.aggregator?.drain();
    if (!finished?.length) return undefined;
    return Promise.all(finished.map((f) => this.handOff(f))).then(() => undefined);
  }

  private async drainAggregator(): Promise<void> {
    await this.drainPending();
  }

  /** Writer tags → input tags (through the aggregate table with KPL), reported to onSettled. */
  private settle(writerTags: readonly number[], outcome: 'delivered' | 'dead-lettered'): void {
    if (!this.onSettled) return;
    if (!this.aggregator) {
      this.onSettled(writerTags, outcome);
      return;
    }
    const tags: number[] = [];
    for (const t of writerTags) {
      const inputs = this.aggregateTags.get(t);
      if (!inputs) continue;
      this.aggregateTags.delete(t);
      for (const i of inputs) tags.push(i);
    }
    if (tags.length) this.onSettled(tags, outcome);
  }

  /** The aggregator holds records until an aggregate is full: a timer bounds how long. */
  private armAggregateTimer(): void {
    this.clearAggregateTimer();
    const ms = this.writer.hints.maxTimeInBufferMs;
    this.aggregateTimer = this.clock.setTimeout(() => {
      this.aggregateTimer = undefined;
      this.drainPending()?.catch(() => undefined /* surfaced by the next write/flush */);
    }, ms);
    (this.aggregateTimer as { unref?: () => void }).unref?.();
  }

  private clearAggregateTimer(): void {
    if (this.aggregateTimer !== undefined) this.clock.clearTimeout(this.aggregateTimer);
    this.aggregateTimer = undefined;
  }

  private recordsOf(entry: unknown): number {
    return this.destination.recordCount?.(entry) ?? 1;
  }

  private onEngineDeadLetter(entry: unknown, reason: string, tag: number): void {
    const records = this.recordsOf(entry);
    const input = this.destination.describeEntry ? this.destination.describeEntry(entry) : safeStringify(this.destination.encodeEntry(entry));
    this.dead.undeliverable += records;
    this.deadLetterSink?.write({ reason: records > 1 ? `${reason} (KPL aggregate of ${records} records)` : reason, input, sink: this.config.sink, at: null });
    // Counted per user record, one line per entry.
    if (tag >= 0) this.settle([tag], 'dead-lettered');
  }

  private deadLetter(kind: DeadLetterReason, reason: string, input: string, at: number | null, tag = -1, inputBase64?: string): void {
    this.dead[kind]++;
    this.deadLetterSink?.write(inputBase64 === undefined ? { reason, input, sink: this.config.sink, at } : { reason, input, inputBase64, sink: this.config.sink, at });
    if (tag >= 0) this.onSettled?.([tag], 'dead-lettered');
  }
}

export function createSink(config: SinkConfig, options: SinkOptions = {}): Sink {
  return new Sink(config, options);
}

function buildDestination(config: SinkConfig, endpoint: string | undefined): Destination<unknown> {
  const d = config.destination;
  if (d.type === 'file') return createFileDestination({ path: d.path }) as Destination<unknown>;
  return destinationFromConfig(d, { endpoint, maxSockets: config.bufferingHints.maxInFlightRequests, keyAttributes: config.keyAttributes });
}

function buildConverter(config: SinkConfig): ElementConverter<unknown> {
  const d = config.destination;
  if (d.type === 'file') return fileConverter();
  return converterFromConfig(d.type, { partitionKey: config.partitionKey, explicitHashKey: config.explicitHashKey, keyAttributes: config.keyAttributes }, d);
}

/** Wraps a destination to count acknowledged user records (KPL aggregates count their records). */
function countingDestination(dest: Destination<unknown>, onDelivered: (records: number) => void): Destination<unknown> {
  const recordsOf = dest.recordCount ? (e: unknown): number => dest.recordCount!(e) : (): number => 1;
  return {
    ...(dest.classifyError && { classifyError: (err: unknown) => dest.classifyError!(err) }),
    ...(dest.recordCount && { recordCount: (e: unknown) => dest.recordCount!(e) }),
    ...(dest.describeEntry && { describeEntry: (e: unknown) => dest.describeEntry!(e) }),
    ...(dest.partitionOf && { partitionOf: (e: unknown) => dest.partitionOf!(e), partitionRecordsPerSecond: dest.partitionRecordsPerSecond }),
    description: dest.description,
    limits: dest.limits,
    defaults: dest.defaults,
    sizeOf: (e) => dest.sizeOf(e),
    encodeEntry: (e) => dest.encodeEntry(e),
    decodeEntry: (j) => dest.decodeEntry(j),
    close: () => dest.close(),
    async submit(batch, signal): Promise<BatchOutcome> {
      const outcome = await dest.submit(batch, signal);
      let n = 0;
      if (outcome.failures.length === 0) {
        for (let i = 0; i < batch.length; i++) n += recordsOf(batch[i]);
      } else {
        const failed = new Set(outcome.failures.map((f) => f.index));
        for (let i = 0; i < batch.length; i++) if (!failed.has(i)) n += recordsOf(batch[i]);
      }
      onDelivered(n);
      return outcome;
    },
  };
}

/** write() resolved at once (the sink job skips awaiting it). */
const resolved = ACCEPTED;

/** Attempts at loading the shard map before the sink gives up (backoff of the retry policy between). */
const SHARD_MAP_ATTEMPTS = 5;

function encodeUserRecord(r: UserRecord): EncodedUserRecord {
  const data = Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString('base64');
  return r.explicitHashKey === undefined ? { data, partitionKey: r.partitionKey } : { data, partitionKey: r.partitionKey, explicitHashKey: r.explicitHashKey };
}

function decodeUserRecord(r: EncodedUserRecord): UserRecord {
  const data = Buffer.from(r.data, 'base64');
  return r.explicitHashKey === undefined ? { data, partitionKey: r.partitionKey } : { data, partitionKey: r.partitionKey, explicitHashKey: r.explicitHashKey };
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
