// The flagship's web-sale-events sink (compiled from examples/mystore.yaml as synth writes it) run by
// `sink run` through a fault-injecting Kinesis endpoint (test/servers/fault-proxy.ts in front of
// kinesalite, which runs in its own process): 5% of records fail with InternalFailure, 3% of
// requests fail as a whole (half 500 InternalFailure, half throttled), 5 ms latency, 2 shards.
// Baseline in the same run: the same config, same records, same proxy latency, no faults.
// Target: faulty ≥ 0.7 × fault-free throughput (medians), nothing lost.
// Optional: BASELINE_ROOT=<checkout of another ara-gen, built> also runs that build's `sink run`
// on both (e.g. the code before issue 9), for a before/after in the same run.
// Run after a build: node bench/faults.bench.js [records] [runs]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDir, fromBuild, median, root, startKinesaliteProcess } from './kinesalite-child.js';

const RECORDS = Number(process.argv[2] ?? 20_000);
const RUNS = Number(process.argv[3] ?? 3);
const SEED = 20261130;
const SHARDS = 2;
const LATENCY_MS = 5;
const FAULTS = { recordFailureRate: 0.05, internalErrorRate: 0.015, throttleRate: 0.015 };
const TARGET = 0.7;
const BASELINE_ROOT = process.env.BASELINE_ROOT;
// The baseline under faults can be slow (0.03× of fault-free before issue 9): fewer runs of it.
const BASELINE_RUNS = Number(process.env.BASELINE_RUNS ?? RUNS);

const { startFaultProxy, INTERNAL_FAILURE } = await fromBuild('test/servers/fault-proxy.js');
const { seededRandom } = await fromBuild('src/runtime/engine/backoff.js');
const { loadPlatformOrThrow } = await fromBuild('src/compiler/load.js');
const { compileSinkConfigs } = await fromBuild('src/compiler/sink-config.js');

const kinesis = await startKinesaliteProcess();
const proxy = await startFaultProxy(kinesis.endpoint, { seed: SEED, latencyMs: LATENCY_MS, recordFailureCodes: [INTERNAL_FAILURE] });
const dir = mkdtempSync(join(tmpdir(), 'ara-faults-bench-'));

// Web-sale events of 200–600 bytes (uniform, seeded), unique order ids.
const random = seededRandom(SEED);
const lines = [];
let bytes = 0;
for (let i = 0; i < RECORDS; i++) {
  const target = 200 + Math.floor(random() * 401);
  const base = { order_id: `o-${i}`, item_id: Math.floor(random() * 10_000), customer_id: `c${Math.floor(random() * 5000)}`, quantity: 1 + Math.floor(random() * 5), sales_price: Math.round(random() * 100_000) / 100, ship_mode: 'GROUND', sold_at: '2026-11-30T02:00:00Z', pad: '' };
  const without = JSON.stringify(base).length;
  base.pad = 'x'.repeat(Math.max(0, target - without));
  const line = JSON.stringify(base);
  bytes += line.length;
  lines.push(line);
}
const input = join(dir, 'events.ndjson');
writeFileSync(input, lines.join('\n') + '\n');
const model = await loadPlatformOrThrow(join(root, 'examples', 'mystore.yaml'));
const flagship = compileSinkConfigs(model)['web-sale-events'];

function configFor(stream) {
  const file = join(dir, `${stream}.json`);
  writeFileSync(file, JSON.stringify({ ...flagship, destination: { ...flagship.destination, streamName: stream } }));
  return file;
}

function sinkRun(codeRoot, codeBuild, stream) {
  const stats = join(dir, `${stream}.stats.json`);
  const env = { ...process.env, ARA_BUILD_DIR: codeBuild, AWS_ENDPOINT_URL_KINESIS: proxy.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1' };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(codeRoot, 'bin/ara-gen.js'), 'sink', 'run', configFor(stream), '--input', input, '--stats-json', stats, '--dead-letter', join(dir, `${stream}.dead.ndjson`)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      if (code !== 0 && code !== 1) return reject(new Error(`sink run exited ${code}: ${stderr}`));
      const r = JSON.parse(readFileSync(stats, 'utf8'));
      resolve({ rate: (RECORDS * 1000) / r.durationMs, delivered: r.records.delivered, dead: r.records.deadLettered, requests: r.engine.requests, meanBatch: r.engine.batchSize.mean, maxInFlight: r.engine.maxInFlight });
    });
  });
}

const variants = [{ name: 'engine', root, build: buildDir }];
if (BASELINE_ROOT) variants.push({ name: 'baseline', root: BASELINE_ROOT, build: 'dist' });
const rates = {};
const details = {};
let lost = 0;
try {
  for (let run = 0; run < RUNS; run++) {
    for (const v of variants) {
      if (v.name === 'baseline' && run >= BASELINE_RUNS) continue;
      // Alternate which goes first, so that neither always meets a warmer server.
      for (const faulty of run % 2 ? [true, false] : [false, true]) {
        const key = `${v.name}-${faulty ? 'faults' : 'clean'}`;
        const stream = `${key}-${run}`;
        await kinesis.createStream(stream, SHARDS);
        proxy.set(faulty ? FAULTS : { recordFailureRate: 0, internalErrorRate: 0, throttleRate: 0 });
        const r = await sinkRun(v.root, v.build, stream);
        if (r.delivered + r.dead !== RECORDS) lost += RECORDS - r.delivered - r.dead;
        (rates[key] ??= []).push(r.rate);
        (details[key] ??= []).push(r);
        process.stderr.write(`run ${run + 1}/${RUNS} ${key}: ${Math.round(r.rate)} rec/s, ${r.requests} requests, mean batch ${r.meanBatch}, max in flight ${r.maxInFlight}, delivered ${r.delivered}, dead ${r.dead}\n`);
      }
    }
  }
} finally {
  await proxy.stop();
  await kinesis.stop();
  rmSync(dir, { recursive: true, force: true });
}

const med = (k) => Math.round(median(rates[k]));
const results = {
  records: RECORDS,
  meanRecordBytes: Math.round(bytes / RECORDS),
  runs: RUNS,
  seed: SEED,
  shards: SHARDS,
  latencyMs: LATENCY_MS,
  faults: { ...FAULTS, recordFailureCode: INTERNAL_FAILURE },
  config: 'examples/mystore.yaml sinks.web-sale-events (500 per batch, 16 in flight, AIMD)',
  engine: { faultFreeRecordsPerSecond: med('engine-clean'), faultsRecordsPerSecond: med('engine-faults'), ratio: Number((median(rates['engine-faults']) / median(rates['engine-clean'])).toFixed(3)) },
  lost,
  target: TARGET,
};
if (BASELINE_ROOT) {
  results.baseline = { root: BASELINE_ROOT, runs: Math.min(RUNS, BASELINE_RUNS), faultFreeRecordsPerSecond: med('baseline-clean'), faultsRecordsPerSecond: med('baseline-faults'), ratio: Number((median(rates['baseline-faults']) / median(rates['baseline-clean'])).toFixed(3)) };
}
results.pass = results.engine.ratio >= TARGET && lost === 0;
process.stderr.write(
  `faults: ${results.engine.faultsRecordsPerSecond} rec/s under faults vs ${results.engine.faultFreeRecordsPerSecond} fault-free = ${results.engine.ratio}× (target ≥ ${TARGET}), lost ${lost}` +
    (results.baseline ? `; baseline ${results.baseline.faultsRecordsPerSecond} vs ${results.baseline.faultFreeRecordsPerSecond} = ${results.baseline.ratio}×` : '') +
    ` — ${RECORDS} records of ~${results.meanRecordBytes} B, median of ${RUNS}: ${results.pass ? 'PASS' : 'FAIL'}\n`,
);
process.stdout.write(JSON.stringify({ bench: 'faults', results }) + '\n');
