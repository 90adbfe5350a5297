// Firehose destination through the engine against firehose-local (a minimal server speaking the
// Firehose JSON 1.1 protocol); FailedPutCount answers injected by the fault proxy.
import { suite } from 'uvu';
import { TEST_CREDENTIALS } from '../servers/kinesalite.js';
import * as assert from 'uvu/assert';
import { AsyncSinkWriter, FatalSinkError } from '../../src/runtime/engine/async-sink-writer.js';
import { createFirehoseDestination, firehoseConverter, type FirehoseEntry } from '../../src/runtime/destinations/firehose.js';
import { INTERNAL_FAILURE, startFaultProxy, THROTTLED, type FaultProxy } from '../servers/fault-proxy.js';
import { startFirehoseLocal, type LocalFirehose } from '../servers/firehose-local.js';
import { accounting, makeEvents, uniqueName, writeAll, type TestEvent } from '../servers/harness.js';


interface Context {
  firehose: LocalFirehose;
  proxy: FaultProxy;
}

const Firehose = suite<Context>('firehose destination (firehose-local)');

Firehose.before(async (ctx) => {
  ctx.firehose = await startFirehoseLocal();
  ctx.proxy = await startFaultProxy(ctx.firehose.endpoint, { seed: 5 });
});

Firehose.after(async (ctx) => {
  await ctx.proxy?.stop();
  await ctx.firehose?.stop();
});

function writerFor(deliveryStreamName: string, endpoint: string) {
  return new AsyncSinkWriter<FirehoseEntry>({
    destination: createFirehoseDestination({ credentials: TEST_CREDENTIALS, deliveryStreamName, endpoint, region: 'us-east-1' }),
    hints: { maxBatchSize: 100, maxInFlightRequests: 4, maxTimeInBufferMs: 20 },
    retry: { initialBackoffMs: 5, maxBackoffMs: 50 },
    random: () => 0.5,
  });
}

const parse = (records: Buffer[]): TestEvent[] => records.map((r) => JSON.parse(r.toString('utf8')) as TestEvent);

Firehose('every record is delivered as one NDJSON line', async ({ firehose }) => {
  const stream = uniqueName('ndjson');
  firehose.createDeliveryStream(stream);
  const events = makeEvents(1000);
  const writer = writerFor(stream, firehose.endpoint);
  await writeAll(writer, firehoseConverter(), events);
  await writer.close();
  const records = firehose.records(stream);
  assert.is(records.length, 1000);
  assert.ok(records.every((r) => r.toString().endsWith('}\n') && r.toString().indexOf('\n') === r.length - 1));
  const back = parse(records);
  assert.equal(accounting(back.map((e) => e.id), 1000), { missing: [], duplicates: 0 });
  for (const e of back) assert.equal(e, events[e.id]);
});

Firehose('FailedPutCount: failed records are retried, written once, in write order within each request', async ({ firehose, proxy }) => {
  const stream = uniqueName('failed');
  firehose.createDeliveryStream(stream);
  proxy.reset();
  const failedOnce = new Set<number>();
  const outOfOrder: string[] = [];
  proxy.set({
    failRecord: (r) => {
      const { id } = JSON.parse(r.data.toString()) as TestEvent;
      if (id % 6 !== 2 || failedOnce.has(id)) return undefined;
      failedOnce.add(id);
      return id % 4 ? 'ServiceUnavailableException' : INTERNAL_FAILURE;
    },
    observe: (request) => {
      const ids = request.map((r) => (JSON.parse(r.data.toString()) as TestEvent).id);
      for (let i = 1; i < ids.length; i++) if (ids[i] <= ids[i - 1]) outOfOrder.push(`${ids[i - 1]} before ${ids[i]}`);
    },
  });
  const writer = writerFor(stream, proxy.endpoint);
  await writeAll(writer, firehoseConverter(), makeEvents(1200));
  await writer.close();
  proxy.set({ failRecord: undefined, observe: undefined });
  assert.is(failedOnce.size, 200);
  assert.is(proxy.counters.recordsFailed, 200);
  assert.equal(outOfOrder, []);
  const stats = writer.stats();
  assert.is(stats.retries, 200);
  assert.is(stats.recordsOut, 1200);
  assert.equal(accounting(parse(firehose.records(stream)).map((e) => e.id), 1200), { missing: [], duplicates: 0 });
});

Firehose('whole-request throttling is retried without loss', async ({ firehose, proxy }) => {
  const stream = uniqueName('throttled');
  firehose.createDeliveryStream(stream);
  proxy.reset();
  proxy.set({ failNext: ['throttle', 'internal', 'throttle'], throttleCode: 'ThrottlingException' });
  const writer = writerFor(stream, proxy.endpoint);
  await writeAll(writer, firehoseConverter(), makeEvents(300));
  await writer.close();
  assert.is(proxy.counters.requestsThrottled, 2);
  assert.is(proxy.counters.requestsFailed, 1);
  assert.is(writer.stats().failedRequests, 3);
  assert.equal(accounting(parse(firehose.records(stream)).map((e) => e.id), 300), { missing: [], duplicates: 0 });
  proxy.set({ throttleCode: THROTTLED });
});

Firehose('a missing delivery stream stops the sink with a FatalSinkError naming it', async ({ firehose }) => {
  const writer = writerFor('no-such-delivery-stream', firehose.endpoint);
  await writer.write(firehoseConverter()({ a: 1 }));
  const error = await writer.flush().then(() => undefined, (e: unknown) => e);
  assert.instance(error, FatalSinkError);
  assert.is((error as FatalSinkError).code, 'ResourceNotFoundException');
  assert.match((error as Error).message, /Firehose delivery stream no-such-delivery-stream/);
  await writer.close().catch(() => {});
});

Firehose('converter and entry encoding', () => {
  assert.is(Buffer.from(firehoseConverter()({ a: 1 }).data).toString(), '{"a":1}\n');
  assert.is(Buffer.from(firehoseConverter({ newlineDelimited: false })({ a: 1 }).data).toString(), '{"a":1}');
  const destination = createFirehoseDestination({ credentials: TEST_CREDENTIALS, deliveryStreamName: 'd', endpoint: 'http://127.0.0.1:9', region: 'us-east-1' });
  const entry = firehoseConverter()({ é: 'x' });
  assert.equal(destination.encodeEntry(entry), { data: Buffer.from('{"é":"x"}\n').toString('base64') });
  assert.is(destination.sizeOf(entry), Buffer.byteLength('{"é":"x"}\n'));
  assert.equal([...destination.decodeEntry(destination.encodeEntry(entry)).data], [...entry.data]);
  assert.equal(destination.limits, { maxBatchSize: 500, maxBatchBytes: 4 * 1024 * 1024, maxRecordBytes: 1000 * 1024 });
  return destination.close();
});

Firehose.run();
