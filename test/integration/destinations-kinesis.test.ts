// Kinesis destination through the engine against kinesalite on loopback (with the fault proxy in
// front where requests must be observed): delivery, hints, timer flush, close, backpressure,
// fatal errors, KPL aggregation end to end.
import { createHash } from 'node:crypto';
import { DescribeStreamSummaryCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConversionError, type Destination } from '../../src/runtime/destination.js';
import { createSink } from '../../src/runtime/sink.js';
import { eventLines, kinesisConfig } from '../helpers/sink-cli.js';
import { AsyncSinkWriter, FatalSinkError } from '../../src/runtime/engine/async-sink-writer.js';
import { systemClock, type Clock } from '../../src/runtime/engine/clock.js';
import { resolveEndpoint, resolveRegion } from '../../src/runtime/destinations/aws-client.js';
import { createKinesisDestination, kinesisConverter, kinesisEntrySize, type KinesisEntry } from '../../src/runtime/destinations/kinesis.js';
import { KplAggregator } from '../../src/runtime/destinations/kpl-aggregation.js';
import { converterFromConfig, destinationFromConfig } from '../../src/runtime/destinations/index.js';
import { startFaultProxy, type FaultProxy } from '../servers/fault-proxy.js';
import { accounting, makeEvents, parseRecords, sleep, uniqueName, waitFor, writeAll } from '../servers/harness.js';
import { startKinesalite, type LocalKinesis, TEST_CREDENTIALS } from '../servers/kinesalite.js';
import { deaggregate } from '../servers/deaggregate.js';


interface Context {
  kinesis: LocalKinesis;
  proxy: FaultProxy;
}

const Kinesis = suite<Context>('kinesis destination (kinesalite)');

Kinesis.before(async (ctx) => {
  ctx.kinesis = await startKinesalite();
  ctx.proxy = await startFaultProxy(ctx.kinesis.endpoint);
});

Kinesis.after(async (ctx) => {
  await ctx.proxy?.stop();
  await ctx.kinesis?.stop();
});

Kinesis.before.each((ctx) => {
  ctx.proxy.set({ latencyMs: 0, capacityPerSecond: undefined, failRecord: undefined, observe: undefined, recordFailureRate: 0, internalErrorRate: 0, throttleRate: 0 });
  ctx.proxy.reset();
});

type WriterOptions = ConstructorParameters<typeof AsyncSinkWriter<KinesisEntry>>[0];

function writerFor(streamName: string, endpoint: string, hints: WriterOptions['hints'] = {}, rateLimiting?: WriterOptions['rateLimiting']) {
  return new AsyncSinkWriter<KinesisEntry>({ destination: createKinesisDestination({ credentials: TEST_CREDENTIALS, streamName, endpoint, region: 'us-east-1' }), hints, rateLimiting, random: () => 0.5 });
}

Kinesis('everything sent is read back from every shard: count, content, partition keys', async ({ kinesis }) => {
  const stream = uniqueName('all');
  await kinesis.createStream(stream, 4);
  const events = makeEvents(600);
  const writer = writerFor(stream, kinesis.endpoint);
  await writeAll(writer, kinesisConverter({ partitionKey: 'key' }), events);
  await writer.close();
  const back = parseRecords(await kinesis.readAll(stream));
  assert.is(back.length, 600);
  assert.equal(accounting(back.map((r) => r.id), 600), { missing: [], duplicates: 0 });
  for (const r of back) {
    assert.is(r.partitionKey, events[r.id].key);
    assert.is(r.pad, events[r.id].pad);
  }
  // Several shards got data, and within a shard each key's records are in write order.
  assert.ok(new Set(back.map((r) => r.shardId)).size > 1, 'records spread over shards');
  const lastIdByKey = new Map<string, number>();
  for (const r of back) {
    assert.ok((lastIdByKey.get(r.key) ?? -1) < r.id, `key ${r.key}: ${r.id} after ${lastIdByKey.get(r.key)}`);
    lastIdByKey.set(r.key, r.id);
  }
  assert.is(writer.stats().recordsOut, 600);
});

Kinesis('requests respect maxBatchSize, maxBatchBytes (data + partition key) and maxInFlightRequests', async ({ kinesis, proxy }) => {
  const stream = uniqueName('hints');
  await kinesis.createStream(stream, 2);
  proxy.set({ latencyMs: 15 });
  const hints = { maxBatchSize: 37, maxBatchBytes: 9_000, maxRecordBytes: 2_000, maxInFlightRequests: 3, maxBufferedRequests: 400 };
  // No rate limiting: the AIMD budget would cap batches below the hints (tested separately).
  const writer = writerFor(stream, proxy.endpoint, hints, { strategy: 'none' });
  const convert = kinesisConverter({ partitionKey: 'key' });
  const events = makeEvents(500, 11, 250);
  await writeAll(writer, convert, events);
  await writer.close();
  const writes = proxy.log.filter((l) => l.operation === 'PutRecords');
  assert.is(writes.reduce((s, l) => s + l.records, 0), 500);
  for (const l of writes) {
    assert.ok(l.records <= 37, `request of ${l.records} records`);
    assert.ok(l.bytes <= 9_000, `request of ${l.bytes} bytes`);
  }
  // The byte limit, not the count, is what bounds these batches (records are ~290-330 bytes).
  assert.ok(Math.max(...writes.map((l) => l.bytes)) > 9_000 - 300, 'batches filled up to the byte limit');
  assert.ok(proxy.counters.maxConcurrent <= 3, `max concurrent requests ${proxy.counters.maxConcurrent}`);
  assert.ok(proxy.counters.maxConcurrent >= 2, 'requests were sent concurrently');
  assert.is((await kinesis.readAll(stream)).length, 500);
  // The proxy's byte count is what the destination's sizeOf says.
  const sizes = events.map((e) => kinesisEntrySize(convert(e)));
  assert.is(writes.reduce((s, l) => s + l.bytes, 0), sizes.reduce((a, b) => a + b, 0));
});

Kinesis('the buffer timer flushes a lone record after maxTimeInBufferMs, without flush()', async ({ kinesis, proxy }) => {
  const stream = uniqueName('timer');
  await kinesis.createStream(stream);
  // The system clock, observed: which timers the engine arms and whether the buffer timer has fired
  // when the request reaches the server (events, so a slow machine cannot fail or pass it by luck).
  const armed: number[] = [];
  let timerFired = false;
  const clock: Clock = {
    now: () => systemClock.now(),
    setTimeout: (fn, ms) => {
      armed.push(ms);
      return systemClock.setTimeout(() => {
        if (ms === 400) timerFired = true;
        fn();
      }, ms);
    },
    clearTimeout: (h) => systemClock.clearTimeout(h),
  };
  const firedAtArrival: boolean[] = [];
  proxy.set({ observe: () => void firedAtArrival.push(timerFired) });
  const writer = new AsyncSinkWriter<KinesisEntry>({
    destination: createKinesisDestination({ credentials: TEST_CREDENTIALS, streamName: stream, endpoint: proxy.endpoint, region: 'us-east-1' }),
    hints: { maxTimeInBufferMs: 400 },
    random: () => 0.5,
    clock,
  });
  await writer.write(kinesisConverter({ partitionKey: 'key' })({ id: 1, key: 'only' }));
  assert.is(armed[0], 400, 'the buffer timer of maxTimeInBufferMs is armed by the write');
  const arrived = await waitFor(async () => ((await kinesis.readAll(stream)).length === 1 ? true : undefined), 30_000);
  assert.ok(arrived, 'the record arrived without flush()');
  assert.equal(firedAtArrival, [true], 'one request, sent by the timer');
  await writer.close();
});

Kinesis('close() drains the buffer: a partial batch below every threshold is delivered', async ({ kinesis, proxy }) => {
  const stream = uniqueName('close');
  await kinesis.createStream(stream);
  const writer = writerFor(stream, proxy.endpoint, { maxTimeInBufferMs: 600_000, maxBatchSize: 500 });
  await writeAll(writer, kinesisConverter({ partitionKey: 'key' }), makeEvents(1234));
  // 1000 go out by count; 234 wait in the buffer for a timer 10 minutes away.
  await waitFor(() => (proxy.counters.recordsForwarded >= 1000 ? true : undefined), 30_000);
  await sleep(100);
  assert.is(proxy.counters.recordsForwarded, 1000);
  await writer.close();
  assert.is(proxy.counters.recordsForwarded, 1234);
  assert.equal(proxy.log.map((l) => l.records), [500, 500, 234]);
  assert.is((await kinesis.readAll(stream)).length, 1234);
});

Kinesis('backpressure: against a slow destination write() waits while maxBufferedRequests are buffered', async ({ kinesis, proxy }) => {
  const stream = uniqueName('backpressure');
  await kinesis.createStream(stream);
  proxy.set({ latencyMs: 40 });
  const hints = { maxBatchSize: 10, maxBufferedRequests: 40, maxInFlightRequests: 1, maxTimeInBufferMs: 10 };
  const writer = writerFor(stream, proxy.endpoint, hints);
  const convert = kinesisConverter({ partitionKey: 'key' });
  let accepted = 0;
  const feeding = (async () => {
    for (const e of makeEvents(200)) {
      await writer.write(convert(e));
      accepted++;
    }
  })();
  let fed = false;
  void feeding.then(() => (fed = true));
  const peeks: number[] = [];
  // Observed until every write was accepted: 200 offered against a bound of 50 means writes were held back.
  while (!fed) {
    await sleep(20);
    // Accepted but unacknowledged entries never exceed the buffer bound plus one request in flight.
    peeks.push(accepted - proxy.counters.recordsForwarded);
    assert.ok(accepted - proxy.counters.recordsForwarded <= 40 + 10, `accepted ${accepted}, forwarded ${proxy.counters.recordsForwarded}`);
  }
  await feeding;
  await writer.close();
  assert.is((await kinesis.readAll(stream)).length, 200);
  assert.ok(Math.max(...peeks) >= 30, `the buffer filled up (${peeks.join(', ')})`);
});

Kinesis('a missing stream stops the sink fast with a FatalSinkError naming the stream', async ({ kinesis }) => {
  const writer = writerFor('no-such-stream', kinesis.endpoint, { maxTimeInBufferMs: 10 });
  const convert = kinesisConverter({ partitionKey: 'key' });
  let error: unknown;
  try {
    for (const e of makeEvents(50)) await writer.write(convert(e));
    await writer.flush();
  } catch (e) {
    error = e;
  }
  assert.instance(error, FatalSinkError);
  const fatal = error as FatalSinkError;
  assert.is(fatal.code, 'ResourceNotFoundException');
  assert.match(fatal.message, /Kinesis stream no-such-stream/);
  assert.is(writer.stats().requests, 1, 'one request, no retries');
  await writer.close().catch(() => {});
});

Kinesis('KPL aggregation end to end: GetRecords + aws-kinesis-agg give back the exact user records', async ({ kinesis }) => {
  const stream = uniqueName('kpl');
  await kinesis.createStream(stream, 2);
  const writer = writerFor(stream, kinesis.endpoint);
  const aggregator = new KplAggregator({ maxBytes: 50 * 1024 });
  const events = makeEvents(2000, 13, 80);
  const convert = kinesisConverter({ partitionKey: 'key' });
  for (const e of events) {
    const { data, partitionKey } = convert(e);
    const full = aggregator.add({ data, partitionKey });
    if (full) await writer.write(full);
  }
  const last = aggregator.drain();
  if (last) await writer.write(last);
  await writer.close();
  const stored = await kinesis.readAll(stream);
  assert.ok(stored.length < 2000 / 50, `${stored.length} Kinesis records carry 2000 user records`);
  const users = stored.flatMap((r) => deaggregate(r.data, r.partitionKey));
  assert.is(users.length, 2000);
  const byId = users.map((u) => ({ ...(JSON.parse(u.data.toString()) as { id: number; key: string; pad: string }), partitionKey: u.partitionKey }));
  assert.equal(accounting(byId.map((u) => u.id), 2000), { missing: [], duplicates: 0 });
  for (const u of byId) {
    assert.is(u.partitionKey, events[u.id].key);
    assert.is(u.pad, events[u.id].pad);
  }
});

Kinesis('the converter: JSON bytes, partition key from a (dotted) field, clear reasons for unusable input', () => {
  const convert = kinesisConverter({ partitionKey: 'customer.id', explicitHashKey: 'hash' });
  const entry = convert({ customer: { id: 42 }, hash: '340282366920938463463374607431768211455' });
  assert.is(entry.partitionKey, '42');
  assert.is(entry.explicitHashKey, '340282366920938463463374607431768211455');
  assert.equal(JSON.parse(Buffer.from(entry.data).toString()), { customer: { id: 42 }, hash: '340282366920938463463374607431768211455' });
  assert.is(kinesisEntrySize(entry), entry.data.byteLength + 2);
  assert.is(kinesisConverter({ partitionKey: 'a.b' })({ 'a.b': 'flat' }).partitionKey, 'flat');
  const reason = (event: unknown, c = convert) => {
    try {
      c(event);
    } catch (e) {
      assert.instance(e, ConversionError);
      return (e as Error).message;
    }
    return 'converted';
  };
  assert.is(reason({ hash: '1' }), 'partition key field "customer.id" is missing: the event has no field "customer"');
  assert.is(reason({ customer: { id: '' }, hash: '1' }), 'partition key field "customer.id" is an empty string');
  assert.is(reason({ customer: { id: { x: 1 } }, hash: '1' }), 'partition key field "customer.id" is an object; expected a non-empty string or a number');
  assert.is(reason({ customer: { id: 'x'.repeat(257) }, hash: '1' }), 'partition key field "customer.id": the partition key has 257 characters; Kinesis allows 1 to 256');
  assert.is(reason({ customer: { id: 'ok' }, hash: '340282366920938463463374607431768211456' }), 'explicit hash key field "hash": "340282366920938463463374607431768211456" is not a decimal number between 0 and 2^128-1');
  assert.is(reason([1, 2]), 'partition key field "customer.id" is missing: the event is an array, not a JSON object');
  // 256 characters of 2 UTF-16 units each are still 256 characters.
  assert.is(reason({ customer: { id: '😀'.repeat(256) }, hash: '1' }), 'converted');
  // No partition key field: a random key per event.
  const random = kinesisConverter();
  assert.is.not(random({ a: 1 }).partitionKey, random({ a: 1 }).partitionKey);
});

Kinesis('entries round-trip through encodeEntry/decodeEntry (checkpoints)', () => {
  const destination = createKinesisDestination({ credentials: TEST_CREDENTIALS, streamName: 's', endpoint: 'http://127.0.0.1:9', region: 'us-east-1' });
  const entry: KinesisEntry = { data: Buffer.from([0, 1, 2, 250]), partitionKey: 'pk', explicitHashKey: '7', userRecords: 3 };
  const json = JSON.parse(JSON.stringify(destination.encodeEntry(entry)));
  assert.equal(json, { data: 'AAEC+g==', partitionKey: 'pk', explicitHashKey: '7', userRecords: 3 });
  const back = destination.decodeEntry(json);
  assert.equal([...back.data], [0, 1, 2, 250]);
  assert.is(back.partitionKey, 'pk');
  assert.is(back.explicitHashKey, '7');
  assert.is(back.userRecords, 3);
  assert.throws(() => destination.decodeEntry({ data: 1 }), /not an encoded Kinesis entry/);
  assert.equal(destination.limits, { maxBatchSize: 500, maxBatchBytes: 5 * 1024 * 1024, maxRecordBytes: 1024 * 1024 });
  assert.is(destination.defaults.maxInFlightRequests, 50);
  return destination.close();
});

Kinesis('endpoint and region resolution: explicit option > AWS_ENDPOINT_URL_<SERVICE> > AWS_ENDPOINT_URL', async ({ kinesis }) => {
  const env = { AWS_ENDPOINT_URL_KINESIS: 'http://127.0.0.1:1', AWS_ENDPOINT_URL: 'http://127.0.0.1:2', AWS_DEFAULT_REGION: 'eu-west-1' };
  assert.is(resolveEndpoint('Kinesis', 'http://explicit', env), 'http://explicit');
  assert.is(resolveEndpoint('Kinesis', undefined, env), 'http://127.0.0.1:1');
  assert.is(resolveEndpoint('Firehose', undefined, env), 'http://127.0.0.1:2');
  assert.is(resolveEndpoint('DynamoDB', undefined, {}), undefined);
  assert.is(resolveRegion('Kinesis', {}, env), 'eu-west-1');
  assert.is(resolveRegion('Kinesis', { region: 'ap-south-1' }, env), 'ap-south-1');
  assert.is(resolveRegion('Kinesis', {}, { AWS_ENDPOINT_URL_KINESIS: 'http://127.0.0.1:1' }), 'us-east-1');
  // The SDK itself honours AWS_ENDPOINT_URL_KINESIS (plain http, HTTP/1.1), and an explicit endpoint wins over it.
  const stream = uniqueName('env');
  await kinesis.createStream(stream);
  const saved = process.env.AWS_ENDPOINT_URL_KINESIS;
  process.env.AWS_ENDPOINT_URL_KINESIS = kinesis.endpoint;
  try {
    const viaEnv = new AsyncSinkWriter<KinesisEntry>({ destination: createKinesisDestination({ credentials: TEST_CREDENTIALS, streamName: stream, region: 'us-east-1' }) });
    await viaEnv.write({ data: Buffer.from('"env"'), partitionKey: 'a' });
    await viaEnv.close();
    process.env.AWS_ENDPOINT_URL_KINESIS = 'http://127.0.0.1:1';
    const explicit = new AsyncSinkWriter<KinesisEntry>({ destination: createKinesisDestination({ credentials: TEST_CREDENTIALS, streamName: stream, region: 'us-east-1', endpoint: kinesis.endpoint }) });
    await explicit.write({ data: Buffer.from('"explicit"'), partitionKey: 'a' });
    await explicit.close();
  } finally {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_KINESIS;
    else process.env.AWS_ENDPOINT_URL_KINESIS = saved;
  }
  assert.equal((await kinesis.readAll(stream)).map((r) => r.data.toString()), ['"env"', '"explicit"']);
});

Kinesis('destinationFromConfig and converterFromConfig build the AWS destinations of a sink config', async ({ kinesis }) => {
  const stream = uniqueName('factory');
  await kinesis.createStream(stream);
  const destination = destinationFromConfig({ type: 'kinesis', streamName: stream, region: 'us-east-1' }, { endpoint: kinesis.endpoint, maxSockets: 4, credentials: TEST_CREDENTIALS });
  assert.is(destination.description, `Kinesis stream ${stream}`);
  const convert = converterFromConfig('kinesis', { partitionKey: 'key' });
  const outcome = await destination.submit([convert({ key: 'a', n: 1 }), convert({ key: 'b', n: 2 })], new AbortController().signal);
  assert.equal(outcome.failures, []);
  assert.equal((await kinesis.readAll(stream)).map((r) => r.partitionKey), ['a', 'b']);
  await destination.close();
  const firehose = destinationFromConfig({ type: 'firehose', deliveryStreamName: 'd', region: 'eu-west-1' });
  assert.is(firehose.description, 'Firehose delivery stream d');
  await firehose.close();
  const table = destinationFromConfig({ type: 'dynamodb', tableName: 'orders', region: 'eu-west-1' });
  assert.is(table.description, 'DynamoDB table orders');
  assert.is(table.limits.maxBatchSize, 25);
  await table.close();
  assert.throws(() => destinationFromConfig({ type: 'kinesis', region: 'eu-west-1' }), /a kinesis destination needs "streamName"/);
  assert.throws(() => destinationFromConfig({ type: 'file' as 'kinesis' }), /unknown destination type "file"/);
});



Kinesis('KPL resharding: a split is noticed from where PutRecords put an aggregate; the reloaded map groups records by the new shards', async ({ kinesis }) => {
  const stream = uniqueName('reshard');
  await kinesis.createStream(stream, 1);
  const destination = createKinesisDestination({ credentials: TEST_CREDENTIALS, streamName: stream, endpoint: kinesis.endpoint, region: 'us-east-1' });
  const sink = createSink(kinesisConfig(stream, { aggregation: 'kpl', aggregationMaxBytes: 4096 }), { destination: destination as Destination<unknown> });
  const lines = (from: number, to: number) => eventLines(from, to, 40).trim().split('\n').map((l) => JSON.parse(l) as unknown);
  for (const e of lines(0, 500)) await sink.write(e);
  await sink.flush();
  assert.is(destination.shardMap.loads, 1);
  assert.is(destination.shardMap.ranges.length, 1);
  await kinesis.client.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: destination.shardMap.ranges[0]!.shardId, NewStartingHashKey: (1n << 127n).toString() }));
  await waitFor(async () => ((await kinesis.client.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary?.StreamStatus === 'ACTIVE' ? true : undefined), 30_000);
  for (const e of lines(500, 1000)) await sink.write(e);
  await sink.flush();
  // The aggregates went to the children while the map still named the parent: a reload follows.
  assert.ok(await waitFor(() => (destination.shardMap.loads >= 2 ? true : undefined), 30_000), 'the shard map was reloaded');
  assert.is(destination.shardMap.ranges.length, 2, 'two open shards (the parent is closed)');
  for (const e of lines(1000, 1500)) await sink.write(e);
  await sink.close();
  const open = destination.shardMap.ranges;
  const shardOf = (key: string): string => {
    const h = BigInt(`0x${createHash('md5').update(key, 'utf8').digest('hex')}`);
    return open.find((s) => s.start <= h && h <= s.end)!.shardId;
  };
  const seen: number[] = [];
  for (const rec of await kinesis.readAll(stream)) {
    for (const u of deaggregate(rec.data, rec.partitionKey)) {
      const id = (JSON.parse(u.data.toString('utf8')) as { id: number }).id;
      seen.push(id);
      if (id >= 1000) assert.is(rec.shardId, shardOf(u.partitionKey), `record ${id} after the reload`);
    }
  }
  assert.equal(accounting(seen, 1500), { missing: [], duplicates: 0 });
});

Kinesis.run();
