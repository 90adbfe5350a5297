import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadPlatformOrThrow } from '../../src/compiler/load.js';
import { compileSinkConfigs, formatSinkConfig } from '../../src/compiler/sink-config.js';
import { deaggregate } from '../servers/deaggregate.js';
import { accounting, uniqueName, waitFor } from '../servers/harness.js';
import { startKinesalite, type LocalKinesis } from '../servers/kinesalite.js';
import { childEnv, eventLines, kinesisConfig, runSinkRun, spawnSinkRun, writeJson } from '../helpers/sink-cli.js';

const test = suite('sink run (CLI) against kinesalite');

let kinesis: LocalKinesis;
let dir = '';
let env: NodeJS.ProcessEnv;

test.before(async () => {
  kinesis = await startKinesalite();
  dir = mkdtempSync(join(tmpdir(), 'ara-sink-run-'));
  env = childEnv({ AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint });
});
test.after(async () => {
  await kinesis.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function freshStream(shards = 2): Promise<string> {
  const name = uniqueName('sinkrun');
  await kinesis.createStream(name, shards);
  return name;
}

const ids = (records: { data: Buffer }[]): number[] => records.map((r) => (JSON.parse(r.data.toString('utf8')) as { id: number }).id);

test('delivers every record from a file; exit 0; --stats-json', async () => {
  const stream = await freshStream();
  const config = writeJson(join(dir, 'ok.json'), kinesisConfig(stream));
  const input = join(dir, 'ok.ndjson');
  writeFileSync(input, eventLines(0, 600));
  const stats = join(dir, 'ok.stats.json');
  const dead = join(dir, 'ok.dead.ndjson');
  const r = await runSinkRun([config, '--input', input, '--stats-json', stats, '--dead-letter', dead], env);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /sink test-events -> Kinesis stream sinkrun-\S+: every record delivered/);
  assert.match(r.stderr, /read 600 · delivered 600 · dead-lettered 0/);
  const records = await kinesis.readAll(stream);
  const acc = accounting(ids(records), 600);
  assert.equal(acc, { missing: [], duplicates: 0 });
  for (const rec of records) {
    const e = JSON.parse(rec.data.toString('utf8')) as { id: number; key: string };
    assert.is(rec.partitionKey, e.key);
  }
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  assert.is(s.outcome, 'ok');
  assert.is(s.exitCode, 0);
  assert.equal(s.records, { read: 600, delivered: 600, deadLettered: 0, unacknowledged: 0 });
  assert.is(s.deadLetters.file, null);
  assert.is(s.engine.recordsOut, 600);
  assert.ok(s.engine.batchSize.max <= 100, `batch of ${s.engine.batchSize.max} > maxBatchSize 100`);
  assert.ok(s.engine.requests >= 6, `${s.engine.requests} requests for 600 records in batches of at most 100`);
  assert.is(s.bytesRead, readFileSync(input).length);
  assert.type(s.engine.latencyMs.p99, 'number');
  assert.ok(s.maxRssBytes > 10 * 1024 * 1024);
  assert.not.ok(existsSync(dead), 'no dead letters, no dead-letter file');
});

test('dead letters: invalid JSON, missing partition key, oversize; blank lines and CRLF; exit 1', async () => {
  const stream = await freshStream(1);
  const config = writeJson(join(dir, 'dl.json'), kinesisConfig(stream));
  const big = JSON.stringify({ id: 3, key: 'k3', pad: 'y'.repeat(5000) });
  const lines = [
    JSON.stringify({ id: 0, key: 'k0' }), // 1
    '{"id": 1, "key": ', // 2: invalid JSON
    '', // 3: blank
    JSON.stringify({ id: 2, nokey: true }), // 4: no partition key
    big, // 5: oversize (maxRecordBytes 4096)
    JSON.stringify({ id: 4, key: 'k4' }) + '\r', // 6: CRLF
    '   ', // 7: blank
    JSON.stringify({ id: 5, key: 'k5' }), // 8: final line without a newline
  ];
  const input = join(dir, 'dl.ndjson');
  writeFileSync(input, lines.join('\n'));
  const dead = join(dir, 'dl.dead.ndjson');
  const stats = join(dir, 'dl.stats.json');
  const r = await runSinkRun([config, '--input', input, '--dead-letter', dead, '--stats-json', stats], env);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /3 records dead-lettered/);
  const letters = readFileSync(dead, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(
    letters.map((l) => [l.at, l.sink, l.input]),
    [
      [2, 'test-events', '{"id": 1, "key": '],
      [4, 'test-events', JSON.stringify({ id: 2, nokey: true })],
      [5, 'test-events', big],
    ],
  );
  assert.match(letters[0].reason, /^invalid JSON: /);
  assert.match(letters[1].reason, /key/);
  assert.is(letters[2].reason, `record is ${big.length + 2} bytes; maxRecordBytes is 4096`);
  assert.equal(Object.keys(letters[0]), ['reason', 'input', 'sink', 'at']);
  const got = ids(await kinesis.readAll(stream)).sort((a, b) => a - b);
  assert.equal(got, [0, 4, 5]);
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  assert.equal(s.records, { read: 6, delivered: 3, deadLettered: 3, unacknowledged: 0 });
  assert.equal(
    { invalid: s.deadLetters['invalid-input'], conversion: s.deadLetters.conversion, oversize: s.deadLetters.oversize, file: s.deadLetters.file },
    { invalid: 1, conversion: 1, oversize: 1, file: dead },
  );
});

test('default dead-letter file is ./<sink>.dead-letter.ndjson', async () => {
  const stream = await freshStream(1);
  const config = writeJson(join(dir, 'dd.json'), kinesisConfig(stream, { sink: 'default-dl' }));
  const cwd = mkdtempSync(join(dir, 'cwd-'));
  const r = await runSinkRun([config], env, '{"id":1,"key":"a"}\nnope\n', cwd);
  assert.is(r.code, 1, r.stderr);
  const letters = readFileSync(join(cwd, 'default-dl.dead-letter.ndjson'), 'utf8').trim().split('\n');
  assert.is(letters.length, 1);
  assert.equal(JSON.parse(letters[0]!).at, 2);
  assert.match(r.stderr, /default-dl\.dead-letter\.ndjson/);
});

test('stdin is the default input', async () => {
  const stream = await freshStream(1);
  const config = writeJson(join(dir, 'stdin.json'), kinesisConfig(stream));
  const r = await runSinkRun([config], env, eventLines(0, 250));
  assert.is(r.code, 0, r.stderr);
  assert.equal(accounting(ids(await kinesis.readAll(stream)), 250), { missing: [], duplicates: 0 });
  // --endpoint instead of AWS_ENDPOINT_URL_KINESIS.
  const { AWS_ENDPOINT_URL_KINESIS: _unused, ...plain } = env;
  const r2 = await runSinkRun([config, '--input', '-', '--endpoint', kinesis.endpoint], plain, eventLines(250, 300));
  assert.is(r2.code, 0, r2.stderr);
  assert.is((await kinesis.readAll(stream)).length, 300);
});

test('KPL aggregation: each user record lands on the shard its key hashes to, aggregates ≤ aggregationMaxBytes, per-key order', async () => {
  const stream = await freshStream(4);
  const maxBytes = 4096;
  const config = writeJson(join(dir, 'kpl.json'), kinesisConfig(stream, { aggregation: 'kpl', aggregationMaxBytes: maxBytes, bufferingHints: { ...kinesisConfig('x').bufferingHints, maxRecordBytes: 64 * 1024 } }));
  const input = join(dir, 'kpl.ndjson');
  // 40 keys spread over the 4 shards, 20 records each.
  const N = 800;
  writeFileSync(input, eventLines(0, N, 40));
  const stats = join(dir, 'kpl.stats.json');
  const r = await runSinkRun([config, '--input', input, '--stats-json', stats], env);
  assert.is(r.code, 0, r.stderr);
  const records = await kinesis.readAll(stream);
  assert.ok(records.length < N / 10, `${records.length} Kinesis records for ${N} user records`);
  // The shard map read independently of the sink: hash key = MD5(partition key) as a 128-bit number.
  const shards = (await kinesis.client.send(new ListShardsCommand({ StreamName: stream }))).Shards!;
  assert.is(shards.length, 4);
  const shardOf = (key: string): string => {
    const h = BigInt(`0x${createHash('md5').update(key, 'utf8').digest('hex')}`);
    return shards.find((s) => BigInt(s.HashKeyRange!.StartingHashKey!) <= h && h <= BigInt(s.HashKeyRange!.EndingHashKey!))!.ShardId!;
  };
  const lastIdOfKey = new Map<string, number>();
  const userIds: number[] = [];
  const shardsUsed = new Set<string>();
  for (const rec of records) {
    assert.ok(rec.data.length + Buffer.byteLength(rec.partitionKey) <= maxBytes, `aggregate of ${rec.data.length} bytes > ${maxBytes}`);
    for (const u of deaggregate(rec.data, rec.partitionKey)) {
      const e = JSON.parse(u.data.toString('utf8')) as { id: number; key: string };
      assert.is(u.partitionKey, e.key);
      assert.is(rec.shardId, shardOf(u.partitionKey), `record ${e.id} (key ${e.key}) is on ${rec.shardId}, its key hashes to ${shardOf(u.partitionKey)}`);
      // readAll gives each shard in sequence order: a key's ids must increase.
      assert.ok(e.id > (lastIdOfKey.get(e.key) ?? -1), `key ${e.key}: record ${e.id} after ${lastIdOfKey.get(e.key)}`);
      lastIdOfKey.set(e.key, e.id);
      userIds.push(e.id);
      shardsUsed.add(rec.shardId);
    }
  }
  assert.is(shardsUsed.size, 4, 'the keys reach every shard');
  assert.equal(accounting(userIds, N), { missing: [], duplicates: 0 });
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  assert.equal(s.records, { read: N, delivered: N, deadLettered: 0, unacknowledged: 0 });
  assert.is(s.engine.recordsOut, records.length);
});

test('exit 3 when the stream does not exist, naming it', async () => {
  const config = writeJson(join(dir, 'missing.json'), kinesisConfig('no-such-stream'));
  const r = await runSinkRun([config], env, eventLines(0, 10));
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr, /Kinesis stream no-such-stream failed with ResourceNotFoundException/);
  assert.match(r.stderr, /stopped on a fatal destination error/);
});

test('exit 2: bad config, missing input, --checkpoint with stdin, bad hints', async () => {
  const bad = kinesisConfig('s') as unknown as Record<string, unknown>;
  bad.partitonKey = bad.partitionKey;
  delete bad.partitionKey;
  const badFile = writeJson(join(dir, 'bad.json'), bad);
  const good = writeJson(join(dir, 'good.json'), kinesisConfig('s'));
  const hints = kinesisConfig('s', { bufferingHints: { ...kinesisConfig('s').bufferingHints, maxBufferedRequests: 50 } });
  const hintsFile = writeJson(join(dir, 'hints.json'), hints);
  // An unwritable --stats-json is refused before anything is sent, not after the run.
  const stream = await freshStream(1);
  const sending = writeJson(join(dir, 'stats-path.json'), kinesisConfig(stream));
  const cases: [string[], string, RegExp][] = [
    [[badFile], '', /bad\.json: \/partitonKey: unknown key 'partitonKey'\n {2}hint: did you mean 'partitionKey'\?/],
    [[good, '--input', join(dir, 'absent.ndjson')], '', /cannot read input '.*absent\.ndjson': file not found/],
    [[good, '--checkpoint', join(dir, 'ck-stdin')], '', /--checkpoint needs --input FILE/],
    [[hintsFile], '', /maxBufferedRequests/],
    [[good, '--endpoint', 'localhost:4567'], '', /--endpoint must be an http:\/\/, https:\/\/ or \(for a redis-stream sink\) redis:\/\/ URL/],
    [[good, '--inptu', 'x'], '', /did you mean '--input'/],
    [[sending, '--stats-json', join(dir, 'no-such-dir', 'stats.json')], eventLines(0, 3), /the statistics file .*no-such-dir\/stats\.json cannot be written: its directory does not exist\n {2}hint: pass a writable path/],
    [[sending, '--stats-json', dir], eventLines(0, 3), /the statistics file .* cannot be written: it is a directory/],
  ];
  // Independent children: run at once (each exits before reading).
  const results = await Promise.all(cases.map(([args, stdin]) => runSinkRun(args, env, stdin)));
  cases.forEach(([args, , message], i) => {
    const r = results[i]!;
    assert.is(r.code, 2, `${args.slice(1).join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.not.match(r.stderr, /internal error|\n\s+at /, 'no stack trace');
  });
  assert.is((await kinesis.readAll(stream)).length, 0, 'nothing was sent');
});

test('file destination writes the events as NDJSON', async () => {
  const out = join(dir, 'file-out.ndjson');
  const config = writeJson(join(dir, 'file.json'), {
    ...kinesisConfig('unused'),
    destination: { type: 'file', path: out },
    partitionKey: undefined,
  });
  const text = eventLines(0, 700);
  const r = await runSinkRun([config], env, text.replace(/\n/g, '\r\n'));
  assert.is(r.code, 0, r.stderr);
  assert.is(readFileSync(out, 'utf8'), text);
  const nowhere = writeJson(join(dir, 'file-bad.json'), { ...kinesisConfig('unused'), destination: { type: 'file', path: join(dir, 'no', 'such', 'dir.ndjson') }, partitionKey: undefined });
  const bad = await runSinkRun([nowhere], env, text);
  assert.is(bad.code, 2, 'refused before reading: every output is checked first');
  assert.match(bad.stderr, /the file destination .*dir\.ndjson cannot be written: its directory does not exist/);
});

test('the flagship web-sale-events config (as synth writes it) delivers every record', async () => {
  const model = await loadPlatformOrThrow('examples/mystore.yaml');
  const config = join(dir, 'web-sale-events.json');
  writeFileSync(config, formatSinkConfig(compileSinkConfigs(model)['web-sale-events']!));
  await kinesis.createStream('mystore-dev-web-sale', 2);
  let text = '';
  for (let id = 0; id < 1000; id++) text += JSON.stringify({ id, order_id: `order-${id % 211}`, item_id: id % 97, quantity: 1 + (id % 5), sales_price: 9.99 }) + '\n';
  const input = join(dir, 'web-sale.ndjson');
  writeFileSync(input, text);
  const r = await runSinkRun([config, '--input', input], env);
  assert.is(r.code, 0, r.stderr);
  const records = await kinesis.readAll('mystore-dev-web-sale');
  assert.equal(accounting(ids(records), 1000), { missing: [], duplicates: 0 });
  for (const rec of records) assert.is(rec.partitionKey, (JSON.parse(rec.data.toString('utf8')) as { order_id: string }).order_id);
});

test('SIGTERM: stops reading, drains what was read, exit 143', async () => {
  const stream = await freshStream(1);
  const config = writeJson(join(dir, 'term.json'), kinesisConfig(stream));
  const stats = join(dir, 'term.stats.json');
  const child = spawnSinkRun([config, '--stats-json', stats], env);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.stdin!.write(eventLines(0, 120)); // stdin stays open: the sink waits for more
  const seen = await waitFor(async () => ((await kinesis.readAll(stream)).length === 120 ? true : undefined), 60_000, 50);
  assert.ok(seen, 'records written before the signal were delivered');
  child.kill('SIGTERM');
  const code = await closed;
  assert.is(code, 143, stderr);
  assert.match(stderr, /SIGTERM: stopping/);
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  assert.is(s.outcome, 'interrupted');
  assert.equal(s.records, { read: 120, delivered: 120, deadLettered: 0, unacknowledged: 0 });
});

test.run();
