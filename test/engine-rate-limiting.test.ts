import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AsyncSinkWriter } from '../src/runtime/engine/async-sink-writer.js';
import { FakeClock, settle } from '../src/runtime/engine/clock.js';
import { SinkConfigError } from '../src/runtime/engine/errors.js';
import {
  AimdScaling,
  CongestionControlStrategy,
  NoRateLimiting,
  createRateLimitingStrategy,
} from '../src/runtime/engine/rate-limiting.js';
import { MemoryDestination, entry, type MemEntry } from './helpers/memory-destination.js';

const test = suite('engine rate-limiting');

const hints = { maxBatchSize: 4, maxBatchBytes: 1000, maxRecordBytes: 100, maxBufferedRequests: 50, maxTimeInBufferMs: 1000, maxInFlightRequests: 10 };
const done = (batchSize: number, failedEntries = 0) => ({ batchSize, failedEntries, throttled: failedEntries > 0, latencyMs: 1 });

test('AIMD without slow start: +increaseRate after a fully successful request up to maxBatchSize × maxInFlightRequests', () => {
  const s = createRateLimitingStrategy({ strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5, slowStart: false }, hints);
  assert.is(s.name, 'aimd');
  assert.is(s.currentBudget(), 4, 'starts at maxBatchSize');
  const seen = [];
  for (let i = 0; i < 5; i++) {
    s.registerInFlightRequest({ batchSize: 1 });
    s.registerCompletedRequest(done(1));
    seen.push(s.currentBudget());
  }
  assert.equal(seen, [14, 24, 34, 40, 40], 'ceiling 4 × 10');
});

test('AIMD: × decreaseFactor after any failure, floor 1', () => {
  const s = new CongestionControlStrategy({ maxInFlightRequests: 10, initialMaxInFlightMessages: 40, scaling: new AimdScaling(10, 0.5, 40) });
  const seen = [];
  for (let i = 0; i < 7; i++) {
    s.registerInFlightRequest({ batchSize: 4 });
    s.registerCompletedRequest(done(4, 1));
    seen.push(s.currentBudget());
  }
  assert.equal(seen, [20, 10, 5, 3, 2, 1, 1]);
  // Kinesis-like gentle decrease.
  const k = new AimdScaling(10, 0.99, 5000);
  assert.is(k.scaleDown(1000), 990);
});

test('congestion control blocks on in-flight requests and on in-flight messages over the budget', () => {
  const s = new CongestionControlStrategy({ maxInFlightRequests: 2, initialMaxInFlightMessages: 10, scaling: new AimdScaling(10, 0.5, 100) });
  assert.not.ok(s.shouldBlock({ batchSize: 10 }));
  assert.ok(s.shouldBlock({ batchSize: 11 }), 'a batch above the budget');
  s.registerInFlightRequest({ batchSize: 6 });
  assert.not.ok(s.shouldBlock({ batchSize: 4 }));
  assert.ok(s.shouldBlock({ batchSize: 5 }), '6 + 5 > 10 messages');
  s.registerInFlightRequest({ batchSize: 1 });
  assert.ok(s.shouldBlock({ batchSize: 1 }), 'two requests in flight');
  s.registerCompletedRequest(done(6));
  assert.not.ok(s.shouldBlock({ batchSize: 19 }), 'budget 20, one message in flight');
  assert.is(s.maxBatchSize(), 20, 'the budget caps the batch size');
});

test('strategy none: only maxInFlightRequests; no budget', () => {
  const s = createRateLimitingStrategy({ strategy: 'none' }, hints);
  assert.instance(s, NoRateLimiting);
  assert.is(s.maxBatchSize(), Infinity);
  for (let i = 0; i < 10; i++) s.registerInFlightRequest({ batchSize: 1000 });
  assert.ok(s.shouldBlock({ batchSize: 1 }));
  s.registerCompletedRequest(done(1000, 1000));
  assert.not.ok(s.shouldBlock({ batchSize: 1 }));
  assert.is(s.currentBudget(), Infinity);
});

test('invalid AIMD parameters are rejected with the rule and a fix', () => {
  assert.throws(
    () => createRateLimitingStrategy({ strategy: 'aimd', increaseRate: 10, decreaseFactor: 1 }, hints),
    (e: Error) => e instanceof SinkConfigError && e.message === 'rateLimiting.decreaseFactor = 1 must be between 0 and 1 (exclusive); set it to e.g. 0.5.',
  );
  assert.throws(
    () => createRateLimitingStrategy({ strategy: 'aimd', increaseRate: 2.5, decreaseFactor: 0.5 }, hints),
    /rateLimiting.increaseRate = 2.5 must be a positive integer; set it to e.g. 10\./,
  );
  assert.throws(() => createRateLimitingStrategy({ strategy: 'vector' } as never, hints), /rateLimiting.strategy = "vector" is not supported; use "aimd" or "none"/);
});

test('writer with AIMD (slowStart false): a failure halves the budget and caps the next batch; success climbs back', async () => {
  const clock = new FakeClock();
  const dest = new MemoryDestination({ manual: true });
  const writer = new AsyncSinkWriter<MemEntry>({
    destination: dest,
    clock,
    random: () => 0,
    hints: { maxBatchSize: 8, maxInFlightRequests: 2, maxBufferedRequests: 100 },
    // Flink's AIMD (no slow start): starts at one batch.
    rateLimiting: { strategy: 'aimd', increaseRate: 4, decreaseFactor: 0.5, slowStart: false },
  });
  for (let i = 0; i < 48; i++) await writer.write(entry(i));
  assert.equal(dest.batches.map((b) => b.length), [8], 'budget 8: the second request waits');
  dest.calls[0]!.resolve([{ index: 7, code: 'ProvisionedThroughputExceededException', message: '' }]);
  await settle();
  assert.is(writer.stats().rateLimit.budget, 4);
  assert.equal(dest.batches[1], ['k7', 'k8', 'k9', 'k10'], 'batch capped by the budget, retry first');
  dest.calls[1]!.resolve();
  await settle();
  assert.is(writer.rateLimiter.currentBudget(), 8);
  assert.equal(dest.batches.slice(2).map((b) => b.length), [8]);
  dest.calls[2]!.resolve();
  await settle();
  assert.is(writer.rateLimiter.currentBudget(), 12);
  // Budget 12: one batch of 8 in flight; another 8 would exceed it (as in Flink, batches are not shrunk to fit).
  assert.equal(dest.batches.slice(3).map((b) => b.length), [8]);
  dest.calls[3]!.resolve();
  await settle();
  assert.is(writer.rateLimiter.currentBudget(), 16);
  assert.equal(dest.batches.slice(4).map((b) => b.length), [8, 8], 'budget 16 = two full batches in flight');
  const f = writer.close();
  for (let k = 0; k < 20 && dest.open.length; k++) {
    for (const c of dest.open) c.resolve();
    await settle();
  }
  await f;
  assert.is(dest.delivered.length, 48);
  assert.is(writer.rateLimiter.currentBudget(), 16, 'ceiling 8 × 2');
});

test('AIMD slow start (default): starts at min(4, maxInFlightRequests) batches, grows by each acknowledged batch (at least increaseRate) up to the ceiling', () => {
  const s = createRateLimitingStrategy({ strategy: 'aimd', increaseRate: 3, decreaseFactor: 0.5 }, hints) as CongestionControlStrategy;
  assert.ok(s.inSlowStart);
  assert.is(s.currentBudget(), 16, 'initial window 4 × maxBatchSize 4');
  const seen = [];
  for (const batch of [4, 1, 8, 16]) {
    s.registerInFlightRequest({ batchSize: batch });
    s.registerCompletedRequest(done(batch));
    seen.push(s.currentBudget());
  }
  // 16 + 4, + max(1, 3), + 8, + 16 capped at 4 × 10.
  assert.equal(seen, [20, 23, 31, 40]);
  assert.ok(s.inSlowStart, 'no failure yet');
  const narrow = createRateLimitingStrategy({ strategy: 'aimd', increaseRate: 3, decreaseFactor: 0.5 }, { ...hints, maxInFlightRequests: 2 });
  assert.is(narrow.currentBudget(), 8, 'the initial window never exceeds maxInFlightRequests batches');
});

test('AIMD slow start ends at the first failure: × decreaseFactor, then +increaseRate only', () => {
  const s = createRateLimitingStrategy({ strategy: 'aimd', increaseRate: 3, decreaseFactor: 0.5 }, hints) as CongestionControlStrategy;
  s.registerInFlightRequest({ batchSize: 4 });
  s.registerCompletedRequest(done(4));
  s.registerInFlightRequest({ batchSize: 8 });
  s.registerCompletedRequest(done(8));
  assert.is(s.currentBudget(), 28);
  s.registerInFlightRequest({ batchSize: 4 });
  s.registerCompletedRequest(done(4, 1));
  assert.is(s.currentBudget(), 14, 'halved at the first failure');
  assert.not.ok(s.inSlowStart);
  const seen = [];
  for (let i = 0; i < 3; i++) {
    s.registerInFlightRequest({ batchSize: 8 });
    s.registerCompletedRequest(done(8));
    seen.push(s.currentBudget());
  }
  assert.equal(seen, [17, 20, 23], 'additive (+3), not +8 per success, after slow start');
});

test('writer with AIMD slow start (FakeClock): in-flight requests double per round trip, back off on the first throttle, then climb additively', async () => {
  const clock = new FakeClock();
  const dest = new MemoryDestination({ manual: true, limits: { maxBatchSize: 500 } });
  const writer = new AsyncSinkWriter<MemEntry>({
    destination: dest,
    clock,
    random: () => 0,
    hints: { maxBatchSize: 10, maxInFlightRequests: 32, maxBufferedRequests: 2000, maxBatchBytes: 100_000 },
    rateLimiting: { strategy: 'aimd', increaseRate: 2, decreaseFactor: 0.5 },
  });
  for (let i = 0; i < 1200; i++) await writer.write(entry(i));
  const rounds: number[] = [];
  const budgets: number[] = [];
  for (let round = 0; round < 4; round++) {
    rounds.push(dest.open.length);
    budgets.push(writer.rateLimiter.currentBudget());
    if (round === 3) break;
    for (const c of [...dest.open]) c.resolve();
    await settle();
  }
  assert.equal(rounds, [4, 8, 16, 32], 'one round trip each: 40 → 80 → 160 → 320 messages in flight');
  assert.equal(budgets, [40, 80, 160, 320]);
  // Flink's AIMD (from 10, +2 per success) would need 155 successful requests to reach 320.
  const [first, ...rest] = [...dest.open];
  first!.resolve([{ index: 0, code: 'ProvisionedThroughputExceededException', message: 'slow down' }]);
  await settle();
  assert.is(writer.rateLimiter.currentBudget(), 160, 'halved at the first throttle');
  assert.is(writer.stats().throttled, 1);
  for (const c of rest) c.resolve();
  await settle();
  assert.is(writer.rateLimiter.currentBudget(), 160 + 31 * 2, 'additive after slow start');
  const f = writer.close();
  for (let k = 0; k < 200 && dest.open.length; k++) {
    for (const c of [...dest.open]) c.resolve();
    await settle();
    clock.advance(10_000);
    await settle();
  }
  await f;
  assert.is(dest.delivered.length, 1200);
  assert.equal(new Set(dest.delivered.map((e) => e.key)).size, 1200);
});

test('writer with strategy none: full batches, concurrency bounded by maxInFlightRequests', async () => {
  const dest = new MemoryDestination({ manual: true });
  const writer = new AsyncSinkWriter<MemEntry>({
    destination: dest,
    clock: new FakeClock(),
    hints: { maxBatchSize: 4, maxInFlightRequests: 3, maxBufferedRequests: 100 },
    rateLimiting: { strategy: 'none' },
  });
  for (let i = 0; i < 20; i++) await writer.write(entry(i));
  assert.equal(dest.batches.map((b) => b.length), [4, 4, 4]);
  assert.equal(writer.stats().rateLimit, { strategy: 'none', budget: null });
  const f = writer.close();
  for (let k = 0; k < 10 && dest.open.length; k++) {
    for (const c of dest.open) c.resolve();
    await settle();
  }
  await f;
  assert.is(writer.metrics.maxInFlight, 3);
  assert.is(dest.delivered.length, 20);
});

test('a custom strategy object can be passed instead of a model', async () => {
  const calls: string[] = [];
  const dest = new MemoryDestination();
  const writer = new AsyncSinkWriter<MemEntry>({
    destination: dest,
    clock: new FakeClock(),
    hints: { maxBatchSize: 4 },
    rateLimiting: {
      name: 'two-at-a-time',
      shouldBlock: () => false,
      maxBatchSize: () => 2,
      registerInFlightRequest: (r) => calls.push(`start ${r.batchSize}`),
      registerCompletedRequest: (r) => calls.push(`done ${r.batchSize}/${r.failedEntries}`),
      currentBudget: () => 2,
    },
  });
  for (let i = 0; i < 4; i++) await writer.write(entry(i));
  await writer.close();
  assert.equal(dest.batches.map((b) => b.length), [2, 2]);
  assert.equal(calls, ['start 2', 'done 2/0', 'start 2', 'done 2/0']);
  assert.equal(writer.stats().rateLimit, { strategy: 'two-at-a-time', budget: 2 });
});

test.run();
