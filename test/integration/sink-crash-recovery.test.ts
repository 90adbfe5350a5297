/**
 * Crash recovery: a `sink run --checkpoint DIR` child is killed with SIGKILL right after its n-th
 * checkpoint save (n seeded at random; the test waits on the save itself, never on a guess of how
 * long Node takes to start), with a latency-adding proxy in front of kinesalite keeping requests in
 * flight when the kill lands. It is restarted with the same command until it exits, and then every
 * input record must be in the stream, with duplicates within the bound of exact checkpoints: what
 * was in flight at the kill plus what was acknowledged since the last save.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { seededRandom } from '../../src/runtime/engine/backoff.js';
import { startFaultProxy, type FaultProxy } from '../servers/fault-proxy.js';
import { accounting, uniqueName } from '../servers/harness.js';
import { startKinesalite, type LocalKinesis } from '../servers/kinesalite.js';
import { afterSaves } from '../helpers/checkpoint-saves.js';
import { childEnv, collect, eventLines, kinesisConfig, spawnSinkRun, writeJson } from '../helpers/sink-cli.js';

const test = suite('sink run: crash recovery with --checkpoint');

let kinesis: LocalKinesis;
let proxy: FaultProxy;
let dir = '';

test.before(async () => {
  kinesis = await startKinesalite();
  // 40-120 ms per request bounds the pace (4 requests of 50 in flight: at most ~2,500 records/s), so
  // that three runs killed after at most 3 saves (200 ms apart) cannot get through the input.
  proxy = await startFaultProxy(kinesis.endpoint, { latencyMs: 80, latencyJitterMs: 40, seed: 7 });
  dir = mkdtempSync(join(tmpdir(), 'ara-sink-crash-'));
});
test.after(async () => {
  await proxy.stop();
  await kinesis.stop();
  rmSync(dir, { recursive: true, force: true });
});

const N = 6_000;
const hints = { maxBatchSize: 50, maxBatchBytes: 1024 * 1024, maxRecordBytes: 4096, maxBufferedRequests: 300, maxTimeInBufferMs: 50, maxInFlightRequests: 4 };
/**
 * docs/sinks.md: per kill, duplicates ≤ the records in flight at the kill (≤ maxInFlightRequests ×
 * maxBatchSize) plus those acknowledged since the last save. The kill follows a save at once, so
 * the second term is what one round of requests acknowledges meanwhile: one more batch per slot.
 */
const DUPLICATES_PER_KILL = 2 * hints.maxInFlightRequests * hints.maxBatchSize;


test('SIGKILL at random moments, restart until done: every record at least once, duplicates bounded', async () => {
  const stream = uniqueName('crash');
  await kinesis.createStream(stream, 2);
  const config = writeJson(join(dir, 'sink.json'), kinesisConfig(stream, { bufferingHints: hints }));
  const input = join(dir, 'input.ndjson');
  // A few bad lines too: dead letters must also survive the kills exactly once.
  let text = eventLines(0, N);
  text = text.replace('{"id":100,', 'oops{"id":100,').replace('{"id":4500,', 'oops{"id":4500,');
  writeFileSync(input, text);
  const ckpt = join(dir, 'ckpt');
  mkdirSync(ckpt);
  const dead = join(dir, 'dead.ndjson');
  const stats = join(dir, 'stats.json');
  const args = [config, '--input', input, '--checkpoint', ckpt, '--dead-letter', dead, '--stats-json', stats];
  const env = childEnv({ AWS_ENDPOINT_URL_KINESIS: proxy.endpoint });

  const random = seededRandom(20261125);
  let kills = 0;
  let final: Awaited<ReturnType<typeof collect>> | undefined;
  const perKill: number[] = [];
  let stored = 0;
  for (let attempt = 0; attempt < 20 && !final; attempt++) {
    const child = spawnSinkRun(args, env);
    const done = collect(child);
    if (kills < 5) {
      // Kill right after the 1st to 3rd save of this run.
      if (await afterSaves(ckpt, 1 + Math.floor(random() * 3), done)) child.kill('SIGKILL');
      const r = await done;
      if (r.signal === 'SIGKILL') {
        kills++;
        if (process.env.SINK_CRASH_DEBUG) {
          // Duplicates so far, to report them per kill.
          const now = (await kinesis.readAll(stream)).length;
          perKill.push(now - stored);
          stored = now;
        }
        continue;
      }
      final = r;
    } else {
      final = await done;
    }
  }
  assert.ok(final, 'the run never finished');
  assert.is(final!.code, 1, final!.stderr); // the two bad lines are dead-lettered
  assert.ok(kills >= 3, `only ${kills} kills landed while the sink was running`);
  // The checkpoint holds a position, not records: a few hundred bytes whatever is buffered.
  assert.ok(readFileSync(join(ckpt, 'checkpoint.json')).length < 2048);
  assert.ok(existsSync(join(ckpt, 'checkpoint.json')));

  const got = (await kinesis.readAll(stream)).map((r) => (JSON.parse(r.data.toString('utf8')) as { id: number }).id);
  const acc = accounting(got, N);
  assert.equal(acc.missing, [100, 4500], `missing records: ${acc.missing.slice(0, 10).join(', ')}`);
  if (process.env.SINK_CRASH_DEBUG) console.error(`kills ${kills}, duplicates ${acc.duplicates}, stored ${got.length}, stored per killed run ${perKill}`);
  assert.ok(acc.duplicates <= kills * DUPLICATES_PER_KILL, `${acc.duplicates} duplicates after ${kills} kills (bound ${kills * DUPLICATES_PER_KILL})`);

  // Dead letters: exactly once each, despite the kills.
  const letters = readFileSync(dead, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { at: number });
  assert.equal(letters.map((l) => l.at), [101, 4501]);

  // The totals span all runs: every line is accounted for once.
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  assert.equal(s.records, { read: N, delivered: N - 2, deadLettered: 2, unacknowledged: 0 });
  assert.ok(s.resumed, 'the last run resumed from a checkpoint');

  // A rerun with the completed checkpoint delivers nothing new.
  const before = got.length;
  const again = await collect(spawnSinkRun(args, env));
  assert.is(again.code, 1);
  assert.match(again.stderr, /nothing to do/);
  assert.is((await kinesis.readAll(stream)).length, before);
});

test('a checkpoint of another input is refused (exit 2)', async () => {
  const a = join(dir, 'a.ndjson');
  const b = join(dir, 'b.ndjson');
  writeFileSync(a, eventLines(0, 10));
  writeFileSync(b, eventLines(10, 20));
  const ckpt = join(dir, 'ckpt-other');
  const env = childEnv({ AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint });
  const stream = uniqueName('other');
  await kinesis.createStream(stream, 1);
  const cfg = writeJson(join(dir, 'other.json'), kinesisConfig(stream, { bufferingHints: hints }));
  const first = await collect(spawnSinkRun([cfg, '--input', a, '--checkpoint', ckpt], env));
  assert.is(first.code, 0, first.stderr);
  const r = await collect(spawnSinkRun([cfg, '--input', b, '--checkpoint', ckpt], env));
  assert.is(r.code, 2);
  assert.match(r.stderr, /checkpoint in .*ckpt-other belongs to input .*a\.ndjson, and .*b\.ndjson is not the same file \(its first bytes differ\)/);
  assert.match(r.stderr, /hint: use a new --checkpoint directory/);
  const config = writeJson(join(dir, 'changed.json'), kinesisConfig(stream, { bufferingHints: { ...hints, maxBatchSize: 40 } }));
  const changed = await collect(spawnSinkRun([config, '--input', a, '--checkpoint', ckpt], env));
  assert.is(changed.code, 2);
  assert.match(changed.stderr, /written for another sink config/);
});

test.run();
