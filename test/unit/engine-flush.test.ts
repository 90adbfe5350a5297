import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AsyncSinkWriter } from '../../src/runtime/engine/async-sink-writer.js';
import { FakeClock, settle } from '../../src/runtime/engine/clock.js';
import { MemoryDestination, entry, type MemEntry } from '../helpers/memory-destination.js';

function setup(hints = {}, destOptions = {}) {
  const clock = new FakeClock();
  const dest = new MemoryDestination(destOptions);
  const writer = new AsyncSinkWriter<MemEntry>({ destination: dest, hints, clock, rateLimiting: { strategy: 'none' } });
  return { clock, dest, writer };
}

test('flushes on count: a request as soon as maxBatchSize entries are buffered', async () => {
  const { dest, writer } = setup({ maxBatchSize: 4 });
  for (let i = 0; i < 3; i++) await writer.write(entry(i));
  assert.is(dest.calls.length, 0);
  await writer.write(entry(3));
  assert.equal(dest.batches, [['k0', 'k1', 'k2', 'k3']]);
  for (let i = 4; i < 9; i++) await writer.write(entry(i));
  await settle();
  assert.equal(dest.batches, [['k0', 'k1', 'k2', 'k3'], ['k4', 'k5', 'k6', 'k7']]);
  assert.is(writer.bufferedEntries, 1);
  await writer.close();
});

test('flushes on bytes: a batch never exceeds maxBatchBytes, counting data and partition key', async () => {
  // 30-byte entries (key included), 100-byte batches: at most 3 per batch although maxBatchSize is 10.
  const { dest, writer } = setup({ maxBatchBytes: 100, maxRecordBytes: 60 });
  for (let i = 0; i < 10; i++) await writer.write(entry(i, 30));
  await writer.flush();
  assert.equal(dest.batches.map((b) => b.length), [3, 3, 3, 1]);
  for (const c of dest.calls) {
    const bytes = c.batch.reduce((s, e) => s + dest.sizeOf(e), 0);
    assert.ok(bytes <= 100, `batch of ${bytes} bytes`);
  }
  // The partition key counts: a 40-byte payload with a 20-byte key is a 60-byte record.
  const longKey = { key: 'p'.repeat(20), data: 'd'.repeat(40) };
  assert.is(dest.sizeOf(longKey), 60);
  await writer.write(longKey);
  await writer.write(longKey);
  await writer.flush();
  assert.equal(dest.batches.slice(4).map((b) => b.length), [1, 1]);
  await writer.close();
});

test('byte trigger: buffered bytes reaching maxBatchBytes send before the count is reached', async () => {
  const { dest, writer } = setup({ maxBatchBytes: 100, maxRecordBytes: 50 });
  for (let i = 0; i < 3; i++) await writer.write(entry(i, 30));
  assert.is(dest.calls.length, 0);
  await writer.write(entry(3, 10)); // 100 bytes buffered
  assert.equal(dest.batches, [['k0', 'k1', 'k2', 'k3']]);
  await writer.close();
});

test('timer flush: one timer armed when an entry enters the empty buffer, fires after maxTimeInBufferMs', async () => {
  const { clock, dest, writer } = setup({ maxTimeInBufferMs: 500 });
  await writer.write(entry(0));
  assert.equal(clock.timerDelays(), [500]);
  await clock.tick(200);
  for (let i = 1; i < 5; i++) await writer.write(entry(i));
  assert.is(clock.pendingTimers, 1, 'a single timer, not one per entry');
  assert.equal(clock.timerDelays(), [300]);
  await clock.tick(299);
  assert.is(dest.calls.length, 0);
  await clock.tick(1);
  assert.equal(dest.batches, [['k0', 'k1', 'k2', 'k3', 'k4']]);
  // Entries written after the timer fired arm a new one.
  await writer.write(entry(5));
  assert.equal(clock.timerDelays().filter((d) => d === 500).length, 1);
  await clock.tick(500);
  assert.equal(dest.batches[1], ['k5']);
  await writer.close();
});

test('timer flush drains the whole buffer in batches of at most maxBatchSize', async () => {
  const { clock, dest, writer } = setup({ maxBatchSize: 4, maxTimeInBufferMs: 100 });
  // Fill without reaching the count trigger: a request per 4 is sent, leaving 3 behind.
  for (let i = 0; i < 7; i++) await writer.write(entry(i));
  await settle();
  assert.equal(dest.batches.map((b) => b.length), [4]);
  await clock.tick(100);
  assert.equal(dest.batches.map((b) => b.length), [4, 3]);
  assert.is(writer.bufferedEntries, 0);
  await writer.close();
});

test('flush() and close() drain everything, close() closes the destination and stops the timer', async () => {
  const { clock, dest, writer } = setup({ maxBatchSize: 4 });
  for (let i = 0; i < 10; i++) await writer.write(entry(i));
  await writer.flush();
  assert.is(dest.delivered.length, 10);
  await writer.write(entry(10));
  await writer.close();
  assert.is(dest.delivered.length, 11);
  assert.equal(dest.delivered.map((e) => e.key), Array.from({ length: 11 }, (_, i) => `k${i}`));
  assert.ok(dest.closed);
  assert.is(clock.pendingTimers, 0, 'no timer left after close');
  try {
    await writer.write(entry(11));
    assert.unreachable('write after close');
  } catch (e) {
    assert.match((e as Error).message, /sink is closed/);
  }
});

test('flush() waits for requests in flight, not just for the buffer', async () => {
  const { dest, writer } = setup({ maxBatchSize: 2 }, { manual: true });
  for (let i = 0; i < 4; i++) await writer.write(entry(i));
  assert.is(dest.calls.length, 2);
  let flushed = false;
  const f = writer.flush().then(() => (flushed = true));
  await settle();
  assert.not.ok(flushed);
  dest.calls[0]!.resolve();
  await settle();
  assert.not.ok(flushed, 'one request still in flight');
  dest.calls[1]!.resolve();
  await f;
  assert.ok(flushed);
  await writer.close();
});

test.run();
