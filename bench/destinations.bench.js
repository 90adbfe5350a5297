// `sink run` of an NDJSON file into each of the CloudWatch Logs, CloudWatch metrics and Redis stream
// destinations against a bare client loop (bench/bare-loop.js) that reads and parses the same file
// in its own process and sends it with the same batches and requests in flight, measured in the
// same run, alternating, a fresh stream/log group/namespace per run. Both are timed as whole
// processes (start, read, parse, send, exit). Servers: Debian's redis-server, moto_server.
// Target: sink run ≥ 90% of the bare loop's records/s. Run after a build (dist/):
//   node bench/destinations.bench.js [records] [runs] [types, comma-separated]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDir, fromBuild, median, REGION, root } from './kinesalite-child.js';

const RECORDS = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 3);
const TYPES = (process.argv[4] ?? 'redis-stream,cloudwatch-logs,cloudwatch-metrics').split(',');
const TARGET = 0.9;

const { BUFFERING_DEFAULTS } = await fromBuild('src/contract/defaults.js');
const { startRedis } = await fromBuild('test/servers/redis-server.js');
const { startMoto } = await fromBuild('test/servers/moto.js');
const dir = mkdtempSync(join(tmpdir(), 'ara-destinations-bench-'));

// ~200-byte web-sale-like events, in time order (PutLogEvents wants each batch within 24 hours).
const base = Date.now() - 3_600_000;
const input = join(dir, 'events.ndjson');
writeFileSync(
  input,
  Array.from({ length: RECORDS }, (_, i) =>
    JSON.stringify({ order_id: i, item_id: (i * 7919) % 10_000, store_id: i % 16, channel: 'web', quantity: 1 + (i % 5), net_paid: ((i * 37) % 10_000) / 100, sold_at: base + i, pad: 'x'.repeat(40) }),
  ).join('\n') + '\n',
);

const env = { ...process.env, ARA_BUILD_DIR: buildDir, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: REGION, AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1' };

function run(args, extraEnv = {}) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${args.join(' ')} exited ${code}: ${out.slice(-2000)}`))));
  });
}

let redis;
let moto;
let runs = 0;
/** A fresh destination per run: the sink config's destination, the bare loop's name, the endpoint. */
async function fresh(type) {
  const n = ++runs;
  if (type === 'redis-stream') return { destination: { type, stream: `bench-${n}`, fields: 'top-level' }, name: `bench-sink-${n}`, bareName: `bench-bare-${n}`, endpoint: redis.url, env: { REDIS_URL: redis.url } };
  if (type === 'cloudwatch-logs') {
    await moto.createLogStream(`/bench/${n}`, 'sink');
    await moto.logs.send(new (await import('@aws-sdk/client-cloudwatch-logs')).CreateLogStreamCommand({ logGroupName: `/bench/${n}`, logStreamName: 'bare' }));
    return { destination: { type, logGroupName: `/bench/${n}`, logStreamName: 'sink', createLogStream: false, timestampField: 'sold_at', region: REGION }, bareName: `/bench/${n}|bare`, endpoint: moto.endpoint, env: { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: moto.endpoint } };
  }
  return { destination: { type, namespace: `Bench/${n}`, metricName: 'NetPaid', valueField: 'net_paid', dimensions: ['store_id'], unit: 'None', region: REGION }, bareName: `Bench/${n}-bare`, endpoint: moto.endpoint, env: { AWS_ENDPOINT_URL_CLOUDWATCH: moto.endpoint } };
}

async function sinkRun(type, target) {
  const hints = BUFFERING_DEFAULTS[type];
  const config = join(dir, `sink-${runs}.json`);
  writeFileSync(config, JSON.stringify({
    version: 1, sink: 'bench', platform: 'bench', environment: 'bench', destination: target.destination, bufferingHints: hints,
    rateLimiting: { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5, slowStart: true },
    retry: { maxAttempts: 10, initialBackoffMs: 100, maxBackoffMs: 10_000, requestTimeoutMs: 30_000 }, aggregation: 'none',
  }));
  const ms = await run([join(root, 'bin/ara-gen.js'), 'sink', 'run', config, '--input', input, '--dead-letter', join(dir, 'dead.ndjson')], target.env);
  return (RECORDS * 1000) / ms;
}

async function bare(type, target) {
  const h = BUFFERING_DEFAULTS[type];
  const ms = await run([join(root, 'bench/bare-loop.js'), type, input, target.endpoint, target.bareName, String(h.maxBatchSize), String(h.maxBatchBytes), String(h.maxInFlightRequests)]);
  return (RECORDS * 1000) / ms;
}

const results = {};
try {
  if (TYPES.includes('redis-stream')) redis = await startRedis();
  if (TYPES.some((t) => t.startsWith('cloudwatch'))) moto = await startMoto();
  for (const type of TYPES) {
    const rates = { bare: [], sink: [] };
    for (let r = 0; r < RUNS; r++) {
      // Alternate which goes first, so that neither always meets a warmer (or fuller) server.
      const order = r % 2 ? ['sink', 'bare'] : ['bare', 'sink'];
      for (const which of order) rates[which].push(which === 'bare' ? await bare(type, await fresh(type)) : await sinkRun(type, await fresh(type)));
      process.stderr.write(`${type} run ${r + 1}/${RUNS}: bare loop ${Math.round(rates.bare.at(-1))} rec/s, sink run ${Math.round(rates.sink.at(-1))} rec/s\n`);
    }
    const h = BUFFERING_DEFAULTS[type];
    const ratio = Number((median(rates.sink) / median(rates.bare)).toFixed(3));
    results[type] = { bareRecordsPerSecond: Math.round(median(rates.bare)), sinkRunRecordsPerSecond: Math.round(median(rates.sink)), ratio, batch: h.maxBatchSize, batchBytes: h.maxBatchBytes, inFlight: h.maxInFlightRequests, pass: ratio >= TARGET };
    process.stderr.write(`${type}: bare ${results[type].bareRecordsPerSecond} rec/s, sink run ${results[type].sinkRunRecordsPerSecond} rec/s = ${(ratio * 100).toFixed(1)}% (target ≥ ${TARGET * 100}%): ${ratio >= TARGET ? 'PASS' : 'FAIL'} — median of ${RUNS}, ${RECORDS} records\n`);
  }
} finally {
  await redis?.stop();
  await moto?.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify({ bench: 'destinations', results: { records: RECORDS, runs: RUNS, target: TARGET, ...results } }) + '\n');
