// Engine overhead: records/s of 200-byte records through AsyncSinkWriter.write() into an in-process
// destination that acknowledges every request at once (Kinesis hints: 500 per batch, 5 MiB, 50 in
// flight, AIMD rate limiting). Baseline measured in the same run: the same records pushed, with the
// same awaited loop, into a plain array cut into 500-record batches. Target: ≥ 1,000,000 records/s.
// Run after a build into dist/ (or ARA_BUILD_DIR): node bench/engine.bench.js [records] [runs]
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = process.env.ARA_BUILD_DIR || 'dist';
const { AsyncSinkWriter } = await import(pathToFileURL(join(root, buildDir, 'src/runtime/engine/async-sink-writer.js')).href);

const RECORDS = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 5);
const RECORD_BYTES = 200;
const TARGET = 1_000_000;

// 4,096 distinct records, reused: the engine must not care, and generating 1M objects would time
// the allocator rather than the engine.
const pool = Array.from({ length: 4096 }, (_, i) => {
  const key = `pk-${i % 1000}`;
  return { key, data: new Uint8Array(RECORD_BYTES - key.length).fill(97 + (i % 26)) };
});

const ACK = Promise.resolve({ failures: [] });
const destination = () => ({
  description: 'in-process destination bench',
  limits: { maxBatchSize: 500, maxBatchBytes: 5 * 1024 * 1024, maxRecordBytes: 1024 * 1024 },
  defaults: {
    maxBatchSize: 500,
    maxBatchBytes: 5 * 1024 * 1024,
    maxRecordBytes: 1024 * 1024,
    maxBufferedRequests: 10_000,
    maxTimeInBufferMs: 5_000,
    maxInFlightRequests: 50,
  },
  delivered: 0,
  sizeOf: (e) => e.data.length + e.key.length,
  submit(batch) {
    this.delivered += batch.length;
    return ACK;
  },
  encodeEntry: (e) => e,
  decodeEntry: (j) => j,
  close: async () => {},
});

async function runEngine() {
  const dest = destination();
  const writer = new AsyncSinkWriter({ destination: dest });
  const start = process.hrtime.bigint();
  for (let i = 0; i < RECORDS; i++) await writer.write(pool[i & 4095]);
  await writer.close();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (dest.delivered !== RECORDS) throw new Error(`delivered ${dest.delivered} of ${RECORDS}`);
  const stats = writer.stats();
  return { rate: RECORDS / seconds, seconds, meanBatch: stats.batchSize.mean, requests: stats.requests };
}

async function runBaseline() {
  let batch = [];
  let batches = 0;
  const push = (e) => {
    batch.push(e);
    if (batch.length === 500) {
      batches++;
      batch = [];
    }
    return undefined;
  };
  const start = process.hrtime.bigint();
  for (let i = 0; i < RECORDS; i++) await push(pool[i & 4095]);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (batches !== Math.floor(RECORDS / 500)) throw new Error('baseline miscounted');
  return { rate: RECORDS / seconds, seconds };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// One warm-up run (JIT), then alternate engine and baseline runs.
await runEngine();
const engine = [];
const baseline = [];
for (let r = 0; r < RUNS; r++) {
  engine.push(await runEngine());
  baseline.push(await runBaseline());
}
const engineRate = median(engine.map((x) => x.rate));
const baselineRate = median(baseline.map((x) => x.rate));
const results = {
  records: RECORDS,
  recordBytes: RECORD_BYTES,
  runs: RUNS,
  engineRecordsPerSec: Math.round(engineRate),
  engineMBPerSec: Math.round((engineRate * RECORD_BYTES) / 1e6),
  baselineRecordsPerSec: Math.round(baselineRate),
  ratioToBaseline: Math.round((engineRate / baselineRate) * 1000) / 1000,
  meanBatchSize: engine[0].meanBatch,
  target: TARGET,
  meetsTarget: engineRate >= TARGET,
};
process.stderr.write(
  `engine: ${results.engineRecordsPerSec.toLocaleString('en')} records/s (median of ${RUNS} × ${RECORDS.toLocaleString('en')}, ` +
    `${results.engineMBPerSec} MB/s, mean batch ${results.meanBatchSize}); baseline array push ${results.baselineRecordsPerSec.toLocaleString('en')} records/s; ` +
    `ratio ${results.ratioToBaseline}; target ≥ ${TARGET.toLocaleString('en')}: ${results.meetsTarget ? 'met' : 'NOT met'}\n`,
);
process.stdout.write(JSON.stringify({ bench: 'engine', results }) + '\n');
