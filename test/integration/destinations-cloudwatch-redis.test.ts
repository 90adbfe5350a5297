// What is particular to the CloudWatch Logs, CloudWatch metrics and Redis stream destinations
// (the behaviour all destinations share is in the conformance suite): time order and the 24-hour
// span of PutLogEvents, log streams created on demand, metric dimensions and units, Redis field
// mapping, MAXLEN trimming, where the Redis URL comes from, and `sink run` end to end.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { createClient } from '@redis/client';
import type { SinkConfig } from '../../src/contract/sink-config.js';
import { cloudWatchLogsConverter, createCloudWatchLogsDestination, timeOrderedParts } from '../../src/runtime/destinations/cloudwatch-logs.js';
import { createCloudWatchMetricsDestination, cloudWatchMetricsConverter } from '../../src/runtime/destinations/cloudwatch-metrics.js';
import { createRedisStreamDestination, redisStreamConverter, resolveRedisUrl } from '../../src/runtime/destinations/redis-stream.js';
import { AsyncSinkWriter } from '../../src/runtime/engine/async-sink-writer.js';
import { ConversionError } from '../../src/runtime/destination.js';
import { startFaultProxy, type FaultProxy } from '../servers/fault-proxy.js';
import { TEST_CREDENTIALS, TEST_REGION } from '../servers/kinesalite.js';
import { startMoto, type LocalMoto } from '../servers/moto.js';
import { startRedis, type LocalRedis } from '../servers/redis-server.js';
import { uniqueName } from '../servers/harness.js';
import { childEnv, runSinkRun } from '../helpers/sink-cli.js';

const HOUR = 3_600_000;
const signal = new AbortController().signal;

const Logs = suite('cloudwatch-logs destination (moto_server)');
let moto: LocalMoto;
let proxy: FaultProxy;
Logs.before(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.endpoint);
});
Logs.after(async () => {
  await proxy.stop();
  await moto.stop();
});

Logs('a batch is sent in time order, cut where it would span 24 hours', async () => {
  const group = `/test/${uniqueName('order')}`;
  await moto.createLogStream(group, 's');
  const dest = createCloudWatchLogsDestination({ logGroup: group, logStream: 's', endpoint: proxy.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  const t0 = Date.now() - 30 * HOUR;
  const times = [t0 + 26 * HOUR, t0, t0 + 2 * HOUR, t0 + 25 * HOUR, t0 + HOUR, t0 + 29 * HOUR];
  const batch = times.map((timestamp, i) => ({ timestamp, message: `e${i}` }));
  proxy.reset();
  const seen: string[][] = [];
  proxy.set({ observe: (records) => void seen.push(records.map((r) => r.data.toString())) });
  const outcome = await dest.submit(batch, signal);
  proxy.set({ observe: undefined });
  assert.equal(outcome.failures, []);
  // Sorted: e1 e4 e2 | e3 e0 e5 (the first part spans t0 .. t0+2h; e3 at +25h starts a new one).
  assert.equal(seen, [['e1', 'e4', 'e2'], ['e3', 'e0', 'e5']]);
  assert.equal(await moto.readLogMessages(group, 's'), ['e1', 'e4', 'e2', 'e3', 'e0', 'e5']);
  assert.equal(timeOrderedParts([{ timestamp: 5, message: 'b' }, { timestamp: 5, message: 'a' }]), [[0, 1]], 'stable for equal times');
  await dest.close();
});

Logs('createLogStream creates a missing stream at the first write; without it the write fails', async () => {
  const group = `/test/${uniqueName('create')}`;
  await moto.createLogStream(group);
  const options = { logGroup: group, logStream: 'new-stream', endpoint: moto.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS };
  const strict = createCloudWatchLogsDestination(options);
  const refused = await strict.submit([{ timestamp: Date.now(), message: 'x' }], signal).then(() => undefined, (e: Error) => e);
  assert.is(refused?.name, 'ResourceNotFoundException');
  const creating = createCloudWatchLogsDestination({ ...options, createLogStream: true });
  assert.equal((await creating.submit([{ timestamp: Date.now(), message: 'first' }], signal)).failures, []);
  assert.equal(await moto.readLogMessages(group, 'new-stream'), ['first']);
  await Promise.all([strict.close(), creating.close()]);
});

Logs('the timestamp comes from the named field (ms or ISO 8601) or the read time; the message is the line as read', () => {
  const at = cloudWatchLogsConverter({ timestampField: 'ts' });
  assert.equal(at({ ts: 1_700_000_000_123 }, '{"ts":1700000000123}'), { timestamp: 1_700_000_000_123, message: '{"ts":1700000000123}' });
  assert.is(at({ ts: '2026-11-30T01:00:00.250Z' }).timestamp, Date.parse('2026-11-30T01:00:00.250Z'));
  assert.throws(() => at({ ts: 'yesterday' }), (e: Error) => e instanceof ConversionError && /timestamp field "ts" is "yesterday"/.test(e.message));
  assert.throws(() => at({}), /timestamp field "ts" is missing/);
  assert.is(cloudWatchLogsConverter({ now: () => 42 })({ a: 1 }).timestamp, 42);
});

Logs('metric data carry the value, the dimensions from the event and the unit', async () => {
  const namespace = `Test/${uniqueName('metrics')}`;
  const dest = createCloudWatchMetricsDestination({ namespace, metricName: 'Total', dimensions: ['store', 'channel'], unit: 'Count', endpoint: moto.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  const convert = cloudWatchMetricsConverter({ valueField: 'order.total', dimensions: ['store', 'channel'] });
  const entries = [convert({ order: { total: 3 }, store: 7, channel: 'web' }), convert({ order: { total: 4.5 }, store: 7, channel: 'web' })];
  assert.equal((await dest.submit(entries, signal)).failures, []);
  const listed = await moto.metrics.send(new ListMetricsCommand({ Namespace: namespace }));
  // (moto lists a metric once per data point)
  assert.equal([...new Set(listed.Metrics?.map((m) => `${m.MetricName} ${m.Dimensions?.map((d) => `${d.Name}=${d.Value}`).join(',')}`))], ['Total store=7,channel=web']);
  const stats = await moto.metricStats(namespace, 'Total', [{ Name: 'store', Value: '7' }, { Name: 'channel', Value: 'web' }]);
  assert.equal(stats, { sum: 7.5, count: 2 });
  assert.throws(() => convert({ order: { total: '3' }, store: 1, channel: 'web' }), /value field "order.total" is a string; a metric value must be a number/);
  assert.throws(() => convert({ order: { total: 1e300 }, store: 1, channel: 'web' }), /magnitudes/);
  assert.throws(() => convert({ order: { total: 1 }, store: 1 }), /dimension field "channel" is missing/);
  assert.throws(() => convert({ order: { total: 1 }, store: 'x'.repeat(1025), channel: 'web' }), /at most 1024/);
  await dest.close();
});

Logs('sink run: CloudWatch Logs and metrics configs as synth writes them, endpoints from the environment', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ara-cw-cli-'));
  try {
    const group = `/test/${uniqueName('cli')}`;
    await moto.createLogStream(group);
    const namespace = `Test/${uniqueName('cli')}`;
    const common = {
      version: 1 as const,
      platform: 'shop',
      environment: 'dev',
      bufferingHints: { maxBatchSize: 1000, maxBatchBytes: 1_000_000, maxRecordBytes: 262_144, maxBufferedRequests: 10_000, maxTimeInBufferMs: 1_000, maxInFlightRequests: 4 },
      rateLimiting: { strategy: 'aimd' as const, increaseRate: 10, decreaseFactor: 0.5, slowStart: true },
      retry: { maxAttempts: 10, initialBackoffMs: 100, maxBackoffMs: 10_000, requestTimeoutMs: 30_000 },
      aggregation: 'none' as const,
    };
    const logs: SinkConfig = { ...common, sink: 'sale-log', destination: { type: 'cloudwatch-logs', logGroupName: group, logStreamName: 'run', createLogStream: true, timestampField: 'ts', region: TEST_REGION } };
    const metrics: SinkConfig = { ...common, sink: 'sale-amount', destination: { type: 'cloudwatch-metrics', namespace, metricName: 'Paid', valueField: 'paid', dimensions: [], unit: 'None', region: TEST_REGION } };
    writeFileSync(join(dir, 'logs.json'), JSON.stringify(logs));
    writeFileSync(join(dir, 'metrics.json'), JSON.stringify(metrics));
    const now = Date.now();
    writeFileSync(join(dir, 'in.ndjson'), Array.from({ length: 500 }, (_, i) => JSON.stringify({ id: i, ts: now - 500 + i, paid: i % 10 })).join('\n') + '\n');
    const env = childEnv({ AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: moto.endpoint, AWS_ENDPOINT_URL_CLOUDWATCH: moto.endpoint });
    // Two sinks of their own resources: both children at once.
    const [r1, r2] = await Promise.all([
      runSinkRun([join(dir, 'logs.json'), '--input', join(dir, 'in.ndjson'), '--dead-letter', join(dir, 'dead1.ndjson')], env),
      runSinkRun([join(dir, 'metrics.json'), '--input', join(dir, 'in.ndjson'), '--dead-letter', join(dir, 'dead2.ndjson')], env),
    ]);
    assert.is(r1.code, 0, r1.stderr);
    assert.equal((await moto.readLogMessages(group, 'run')).map((m) => (JSON.parse(m) as { id: number }).id), Array.from({ length: 500 }, (_, i) => i));
    assert.is(r2.code, 0, r2.stderr);
    assert.equal(await moto.metricStats(namespace, 'Paid'), { sum: 50 * 45, count: 500 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Logs.run();

const Redis = suite('redis-stream destination (redis-server)');
let redis: LocalRedis;
let reader: ReturnType<typeof createClient>;
let scratch: string;
Redis.before(async () => {
  redis = await startRedis();
  reader = createClient({ url: redis.url });
  await reader.connect();
  scratch = mkdtempSync(join(tmpdir(), 'ara-redis-test-'));
});
Redis.after(async () => {
  await reader.close();
  await redis.stop();
  rmSync(scratch, { recursive: true, force: true });
});

Redis('json mode stores the line as read in one field; top-level mode one field per key', async () => {
  const stream = uniqueName('fields');
  const dest = createRedisStreamDestination({ stream, url: redis.url });
  const json = redisStreamConverter({ jsonField: 'payload' });
  const flat = redisStreamConverter({ fields: 'top-level' });
  const event = { id: 1, name: 'a', tags: ['x'], nested: { k: true } };
  assert.equal((await dest.submit([json(event, '{"id":1, "name":"a"}'), flat(event)], signal)).failures, []);
  const entries = await reader.xRange(stream, '-', '+');
  assert.equal((entries ?? []).map((e) => ({ ...e.message })), [{ payload: '{"id":1, "name":"a"}' }, { id: '1', name: 'a', tags: '["x"]', nested: '{"k":true}' }]);
  assert.throws(() => flat([1, 2]), /must be a JSON object; it is an array/);
  assert.throws(() => flat({}), /no fields/);
  await dest.close();
});

Redis('maxLength trims the stream approximately (XADD MAXLEN ~)', async () => {
  const stream = uniqueName('trim');
  const writer = new AsyncSinkWriter({ destination: createRedisStreamDestination({ stream, maxLength: 100, url: redis.url }), hints: { maxBatchSize: 200 } });
  const convert = redisStreamConverter();
  for (let i = 0; i < 2_000; i++) await writer.write(convert({ i }));
  await writer.close();
  const length = await reader.xLen(stream);
  assert.ok(length >= 100 && length < 300, `XLEN ${length}: about 100, never below`);
});

Redis('entries made for the sink\'s stream carry their XADD command: added as read, trimmed, shown as fields', async () => {
  const stream = uniqueName('carried');
  const dest = createRedisStreamDestination({ stream, maxLength: 100, url: redis.url });
  const own = redisStreamConverter({ fields: 'top-level', stream, maxLength: 100 });
  const jsonOwn = redisStreamConverter({ stream, maxLength: 100 });
  const other = redisStreamConverter({ fields: 'top-level', stream: 'another-stream' });
  const entry = own({ id: 1, price: 2.5, ok: true, tags: ['a'] });
  assert.equal(entry.fields, ['id', '1', 'price', '2.5', 'ok', 'true', 'tags', '["a"]'], 'fields are the field/value pairs only');
  assert.equal(dest.encodeEntry(entry), { fields: entry.fields });
  assert.is(dest.sizeOf(entry), dest.sizeOf({ fields: entry.fields }), 'the size counts the fields, not the command');
  // An entry made for another stream is sent to this destination's stream all the same.
  assert.equal((await dest.submit([entry, jsonOwn({ id: 2 }, '{"id":2}'), other({ id: 3 })], signal)).failures, []);
  const added = (await reader.xRange(stream, '-', '+')) ?? [];
  assert.equal(added.map((e) => ({ ...e.message })), [{ id: '1', price: '2.5', ok: 'true', tags: '["a"]' }, { event: '{"id":2}' }, { id: '3' }]);
  const writer = new AsyncSinkWriter({ destination: dest, hints: { maxBatchSize: 200 } });
  for (let i = 0; i < 2_000; i++) await writer.write(own({ i }));
  await writer.close();
  const length = await reader.xLen(stream);
  assert.ok(length >= 100 && length < 300, `XLEN ${length}: trimmed to about 100, never below`);
  assert.equal({ ...((await reader.xRevRange(stream, '+', '-', { COUNT: 1 })) ?? [])[0]?.message }, { i: '1999' });
});

Redis('an entry\'s size is its fields\' UTF-8 bytes, whatever the input line holds (ASCII, UTF-8, escapes)', () => {
  const dest = createRedisStreamDestination({ stream: 's', url: redis.url });
  const bytes = (fields: readonly string[]): number => fields.reduce((n, f) => n + Buffer.byteLength(f, 'utf8'), 0);
  for (const fields of ['top-level', 'json'] as const) {
    const convert = redisStreamConverter({ fields, stream: 's' });
    for (const raw of ['{"id":1,"name":"abc","tags":["x"]}', '{"id":1,"name":"café"}', '{"id":1,"name":"caf\\u00e9","n":{"k":"\\u2603"}}', '{"name":"a\\"b"}']) {
      const entry = convert(JSON.parse(raw), raw);
      assert.is(dest.sizeOf(entry), bytes(entry.fields), `${fields}: ${raw}`);
      if (fields === 'top-level') assert.equal(entry, convert(JSON.parse(raw)), `${fields}: ${raw}: the line changes nothing`);
    }
  }
});

Redis('the URL comes from --endpoint or REDIS_URL and is never shown with its password', () => {
  assert.is(resolveRedisUrl('redis://127.0.0.1:1', { REDIS_URL: 'redis://other:2' }), 'redis://127.0.0.1:1');
  assert.is(resolveRedisUrl(undefined, { REDIS_URL: 'redis://other:2' }), 'redis://other:2');
  assert.throws(() => resolveRedisUrl(undefined, {}), /set REDIS_URL \(e\.g\. redis:\/\/127\.0\.0\.1:6379\) or pass --endpoint/);
  assert.throws(() => resolveRedisUrl('http://user:secret@host:1', {}), (e: Error) => /must start with redis:\/\//.test(e.message) && !e.message.includes('secret'));
  const dest = createRedisStreamDestination({ stream: 's', url: 'redis://app:secret@127.0.0.1:6390' });
  assert.is(dest.description, 'Redis stream s at 127.0.0.1:6390');
});

Redis('a server that refuses connections stops the sink with one sentence', async () => {
  const writer = new AsyncSinkWriter({ destination: createRedisStreamDestination({ stream: 's', url: 'redis://127.0.0.1:1' }), hints: { maxTimeInBufferMs: 10 }, retry: { maxAttempts: 0, initialBackoffMs: 5, maxBackoffMs: 20, requestTimeoutMs: 2_000 }, unreachableTimeoutMs: 200 });
  const err = await writer.write(redisStreamConverter()({ a: 1 })).then(() => writer.flush()).then(() => undefined, (e: unknown) => e);
  await writer.close().catch(() => undefined);
  assert.match(String((err as Error)?.message), /^Redis stream s at 127\.0\.0\.1:1 failed with ECONNREFUSED/);
});

Redis('sink run: the synthesized config, REDIS_URL from the environment, a dead letter, exit code 1', async () => {
  const stream = uniqueName('cli');
  const config: SinkConfig = {
    version: 1,
    sink: 'recent-sales',
    platform: 'shop',
    environment: 'dev',
    destination: { type: 'redis-stream', stream, fields: 'top-level' },
    bufferingHints: { maxBatchSize: 500, maxBatchBytes: 4_194_304, maxRecordBytes: 1_048_576, maxBufferedRequests: 10_000, maxTimeInBufferMs: 1_000, maxInFlightRequests: 8 },
    rateLimiting: { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5, slowStart: true },
    retry: { maxAttempts: 10, initialBackoffMs: 100, maxBackoffMs: 10_000, requestTimeoutMs: 30_000 },
    aggregation: 'none',
  };
  const configFile = join(scratch, 'recent-sales.json');
  writeFileSync(configFile, JSON.stringify(config));
  const input = join(scratch, 'in.ndjson');
  writeFileSync(input, Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: i })).join('\n') + '\n[1,2]\n');
  const deadLetters = join(scratch, 'dead.ndjson');
  // The two usage errors exit before reading or writing anything: all three children at once.
  const [r, usage, http] = await Promise.all([
    runSinkRun([configFile, '--input', input, '--dead-letter', deadLetters], childEnv({ REDIS_URL: redis.url })),
    runSinkRun([configFile, '--input', input, '--dead-letter', join(scratch, 'dead-usage.ndjson')], childEnv()),
    runSinkRun([configFile, '--input', input, '--endpoint', 'http://app:secret@127.0.0.1:1'], childEnv()),
  ]);
  assert.is(r.code, 1, r.stderr);
  assert.is(await reader.xLen(stream), 300);
  assert.match(readFileSync(deadLetters, 'utf8'), /must be a JSON object/);
  assert.is(usage.code, 2);
  assert.match(usage.stderr, /set REDIS_URL/);
  assert.is(http.code, 2);
  assert.match(http.stderr, /--endpoint must be a redis:\/\/ or rediss:\/\/ URL for a redis-stream sink; got 'http:\/\/\*\*\*@127\.0\.0\.1:1'/);
});

Redis.run();
