// The streaming module's Lambda handlers, measured the way Lambda runs them, with kinesalite in its
// own process (loopback). In one run, median of RUNS each:
//  - cold module load: a fresh Node process requiring the synth-time bundle (index.js) of the
//    sink-target replayer and of the stream-fed sink (what a Lambda cold start adds to Node's own);
//  - the replayer handler generating and sending a WINDOW-event web_sale window (seed SEED) to a kinesalite stream,
//    against a bare `ara-gen sink run` of the same events (same config, same stream type) in the
//    same run: wall time with process start for `sink run`, and its pipeline time alone;
//  - the stream-fed sink handler on one Lambda Kinesis event of WINDOW records (base64, as Lambda
//    sends it), plain and as KPL aggregates (AGG_RECORDS user records each), into kinesalite.
// Knobs (env): LAMBDA_BENCH_EVENTS (default 10000), LAMBDA_BENCH_RUNS (3), LAMBDA_BENCH_SHARDS (4).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CREDENTIALS, REGION, fromBuild, median, root, startKinesaliteProcess } from './kinesalite-child.js';

const WINDOW = Number(process.env.LAMBDA_BENCH_EVENTS ?? 10_000);
const RUNS = Number(process.env.LAMBDA_BENCH_RUNS ?? 3);
const SHARDS = Number(process.env.LAMBDA_BENCH_SHARDS ?? 4);
const SEED = 42;
const AGG_RECORDS = 100;
const START = new Date('2024-03-01T10:00:00Z');
const END = new Date('2024-03-01T10:01:00Z');

process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
process.env.AWS_EC2_METADATA_DISABLED = 'true';

const { bundleHandler } = await fromBuild('src/compiler/constructs/bundle.js');
const { createSinkReplayerHandler } = await fromBuild('src/runtime/lambda/sink-replayer.js');
const { createStreamSinkHandler } = await fromBuild('src/runtime/lambda/stream-sink.js');
const { generateWindow } = await fromBuild('src/datasets/retail.js');
const { BUFFERING_DEFAULTS, RATE_LIMITING_DEFAULTS, DEFAULT_RETRY } = await fromBuild('src/contract/defaults.js');
const { KplAggregator } = await fromBuild('src/runtime/destinations/kpl-aggregation.js');
const { S3Client } = await import('@aws-sdk/client-s3');

const dir = mkdtempSync(join(tmpdir(), 'ara-bench-lambda-'));
const kinesis = await startKinesaliteProcess();
// Never called: no run of this bench produces dead letters (checked below).
const s3 = new S3Client({ region: REGION, endpoint: 'http://127.0.0.1:9', credentials: CREDENTIALS });
const context = { getRemainingTimeInMillis: () => 900_000 };
const config = (sink, streamName) => ({
  version: 1,
  sink,
  platform: 'bench',
  environment: 'bench',
  destination: { type: 'kinesis', streamName, region: REGION },
  bufferingHints: BUFFERING_DEFAULTS.kinesis,
  rateLimiting: RATE_LIMITING_DEFAULTS.kinesis,
  retry: DEFAULT_RETRY,
  partitionKey: 'order_id',
  aggregation: 'none',
});
const lambdaEnv = (cfg) => ({
  SINK_CONFIG: JSON.stringify(cfg),
  TABLE: 'web_sale',
  SEED: String(SEED),
  RECORDS_PER_WINDOW: String(WINDOW),
  FREQUENCY_SECONDS: '60',
  DEAD_LETTER_BUCKET: 'bench',
  DEAD_LETTER_PREFIX: `_dead-letters/${cfg.sink}/`,
});

try {
  // ---- cold module load ---------------------------------------------------------------------------
  // Each bundle copied out of the package tree: in /var/task no package.json says "type": "module".
  const bundles = {};
  for (const [key, name] of [['replayer', 'sink-replayer'], ['streamSink', 'stream-sink']]) {
    bundles[key] = join(dir, name);
    mkdirSync(bundles[key]);
    copyFileSync(join(bundleHandler(name), 'index.js'), join(bundles[key], 'index.js'));
  }
  const loadScript = `const t0 = performance.now(); const m = require(process.argv[1]); if (typeof m.handler !== 'function') throw new Error('no handler'); process.stdout.write(String(performance.now() - t0));`;
  const emptyScript = `process.stdout.write('0')`;
  const cold = {};
  for (const [name, d] of Object.entries(bundles)) {
    const requireMs = [];
    const processMs = [];
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      // The SDK comes from the Lambda runtime (/var/runtime/node_modules): here, from NODE_PATH.
      const p = spawnSync(process.execPath, ['-e', loadScript, join(d, 'index.js')], { encoding: 'utf8', env: { ...process.env, NODE_PATH: join(root, 'node_modules') } });
      processMs.push(performance.now() - t);
      if (p.status !== 0) throw new Error(`loading the ${name} bundle failed: ${p.stderr}`);
      requireMs.push(Number(p.stdout));
    }
    cold[name] = { bundleBytes: readFileSync(join(d, 'index.js')).length, requireMs: median(requireMs), processMs: median(processMs) };
  }
  const bare = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    spawnSync(process.execPath, ['-e', emptyScript]);
    bare.push(performance.now() - t);
  }
  const bareNodeMs = median(bare);

  // ---- the window: replayer handler vs `sink run` ------------------------------------------------------
  // The replayer generates its window inside the handler; `sink run` reads it from a file.
  const generate = [];
  let rows;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    rows = generateWindow('web_sale', { seed: SEED, start: START, end: END, recordsPerWindow: WINDOW });
    generate.push(performance.now() - t);
  }
  const lines = rows.map((r) => JSON.stringify(r));
  const input = join(dir, 'window.ndjson');
  writeFileSync(input, lines.join('\n') + '\n');
  const meanBytes = Math.round(lines.reduce((n, l) => n + Buffer.byteLength(l), 0) / lines.length);
  const replayer = [];
  const sinkRunWall = [];
  const sinkRunPipeline = [];
  for (let r = 0; r < RUNS; r++) {
    const a = `replay-${r}`;
    await kinesis.createStream(a, SHARDS);
    const handler = createSinkReplayerHandler({ env: lambdaEnv(config('replay', a)), s3, endpoint: kinesis.endpoint, log: () => {} });
    let t = performance.now();
    const result = await handler({ time: END.toISOString() }, context);
    replayer.push(performance.now() - t);
    if (result.records.delivered !== WINDOW) throw new Error(`replayer delivered ${result.records.delivered} of ${WINDOW}`);

    const b = `sinkrun-${r}`;
    await kinesis.createStream(b, SHARDS);
    const cfgFile = join(dir, `sink-${r}.json`);
    writeFileSync(cfgFile, JSON.stringify(config('sinkrun', b)));
    const stats = join(dir, `stats-${r}.json`);
    t = performance.now();
    const s = spawnSync(process.execPath, [join(root, 'bin', 'ara-gen.js'), 'sink', 'run', cfgFile, '--input', input, '--endpoint', kinesis.endpoint, '--stats-json', stats, '--dead-letter', join(dir, `dead-${r}.ndjson`)], { env: process.env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    sinkRunWall.push(performance.now() - t);
    if (s.status !== 0) throw new Error(`sink run exited ${s.status}: ${s.stderr}`);
    const st = JSON.parse(readFileSync(stats, 'utf8'));
    if (st.records.delivered !== WINDOW) throw new Error(`sink run delivered ${st.records.delivered} of ${WINDOW}`);
    sinkRunPipeline.push(st.durationMs);
  }

  // ---- the stream-fed handler on one event of WINDOW records ------------------------------------------
  const seq = (i) => `4959033827149025660855969253836157109592157598913658889${String(i).padStart(8, '0')}`;
  const kinesisRecord = (i, data, partitionKey) => ({
    kinesis: { data: data.toString('base64'), partitionKey, sequenceNumber: seq(i), approximateArrivalTimestamp: 1709287200 },
    eventID: `shardId-000000000000:${seq(i)}`,
    eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/bench',
  });
  const plainEvent = { Records: lines.map((l, i) => kinesisRecord(i, Buffer.from(l), String(rows[i].order_id))) };
  const aggregated = [];
  const aggregator = new KplAggregator({ maxBytes: 1024 * 1024, maxRecords: AGG_RECORDS });
  for (let i = 0; i < lines.length; i++) {
    const done = aggregator.add({ data: Buffer.from(lines[i]), partitionKey: String(rows[i].order_id) });
    if (done) aggregated.push(done);
  }
  const last = aggregator.drain();
  if (last) aggregated.push(last);
  const aggEvent = { Records: aggregated.map((a, i) => kinesisRecord(i, Buffer.from(a.data), a.partitionKey)) };
  const streamSink = { plain: [], kpl: [] };
  for (let r = 0; r < RUNS; r++) {
    for (const [kind, event] of [['plain', plainEvent], ['kpl', aggEvent]]) {
      const name = `fed-${kind}-${r}`;
      await kinesis.createStream(name, SHARDS);
      let delivered = 0;
      const handler = createStreamSinkHandler({ env: lambdaEnv(config('fed', name)), s3, endpoint: kinesis.endpoint, log: () => {}, onResult: (x) => (delivered = x.records.delivered) });
      const t = performance.now();
      const response = await handler(event, context);
      streamSink[kind].push(performance.now() - t);
      if (response.batchItemFailures.length || delivered !== WINDOW) throw new Error(`stream sink (${kind}) delivered ${delivered} of ${WINDOW}, ${response.batchItemFailures.length} failures`);
    }
  }

  const rps = (ms) => Math.round(WINDOW / (ms / 1000));
  const r3 = (x) => Math.round(x * 1000) / 1000;
  const results = {
    events: WINDOW,
    runs: RUNS,
    seed: SEED,
    shards: SHARDS,
    meanEventBytes: meanBytes,
    bareNodeStartMs: Math.round(bareNodeMs),
    coldLoad: Object.fromEntries(Object.entries(cold).map(([k, v]) => [k, { bundleBytes: v.bundleBytes, requireMs: Math.round(v.requireMs), processMs: Math.round(v.processMs) }])),
    replayerWindowMs: Math.round(median(replayer)),
    windowGenerationMs: Math.round(median(generate)),
    sinkRunWallMs: Math.round(median(sinkRunWall)),
    sinkRunPipelineMs: Math.round(median(sinkRunPipeline)),
    replayerRecordsPerSecond: rps(median(replayer)),
    sinkRunPipelineRecordsPerSecond: rps(median(sinkRunPipeline)),
    replayerToSinkRunPipeline: r3(median(sinkRunPipeline) / median(replayer)),
    replayerToSinkRunWall: r3(median(sinkRunWall) / median(replayer)),
    streamSinkPlainMs: Math.round(median(streamSink.plain)),
    streamSinkKplMs: Math.round(median(streamSink.kpl)),
    streamSinkKplAggregates: aggregated.length,
    streamSinkPlainRecordsPerSecond: rps(median(streamSink.plain)),
    streamSinkToSinkRunPipeline: r3(median(sinkRunPipeline) / median(streamSink.plain)),
  };
  const f = (n) => n.toLocaleString('en-US');
  process.stderr.write(
    `Lambda handlers, ${f(WINDOW)} web_sale events of ~${meanBytes} B (seed ${SEED}) into kinesalite (${SHARDS} shards), median of ${RUNS}:\n` +
      `  cold load      replayer bundle ${f(results.coldLoad.replayer.bundleBytes)} B: require ${results.coldLoad.replayer.requireMs} ms (process ${results.coldLoad.replayer.processMs} ms); ` +
      `stream-sink bundle ${f(results.coldLoad.streamSink.bundleBytes)} B: require ${results.coldLoad.streamSink.requireMs} ms (process ${results.coldLoad.streamSink.processMs} ms); bare node ${results.bareNodeStartMs} ms\n` +
      `  window         replayer handler ${results.replayerWindowMs} ms (${f(results.replayerRecordsPerSecond)} records/s) (of which generating the window ${results.windowGenerationMs} ms) vs sink run pipeline ${results.sinkRunPipelineMs} ms, wall ${results.sinkRunWallMs} ms: ` +
      `ratio ${results.replayerToSinkRunPipeline} (pipeline), ${results.replayerToSinkRunWall} (wall)\n` +
      `  stream sink    one event of ${f(WINDOW)} records: ${results.streamSinkPlainMs} ms (${f(results.streamSinkPlainRecordsPerSecond)} records/s, ${results.streamSinkToSinkRunPipeline} of sink run's pipeline); ` +
      `as ${aggregated.length} KPL aggregates: ${results.streamSinkKplMs} ms\n`,
  );
  process.stdout.write(JSON.stringify({ bench: 'lambda-handlers', results }) + '\n');
} finally {
  s3.destroy();
  await kinesis.stop();
  rmSync(dir, { recursive: true, force: true });
}
