/**
 * `sink run` guards and failure modes (issue 9, "Why"): outputs that would clobber the input or
 * each other are refused before reading, unwritable outputs before sending, corrupt checkpoints
 * with exit 2 (and no file they name is touched), unreachable endpoints become one fatal sentence
 * within seconds, invalid UTF-8 is dead-lettered with its bytes, SIGTERM under faults drains within
 * --drain-timeout and the rerun completes with nothing lost.
 */
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { INTERNAL_FAILURE, startFaultProxy, type FaultProxy } from '../servers/fault-proxy.js';
import { accounting, uniqueName } from '../servers/harness.js';
import { startKinesalite, type LocalKinesis } from '../servers/kinesalite.js';
import { CheckpointError, CheckpointStore, checkResumable, configFingerprint, fingerprintInput } from '../../src/runtime/checkpoint.js';
import { loadSinkConfig } from '../../src/runtime/sink-config-file.js';
import { checkSinkJobPaths, SinkJobUsageError, type SinkJobPaths } from '../../src/runtime/sink-job.js';
import { childEnv, collect, eventLines, kinesisConfig, runSinkRun, spawnSinkRun, writeJson } from '../helpers/sink-cli.js';

const test = suite('sink run: guards and failure modes');

let kinesis: LocalKinesis;
let proxy: FaultProxy;
let dir = '';
let env: NodeJS.ProcessEnv;

test.before(async () => {
  kinesis = await startKinesalite();
  proxy = await startFaultProxy(kinesis.endpoint, { seed: 9 });
  dir = mkdtempSync(join(tmpdir(), 'ara-sink-guards-'));
  env = childEnv({ AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint });
});
test.after(async () => {
  await proxy.stop();
  await kinesis.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ids = (records: { data: Buffer }[]): number[] => records.map((r) => (JSON.parse(r.data.toString('utf8')) as { id: number }).id);

async function stream(shards = 1): Promise<string> {
  const name = uniqueName('guard');
  await kinesis.createStream(name, shards);
  return name;
}

/** The guard's verdict on `paths`: the SinkJobUsageError message, or undefined when they pass. */
function pathProblem(paths: SinkJobPaths): string | undefined {
  try {
    checkSinkJobPaths(paths);
    return undefined;
  } catch (e) {
    if (!(e instanceof SinkJobUsageError)) throw e;
    return e.message;
  }
}

// The CLI hands every path option to checkSinkJobPaths and prints its SinkJobUsageError with exit 2:
// one child per option proves that wiring; the variants of each rule run in-process on the library.
test('outputs that resolve to the input or to each other: exit 2 before reading; the input is untouched', async () => {
  const s = await stream();
  const config = writeJson(join(dir, 'same.json'), kinesisConfig(s));
  const input = join(dir, 'same.ndjson');
  const text = eventLines(0, 50) + 'not json\n' + eventLines(50, 100);
  writeFileSync(input, text);
  let r = await runSinkRun([config, '--input', input, '--dead-letter', input], env);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /the dead-letter file and the input are the same file/);
  assert.not.match(r.stderr, /\n\s+at |internal error/);
  // A file destination writing into its own input would read its output for ever.
  const loop = writeJson(join(dir, 'loop.json'), { ...kinesisConfig(s), destination: { type: 'file', path: input }, partitionKey: undefined });
  r = await runSinkRun([loop, '--input', input], env);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /the file destination and the input are the same file/);
  assert.is(readFileSync(input, 'utf8'), text, 'the input is untouched');
  assert.is((await kinesis.readAll(s)).length, 0, 'nothing was sent');

  assert.match(pathProblem({ input, deadLetter: join(dir, '.', 'x', '..', 'same.ndjson') }) ?? '', /the dead-letter file and the input are the same file/, 'the same file by another spelling');
  assert.match(pathProblem({ input, stats: input }) ?? '', /the statistics file and the input are the same file/);
  const ckpt = join(dir, 'ck-same');
  assert.match(pathProblem({ input, checkpointDir: ckpt, deadLetter: join(ckpt, 'checkpoint.json') }) ?? '', /the checkpoint and the dead-letter file are the same file|the dead-letter file and the checkpoint are the same file/);
  assert.match(pathProblem({ input, deadLetter: join(dir, 'a.ndjson'), stats: join(dir, 'a.ndjson') }) ?? '', /the statistics file and the dead-letter file are the same file/);
  assert.is(pathProblem({ input, deadLetter: join(dir, 'same.dead.ndjson'), stats: join(dir, 'same.stats.json'), checkpointDir: ckpt }), undefined, 'distinct paths pass');
  assert.is(readFileSync(input, 'utf8'), text, 'the input is untouched');
});

test('unwritable outputs are refused before anything is sent (exit 2, one sentence, no stack)', async () => {
  const s = await stream();
  const config = writeJson(join(dir, 'unwritable.json'), kinesisConfig(s));
  const input = join(dir, 'unwritable.ndjson');
  writeFileSync(input, eventLines(0, 20));
  mkdirSync(join(dir, 'a-directory'));
  const r = await runSinkRun([config, '--input', input, '--checkpoint', config], env);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /the checkpoint .* cannot be written: it exists and is not a directory/);
  assert.not.match(r.stderr, /\n\s+at |internal error/);
  assert.is((await kinesis.readAll(s)).length, 0, 'nothing was sent');
  const cases: [SinkJobPaths, RegExp][] = [
    [{ deadLetter: join(dir, 'a-directory') }, /the dead-letter file .*a-directory cannot be written: it is a directory/],
    [{ deadLetter: join(dir, 'x'.repeat(300)) }, /the dead-letter file .* cannot be written: the (file name|path) is too long/],
    [{ checkpointDir: '/proc/x' }, /the checkpoint \/proc\/x cannot be written/],
    [{ checkpointDir: config }, /the checkpoint .* cannot be written: it exists and is not a directory/],
  ];
  for (const [paths, message] of cases) assert.match(pathProblem({ input, ...paths }) ?? '', message, JSON.stringify(paths));
});

test('a sink name with path separators writes its default dead-letter file in the working directory', async () => {
  const s = await stream();
  const cwd = join(dir, 'cwd');
  mkdirSync(join(cwd, 'deep', 'er'), { recursive: true });
  const config = writeJson(join(dir, 'dots.json'), kinesisConfig(s, { sink: '../../escape' }));
  const r = await runSinkRun([config], env, 'not json\n' + eventLines(0, 3), join(cwd, 'deep', 'er'));
  assert.is(r.code, 1, r.stderr);
  assert.not.ok(existsSync(join(cwd, 'escape.dead-letter.ndjson')), 'not two levels up');
  assert.ok(existsSync(join(cwd, 'deep', 'er', '__.._escape.dead-letter.ndjson')));
});

test('unreachable endpoints: DNS failure and refused connections give one fatal sentence within seconds; nothing dead-lettered', async () => {
  const s = await stream();
  const config = writeJson(join(dir, 'unreachable.json'), kinesisConfig(s));
  // A port that was just free: nothing listens there.
  const closed = await new Promise<number>((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
  // Both children at once: each waits out the engine's 2 s unreachable window.
  const cases = [
    [`http://127.0.0.1:${closed}`, /ECONNREFUSED/],
    ['http://ara-gen-no-such-host.invalid:4567', /ENOTFOUND|EAI_AGAIN/],
  ] as const;
  const runs = await Promise.all(
    cases.map(async ([endpoint, code]) => {
      const dead = join(dir, `unreachable-${code.source.slice(0, 5)}.ndjson`);
      const started = Date.now();
      const r = await runSinkRun([config, '--endpoint', endpoint, '--dead-letter', dead], env, eventLines(0, 30));
      return { r, code, dead, seconds: (Date.now() - started) / 1000 };
    }),
  );
  for (const { r, code, dead, seconds } of runs) {
    assert.is(r.code, 3, r.stderr);
    assert.match(r.stderr, code);
    assert.match(r.stderr, /error: Kinesis stream \S+ failed with \S+ \(unreachable for [\d.]+ s, \d+ requests in a row: [^\n]*\), which retrying cannot fix: check the endpoint|check that the endpoint/);
    assert.match(r.stderr, /30 records were read but not delivered; run with --input FILE --checkpoint DIR/);
    assert.not.match(r.stderr, /kept in the checkpoint/, 'no checkpoint is claimed without one');
    assert.not.ok(existsSync(dead), 'records are not dead-lettered because the endpoint is down');
    assert.ok(seconds < 20, `took ${seconds} s`);
  }
});

test('garbage HTTP answers: fatal, and every record read is accounted for', async () => {
  const garbage = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end('<html>not json</html>');
    });
  });
  await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
  const port = (garbage.address() as { port: number }).port;
  try {
    const config = writeJson(join(dir, 'garbage.json'), kinesisConfig('garbage'));
    const stats = join(dir, 'garbage.stats.json');
    const r = await runSinkRun([config, '--endpoint', `http://127.0.0.1:${port}`, '--stats-json', stats], env, eventLines(0, 250));
    assert.is(r.code, 3, r.stderr);
    assert.not.match(r.stderr, /kept in the checkpoint/);
    const s = JSON.parse(readFileSync(stats, 'utf8'));
    assert.is(s.records.read, 250);
    assert.is(s.records.delivered + s.records.deadLettered + s.records.unacknowledged, 250, JSON.stringify(s.records));
  } finally {
    await new Promise((resolve) => garbage.close(resolve));
  }
});

test('a line that is not valid UTF-8 is dead-lettered with its exact bytes; the others are delivered', async () => {
  const s = await stream();
  const config = writeJson(join(dir, 'utf8.json'), kinesisConfig(s));
  const bad = Buffer.concat([Buffer.from('{"id":5,"key":"k","name":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
  const input = join(dir, 'utf8.ndjson');
  writeFileSync(input, Buffer.concat([Buffer.from(eventLines(0, 5)), bad, Buffer.from('\n'), Buffer.from(eventLines(6, 10))]));
  const dead = join(dir, 'utf8.dead.ndjson');
  const r = await runSinkRun([config, '--input', input, '--dead-letter', dead], env);
  assert.is(r.code, 1, r.stderr);
  const letters = readFileSync(dead, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string; inputBase64: string; at: number });
  assert.is(letters.length, 1);
  assert.match(letters[0]!.reason, /invalid UTF-8/);
  assert.is(letters[0]!.at, 6);
  assert.equal(Buffer.from(letters[0]!.inputBase64, 'base64'), bad);
  assert.equal(ids(await kinesis.readAll(s)).sort((a, b) => a - b), [0, 1, 2, 3, 4, 6, 7, 8, 9]);
});

test('corrupt checkpoints are refused with exit 2; a file a checkpoint names is never truncated', async () => {
  const s = await stream();
  const config = writeJson(join(dir, 'corrupt.json'), kinesisConfig(s));
  const sinkConfig = await loadSinkConfig(config); // as the CLI reads it
  const input = join(dir, 'corrupt.ndjson');
  writeFileSync(input, eventLines(0, 40) + 'bad line\n');
  const ckpt = join(dir, 'ck-corrupt');
  const dead = join(dir, 'corrupt.dead.ndjson');
  const first = await runSinkRun([config, '--input', input, '--checkpoint', ckpt, '--dead-letter', dead], env);
  assert.is(first.code, 1, first.stderr);
  const good = JSON.parse(readFileSync(join(ckpt, 'checkpoint.json'), 'utf8'));
  const other = join(dir, 'precious.txt');
  writeFileSync(other, 'x'.repeat(1000));
  const variants: [Record<string, unknown>, RegExp][] = [
    [{ ...good, complete: false, inputOffset: '12' }, /"inputOffset" "12" is not a byte offset/],
    [{ ...good, complete: false, inputOffset: -5 }, /"inputOffset" -5 is not a byte offset/],
    [{ ...good, complete: false, inputOffset: 7, lineNumber: 0 }, /byte 7 is not the start of a line/],
    [{ ...good, complete: false, acked: [['a', 3]] }, /"acked" holds/],
    [{ ...good, complete: false, inputOffset: 0, lineNumber: 0, deadLetterFile: other, totals: { ...good.totals, deadLetterBytes: 10 } }, /covers the dead-letter file .*precious\.txt/],
    [{ ...good, totals: { ...good.totals, delivered: 'many' } }, /"totals" is not/],
  ];
  // The CLI reads a checkpoint with CheckpointStore.load and checkResumable and prints their
  // CheckpointError with exit 2: one child proves that; every variant runs through the same calls.
  for (const [state, message] of variants) {
    writeFileSync(join(ckpt, 'checkpoint.json'), JSON.stringify(state));
    let problem = '';
    try {
      const store = new CheckpointStore(ckpt);
      const loaded = store.load();
      assert.ok(loaded);
      checkResumable(loaded, store.dir, sinkConfig.sink, configFingerprint(sinkConfig), fingerprintInput(input), dead);
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw e;
      problem = e.message;
    }
    assert.match(problem, message);
  }
  writeFileSync(join(ckpt, 'checkpoint.json'), JSON.stringify(variants[4]![0]));
  const r = await runSinkRun([config, '--input', input, '--checkpoint', ckpt, '--dead-letter', dead], env);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, variants[4]![1]);
  assert.not.match(r.stderr, /\n\s+at /);
  assert.is(readFileSync(other, 'utf8').length, 1000, 'the file the checkpoint named is untouched');
});

test('SIGTERM under the fault mix: exit 143 within --drain-timeout, checkpoint saved; the rerun completes with nothing lost', async () => {
  const s = await stream(2);
  const config = writeJson(join(dir, 'term.json'), kinesisConfig(s, { bufferingHints: { maxBatchSize: 50, maxBatchBytes: 1024 * 1024, maxRecordBytes: 4096, maxBufferedRequests: 500, maxTimeInBufferMs: 50, maxInFlightRequests: 4 } }));
  // Enough that the run cannot end before the signal: at 300 ms per request and 4 requests of 50
  // in flight, 2,000 records take at least 3 s, and the signal follows the first save (~200 ms in);
  // nor can the drain end before its 1 s timeout: the reader has buffered most of the input.
  const N = 2_000;
  const input = join(dir, 'term.ndjson');
  writeFileSync(input, eventLines(0, N));
  const ckpt = join(dir, 'ck-term');
  mkdirSync(ckpt);
  const args = [config, '--input', input, '--checkpoint', ckpt, '--drain-timeout', '1s', '--stats-json', join(dir, 'term.stats.json')];
  proxy.set({ latencyMs: 300, recordFailureRate: 0.05, recordFailureCodes: [INTERNAL_FAILURE], internalErrorRate: 0.015, throttleRate: 0.015 });
  const faulty = childEnv({ AWS_ENDPOINT_URL_KINESIS: proxy.endpoint });
  try {
    const child = spawnSinkRun(args, faulty);
    const done = collect(child);
    // SIGTERM once the first checkpoint is saved (the run is under way).
    await new Promise<void>((resolve) => {
      const w = watch(ckpt, (_e, f) => {
        if (f !== 'checkpoint.json') return;
        w.close();
        resolve();
      });
    });
    const signalled = Date.now();
    child.kill('SIGTERM');
    const r = await done;
    const seconds = (Date.now() - signalled) / 1000;
    assert.is(r.code, 143, r.stderr);
    assert.match(r.stderr, /SIGTERM: stopping; draining for at most 1 s/);
    // The bound is the drain timeout's, not the default 25 s, with room for a loaded machine.
    assert.ok(seconds < 12, `exited ${seconds} s after SIGTERM (drain timeout 1 s)`);
    const stats = JSON.parse(readFileSync(join(dir, 'term.stats.json'), 'utf8'));
    assert.is(stats.outcome, 'interrupted');
    // The drain timeout ended the run, not the input: what was buffered stays in the checkpoint.
    assert.is(stats.drained, false, JSON.stringify(stats.records));
    assert.ok(stats.records.read < N || stats.records.unacknowledged > 0, JSON.stringify(stats.records));
  } finally {
    proxy.set({ latencyMs: 0, recordFailureRate: 0, internalErrorRate: 0, throttleRate: 0 });
  }
  const again = await runSinkRun(args, faulty);
  assert.is(again.code, 0, again.stderr);
  const acc = accounting(ids(await kinesis.readAll(s)), N);
  assert.equal(acc.missing, []);
});

test.run();
