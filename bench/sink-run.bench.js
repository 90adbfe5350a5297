// `sink run` overhead: records/s through the whole CLI (read NDJSON file → parse → convert → engine →
// `file` destination writing to /dev/null), against a baseline measured in the same run: a bare node
// process that reads the same file line by line and JSON.parse-s every line. Target ≥ 200,000 records/s.
// Median of 3 runs each. Runs against the build in dist/ (or ARA_BUILD_DIR).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RECORDS = Number(process.env.SINK_RUN_BENCH_RECORDS ?? 1_000_000);
const RUNS = 3;
const TARGET = 200_000;

const dir = mkdtempSync(join(tmpdir(), 'ara-bench-sink-run-'));
try {
  // ~200-byte events, deterministic.
  const input = join(dir, 'events.ndjson');
  const fd = openSync(input, 'w');
  let chunk = '';
  for (let i = 0; i < RECORDS; i++) {
    chunk += JSON.stringify({ id: i, order_id: `o-${i % 9973}`, item_id: i % 1000, quantity: (i % 7) + 1, sales_price: 12.5 + (i % 100), ship_mode: 'EXPRESS', pad: 'x'.repeat(80 + (i % 17)) }) + '\n';
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
  const bytes = readFileSync(input).length;

  const config = join(dir, 'sink.json');
  writeFileSync(
    config,
    JSON.stringify({
      version: 1,
      sink: 'bench',
      platform: 'bench',
      environment: 'bench',
      destination: { type: 'file', path: '/dev/null' },
      bufferingHints: { maxBatchSize: 500, maxBatchBytes: 4194304, maxRecordBytes: 1048576, maxBufferedRequests: 10000, maxTimeInBufferMs: 1000, maxInFlightRequests: 50 },
      rateLimiting: { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5 },
      retry: { maxAttempts: 0, initialBackoffMs: 50, maxBackoffMs: 5000, requestTimeoutMs: 30000 },
      aggregation: 'none',
    }),
  );

  const baselineScript = `
    const { createReadStream } = require('node:fs');
    const { createInterface } = require('node:readline');
    (async () => {
      let n = 0;
      for await (const line of createInterface({ input: createReadStream(process.argv[1]), crlfDelay: Infinity })) {
        if (line) { JSON.parse(line); n++; }
      }
      if (n !== ${RECORDS}) throw new Error('baseline read ' + n);
    })();`;

  const env = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1' };
  const sinkRuns = [];
  const baseRuns = [];
  for (let r = 0; r < RUNS; r++) {
    let t = performance.now();
    const b = spawnSync(process.execPath, ['-e', baselineScript, input], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`baseline failed: ${b.stderr}`);
    baseRuns.push(performance.now() - t);

    const stats = join(dir, `stats-${r}.json`);
    t = performance.now();
    const s = spawnSync(process.execPath, [join(root, 'bin', 'ara-gen.js'), 'sink', 'run', config, '--input', input, '--stats-json', stats], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const wall = performance.now() - t;
    if (s.status !== 0) throw new Error(`sink run exited ${s.status}: ${s.stderr}`);
    const st = JSON.parse(readFileSync(stats, 'utf8'));
    if (st.records.delivered !== RECORDS) throw new Error(`sink run delivered ${st.records.delivered} of ${RECORDS}`);
    sinkRuns.push({ wall, pipelineMs: st.durationMs, rss: st.maxRssBytes });
  }

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const sinkWall = median(sinkRuns.map((x) => x.wall));
  const sinkPipeline = median(sinkRuns.map((x) => x.pipelineMs));
  const baseWall = median(baseRuns);
  const results = {
    records: RECORDS,
    inputBytes: bytes,
    runs: RUNS,
    sinkRunRecordsPerSecond: Math.round(RECORDS / (sinkWall / 1000)),
    sinkRunPipelineRecordsPerSecond: Math.round(RECORDS / (sinkPipeline / 1000)),
    sinkRunWallMs: Math.round(sinkWall),
    baselineRecordsPerSecond: Math.round(RECORDS / (baseWall / 1000)),
    baselineWallMs: Math.round(baseWall),
    ratioToBaseline: Math.round((baseWall / sinkWall) * 1000) / 1000,
    peakRssMiB: Math.round(median(sinkRuns.map((x) => x.rss)) / 1048576),
    target: TARGET,
    pass: RECORDS / (sinkWall / 1000) >= TARGET,
  };
  process.stderr.write(
    `sink run (file -> /dev/null), ${RECORDS.toLocaleString('en-US')} records of ~${Math.round(bytes / RECORDS)} B, median of ${RUNS}:\n` +
      `  sink run   ${results.sinkRunRecordsPerSecond.toLocaleString('en-US')} records/s wall (${results.sinkRunWallMs} ms incl. start-up; pipeline alone ${results.sinkRunPipelineRecordsPerSecond.toLocaleString('en-US')} records/s), peak RSS ${results.peakRssMiB} MiB\n` +
      `  baseline   ${results.baselineRecordsPerSecond.toLocaleString('en-US')} records/s (node: readline + JSON.parse)\n` +
      `  ratio      ${results.ratioToBaseline} of baseline; target ≥ ${TARGET.toLocaleString('en-US')} records/s: ${results.pass ? 'PASS' : 'FAIL'}\n`,
  );
  process.stdout.write(JSON.stringify({ bench: 'sink-run', results }) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
