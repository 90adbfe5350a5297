import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AsyncSinkWriter } from '../../src/runtime/engine/async-sink-writer.js';
import { FakeClock, settle } from '../../src/runtime/engine/clock.js';
import { MemoryDestination, entry, type MemEntry, type MemoryDestinationOptions } from '../helpers/memory-destination.js';

const test = suite('engine state');

function setup(destOptions: MemoryDestinationOptions = {}, hints = {}, random = () => 0) {
  const clock = new FakeClock();
  const dest = new MemoryDestination(destOptions);
  const writer = new AsyncSinkWriter<MemEntry>({
    destination: dest,
    clock,
    random,
    rateLimiting: { strategy: 'none' },
    hints: { maxBatchSize: 4, maxInFlightRequests: 1, maxBufferedRequests: 6, ...hints },
  });
  return { clock, dest, writer };
}

const keysOf = (s: { entries: unknown[] }) => s.entries.map((e) => (e as { k: string }).k);

test('backpressure: write() stays pending while the buffer is full and resolves as it drains, in order', async () => {
  const { dest, writer } = setup({ manual: true });
  // 4 in flight, then 6 buffered: the buffer is full.
  for (let i = 0; i < 10; i++) await writer.write(entry(i));
  assert.is(writer.bufferedEntries, 6);
  const resolved: number[] = [];
  const pending = [10, 11, 12].map((i) => writer.write(entry(i)).then(() => resolved.push(i)));
  await settle();
  assert.equal(resolved, [], 'blocked while full');
  assert.is(writer.stats().buffered, 9, 'buffered counts the blocked writes too');
  dest.calls[0]!.resolve();
  await settle();
  // The next 4 went out, making room for all three blocked writes.
  assert.equal(resolved, [10, 11, 12]);
  assert.equal(dest.batches[1], ['k4', 'k5', 'k6', 'k7']);
  await Promise.all(pending);
  const f = writer.flush();
  for (let k = 0; k < 5 && dest.open.length; k++) {
    dest.open[0]!.resolve();
    await settle();
  }
  await f;
  assert.equal(dest.delivered.map((e) => e.key), Array.from({ length: 13 }, (_, i) => `k${i}`));
  await writer.close();
});

test('entries waiting for a retry count toward maxBufferedRequests; new data still goes out meanwhile', async () => {
  const { clock, dest, writer } = setup({ manual: true }, {}, () => 0.5);
  for (let i = 0; i < 10; i++) await writer.write(entry(i));
  dest.calls[0]!.reject(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
  await settle();
  assert.equal(dest.batches[1], ['k4', 'k5', 'k6', 'k7'], 'new data goes out while k0..k3 back off');
  assert.is(writer.bufferedEntries, 6, '2 buffered + 4 waiting for their retry: the bound of 6');
  let admitted = false;
  const w = writer.write(entry(10)).then(() => (admitted = true));
  await settle();
  assert.not.ok(admitted, 'blocked: retries hold room in the buffer');
  await clock.tick(50); // the backoff: 0.5 × 100 ms; the one request slot is still busy
  assert.is(dest.calls.length, 2);
  dest.calls[1]!.resolve();
  await settle();
  assert.equal(dest.batches[2], ['k0', 'k1', 'k2', 'k3'], 'due retries go first');
  assert.ok(admitted);
  await w;
  const f = writer.close();
  for (let k = 0; k < 5 && dest.open.length; k++) {
    dest.open[0]!.resolve();
    await clock.tick(1000);
  }
  await f;
  assert.is(dest.delivered.length, 11);
});

test('snapshot: in-flight entries first (send order), then the buffer; restore puts them ahead of new writes', async () => {
  const a = setup({ manual: true }, { maxInFlightRequests: 2 });
  for (let i = 0; i < 10; i++) await a.writer.write(entry(i));
  assert.equal(a.dest.batches, [['k0', 'k1', 'k2', 'k3'], ['k4', 'k5', 'k6', 'k7']]);
  a.dest.calls[0]!.resolve([{ index: 1, code: 'InternalFailure', message: '' }]);
  await settle();
  // k1 requeued and sent again with k8 k9 (slot freed): in flight = [k4..k7], [k1 k8 k9].
  const snap = a.writer.snapshot();
  assert.is(snap.version, 1);
  assert.equal(keysOf(snap), ['k4', 'k5', 'k6', 'k7', 'k1', 'k8', 'k9']);
  assert.equal(JSON.parse(JSON.stringify(snap)), snap, 'JSON-ready');

  // "Crash": a new writer restores the snapshot; new writes come after it.
  const b = setup({}, { maxInFlightRequests: 2 });
  b.writer.restore(JSON.parse(JSON.stringify(snap)));
  assert.is(b.writer.bufferedEntries, 0, 'restored entries go out at once, partial batches included');
  await b.writer.write(entry(10));
  await b.writer.flush();
  assert.equal(b.dest.delivered.map((e) => e.key), ['k4', 'k5', 'k6', 'k7', 'k1', 'k8', 'k9', 'k10']);
  const union = new Set([...a.dest.delivered, ...b.dest.delivered].map((e) => e.key));
  assert.is(union.size, 11, 'every record delivered at least once');
  await b.writer.close();
});

test('restore rejects a malformed snapshot with a clear message', () => {
  const { writer } = setup();
  assert.throws(() => writer.restore({ version: 2, entries: [] } as never), /snapshot must be \{ "version": 1, "entries": \[\.\.\.\] \}.*delete the checkpoint/);
});

test('metrics: counters, batch sizes and latency percentiles', async () => {
  let clockRef!: FakeClock;
  const dest = new MemoryDestination({ manual: true });
  const clock = new FakeClock();
  clockRef = clock;
  const writer = new AsyncSinkWriter<MemEntry>({
    destination: dest,
    clock,
    random: () => 0,
    rateLimiting: { strategy: 'none' },
    hints: { maxBatchSize: 4, maxInFlightRequests: 3, maxBufferedRequests: 20 },
  });
  for (let i = 0; i < 10; i++) await writer.write(entry(i, 20));
  assert.is(writer.metrics.inFlightRequests, 2);
  assert.is(writer.metrics.inFlightEntries, 8);
  await clockRef.tick(10);
  dest.calls[0]!.resolve();
  await clockRef.tick(30);
  dest.calls[1]!.resolve([{ index: 0, code: 'ProvisionedThroughputExceededException', message: '' }]);
  await settle();
  const f = writer.flush();
  await clockRef.tick(5);
  for (const c of dest.open) c.resolve();
  await f;
  const s = writer.stats();
  assert.equal(
    { ...s, latencyMs: undefined, batchSize: undefined },
    {
      recordsIn: 10,
      recordsOut: 10,
      bytesIn: 200,
      bytesOut: 200,
      requests: 3,
      retries: 1,
      throttled: 1,
      failedRequests: 0,
      deadLetters: 0,
      inFlightRequests: 0,
      inFlightEntries: 0,
      maxInFlight: 2,
      buffered: 0,
      latencyMs: undefined,
      batchSize: undefined,
      rateLimit: { strategy: 'none', budget: null, pacedPartitions: 0 },
    },
  );
  // Batches: 4, 4, then k4 + k8 k9 = 3.
  assert.equal(s.batchSize, { min: 3, max: 4, mean: 3.67, p50: 4, p95: 4 });
  // Latencies 10, 40 and 5 ms; percentiles from HDR buckets (< 1.6% error), max exact.
  assert.ok(Math.abs(s.latencyMs.p50 - 10) < 0.16, `p50 ${s.latencyMs.p50}`);
  assert.ok(Math.abs(s.latencyMs.p95 - 40) < 0.64, `p95 ${s.latencyMs.p95}`);
  assert.ok(Math.abs(s.latencyMs.p99 - 40) < 0.64, `p99 ${s.latencyMs.p99}`);
  assert.is(s.latencyMs.max, 40);
  await writer.close();
});

test.run();
