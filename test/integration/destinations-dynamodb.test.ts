// DynamoDB destination through the engine against dynalite on loopback; UnprocessedItems injected
// by the fault proxy (dynalite never throttles).
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { suite } from 'uvu';
import { TEST_CREDENTIALS } from '../servers/kinesalite.js';
import * as assert from 'uvu/assert';
import { ConversionError } from '../../src/runtime/destination.js';
import { AsyncSinkWriter, FatalSinkError } from '../../src/runtime/engine/async-sink-writer.js';
import { createDynamoDbDestination, dynamoDbConverter, type DynamoDbEntry } from '../../src/runtime/destinations/dynamodb.js';
import { itemSize, marshallItem, unmarshallItem } from '../../src/runtime/destinations/dynamodb-item.js';
import { startDynalite, type LocalDynamoDb } from '../servers/dynalite.js';
import { startFaultProxy, type FaultProxy } from '../servers/fault-proxy.js';
import { uniqueName } from '../servers/harness.js';


interface Context {
  dynamo: LocalDynamoDb;
  proxy: FaultProxy;
}

const Dynamo = suite<Context>('dynamodb destination (dynalite)');

Dynamo.before(async (ctx) => {
  ctx.dynamo = await startDynalite();
  ctx.proxy = await startFaultProxy(ctx.dynamo.endpoint, { seed: 3 });
});

Dynamo.after(async (ctx) => {
  await ctx.proxy?.stop();
  await ctx.dynamo?.stop();
});

type Options = Partial<ConstructorParameters<typeof AsyncSinkWriter<DynamoDbEntry>>[0]>;

function writerFor(tableName: string, endpoint: string, options: Options = {}, keyAttributes?: string[]) {
  return new AsyncSinkWriter<DynamoDbEntry>({
    destination: createDynamoDbDestination({ credentials: TEST_CREDENTIALS, tableName, endpoint, region: 'us-east-1', keyAttributes }),
    hints: { maxTimeInBufferMs: 20 },
    retry: { initialBackoffMs: 5, maxBackoffMs: 50 },
    random: () => 0.5,
    ...options,
  });
}

const orders = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ customer: `c${i % 20}`, order: i, total: Math.round(i * 1.37 * 100) / 100, express: i % 3 === 0, note: i % 5 ? `order ${i}` : null, lines: [{ sku: `s${i % 7}`, qty: 1 + (i % 4) }] }));

Dynamo('every item is written, with the key schema discovered by DescribeTable', async ({ dynamo }) => {
  const table = uniqueName('orders');
  await dynamo.createTable(table, { hash: 'customer', range: 'order', rangeType: 'N' });
  const events = orders(300);
  const writer = writerFor(table, dynamo.endpoint);
  const convert = dynamoDbConverter();
  for (const e of events) await writer.write(convert(e));
  await writer.close();
  const items = (await dynamo.scanAll(table)).sort((a, b) => (a.order as number) - (b.order as number));
  assert.equal(items, events);
  const stats = writer.stats();
  assert.is(stats.recordsOut, 300);
  assert.ok(stats.batchSize.max <= 25, `batch of ${stats.batchSize.max}`);
});

Dynamo('duplicate keys within one batch are collapsed: the last write wins, superseded entries count as delivered', async ({ dynamo, proxy }) => {
  const table = uniqueName('dups');
  await dynamo.createTable(table, { hash: 'id', hashType: 'N' });
  proxy.reset();
  const writer = writerFor(table, proxy.endpoint, { hints: { maxBatchSize: 25, maxInFlightRequests: 1, maxTimeInBufferMs: 20 } });
  const convert = dynamoDbConverter();
  // 100 writes to 10 keys: every batch of 25 repeats keys, which DynamoDB would reject as a whole.
  for (let i = 0; i < 100; i++) await writer.write(convert({ id: i % 10, version: i }));
  await writer.close();
  const items = (await dynamo.scanAll(table)).sort((a, b) => (a.id as number) - (b.id as number));
  assert.equal(items, Array.from({ length: 10 }, (_, id) => ({ id, version: 90 + id })));
  assert.is(writer.stats().recordsOut, 100);
  assert.is(writer.stats().failedRequests, 0);
  // Each request carried at most 10 distinct items.
  assert.ok(proxy.log.every((l) => l.records <= 10), proxy.log.map((l) => l.records).join(','));
  // Uncollapsed, the service rejects the whole batch.
  const put = (id: number) => ({ PutRequest: { Item: { id: { N: String(id) } } } });
  const rejected = await dynamo.client.send(new BatchWriteItemCommand({ RequestItems: { [table]: [put(1), put(1)] } })).then(() => undefined, (e: Error) => e);
  assert.is(rejected?.name, 'ValidationException');
});

Dynamo('UnprocessedItems are mapped back to their entries and retried until written', async ({ dynamo, proxy }) => {
  const table = uniqueName('unprocessed');
  await dynamo.createTable(table, { hash: 'customer', range: 'order', rangeType: 'N' });
  proxy.reset();
  const leftOut = new Set<number>();
  proxy.set({
    failRecord: (r) => {
      const order = Number((JSON.parse(r.data.toString()) as { order: { N: string } }).order.N);
      if (order % 4 !== 1 || leftOut.has(order)) return undefined;
      leftOut.add(order);
      return 'Unprocessed';
    },
  });
  const events = orders(200);
  const writer = writerFor(table, proxy.endpoint, {}, ['customer', 'order']);
  const convert = dynamoDbConverter({ keyAttributes: ['customer', 'order'] });
  for (const e of events) await writer.write(convert(e));
  await writer.close();
  proxy.set({ failRecord: undefined });
  assert.is(leftOut.size, 50);
  assert.is(proxy.counters.recordsFailed, 50);
  const stats = writer.stats();
  assert.is(stats.retries, 50);
  assert.is(stats.throttled, 50, 'UnprocessedItems count as throttling');
  const items = (await dynamo.scanAll(table)).sort((a, b) => (a.order as number) - (b.order as number));
  assert.equal(items, events);
});

Dynamo('a missing table stops the sink with a FatalSinkError naming the table', async ({ dynamo }) => {
  const writer = writerFor('no-such-table', dynamo.endpoint);
  await writer.write(dynamoDbConverter()({ id: 1 }));
  const error = await writer.flush().then(() => undefined, (e: unknown) => e);
  assert.instance(error, FatalSinkError);
  assert.is((error as FatalSinkError).code, 'ResourceNotFoundException');
  assert.match((error as Error).message, /DynamoDB table no-such-table/);
  assert.is(writer.stats().requests, 1, 'one request, no retries');
  await writer.close().catch(() => {});
});

Dynamo('an item without the table\'s key attribute is rejected per entry (dead-lettered by the engine, never fatal), naming the attribute', async ({ dynamo }) => {
  const table = uniqueName('nokey');
  await dynamo.createTable(table, { hash: 'id' });
  const destination = createDynamoDbDestination({ credentials: TEST_CREDENTIALS, tableName: table, endpoint: dynamo.endpoint, region: 'us-east-1' });
  const convert = dynamoDbConverter();
  const outcome = await destination.submit([convert({ id: 'a' }), convert({ name: 'no id' }), convert({ id: 'b' })], new AbortController().signal);
  assert.equal(outcome.failures, [{ index: 1, code: 'ValidationException', message: `the item has no value for the key attribute "id" (table ${table})`, kind: 'rejected' }]);
  assert.equal((await dynamo.scanAll(table)).map((i) => i.id).sort(), ['a', 'b']);
  await destination.close();
});

Dynamo('marshalling JSON to items, item sizes, converter checks, entry round trip', () => {
  const event = { s: 'héllo', n: 12.5, big: 123456789012, t: true, z: null, l: [1, 'x'], m: { a: { b: false } }, skip: undefined };
  const item = marshallItem(event);
  assert.equal(item, { s: { S: 'héllo' }, n: { N: '12.5' }, big: { N: '123456789012' }, t: { BOOL: true }, z: { NULL: true }, l: { L: [{ N: '1' }, { S: 'x' }] }, m: { M: { a: { M: { b: { BOOL: false } } } } } });
  assert.equal(unmarshallItem(item), { s: 'héllo', n: 12.5, big: 123456789012, t: true, z: null, l: [1, 'x'], m: { a: { b: false } } });
  // Name bytes + value bytes: s 1+6, n 1+3 (3 digits), big 3+7 (12 digits), t 1+1, z 1+1,
  // l 1+(3 + 1+2 + 1+1), m 1+(3 + 1+1+(3 + 1+1+1)).
  assert.is(itemSize(item), 7 + 4 + 10 + 2 + 2 + 9 + 12);
  const convert = dynamoDbConverter({ keyAttributes: ['id'] });
  const reason = (e: unknown) => {
    try {
      convert(e);
      return 'converted';
    } catch (err) {
      assert.instance(err, ConversionError);
      return (err as Error).message;
    }
  };
  assert.is(reason({ name: 'x' }), 'key attribute "id" is missing');
  assert.is(reason({ id: { x: 1 } }), 'key attribute "id" is an object; DynamoDB keys are strings or numbers');
  assert.is(reason({ id: '' }), 'key attribute "id" is an empty string');
  assert.is(reason('text'), 'a DynamoDB item must be a JSON object; the event is a string');
  assert.is(reason({ id: 7 }), 'converted');
  const destination = createDynamoDbDestination({ credentials: TEST_CREDENTIALS, tableName: 't', endpoint: 'http://127.0.0.1:9', region: 'us-east-1' });
  const entry = convert({ id: 7, tags: ['a'] });
  const back = destination.decodeEntry(JSON.parse(JSON.stringify(destination.encodeEntry(entry))));
  assert.equal(back.item, entry.item);
  assert.is(destination.sizeOf(back), destination.sizeOf(entry));
  assert.equal(destination.limits, { maxBatchSize: 25, maxBatchBytes: 16 * 1024 * 1024, maxRecordBytes: 400 * 1024 });
  return destination.close();
});

Dynamo.run();
