// Fault injection between the engine and kinesalite: per-record failures, whole-request 500s and
// throttles, latency and a records/s capacity. Proves no loss, the documented ordering, and that
// AIMD backs off under a capacity and climbs back when it lifts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AsyncSinkWriter } from '../src/runtime/engine/async-sink-writer.js';
import { createKinesisDestination, kinesisConverter, type KinesisEntry } from '../src/runtime/destinations/kinesis.js';
import { INTERNAL_FAILURE, startFaultProxy, THROTTLED, type FaultProxy, type ProxiedRecord } from './servers/fault-proxy.js';
import { accounting, makeEvents, parseRecords, sleep, uniqueName, waitFor, writeAll } from './servers/harness.js';
import { startKinesalite, type LocalKinesis, TEST_CREDENTIALS } from './servers/kinesalite.js';


interface Context {
  kinesis: LocalKinesis;
  proxy: FaultProxy;
}

const Faults = suite<Context>('kinesis under injected faults');

Faults.before(async (ctx) => {
  ctx.kinesis = await startKinesalite();
  ctx.proxy = await startFaultProxy(ctx.kinesis.endpoint, { seed: 7 });
});

Faults.after(async (ctx) => {
  await ctx.proxy?.stop();
  await ctx.kinesis?.stop();
});

const idOf = (r: ProxiedRecord): number => (JSON.parse(r.data.toString('utf8')) as { id: number }).id;
const convert = kinesisConverter({ partitionKey: 'key' });
const fastRetry = { initialBackoffMs: 5, maxBackoffMs: 100 };

Faults('per-record failures: failed entries are retried before newer ones and keep their order (1 request in flight)', async ({ kinesis, proxy }) => {
  const stream = uniqueName('order');
  await kinesis.createStream(stream, 1);
  proxy.reset();
  // Fail every 9th record once (alternating codes); remember the newest id of the request it failed in.
  const failedIn = new Map<number, number>();
  proxy.set({
    failRecord: (r, request) => {
      const id = idOf(r);
      if (id % 9 !== 4 || failedIn.has(id)) return undefined;
      failedIn.set(id, Math.max(...request.map(idOf)));
      return id % 2 ? THROTTLED : INTERNAL_FAILURE;
    },
  });
  const writer = new AsyncSinkWriter<KinesisEntry>({
    destination: createKinesisDestination({ credentials: TEST_CREDENTIALS, streamName: stream, endpoint: proxy.endpoint }),
    hints: { maxBatchSize: 40, maxInFlightRequests: 1, maxTimeInBufferMs: 20 },
    retry: fastRetry,
    random: () => 0.5,
  });
  await writeAll(writer, convert, makeEvents(900, 5));
  await writer.close();
  proxy.set({ failRecord: undefined });

  const back = parseRecords(await kinesis.readAll(stream));
  assert.equal(accounting(back.map((r) => r.id), 900), { missing: [], duplicates: 0 });
  assert.is(failedIn.size, 100);
  assert.is(proxy.counters.recordsFailed, 100);
  assert.is(writer.stats().retries, 100);
  const position = new Map(back.map((r, i) => [r.id, i]));
  for (const [id, newestInRequest] of failedIn) {
    // Not overtaken: every entry newer than its failed request lands after the retried entry.
    for (let later = newestInRequest + 1; later < 900; later++) {
      assert.ok(position.get(later)! > position.get(id)!, `entry ${later} overtook retried entry ${id}`);
    }
  }
  // Retried entries of a key keep their relative order.
  const retriedByKey = new Map<string, number[]>();
  for (const r of back) if (failedIn.has(r.id)) retriedByKey.set(r.key, [...(retriedByKey.get(r.key) ?? []), r.id]);
  for (const [key, ids] of retriedByKey) assert.equal(ids, [...ids].sort((a, b) => a - b), `key ${key}`);
});

Faults('mixed faults (per-record failures, 500s, throttles, latency) with 8 requests in flight: no loss, every request in write order', async ({ kinesis, proxy }) => {
  const stream = uniqueName('mixed');
  await kinesis.createStream(stream, 2);
  proxy.reset();
  const outOfOrder: string[] = [];
  proxy.set({
    recordFailureRate: 0.08,
    internalErrorRate: 0.1,
    throttleRate: 0.1,
    throttleCode: 'LimitExceededException',
    latencyMs: 3,
    latencyJitterMs: 12,
    // The engine keeps its buffer sorted by write order, so every request goes out sorted too,
    // retried entries included.
    observe: (request) => {
      const ids = request.map(idOf);
      for (let i = 1; i < ids.length; i++) if (ids[i] <= ids[i - 1]) outOfOrder.push(`${ids[i - 1]} before ${ids[i]}`);
    },
  });
  const writer = new AsyncSinkWriter<KinesisEntry>({
    destination: createKinesisDestination({ credentials: TEST_CREDENTIALS, streamName: stream, endpoint: proxy.endpoint }),
    hints: { maxBatchSize: 50, maxInFlightRequests: 8, maxTimeInBufferMs: 20 },
    retry: fastRetry,
    random: () => 0.5,
  });
  await writeAll(writer, convert, makeEvents(3000, 7));
  await writer.close();
  proxy.set({ recordFailureRate: 0, internalErrorRate: 0, throttleRate: 0, latencyMs: 0, latencyJitterMs: 0, observe: undefined });

  const back = parseRecords(await kinesis.readAll(stream));
  // Faults are injected before forwarding, so nothing is written twice either.
  assert.equal(accounting(back.map((r) => r.id), 3000), { missing: [], duplicates: 0 });
  assert.equal(outOfOrder, []);
  const c = proxy.counters;
  assert.ok(c.recordsFailed > 100, `per-record failures: ${c.recordsFailed}`);
  assert.ok(c.requestsFailed > 3, `500s: ${c.requestsFailed}`);
  assert.ok(c.requestsThrottled > 3, `throttles: ${c.requestsThrottled}`);
  const stats = writer.stats();
  assert.is(stats.recordsOut, 3000);
  assert.ok(stats.retries >= c.recordsFailed, `retries ${stats.retries}`);
  assert.ok(stats.failedRequests >= c.requestsFailed + c.requestsThrottled, `failed requests ${stats.failedRequests}`);
  assert.ok(stats.throttled > 0);
});

Faults('request timeouts abort through the AbortSignal and are retried: no loss, duplicates bounded by what was in flight', async ({ kinesis, proxy }) => {
  const stream = uniqueName('timeouts');
  await kinesis.createStream(stream, 1);
  proxy.reset();
  // The proxy still forwards a request whose client gave up: those records are written AND resent.
  proxy.set({ latencyMs: 400 });
  const writer = new AsyncSinkWriter<KinesisEntry>({
    destination: createKinesisDestination({ credentials: TEST_CREDENTIALS, streamName: stream, endpoint: proxy.endpoint }),
    hints: { maxBatchSize: 50, maxInFlightRequests: 2, maxTimeInBufferMs: 20 },
    rateLimiting: { strategy: 'none' },
    retry: { ...fastRetry, requestTimeoutMs: 150 },
    random: () => 0.5,
  });
  const feeding = writeAll(writer, convert, makeEvents(400, 5));
  // Slow until two requests have timed out (an event, not a time: a loaded machine takes longer).
  await waitFor(() => (writer.stats().failedRequests >= 2 ? true : undefined), 30_000);
  proxy.set({ latencyMs: 0 });
  await feeding;
  await writer.close();
  const stats = writer.stats();
  assert.ok(stats.failedRequests >= 2, `timed-out requests: ${stats.failedRequests}`);
  const back = parseRecords(await kinesis.readAll(stream));
  const { missing, duplicates } = accounting(back.map((r) => r.id), 400);
  assert.equal(missing, []);
  // Each timed-out request (≤ 50 entries) can be delivered twice.
  assert.ok(duplicates <= stats.failedRequests * 50, `${duplicates} duplicates for ${stats.failedRequests} timeouts`);
  assert.ok(duplicates > 0, 'the timed-out requests were written by the server too');
});

Faults('AIMD backs off under a records/s capacity and climbs back when it lifts', async ({ kinesis, proxy }) => {
  const stream = uniqueName('aimd');
  await kinesis.createStream(stream, 4);
  proxy.reset();
  proxy.set({ latencyMs: 10 });
  const writer = new AsyncSinkWriter<KinesisEntry>({
    destination: createKinesisDestination({ credentials: TEST_CREDENTIALS, streamName: stream, endpoint: proxy.endpoint }),
    hints: { maxBatchSize: 100, maxInFlightRequests: 5, maxTimeInBufferMs: 20, maxBufferedRequests: 2000 },
    rateLimiting: { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5 },
    retry: { initialBackoffMs: 10, maxBackoffMs: 200 },
    random: () => 0.5,
  });
  let stop = false;
  let written = 0;
  const feeding = (async () => {
    let id = 0;
    while (!stop) {
      await writer.write(convert({ id: id++, key: `k${id % 16}`, pad: 'x'.repeat(100) }));
      written++;
    }
  })();
  // Samples the budget every 25 ms until `done(budget)` says the phase's event happened (or `maxMs`
  // passed on a machine too slow to get there: the assertions below then say which event is missing).
  const sample = async (maxMs: number, done: (budget: number) => boolean) => {
    const budgets: number[] = [];
    const until = Date.now() + maxMs;
    let reached = false;
    while (!reached && Date.now() < until) {
      await sleep(25);
      const budget = writer.stats().rateLimit.budget ?? Infinity;
      budgets.push(budget);
      reached = done(budget);
    }
    return { budgets, reached };
  };

  // Phases, each until its event: open until the budget has climbed; capped until requests were
  // throttled and the budget was cut; lifted until it climbed again. No phase assumes a speed.
  const open = await sample(20_000, (b) => b >= 300);
  const throttledBefore = proxy.counters.recordsThrottled;
  proxy.set({ capacityPerSecond: 1000, burstSeconds: 0.1 });
  const capped = await sample(20_000, (b) => b <= 100 && proxy.counters.recordsThrottled > throttledBefore);
  proxy.set({ capacityPerSecond: undefined });
  const lifted = await sample(20_000, (b) => b >= 300);
  stop = true;
  await feeding;
  await writer.close();

  const summary = `open max ${Math.max(...open.budgets)}, capped min ${Math.min(...capped.budgets)}, lifted max ${Math.max(...lifted.budgets)}`;
  if (process.env.ARA_TEST_VERBOSE) console.error(summary);
  // Unthrottled, the budget climbs from its start (one batch, 100) towards the ceiling (500).
  assert.ok(open.reached, `the budget never reached 300 unthrottled: ${summary}`);
  // Under the cap, throttled requests cut it (× 0.5 each) to a batch or less.
  assert.ok(capped.reached, `the budget was not cut under the cap: ${summary}`);
  // Lifted: it climbs back (+10 per successful request).
  assert.ok(lifted.reached, `the budget did not climb back: ${summary}`);
  assert.ok(proxy.counters.recordsThrottled > throttledBefore);
  // Nothing lost on the way.
  assert.is(writer.stats().recordsOut, written);
  assert.is((await kinesis.readAll(stream)).length, written);
});

Faults.run();
