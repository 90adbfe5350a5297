/**
 * One conformance suite for every destination: each runs against its real local server with a
 * recording, fault-injecting proxy in front (none for `file`, which has no server). A target says
 * how to make a fresh resource, read back what arrived and inject each kind of fault; the suite
 * asserts the same behaviour of all of them through the public `Sink` API:
 * - batches within the limits (count, bytes, per record), on the wire and at the destination;
 * - partial and whole-request failures retried, retried entries first and those that failed together
 *   in write order, none lost;
 * - throttling counted as throttling; bad records in the dead-letter file with a reason;
 * - fatal errors (missing resource, access denied) stop within seconds with one sentence that names
 *   the destination;
 * - a snapshot restored into a new sink delivers everything at least once.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SinkConfig, SinkConfigDestination } from '../../src/runtime/sink-config-file.js';
import { DeadLetterWriter, type DeadLetter } from '../../src/runtime/dead-letter.js';
import type { BatchOutcome, Destination } from '../../src/runtime/destination.js';
import { destinationFromConfig, type AwsDestinationConfig } from '../../src/runtime/destinations/index.js';
import { createFileDestination } from '../../src/runtime/destinations/file.js';
import { DESTINATION_LIMITS, type DestinationType as ContractType } from '../../src/contract/limits.js';
import { FatalSinkError } from '../../src/runtime/engine/errors.js';
import { createSink, type Sink } from '../../src/runtime/sink.js';
import { TEST_CREDENTIALS } from '../servers/kinesalite.js';

export type DestinationType = ContractType;

export interface ConformanceEvent {
  readonly id: number;
  readonly key: string;
  readonly value: number;
  readonly ts: number;
  readonly pad: string;
}

export function conformanceEvents(from: number, to: number, padBytes = 40): ConformanceEvent[] {
  const ts = Date.now();
  return Array.from({ length: to - from }, (_, k) => {
    const id = from + k;
    return { id, key: `k${id % 7}`, value: id + 1, ts, pad: 'p'.repeat(padBytes + ((id * 37) % 41)) };
  });
}

/** What arrived: the ids, or only totals where the service keeps no single events (metrics). */
export type Delivered = { readonly ids: readonly number[] } | { readonly count: number; readonly sum: number };

/** A fault the proxy injects on the next write requests (or per entry where the API has entries). */
export interface Faults {
  /** Fail about `rate` of the entries of each request, retryably (absent: the API is all-or-nothing). */
  partial?(rate: number): void;
  /** The next `n` requests fail as a whole with a retryable server error. */
  internal(n: number): void;
  /** The next `n` requests (or entries) are throttled. */
  throttle(n: number): void;
  /** Every request from now on is refused: access denied. */
  deny(): void;
  /** Every request recorded since the instance was made: entries and the bytes the service counts. */
  requests(): readonly { readonly records: number; readonly bytes: number }[];
  /** Adds latency to each write request (ms), so that a snapshot finds entries in flight. */
  latency(ms: number): void;
}

export interface TargetInstance {
  /** The destination section of the sink config, naming a fresh resource. */
  readonly destination: SinkConfigDestination;
  /** Extra top-level config (partitionKey, keyAttributes). */
  readonly extra?: Partial<SinkConfig>;
  /** Endpoint of the proxy (or the server): `--endpoint`. */
  readonly endpoint?: string;
  delivered(): Promise<Delivered>;
  /** Absent for `file` (no server to put a proxy in front of). */
  readonly faults?: Faults;
}

export interface ConformanceTarget {
  readonly type: DestinationType;
  start(): Promise<void>;
  stop(): Promise<void>;
  fresh(): Promise<TargetInstance>;
  /** A destination section whose resource does not exist, or cannot be written (a fatal error); absent when nothing can be missing. */
  readonly missing: (() => Promise<SinkConfigDestination>) | undefined;
  /** Id of the event an encoded entry came from. */
  idOf(encoded: unknown): number;
  /** Events this destination's converter or server refuses (besides oversize ones). */
  readonly badEvents: readonly unknown[];
  /** Whether an event can outgrow maxRecordBytes (not a metric datum: its size does not follow the event's). */
  readonly oversize: boolean;
  /** Events for the limits case: enough count and bytes to cross both batch limits where reachable. */
  readonly limitsWorkload: { readonly n: number; readonly padBytes: number };
}

interface RecordedBatch {
  readonly ids: readonly number[];
  readonly sizes: readonly number[];
  readonly failed: ReadonlySet<number>;
}

/** Wraps the real destination to record each batch the engine hands it and its outcome. */
function recording(dest: Destination<unknown>, idOf: (encoded: unknown) => number, log: RecordedBatch[]): Destination<unknown> {
  return {
    ...dest,
    sizeOf: (e) => dest.sizeOf(e),
    encodeEntry: (e) => dest.encodeEntry(e),
    decodeEntry: (j) => dest.decodeEntry(j),
    close: () => dest.close(),
    async submit(batch, signal): Promise<BatchOutcome> {
      const ids = batch.map((e) => idOf(dest.encodeEntry(e)));
      const sizes = batch.map((e) => dest.sizeOf(e));
      try {
        const outcome = await dest.submit(batch, signal);
        log.push({ ids, sizes, failed: new Set(outcome.failures.map((f) => ids[f.index]!)) });
        return outcome;
      } catch (e) {
        log.push({ ids, sizes, failed: new Set(ids) });
        throw e;
      }
    },
  };
}

const HINTS = { maxBufferedRequests: 20_000, maxTimeInBufferMs: 50, maxInFlightRequests: 4 };

function configOf(type: DestinationType, instance: TargetInstance, hints: Partial<SinkConfig['bufferingHints']> = {}): SinkConfig {
  const limits = DESTINATION_LIMITS[type];
  return {
    version: 1,
    sink: `conformance-${type}`,
    platform: 'conformance',
    environment: 'test',
    destination: instance.destination,
    // The hard limits, a record cap of at most 1 MiB (Redis would allow 64), quick timers.
    bufferingHints: { ...limits, maxRecordBytes: Math.min(limits.maxRecordBytes, 1024 * 1024), ...HINTS, ...hints },
    rateLimiting: { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5, slowStart: true },
    retry: { maxAttempts: 0, initialBackoffMs: 5, maxBackoffMs: 50, requestTimeoutMs: 10_000 },
    aggregation: 'none',
    ...instance.extra,
  };
}

interface Run {
  readonly sink: Sink;
  readonly batches: RecordedBatch[];
  readonly deadLetterFile: string;
  deadLetters(): DeadLetter[];
}

export function conformanceSuite(target: ConformanceTarget): void {
  const test = suite(`conformance: ${target.type}`);
  const limits = DESTINATION_LIMITS[target.type];
  let scratch: string;

  test.before(async () => {
    scratch = mkdtempSync(join(tmpdir(), `ara-conformance-${target.type}-`));
    await target.start();
  });
  test.after(async () => {
    await target.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  let t0 = 0;
  if (process.env.CONFORMANCE_TIMES) {
    test.before.each(() => void (t0 = performance.now()));
    test.after.each((ctx) => void console.error(`${target.type} ${(ctx as { __test__?: string }).__test__?.slice(0, 30)}: ${Math.round(performance.now() - t0)} ms`));
  }
  let runs = 0;
  function open(config: SinkConfig, endpoint?: string): Run {
    const batches: RecordedBatch[] = [];
    const d = config.destination;
    const base = d.type === 'file' ? createFileDestination({ path: d.path }) : destinationFromConfig(d as AwsDestinationConfig, { endpoint, maxSockets: config.bufferingHints.maxInFlightRequests, keyAttributes: config.keyAttributes, credentials: TEST_CREDENTIALS });
    const deadLetterFile = join(scratch, `dead-${++runs}.ndjson`);
    const writer = new DeadLetterWriter(deadLetterFile);
    const sink = createSink(config, { destination: recording(base as Destination<unknown>, target.idOf, batches), deadLetter: writer });
    return {
      sink,
      batches,
      deadLetterFile,
      deadLetters() {
        writer.close();
        let text = '';
        try {
          text = readFileSync(deadLetterFile, 'utf8');
        } catch {
          /* no dead letter was written */
        }
        return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as DeadLetter);
      },
    };
  }

  async function writeAll(sink: Sink, events: readonly unknown[]): Promise<void> {
    for (const e of events) await sink.write(e, { raw: JSON.stringify(e) });
  }

  /** Every id in 0..n-1 arrived; `exactly` = none twice. */
  async function assertDelivered(instance: TargetInstance, n: number, exactly: boolean): Promise<Delivered> {
    const got = await instance.delivered();
    if ('ids' in got) {
      const seen = new Set(got.ids);
      const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !seen.has(i));
      assert.equal(missing.slice(0, 10), [], `${missing.length} of ${n} records missing`);
      if (exactly) assert.is(got.ids.length, n, 'no record delivered twice');
    } else {
      assert.ok(got.count >= n, `${got.count} data points for ${n} events`);
      if (exactly) assert.equal({ count: got.count, sum: got.sum }, { count: n, sum: (n * (n + 1)) / 2 });
    }
    return got;
  }

  test('batches stay within the limits (count, bytes, per record); an oversize record is dead-lettered', async () => {
    const instance = await target.fresh();
    const config = configOf(target.type, instance);
    const { n, padBytes } = target.limitsWorkload;
    const run = open(config, instance.endpoint);
    const events: unknown[] = conformanceEvents(0, n, padBytes);
    if (target.oversize) events.splice(n >> 1, 0, { id: n, key: 'k0', value: 1, ts: Date.now(), pad: 'x'.repeat(config.bufferingHints.maxRecordBytes) });
    await writeAll(run.sink, events);
    await run.sink.close();
    await assertDelivered(instance, n, true);
    for (const b of run.batches) {
      assert.ok(b.ids.length <= limits.maxBatchSize, `a batch of ${b.ids.length} entries`);
      const bytes = b.sizes.reduce((a, s) => a + s, 0);
      assert.ok(bytes <= limits.maxBatchBytes, `a batch of ${bytes} bytes`);
      assert.ok(Math.max(...b.sizes) <= config.bufferingHints.maxRecordBytes, 'an entry over maxRecordBytes');
    }
    for (const r of instance.faults?.requests() ?? []) {
      assert.ok(r.records <= limits.maxBatchSize && r.bytes <= limits.maxBatchBytes, `a request of ${r.records} records, ${r.bytes} bytes on the wire`);
    }
    // The workload filled batches to one limit or the other.
    const biggest = Math.max(...run.batches.map((b) => b.ids.length));
    const heaviest = Math.max(...run.batches.map((b) => b.sizes.reduce((a, s) => a + s, 0)));
    assert.ok(biggest === limits.maxBatchSize || heaviest > limits.maxBatchBytes - config.bufferingHints.maxRecordBytes, `batches reach a limit (largest ${biggest} entries, ${heaviest} bytes)`);
    const letters = run.deadLetters();
    assert.equal(letters.map((l) => /maxRecordBytes/.test(l.reason)), target.oversize ? [true] : []);
  });

  test('partial and whole-request failures are retried, retried entries first and in write order; nothing is lost', async () => {
    const instance = await target.fresh();
    const faults = instance.faults;
    if (!faults) return; // file: no server to fail
    const n = 200;
    const run = open(configOf(target.type, instance, { maxBatchSize: Math.min(50, limits.maxBatchSize), maxInFlightRequests: 1 }), instance.endpoint);
    faults.partial?.(0.2);
    faults.internal(3);
    await writeAll(run.sink, conformanceEvents(0, n));
    await run.sink.close();
    await assertDelivered(instance, n, false);
    assert.ok(run.sink.stats().engine.retries > 0, 'some entries were retried');
    // Each request carries the entries that failed before it first (due retries, then new data),
    // and entries that failed together in one response for the first time keep their write order
    // (how later retries interleave is the engine's backoff policy, tested with the engine).
    const failedIn = new Map<number, string>();
    const failures = new Map<number, number>();
    run.batches.forEach((b, k) => {
      const retried = b.ids.filter((id) => failedIn.has(id));
      assert.equal(b.ids.slice(0, retried.length), retried, 'retried entries lead the request');
      const byGroup = new Map<string, number[]>();
      for (const id of retried) if (failures.get(id) === 1) byGroup.set(failedIn.get(id)!, [...(byGroup.get(failedIn.get(id)!) ?? []), id]);
      for (const ids of byGroup.values()) assert.equal(ids, [...ids].sort((x, y) => x - y), 'entries that failed together are retried in write order');
      for (const id of b.ids) failedIn.delete(id);
      for (const id of b.failed) {
        failures.set(id, (failures.get(id) ?? 0) + 1);
        failedIn.set(id, `${k}/${failures.get(id)}`);
      }
    });
  });

  test('throttling is classified as throttling and everything still arrives', async () => {
    const instance = await target.fresh();
    const faults = instance.faults;
    if (!faults) return;
    const run = open(configOf(target.type, instance), instance.endpoint);
    faults.throttle(3);
    await writeAll(run.sink, conformanceEvents(0, 150));
    await run.sink.close();
    await assertDelivered(instance, 150, false);
    const stats = run.sink.stats();
    assert.ok(stats.engine.throttled > 0, 'throttled entries counted');
    assert.is(stats.records.deadLettered, 0);
  });

  test('bad records go to the dead-letter file with a reason; the rest arrive', async () => {
    const instance = await target.fresh();
    const run = open(configOf(target.type, instance), instance.endpoint);
    const events: unknown[] = conformanceEvents(0, 100);
    target.badEvents.forEach((bad, i) => events.splice(20 + i * 30, 0, bad));
    await writeAll(run.sink, events);
    await run.sink.close();
    await assertDelivered(instance, 100, true);
    const letters = run.deadLetters();
    assert.is(letters.length, target.badEvents.length);
    for (const l of letters) assert.ok(l.reason.length > 10 && l.input.length > 0, `dead letter with a reason: ${JSON.stringify(l)}`);
  });

  async function assertFatal(config: SinkConfig, endpoint: string | undefined, what: RegExp): Promise<void> {
    const started = Date.now();
    let error: unknown;
    try {
      const run = open(config, endpoint);
      try {
        await writeAll(run.sink, conformanceEvents(0, 50));
        await run.sink.flush();
      } finally {
        await run.sink.close().catch((e: unknown) => (error ??= e));
      }
    } catch (e) {
      error ??= e;
    }
    assert.ok(error instanceof Error, 'the sink stopped with an error');
    const message = (error as Error).message;
    assert.ok(Date.now() - started < 10_000, `stopped after ${Date.now() - started} ms`);
    assert.ok(!message.includes('\n'), `one sentence: ${message}`);
    assert.match(message, what);
    // The file destination fails when it opens the file, before the engine runs.
    if (target.type !== 'file') {
      assert.instance(error, FatalSinkError);
      assert.match(message, /\.$/);
    }
  }

  test('a missing resource stops the sink within seconds with one sentence naming the destination', async () => {
    if (!target.missing) return;
    const instance = await target.fresh();
    const destination = await target.missing();
    const config = configOf(target.type, { ...instance, destination });
    const name = Object.entries(destination).find(([k]) => k !== 'type' && k !== 'region' && k !== 'createLogStream')![1] as string;
    await assertFatal(config, instance.endpoint, new RegExp(name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  });

  test('access denied stops the sink within seconds with one sentence naming the destination', async () => {
    const instance = await target.fresh();
    if (!instance.faults) return;
    instance.faults.deny();
    const run = configOf(target.type, instance);
    // AWS says AccessDeniedException; Redis refuses with NOPERM (ACL).
    await assertFatal(run, instance.endpoint, /AccessDenied|NOPERM/);
  });

  test('a snapshot restored into a new sink delivers every record at least once', async () => {
    const instance = await target.fresh();
    instance.faults?.latency(30);
    const config = configOf(target.type, instance, { maxBatchSize: Math.min(50, limits.maxBatchSize) });
    const first = open(config, instance.endpoint);
    await writeAll(first.sink, conformanceEvents(0, 200));
    // What a checkpoint stores (through JSON, as on disk), taken while records are unacknowledged.
    const snapshot = JSON.parse(JSON.stringify(first.sink.snapshot())) as ReturnType<Sink['snapshot']>;
    assert.ok(snapshot.entries.length > 0, 'the snapshot holds unacknowledged records');
    await first.sink.close();
    instance.faults?.latency(0);
    const second = open(config, instance.endpoint);
    second.sink.restore(snapshot);
    await writeAll(second.sink, conformanceEvents(200, 300));
    await second.sink.close();
    assert.is(second.sink.counts().restored, snapshot.entries.length);
    await assertDelivered(instance, 300, false);
  });

  test.run();
}
