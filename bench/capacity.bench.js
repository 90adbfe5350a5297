// Capacity-limited destination: the fault proxy caps Kinesis (kinesalite, own process) at a fixed
// records/s (token bucket); records beyond it fail per record with ProvisionedThroughputExceeded.
// The engine (library API, AIMD rate limiting, Kinesis default hints) is fed as fast as it accepts.
// Targets: delivered throughput ≥ 90% of the cap, fewer than 15% of the records sent throttled.
// Baseline in the same run: the same feed with rate limiting `none`, which shows what AIMD saves.
// Run after a build into dist/ (or ARA_BUILD_DIR): node bench/capacity.bench.js [capacity] [seconds]
import { CREDENTIALS, fromBuild, median, startKinesaliteProcess } from './kinesalite-child.js';

const CAPACITY = Number(process.argv[2] ?? 2_000);
const SECONDS = Number(process.argv[3] ?? 6);
const WARMUP_SECONDS = 1;
const LATENCY_MS = 10;
const BURST_SECONDS = 0.2;
const RUNS = Number(process.env.BENCH_RUNS ?? 2);

const { startFaultProxy } = await fromBuild('test/servers/fault-proxy.js');
const { createKinesisDestination, kinesisConverter } = await fromBuild('src/runtime/destinations/kinesis.js');
const { AsyncSinkWriter } = await fromBuild('src/runtime/engine/async-sink-writer.js');

const kinesis = await startKinesaliteProcess();
const proxy = await startFaultProxy(kinesis.endpoint, { latencyMs: LATENCY_MS, burstSeconds: BURST_SECONDS });
const convert = kinesisConverter({ partitionKey: 'customer' });
const STRATEGIES = { aimd: { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5 }, none: { strategy: 'none' } };
// The engine's defaults (one table: src/contract/defaults.ts).
const retry = {};

async function run(name, rateLimiting) {
  const stream = `capacity-${name}`;
  await kinesis.createStream(stream, 4);
  proxy.set({ capacityPerSecond: CAPACITY });
  const writer = new AsyncSinkWriter({ destination: createKinesisDestination({ streamName: stream, endpoint: proxy.endpoint, credentials: CREDENTIALS }), rateLimiting, retry });
  let stop = false;
  const feeding = (async () => {
    for (let i = 0; !stop; i++) await writer.write(convert({ order_id: i, customer: `c${i % 64}`, pad: 'x'.repeat(150) }));
  })();
  await new Promise((resolve) => setTimeout(resolve, WARMUP_SECONDS * 1000));
  proxy.reset();
  const started = performance.now();
  const budgets = [];
  while (performance.now() - started < SECONDS * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    budgets.push(writer.stats().rateLimit.budget ?? Infinity);
  }
  const elapsed = (performance.now() - started) / 1000;
  const c = { ...proxy.counters };
  stop = true;
  proxy.set({ capacityPerSecond: undefined });
  await feeding;
  await writer.close();
  const stats = writer.stats();
  return {
    delivered: c.recordsForwarded / elapsed,
    throttledShare: c.recordsThrottled / Math.max(1, c.recordsReceived),
    sent: c.recordsReceived / elapsed,
    requests: c.requests,
    meanBatch: c.recordsReceived / Math.max(1, c.requests),
    medianBudget: median(budgets),
    lost: stats.recordsIn - stats.recordsOut - stats.deadLetters,
  };
}

const results = { aimd: [], none: [] };
try {
  for (let r = 0; r < RUNS; r++) {
    for (const name of r % 2 ? ['none', 'aimd'] : ['aimd', 'none']) {
      const m = await run(`${name}-${r}`, STRATEGIES[name]);
      if (m.lost !== 0) throw new Error(`${m.lost} records lost`);
      results[name].push(m);
      process.stderr.write(`${name} run ${r + 1}: delivered ${Math.round(m.delivered)} rec/s (${((m.delivered / CAPACITY) * 100).toFixed(1)}% of cap), throttled ${(m.throttledShare * 100).toFixed(1)}% of ${Math.round(m.sent)} sent/s, mean batch ${Math.round(m.meanBatch)}, median budget ${m.medianBudget}\n`);
    }
  }
} finally {
  await proxy.stop();
  await kinesis.stop();
}

const summary = (xs) => ({
  deliveredRecordsPerSecond: Math.round(median(xs.map((x) => x.delivered))),
  deliveredShareOfCapacity: Number((median(xs.map((x) => x.delivered)) / CAPACITY).toFixed(3)),
  throttledShareOfSent: Number(median(xs.map((x) => x.throttledShare)).toFixed(3)),
  sentRecordsPerSecond: Math.round(median(xs.map((x) => x.sent))),
  meanBatch: Math.round(median(xs.map((x) => x.meanBatch))),
  medianBudget: median(xs.map((x) => x.medianBudget)),
});
const aimd = summary(results.aimd);
const none = summary(results.none);
const out = {
  capacityPerSecond: CAPACITY,
  seconds: SECONDS,
  runs: RUNS,
  proxy: { latencyMs: LATENCY_MS, burstSeconds: BURST_SECONDS },
  strategy: STRATEGIES.aimd,
  hints: 'Kinesis defaults (500 per batch, 50 in flight, 5 MiB)',
  retry,
  aimd,
  baselineNoRateLimiting: none,
  targets: { deliveredShareOfCapacity: 0.9, throttledShareOfSent: 0.15 },
  pass: aimd.deliveredShareOfCapacity >= 0.9 && aimd.throttledShareOfSent < 0.15,
};
process.stderr.write(
  `capacity ${CAPACITY} rec/s: AIMD delivers ${aimd.deliveredRecordsPerSecond} rec/s (${(aimd.deliveredShareOfCapacity * 100).toFixed(1)}%, target ≥ 90%) with ${(aimd.throttledShareOfSent * 100).toFixed(1)}% of sent records throttled (target < 15%); ` +
    `without rate limiting ${none.deliveredRecordsPerSecond} rec/s with ${(none.throttledShareOfSent * 100).toFixed(1)}% throttled — median of ${RUNS} × ${SECONDS} s\n`,
);
process.stdout.write(JSON.stringify({ bench: 'capacity', results: out }) + '\n');
