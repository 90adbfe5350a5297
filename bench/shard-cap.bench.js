// One capped shard of four: how much does it slow the other three? Kinesis (kinesalite, own process)
// with 4 shards behind the fault proxy, which caps ONE shard (the shard the partition key hashes to,
// from ListShards) at CAP records/s with a token bucket and answers the excess per record with
// ProvisionedThroughputExceeded, as Kinesis does for a hot shard. The engine (library API, default
// AIMD, Kinesis default hints) is fed as fast as it accepts, keys spread evenly over the shards.
// Baseline in the same run: the same feed with no cap. Reported per run (medians over RUNS): records/s
// delivered to the three uncapped shards with and without the cap (their ratio is the figure of
// merit), to the capped shard, and the records throttled.
//
// What bounds the ratio: the input is ONE ordered stream and the engine's memory is bounded
// (maxBufferedRequests), so once the capped shard's backlog fills the buffer, reading waits for it:
// over a long run the other shards get at most (their share / the capped shard's share) × CAP: a
// few-second window measures what per-shard pacing saves before that bound (docs/destinations.md,
// "Per-shard pacing").
// Run after a build: node bench/shard-cap.bench.js [capRecordsPerSecond] [seconds] [runs]
import { createHash } from 'node:crypto';
import { CREDENTIALS, fromBuild, median, startKinesaliteProcess } from './kinesalite-child.js';

const CAP = Number(process.argv[2] ?? 300);
const SECONDS = Number(process.argv[3] ?? 6);
const RUNS = Number(process.argv[4] ?? 3);
const WARMUP_SECONDS = 1;
const SHARDS = 4;
const SEED = 20261130;
const LATENCY_MS = 5;

const { startFaultProxy, THROTTLED } = await fromBuild('test/servers/fault-proxy.js');
const { createKinesisDestination, kinesisConverter } = await fromBuild('src/runtime/destinations/kinesis.js');
const { listOpenShards } = await fromBuild('src/runtime/destinations/kinesis-shards.js');
const { AsyncSinkWriter } = await fromBuild('src/runtime/engine/async-sink-writer.js');
const { seededRandom } = await fromBuild('src/runtime/engine/backoff.js');

const kinesis = await startKinesaliteProcess();
const proxy = await startFaultProxy(kinesis.endpoint, { latencyMs: LATENCY_MS, seed: SEED });
const convert = kinesisConverter({ partitionKey: 'customer' });
const hashOf = (key) => BigInt(`0x${createHash('md5').update(key, 'utf8').digest('hex')}`);

async function run(name, capped) {
  const stream = `shard-cap-${name}`;
  await kinesis.createStream(stream, SHARDS);
  const shards = await listOpenShards(kinesis.client, stream);
  const shardIndex = new Map();
  const indexOf = (key) => {
    let i = shardIndex.get(key);
    if (i === undefined) {
      const h = hashOf(key);
      i = shards.findIndex((s) => s.start <= h && h <= s.end);
      shardIndex.set(key, i);
    }
    return i;
  };
  const delivered = new Array(SHARDS).fill(0);
  const throttled = new Array(SHARDS).fill(0);
  let tokens = CAP * 0.2;
  let last = performance.now();
  proxy.set({
    failRecord: (r) => {
      const i = indexOf(r.partitionKey);
      if (capped && i === 0) {
        const now = performance.now();
        tokens = Math.min(CAP * 0.2, tokens + ((now - last) / 1000) * CAP);
        last = now;
        if (tokens < 1) {
          throttled[i]++;
          return THROTTLED;
        }
        tokens--;
      }
      delivered[i]++;
      return undefined;
    },
  });
  const writer = new AsyncSinkWriter({ destination: createKinesisDestination({ streamName: stream, endpoint: proxy.endpoint, credentials: CREDENTIALS }), retry: { maxAttempts: 0 } });
  const random = seededRandom(SEED);
  let stop = false;
  const feeding = (async () => {
    for (let i = 0; !stop; i++) {
      const size = 200 + Math.floor(random() * 401);
      await writer.write(convert({ order_id: i, customer: `c${i % 64}`, pad: 'x'.repeat(size - 60) }));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, WARMUP_SECONDS * 1000));
  delivered.fill(0);
  throttled.fill(0);
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const elapsed = (performance.now() - started) / 1000;
  const d = [...delivered];
  const t = [...throttled];
  stop = true;
  proxy.set({ failRecord: undefined });
  await feeding;
  await writer.close();
  return {
    otherShards: (d[1] + d[2] + d[3]) / elapsed,
    cappedShard: d[0] / elapsed,
    throttled: t[0] + t[1] + t[2] + t[3],
    delivered: d.reduce((a, b) => a + b, 0),
    keysOnCappedShard: [...shardIndex.values()].filter((i) => i === 0).length,
  };
}

const out = { capped: [], uncapped: [] };
try {
  for (let r = 0; r < RUNS; r++) {
    for (const which of r % 2 ? ['capped', 'uncapped'] : ['uncapped', 'capped']) {
      const m = await run(`${which}-${r}`, which === 'capped');
      out[which].push(m);
      process.stderr.write(`run ${r + 1}/${RUNS} ${which}: other 3 shards ${Math.round(m.otherShards)} rec/s, shard 0 ${Math.round(m.cappedShard)} rec/s (${m.keysOnCappedShard} of 64 keys), delivered ${m.delivered}, throttled ${m.throttled}\n`);
    }
  }
} finally {
  await proxy.stop();
  await kinesis.stop();
}
const med = (xs, k) => median(xs.map((x) => x[k]));
const results = {
  shards: SHARDS,
  capRecordsPerSecond: CAP,
  seconds: SECONDS,
  runs: RUNS,
  seed: SEED,
  recordBytes: '200-600',
  otherShardsCappedRecordsPerSecond: Math.round(med(out.capped, 'otherShards')),
  otherShardsUncappedRecordsPerSecond: Math.round(med(out.uncapped, 'otherShards')),
  otherShardsRatio: Number((med(out.capped, 'otherShards') / med(out.uncapped, 'otherShards')).toFixed(3)),
  cappedShardRecordsPerSecond: Math.round(med(out.capped, 'cappedShard')),
  deliveredCapped: med(out.capped, 'delivered'),
  throttledCapped: med(out.capped, 'throttled'),
  deliveredUncapped: med(out.uncapped, 'delivered'),
};
process.stderr.write(
  `one of ${SHARDS} shards capped at ${CAP} rec/s: the other three deliver ${results.otherShardsCappedRecordsPerSecond} rec/s vs ${results.otherShardsUncappedRecordsPerSecond} uncapped = ${results.otherShardsRatio}×; ` +
    `capped shard ${results.cappedShardRecordsPerSecond} rec/s; delivered ${results.deliveredCapped}, throttled ${results.throttledCapped} — median of ${RUNS} × ${SECONDS} s\n`,
);
process.stdout.write(JSON.stringify({ bench: 'shard-cap', results }) + '\n');
