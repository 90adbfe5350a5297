// Cost of exact checkpoints: `sink run --input FILE --checkpoint DIR` against the same run without
// --checkpoint, same config and records, alternating, medians. Destination: Kinesis (kinesalite in
// its own process) behind the fault proxy with 5 ms latency, the flagship's hints. Targets:
// throughput with checkpoints ≥ 0.85 × without, peak RSS ≤ 1.25 × without.
// Then crash recovery: a --checkpoint run is SIGKILLed right after its n-th save (n seeded), KILLS
// times, then run to the end; duplicates in the stream are reported against their bound, per kill:
// the records the stream had taken at the kill minus those the last saved checkpoint counts as
// delivered (= in flight at the kill + acknowledged since the last save), as counts.
// Run after a build: node bench/checkpoint.bench.js [records] [runs] [kills]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDir, fromBuild, median, root, startKinesaliteProcess } from './kinesalite-child.js';

const RECORDS = Number(process.argv[2] ?? 50_000);
const RUNS = Number(process.argv[3] ?? 3);
const KILLS = Number(process.argv[4] ?? 3);
const SEED = 20261130;
const { startFaultProxy } = await fromBuild('test/servers/fault-proxy.js');
const { seededRandom } = await fromBuild('src/runtime/engine/backoff.js');
const { afterSaves } = await fromBuild('test/helpers/checkpoint-saves.js');

const kinesis = await startKinesaliteProcess();
const proxy = await startFaultProxy(kinesis.endpoint, { seed: SEED, latencyMs: 5 });
const dir = mkdtempSync(join(tmpdir(), 'ara-ckpt-bench-'));
const random = seededRandom(SEED);
let text = '';
for (let i = 0; i < RECORDS; i++) {
  const size = 200 + Math.floor(random() * 401);
  const base = JSON.stringify({ order_id: `o-${i}`, quantity: 1 + (i % 5), pad: '' });
  text += JSON.stringify({ order_id: `o-${i}`, quantity: 1 + (i % 5), pad: 'x'.repeat(Math.max(0, size - base.length)) }) + '\n';
}
const input = join(dir, 'events.ndjson');
writeFileSync(input, text);

function configFor(stream) {
  const config = join(dir, `${stream}.json`);
  writeFileSync(config, JSON.stringify({
    version: 1, sink: 'bench', platform: 'bench', environment: 'bench',
    destination: { type: 'kinesis', streamName: stream, region: 'us-east-1' },
    bufferingHints: { maxBatchSize: 500, maxBatchBytes: 5242880, maxRecordBytes: 1048576, maxBufferedRequests: 10000, maxTimeInBufferMs: 1000, maxInFlightRequests: 16 },
    rateLimiting: { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5 },
    retry: { maxAttempts: 10, initialBackoffMs: 100, maxBackoffMs: 10000, requestTimeoutMs: 30000 },
    partitionKey: 'order_id', aggregation: 'none',
  }));
  return config;
}

/** Starts `sink run` on the input; `exited` resolves with { code, signal, stderr }. */
function spawnRun(stream, checkpointDir) {
  const stats = join(dir, `${stream}.stats.json`);
  const args = [join(root, 'bin/ara-gen.js'), 'sink', 'run', configFor(stream), '--input', input, '--stats-json', stats, '--dead-letter', join(dir, `${stream}.dead.ndjson`), ...(checkpointDir ? ['--checkpoint', checkpointDir] : [])];
  const env = { ...process.env, ARA_BUILD_DIR: buildDir, AWS_ENDPOINT_URL_KINESIS: proxy.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, exited, stats };
}

function run(stream, checkpoint) {
  const { exited, stats } = spawnRun(stream, checkpoint ? join(dir, `${stream}.ckpt`) : undefined);
  return exited.then(({ code, stderr }) => {
    {
      if (code !== 0) throw new Error(`sink run exited ${code}: ${stderr}`);
      const r = JSON.parse(readFileSync(stats, 'utf8'));
      if (r.records.delivered !== RECORDS) throw new Error(`delivered ${r.records.delivered}`);
      return { rate: (RECORDS * 1000) / r.durationMs, rss: r.maxRssBytes, checkpoint: r.checkpoint };
    }
  });
}

/** SIGKILL after a seeded 1st-3rd save, KILLS times, then to the end; counts per kill. */
async function crashRecovery() {
  const stream = 'ckpt-kill';
  await kinesis.createStream(stream, 2);
  const ckptDir = join(dir, `${stream}.ckpt`);
  mkdirSync(ckptDir);
  proxy.reset();
  const rnd = seededRandom(SEED + 1);
  const kills = [];
  for (let attempt = 0; attempt < KILLS + 10; attempt++) {
    const { child, exited } = spawnRun(stream, ckptDir);
    if (kills.length < KILLS && (await afterSaves(ckptDir, 1 + Math.floor(rnd() * 3), exited))) {
      child.kill('SIGKILL');
      // Records the destination had not answered yet when the kill landed.
      const inFlight = proxy.counters.recordsInFlight;
      await exited;
      // Requests the proxy still holds reach the stream (the server accepted them): wait for them.
      while (proxy.counters.concurrent > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const saved = JSON.parse(readFileSync(join(ckptDir, 'checkpoint.json'), 'utf8'));
      const storedAtKill = proxy.counters.recordsForwarded;
      kills.push({ inFlight, storedAtKill, checkpointDelivered: saved.totals.delivered, bound: storedAtKill - saved.totals.delivered });
      continue;
    }
    const r = await exited;
    if (r.code !== 0) throw new Error(`final run exited ${r.code}: ${r.stderr}`);
    break;
  }
  // No faults: everything the proxy forwarded is stored, so duplicates = forwarded - records.
  const duplicates = proxy.counters.recordsForwarded - RECORDS;
  const perKill = kills.map((k) => ({ inFlightAtKill: k.inFlight, acknowledgedSinceLastSave: k.bound - k.inFlight, bound: k.bound, storedAtKill: k.storedAtKill, checkpointDelivered: k.checkpointDelivered }));
  return { kills: kills.length, duplicates, bound: kills.reduce((a, k) => a + k.bound, 0), perKill };
}

const out = { with: [], without: [] };
let crash;
try {
  for (let i = 0; i < RUNS; i++) {
    for (const ck of i % 2 ? [true, false] : [false, true]) {
      const stream = `ckpt-${ck ? 'with' : 'without'}-${i}`;
      await kinesis.createStream(stream, 2);
      const r = await run(stream, ck);
      out[ck ? 'with' : 'without'].push(r);
      process.stderr.write(`run ${i + 1}/${RUNS} ${ck ? 'with' : 'without'} checkpoint: ${Math.round(r.rate)} rec/s, peak RSS ${Math.round(r.rss / 1048576)} MiB${r.checkpoint ? `, ${r.checkpoint.saves} saves, ${r.checkpoint.totalMs} ms total, max ${r.checkpoint.maxMs} ms, last ${r.checkpoint.lastBytes} B` : ''}\n`);
    }
  }
  crash = KILLS > 0 ? await crashRecovery() : undefined;
} finally {
  await proxy.stop();
  await kinesis.stop();
  rmSync(dir, { recursive: true, force: true });
}
const m = (xs, k) => median(xs.map((x) => x[k]));
const results = {
  records: RECORDS,
  runs: RUNS,
  withoutRecordsPerSecond: Math.round(m(out.without, 'rate')),
  withRecordsPerSecond: Math.round(m(out.with, 'rate')),
  throughputRatio: Number((m(out.with, 'rate') / m(out.without, 'rate')).toFixed(3)),
  peakRssMiBWithout: Math.round(m(out.without, 'rss') / 1048576),
  peakRssMiBWith: Math.round(m(out.with, 'rss') / 1048576),
  rssRatio: Number((m(out.with, 'rss') / m(out.without, 'rss')).toFixed(3)),
  checkpointFileBytes: out.with.at(-1).checkpoint.lastBytes,
  targets: { throughputRatio: 0.85, rssRatio: 1.25, duplicates: '≤ in flight at the kill + acknowledged since the last save' },
  ...(crash && { crashRecovery: crash }),
};
results.pass = results.throughputRatio >= 0.85 && results.rssRatio <= 1.25 && (!crash || crash.duplicates <= crash.bound);
process.stderr.write(`checkpoint: ${results.withRecordsPerSecond} vs ${results.withoutRecordsPerSecond} rec/s = ${results.throughputRatio}× (target ≥ 0.85); peak RSS ${results.peakRssMiBWith} vs ${results.peakRssMiBWithout} MiB = ${results.rssRatio}× (target ≤ 1.25); checkpoint ${results.checkpointFileBytes} B — ${RECORDS} records, median of ${RUNS}${crash ? `; ${crash.kills} SIGKILLs: ${crash.duplicates} duplicates, bound ${crash.bound} (in flight + acknowledged since the last save, per kill in flight + acknowledged since the save: ${crash.perKill.map((k) => `${k.inFlightAtKill}+${k.acknowledgedSinceLastSave}`).join(', ')})` : ''}: ${results.pass ? 'PASS' : 'FAIL'}\n`);
process.stdout.write(JSON.stringify({ bench: 'checkpoint', results }) + '\n');
