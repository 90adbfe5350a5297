// `sink run` against kinesalite on loopback versus a bare PutRecords loop with the same batch size
// and concurrency, measured in the same run (alternating, a fresh stream per run). Target: sink run
// ≥ 90% of the bare loop. kinesalite runs in its own process; the bare loop gets pre-built batches
// (no reading or conversion), so the ratio charges sink run with everything it does.
// Run after a build into dist/ (or ARA_BUILD_DIR): node bench/kinesis.bench.js [records] [runs]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { CREDENTIALS, REGION, buildDir, fromBuild, median, root, startKinesaliteProcess } from './kinesalite-child.js';

// 100k records: long enough that sink run's one-off costs (the SDK's lazy loading and first connections,
// which the bare loop's already-warm in-process client does not pay) do not dominate the ratio.
const RECORDS = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 3);
const BATCH = 500;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const SHARDS = 4;
const TARGET = 0.9;

const { awsClientConfig } = await fromBuild('src/runtime/destinations/aws-client.js');
const kinesis = await startKinesaliteProcess();
const dir = mkdtempSync(join(tmpdir(), 'ara-kinesis-bench-'));

// ~200-byte web-sale-like events, 64 partition keys.
const lines = Array.from({ length: RECORDS }, (_, i) =>
  JSON.stringify({ order_id: i, item_id: (i * 7919) % 10_000, customer: `c${i % 64}`, quantity: 1 + (i % 5), sales_price: ((i * 37) % 10_000) / 100, ship_mode: 'GROUND', sale_datetime: '2026-11-25T19:00:00Z', pad: 'x'.repeat(40) }),
);
const input = join(dir, 'events.ndjson');
writeFileSync(input, lines.join('\n') + '\n');

const hints = { maxBatchSize: BATCH, maxBatchBytes: 5 * 1024 * 1024, maxRecordBytes: 1024 * 1024, maxBufferedRequests: 10_000, maxTimeInBufferMs: 5_000, maxInFlightRequests: CONCURRENCY };
// The compiled default (AIMD with slow start: one batch in flight at first, doubling per round trip
// until the first throttle), and no rate limiting
// (exactly the bare loop's concurrency from the first request).
const STRATEGIES = { aimd: { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5 }, none: { strategy: 'none' } };
function configFor(streamName, rateLimiting) {
  const file = join(dir, `${streamName}.json`);
  writeFileSync(file, JSON.stringify({
    version: 1, sink: 'bench', platform: 'bench', environment: 'bench',
    destination: { type: 'kinesis', streamName, region: REGION },
    bufferingHints: hints, rateLimiting,
    retry: { maxAttempts: 0, initialBackoffMs: 50, maxBackoffMs: 5000, requestTimeoutMs: 30000 },
    partitionKey: 'customer', aggregation: 'none',
  }));
  return file;
}

// Bare loop: the same records, pre-built, CONCURRENCY workers each sending 500-record PutRecords.
const client = new KinesisClient({ ...awsClientConfig('Kinesis', { endpoint: kinesis.endpoint, region: REGION, maxSockets: CONCURRENCY }), credentials: CREDENTIALS });
const batches = [];
for (let i = 0; i < RECORDS; i += BATCH) {
  batches.push(lines.slice(i, i + BATCH).map((l) => ({ Data: Buffer.from(l), PartitionKey: JSON.parse(l).customer })));
}
async function bare(streamName) {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < batches.length) {
      let records = batches[next++];
      while (records.length) {
        const r = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: records }));
        records = r.FailedRecordCount ? records.filter((_, i) => r.Records[i].ErrorCode) : [];
      }
    }
  }));
  return (RECORDS * 1000) / (performance.now() - started);
}

function sinkRun(streamName, rateLimiting) {
  const stats = join(dir, `${streamName}.stats.json`);
  const env = { ...process.env, ARA_BUILD_DIR: buildDir, AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: REGION, AWS_EC2_METADATA_DISABLED: 'true' };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/ara-gen.js'), 'sink', 'run', configFor(streamName, rateLimiting), '--input', input, '--stats-json', stats], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      const wall = performance.now() - started;
      if (code !== 0) return reject(new Error(`sink run exited ${code}: ${stderr}`));
      const report = JSON.parse(readFileSync(stats, 'utf8'));
      if (report.records.delivered !== RECORDS) return reject(new Error(`sink run delivered ${report.records.delivered} of ${RECORDS}`));
      resolve({ rate: (RECORDS * 1000) / report.durationMs, wallRate: (RECORDS * 1000) / wall, meanBatch: report.engine.batchSize.mean });
    });
  });
}

const rates = { bare: [], aimd: [], none: [] };
const wallRates = { aimd: [], none: [] };
try {
  for (let run = 0; run < RUNS; run++) {
    // Rotate the order so that no variant always meets a warmer (or fuller) server.
    const order = ['bare', 'aimd', 'none'];
    for (let i = 0; i < run % 3; i++) order.push(order.shift());
    for (const which of order) {
      const stream = `${which}-${run}`;
      await kinesis.createStream(stream, SHARDS);
      if (which === 'bare') rates.bare.push(await bare(stream));
      else {
        const r = await sinkRun(stream, STRATEGIES[which]);
        rates[which].push(r.rate);
        wallRates[which].push(r.wallRate);
      }
    }
    process.stderr.write(`run ${run + 1}/${RUNS}: bare ${Math.round(rates.bare.at(-1))} rec/s, sink run (aimd) ${Math.round(rates.aimd.at(-1))}, sink run (none) ${Math.round(rates.none.at(-1))}\n`);
  }
} finally {
  client.destroy();
  await kinesis.stop();
  rmSync(dir, { recursive: true, force: true });
}

const bareMedian = median(rates.bare);
const ratio = (xs) => Number((median(xs) / bareMedian).toFixed(3));
const results = {
  records: RECORDS,
  runs: RUNS,
  shards: SHARDS,
  batchSize: BATCH,
  concurrency: CONCURRENCY,
  bareRecordsPerSecond: Math.round(bareMedian),
  sinkRunAimdRecordsPerSecond: Math.round(median(rates.aimd)),
  sinkRunNoneRecordsPerSecond: Math.round(median(rates.none)),
  ratioAimd: ratio(rates.aimd),
  ratioNone: ratio(rates.none),
  ratioAimdWall: ratio(wallRates.aimd),
  ratioNoneWall: ratio(wallRates.none),
  target: TARGET,
  // The flagship sink uses AIMD: the target must hold with it, not only without rate limiting.
  pass: ratio(rates.aimd) >= TARGET && ratio(rates.none) >= TARGET,
};
const pct = (x) => `${(x * 100).toFixed(1)}%`;
process.stderr.write(
  `kinesis: bare PutRecords ${results.bareRecordsPerSecond} rec/s; sink run ${results.sinkRunAimdRecordsPerSecond} rec/s with AIMD (slow start) = ${pct(results.ratioAimd)}, ` +
    `${results.sinkRunNoneRecordsPerSecond} rec/s with rate limiting none = ${pct(results.ratioNone)} (same concurrency; target ≥ ${pct(TARGET)} for both): ${results.pass ? 'PASS' : 'FAIL'}; ` +
    `wall clock incl. process start ${pct(results.ratioNoneWall)} / ${pct(results.ratioAimdWall)} — ${RECORDS} records, batch ${BATCH}, ${CONCURRENCY} in flight, ${SHARDS} shards, median of ${RUNS}\n`,
);
process.stdout.write(JSON.stringify({ bench: 'kinesis', results }) + '\n');
