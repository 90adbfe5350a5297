import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AsyncSinkWriter } from '../../src/runtime/engine/async-sink-writer.js';
import { FakeClock, settle } from '../../src/runtime/engine/clock.js';
import { SinkConfigError } from '../../src/runtime/engine/errors.js';
import {
  AimdScaling,
  CongestionControlStrategy,
  NoRateLimiting,
  createRateLimitingStrategy,
} from '../../src/runtime/engine/rate-limiting.js';
import { MemoryDestination, entry, type MemEntry } from '../helpers/memory-destination.js';

const test = suite('engine rate-limiting');

const hints = { maxBatchSize: 4, maxBatchBytes: 1000, maxRecordBytes: 100, maxBufferedRequests: 50, maxTimeInBufferMs: 1000, maxInFlightRequests: 10 };
const done = (batchSize: number, failedEntries = 0, id?: number) => ({ batchSize, failedEntries, throttled: failedEntries > 0, latencyMs: 1, id });
/** A completed request with `failed` entries of which `throttled` were throttled. */
const outcome = (batchSize: number, failed: number, throttled: number, id?: number) => ({ batchSize, failedEntries: failed, throttledEntries: throttled, throttled: throttled > 0, latencyMs: 1, id });

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

test('AIMD: a fully throttled request cuts by decreaseFactor, floor 1', () => {
  const s = new CongestionControlStrategy({ maxInFlightRequests: 10, initialMaxInFlightMessages: 40, scaling: new AimdScaling(10, 0.5, 40) });
  const seen = [];
  for (let i = 0; i < 7; i++) {
    s.registerInFlightRequest({ batchSize: 4 });
    s.registerCompletedRequest(done(4, 4));
    seen.push(s.currentBudget());
  }
  assert.equal(seen, [20, 10, 5, 3, 2, 1, 1], 'no ids: every throttled answer is its own event');
  const k = new AimdScaling(10, 0.99, 5000);
  assert.is(k.scaleDown(1000), 990);
});

test('loss is not congestion: failures that are not throttling leave the budget alone (and successes still grow it)', () => {
  const s = new CongestionControlStrategy({ maxInFlightRequests: 10, initialMaxInFlightMessages: 400, scaling: new AimdScaling(10, 0.5, 1000) });
  for (let i = 0; i < 5; i++) {
    s.registerInFlightRequest({ batchSize: 100, id: i });
    s.registerCompletedRequest(outcome(100, 5, 0, i));
  }
  assert.is(s.currentBudget(), 450, '5% InternalFailure per request: +10 per request, never a cut');
  assert.is(s.decreases, 0);
});

test('a cut is in proportion to the throttled share, at most decreaseFactor', () => {
  const make = () => new CongestionControlStrategy({ maxInFlightRequests: 10, initialMaxInFlightMessages: 1000, scaling: new AimdScaling(10, 0.5, 5000) });
  // Ten requests fill the budget; nine are acknowledged while the tenth is in flight, then it answers.
  const cut = (batch: number, throttled: number) => {
    const s = make();
    for (let id = 0; id < 10; id++) s.registerInFlightRequest({ batchSize: batch, id });
    const before = s.currentBudget();
    for (let id = 1; id < 10; id++) s.registerCompletedRequest(outcome(batch, 0, 0, id));
    assert.is(s.currentBudget(), before + 90, '+10 per acknowledged request');
    s.registerCompletedRequest(outcome(batch, throttled, throttled, 0));
    return s.currentBudget() * (1000 / 1090);
  };
  assert.is(Math.round(cut(100, 10)), 900, '10% throttled: 10% less');
  assert.is(Math.round(cut(100, 30)), 700);
  assert.is(Math.round(cut(100, 80)), 500, 'never more than decreaseFactor');
  assert.is(Math.round(cut(100, 100)), 500);
});

test('a cut never leaves more in flight than the destination acknowledged in one round trip (then no fast recovery)', () => {
  const s = new CongestionControlStrategy({
    maxInFlightRequests: 10,
    initialMaxInFlightMessages: 2000,
    scaling: new AimdScaling(10, 0.5, 5000),
    slowStart: { ceiling: 5000, minIncrease: 10 },
  });
  // Four batches of 500 go out at once against a destination that takes ~400 per round trip: the
  // first answer passes 400 (the bucket's burst) and throttles 100, a 20% share.
  for (let id = 0; id < 4; id++) s.registerInFlightRequest({ batchSize: 500, id });
  s.registerCompletedRequest(outcome(500, 100, 100, 0));
  assert.is(s.currentBudget(), 400, 'the 400 acknowledged in its round trip, not 2000 × 0.8 = 1600');
  assert.not.ok(s.inSlowStart);
  for (let id = 1; id < 4; id++) s.registerCompletedRequest(outcome(500, 500, 500, id));
  assert.is(s.currentBudget(), 400, 'the other answers of that round trip are the same event');
  s.registerInFlightRequest({ batchSize: 400, id: 4 });
  s.registerCompletedRequest(outcome(400, 0, 0, 4));
  assert.is(s.currentBudget(), 410, 'additive increase at once: the estimate is what the destination delivers');
  // A throttled request during which the others were acknowledged: the proportional cut is deeper.
  for (let id = 5; id < 9; id++) s.registerInFlightRequest({ batchSize: 100, id });
  for (let id = 6; id < 9; id++) s.registerCompletedRequest(outcome(100, 0, 0, id));
  s.registerCompletedRequest(outcome(100, 100, 100, 5));
  assert.is(s.currentBudget(), 220, '440 × 0.5 (300 acknowledged in its round trip is more)');
});

test('at most one cut per round trip: throttles of requests sent before the cut are the same event', () => {
  const s = new CongestionControlStrategy({ maxInFlightRequests: 10, initialMaxInFlightMessages: 1000, scaling: new AimdScaling(10, 0.5, 5000) });
  for (let id = 0; id < 4; id++) s.registerInFlightRequest({ batchSize: 100, id });
  for (let id = 0; id < 4; id++) s.registerCompletedRequest(outcome(100, 100, 100, id));
  assert.is(s.currentBudget(), 500, 'four concurrent throttled answers: one cut, not four (Flink: 1000 → 62)');
  assert.is(s.decreases, 1);
  s.registerInFlightRequest({ batchSize: 100, id: 4 });
  s.registerCompletedRequest(outcome(100, 100, 100, 4));
  assert.is(s.currentBudget(), 250, 'a request sent after the cut and throttled again: a new event');
});

test('fast recovery: after a cut the budget grows by each acknowledged batch up to half-way back, then additively', () => {
  const s = new CongestionControlStrategy({
    maxInFlightRequests: 10,
    initialMaxInFlightMessages: 800,
    scaling: new AimdScaling(10, 0.5, 5000),
    slowStart: { ceiling: 5000, minIncrease: 10 },
    startInSlowStart: false,
  });
  s.registerInFlightRequest({ batchSize: 100, id: 0 });
  s.registerCompletedRequest(outcome(100, 100, 100, 0));
  assert.is(s.currentBudget(), 400);
  const seen = [];
  for (let id = 1; id <= 4; id++) {
    s.registerInFlightRequest({ batchSize: 100, id });
    s.registerCompletedRequest(outcome(100, 0, 0, id));
    seen.push(s.currentBudget());
  }
  assert.equal(seen, [500, 600, 610, 620], 'back to 600 (half-way to 800) in two acknowledgements, then +10');
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
  assert.is(s.maxBatchSize(), 20, 'only a budget below one batch caps the batch size');
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

test('writer with AIMD (slowStart false): a throttled request cuts the budget; random loss keeps batches full and the budget intact', async () => {
  const clock = new FakeClock();
  const dest = new MemoryDestination({ manual: true });
  const writer = new AsyncSinkWriter<MemEntry>({
    destination: dest,
    clock,
    random: () => 0,
    hints: { maxBatchSize: 8, maxInFlightRequests: 4, maxBufferedRequests: 200 },
    rateLimiting: { strategy: 'aimd', increaseRate: 4, decreaseFactor: 0.5, slowStart: false },
  });
  for (let i = 0; i < 160; i++) await writer.write(entry(i));
  assert.equal(dest.batches.map((b) => b.length), [8], 'budget 8 = one batch in flight');
  // Internal failures (5 of 8): retried, the budget still grows.
  for (let r = 0; r < 6; r++) {
    const open = [...dest.open];
    for (const c of open) c.resolve([{ index: 0, code: 'InternalFailure', message: 'oops' }]);
    await clock.tick(0);
  }
  assert.ok(writer.rateLimiter.currentBudget() > 8, `budget ${writer.rateLimiter.currentBudget()} grew despite the failures`);
  assert.ok(dest.batches.every((b) => b.length === 8), `batches stay full: ${dest.batches.map((b) => b.length)}`);
  const before = writer.rateLimiter.currentBudget();
  const open = [...dest.open];
  open[0]!.resolve([{ index: 7, code: 'ProvisionedThroughputExceededException', message: '' }, { index: 6, code: 'ProvisionedThroughputExceededException', message: '' }]);
  await settle();
  assert.is(writer.rateLimiter.currentBudget(), Math.round(before * 0.75), '2 of 8 throttled: a quarter less');
  const f = writer.close();
  for (let k = 0; k < 200 && (dest.open.length || writer.bufferedEntries); k++) {
    for (const c of [...dest.open]) c.resolve();
    await clock.tick(100);
  }
  await f;
  assert.equal(new Set(dest.delivered.map((e) => e.key)).size, 160);
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

test('AIMD slow start ends at the first throttle (not at other failures): cut, fast recovery, then +increaseRate', () => {
  const s = createRateLimitingStrategy({ strategy: 'aimd', increaseRate: 3, decreaseFactor: 0.5 }, hints) as CongestionControlStrategy;
  s.registerInFlightRequest({ batchSize: 4 });
  s.registerCompletedRequest(done(4));
  s.registerInFlightRequest({ batchSize: 4 });
  s.registerCompletedRequest(outcome(4, 2, 0));
  assert.ok(s.inSlowStart, 'an internal failure does not end slow start');
  assert.is(s.currentBudget(), 20 + 3, '+ max(2 acknowledged, increaseRate 3)');
  s.registerInFlightRequest({ batchSize: 4 });
  s.registerCompletedRequest(outcome(4, 4, 4));
  assert.is(s.currentBudget(), 12, 'halved at the first throttle (23 × 0.5, rounded)');
  assert.not.ok(s.inSlowStart);
  const seen = [];
  for (let i = 0; i < 3; i++) {
    s.registerInFlightRequest({ batchSize: 4 });
    s.registerCompletedRequest(done(4));
    seen.push(s.currentBudget());
  }
  assert.equal(seen, [16, 17.5, 20.5], 'fast recovery to 17.5 (half-way back to 23), then +3');
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
  first!.resolve(Array.from({ length: 10 }, (_, index) => ({ index, code: 'ProvisionedThroughputExceededException', message: 'slow down' })));
  await settle();
  // Sent during round 2's answers: 150 records were acknowledged while it was in flight, less than half of 320.
  assert.is(writer.rateLimiter.currentBudget(), 150, 'cut to what the destination took in its round trip');
  assert.is(writer.stats().throttled, 10);
  rest[0]!.resolve(Array.from({ length: 10 }, (_, index) => ({ index, code: 'ProvisionedThroughputExceededException', message: 'slow down' })));
  await settle();
  assert.is(writer.rateLimiter.currentBudget(), 150, 'a request sent before the cut: the same congestion event, no second cut');
  for (const c of rest.slice(1)) c.resolve();
  await settle();
  // The cut is a measured delivery rate: no fast recovery, +2 per acknowledged request.
  assert.is(writer.rateLimiter.currentBudget(), 150 + 30 * 2, 'additive');
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
  assert.equal(writer.stats().rateLimit, { strategy: 'none', budget: null, pacedPartitions: 0 });
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
  assert.equal(writer.stats().rateLimit, { strategy: 'two-at-a-time', budget: 2, pacedPartitions: 0 });
});

test('per-partition pacing: throttles of one partition while the other is accepted pace that partition only; the budget is not cut', async () => {
  const clock = new FakeClock();
  const dest = new MemoryDestination({ manual: true });
  // Two partitions ("hot" entries a*, "cold" entries b*), 100 records/s each at most.
  Object.assign(dest, { partitionOf: (e: MemEntry) => (e.key.startsWith('a') ? 'hot' : 'cold'), partitionRecordsPerSecond: 100 });
  const writer = new AsyncSinkWriter<MemEntry>({
    destination: dest,
    clock,
    random: () => 0,
    hints: { maxBatchSize: 10, maxInFlightRequests: 1, maxBufferedRequests: 200, maxTimeInBufferMs: 1 },
    rateLimiting: { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5, slowStart: false },
  });
  for (let i = 0; i < 40; i++) await writer.write(entry(i, 10, `${i % 2 ? 'b' : 'a'}${i}`));
  const budget = writer.rateLimiter.currentBudget();
  const first = dest.open[0]!;
  first.resolve(first.batch.flatMap((e, index) => (e.key.startsWith('a') ? [{ index, code: 'ProvisionedThroughputExceededException', message: 'hot shard', kind: 'throttled' as const }] : [])));
  await settle();
  assert.is(writer.rateLimiter.currentBudget(), budget, 'the common budget is not cut');
  assert.is((writer.rateLimiter as CongestionControlStrategy).decreases, 0);
  // While the hot partition waits for its slots (the clock stands still: one slot is due now), the
  // cold partition goes on: every cold entry goes out before the hot ones.
  let hotSent = 0;
  const flushed = writer.flush(); // partial batches go out without waiting for the buffer timer
  for (let k = 0; k < 10 && dest.open.length; k++) {
    const c = dest.open[0]!;
    hotSent += c.batch.filter((e) => e.key.startsWith('a')).length;
    c.resolve();
    await settle();
  }
  const coldDelivered = dest.delivered.filter((e) => e.key.startsWith('b')).length;
  assert.is(coldDelivered, 20, 'every cold entry delivered without the clock moving');
  assert.ok(hotSent <= 1, `${hotSent} hot entries went out before their slots`);
  assert.ok(writer.bufferedEntries > 0, 'hot entries still wait');
  // The hot entries come back at their partition's rate as the clock runs; nothing is lost or doubled.
  const f = writer.close();
  for (let k = 0; k < 400 && (dest.open.length || writer.bufferedEntries); k++) {
    for (const c of [...dest.open]) c.resolve();
    await clock.tick(10);
  }
  await f;
  await flushed;
  assert.equal(dest.delivered.map((e) => e.key).sort(), Array.from({ length: 40 }, (_, i) => `${i % 2 ? 'b' : 'a'}${i}`).sort());
  assert.is(new Set(dest.delivered.map((e) => e.key)).size, 40);
});

test('per-partition pacing: throttles across partitions are congestion of the whole destination (one common cut)', async () => {
  const dest = new MemoryDestination({ manual: true });
  Object.assign(dest, { partitionOf: (e: MemEntry) => (e.key.startsWith('a') ? 'hot' : 'cold'), partitionRecordsPerSecond: 100 });
  const writer = new AsyncSinkWriter<MemEntry>({ destination: dest, clock: new FakeClock(), random: () => 0, hints: { maxBatchSize: 10, maxInFlightRequests: 1, maxBufferedRequests: 200 }, rateLimiting: { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5, slowStart: false } });
  for (let i = 0; i < 20; i++) await writer.write(entry(i, 10, `${i % 2 ? 'b' : 'a'}${i}`));
  const first = dest.open[0]!;
  first.resolve([0, 1].map((index) => ({ index, code: 'ProvisionedThroughputExceededException', message: 'slow down', kind: 'throttled' as const })));
  await settle();
  assert.is((writer.rateLimiter as CongestionControlStrategy).decreases, 1);
  writer.abort('done');
});

test.run();
