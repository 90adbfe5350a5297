/**
 * The stream-fed sink Lambda handler, invoked in-process with Kinesis events as Lambda sends them
 * (base64 data, KPL aggregates unopened), against dynalite, kinesalite behind the fault proxy and
 * the local S3 server: every user record of plain and aggregated records is delivered; records the
 * destination rejects for good land in S3 and are not retried; records it could not deliver for
 * retryable reasons come back as batchItemFailures (an aggregate when any of its records failed),
 * and nothing else does.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { S3Client } from '@aws-sdk/client-s3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BUFFERING_DEFAULTS } from '../../src/contract/defaults.js';
import { compileSinkConfig } from '../../src/compiler/sink-config.js';
import { EMF_METRICS } from '../../src/runtime/lambda/emf.js';
import { createStreamSinkHandler, type KinesisEventRecord, type KinesisStreamEvent } from '../../src/runtime/lambda/stream-sink.js';
import type { SinkJobResult } from '../../src/runtime/sink-job.js';
import { flagshipSpec, loadModel } from '../helpers/models.js';
import { startDynalite, type LocalDynamoDb } from '../servers/dynalite.js';
import { INTERNAL_FAILURE, startFaultProxy, type FaultProxy } from '../servers/fault-proxy.js';
import { startKinesalite, TEST_CREDENTIALS, type LocalKinesis } from '../servers/kinesalite.js';
import { startS3Local, type S3Local } from '../servers/s3-local.js';

const require = createRequire(import.meta.url);
const agg = require('aws-kinesis-agg') as {
  aggregate(records: { partitionKey: string; data: Buffer }[], onEncoded: (r: { partitionKey: string; data: Buffer }, cb: () => void) => void, done: () => void, onError: (e: Error) => void): void;
};

const t = suite('stream sink handler');
let kinesis: LocalKinesis;
let dynamo: LocalDynamoDb;
let proxy: FaultProxy;
let s3local: S3Local;
let s3: S3Client;
let template: Record<string, any>;
const saved = { ...process.env };

t.before(async () => {
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  [kinesis, dynamo, s3local] = await Promise.all([startKinesalite(), startDynalite(), startS3Local({ buckets: ['raw'] })]);
  proxy = await startFaultProxy(kinesis.endpoint);
  s3 = new S3Client({ endpoint: s3local.endpoint, forcePathStyle: true, region: 'eu-west-1', credentials: TEST_CREDENTIALS });
  const model = await loadModel(flagshipSpec);
  template = JSON.parse(JSON.stringify(compileSinkConfig(model, model.sinks['web-sale-events']!)));
});

t.after(async () => {
  s3.destroy();
  await proxy.stop();
  await Promise.all([kinesis.stop(), dynamo.stop(), s3local.close()]);
  process.env = saved;
});

const env = (config: { sink: string }) => ({
  SINK_CONFIG: JSON.stringify(config),
  DEAD_LETTER_BUCKET: 'raw',
  DEAD_LETTER_PREFIX: `_dead-letters/${config.sink}/`,
  KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/test',
});
const context = { getRemainingTimeInMillis: () => 60_000 };

const SHARD = 'shardId-000000000003';
const seq = (i: number) => `49590338271490256608559692538361571095921575989136588898${String(i).padStart(6, '0')}`;
const record = (i: number, data: Buffer, partitionKey: string): KinesisEventRecord => ({
  kinesis: { data: data.toString('base64'), partitionKey, sequenceNumber: seq(i), approximateArrivalTimestamp: 1709287200 + i },
  eventID: `${SHARD}:${seq(i)}`,
  eventSourceARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/mystore-dev-web-sale',
});
const sale = (order: number, item: number, extra: Record<string, unknown> = {}) => ({ order_id: order, item_id: item, net_paid: order + item / 100, ...extra });

function aggregateOf(events: object[]): Promise<{ partitionKey: string; data: Buffer }> {
  return new Promise((resolve, reject) => {
    const out: { partitionKey: string; data: Buffer }[] = [];
    const input = events.map((e) => ({ partitionKey: String((e as { order_id: number }).order_id), data: Buffer.from(JSON.stringify(e)) }));
    agg.aggregate(input, (r, cb) => (out.push(r), cb()), () => (out.length === 1 ? resolve(out[0]!) : reject(new Error(`${out.length} aggregates`))), reject);
  });
}

const lettersAt = (key: string) =>
  s3local.buckets
    .get('raw')!
    .get(key)
    ?.body.toString('utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

t('plain and KPL-aggregated records reach DynamoDB; invalid ones land in S3 and are not retried', async () => {
  await dynamo.createTable('sales', { hash: 'order_id', hashType: 'N', range: 'item_id', rangeType: 'N' });
  const config: Record<string, any> = {
    ...template,
    sink: 'sales-table',
    destination: { type: 'dynamodb', tableName: 'sales', region: template.destination.region },
    bufferingHints: BUFFERING_DEFAULTS.dynamodb,
    keyAttributes: [
      { name: 'order_id', type: 'N' },
      { name: 'item_id', type: 'N' },
    ],
  };
  delete config.partitionKey;
  const aggregated = Array.from({ length: 20 }, (_, i) => sale(1000, i));
  const kpl = await aggregateOf(aggregated);
  // A broken aggregate: the checksum matches, the protobuf does not parse.
  const body = Buffer.from([0x0a, 0x01, 0x6b, 0x1a, 0x64, 0x08]);
  const broken = Buffer.concat([Buffer.from([0xf3, 0x89, 0x9a, 0xc2]), body, createHash('md5').update(body).digest()]);
  const records: KinesisEventRecord[] = [];
  for (let i = 0; i < 30; i++) records.push(record(i, Buffer.from(JSON.stringify(sale(i + 1, 1))), String(i + 1)));
  records.push(record(30, kpl.data, kpl.partitionKey));
  records.push(record(31, Buffer.from('{"order_id": 7, not json'), '7'));
  records.push(record(32, broken, 'x'));
  records.push(record(33, Buffer.from(JSON.stringify({ item_id: 3 })), '3')); // no order_id: the table's key
  const lines: string[] = [];
  const results: SinkJobResult[] = [];
  const handler = createStreamSinkHandler({ env: env(config as { sink: string }), s3, endpoint: dynamo.endpoint, log: (l) => lines.push(l), onResult: (r) => results.push(r) });
  const response = await handler({ Records: records }, context);
  assert.equal(response, { batchItemFailures: [] });

  const items = await dynamo.scanAll('sales');
  assert.is(items.length, 50);
  const keys = new Set(items.map((i) => `${i.order_id}/${i.item_id}`));
  for (let i = 0; i < 30; i++) assert.ok(keys.has(`${i + 1}/1`));
  for (let i = 0; i < 20; i++) assert.ok(keys.has(`1000/${i}`), 'every user record of the aggregate');

  const key = `_dead-letters/sales-table/${SHARD}/${seq(0)}-${seq(33)}.ndjson`;
  const letters = lettersAt(key)!;
  assert.ok(letters, 'dead letters written under the sink prefix');
  assert.is(s3local.buckets.get('raw')!.get(key)!.headers['x-amz-server-side-encryption'], 'aws:kms');
  assert.is(letters.length, 3);
  const reasons = letters.map((l: { reason: string }) => l.reason).join('\n');
  assert.match(reasons, /malformed KPL aggregate/);
  assert.match(reasons, /invalid JSON|JSON/);
  assert.match(reasons, /order_id/);
  assert.ok(letters.some((l: { input: string }) => l.input === broken.toString('base64')), 'the broken aggregate is kept whole (base64)');

  assert.is(results[0]!.records.delivered, 50);
  assert.is(lines.length, 1);
  const emf = JSON.parse(lines[0]!);
  assert.equal(Object.keys(emf), ['_aws', 'Sink', 'Outcome', ...Object.keys(EMF_METRICS)]);
  assert.is(emf.Sink, 'sales-table');
  assert.is(emf.RecordsDelivered, 50);
});

t('records not delivered for retryable reasons are reported; oversize ones go to S3; the rest reach Kinesis', async () => {
  const stream = 'sink-out';
  await kinesis.createStream(stream, 2);
  const config = {
    ...template,
    sink: 'copy',
    destination: { ...template.destination, streamName: stream },
    bufferingHints: { ...template.bufferingHints, maxRecordBytes: 2000, maxTimeInBufferMs: 20 },
    retry: { maxAttempts: 3, initialBackoffMs: 5, maxBackoffMs: 20, requestTimeoutMs: 5000 },
  };
  // Orders 13 and 1017 always fail with InternalFailure (retryable): 1017 is inside the aggregate.
  proxy.set({ failRecord: (r) => (/"order_id":(13|1017),/.test(r.data.toString('utf8')) ? INTERNAL_FAILURE : undefined) });
  const kpl = await aggregateOf(Array.from({ length: 10 }, (_, i) => sale(1010 + i, 1)));
  const records: KinesisEventRecord[] = [];
  for (let i = 0; i < 25; i++) records.push(record(100 + i, Buffer.from(JSON.stringify(sale(i, 2))), String(i)));
  records.push(record(125, kpl.data, kpl.partitionKey));
  records.push(record(126, Buffer.from(JSON.stringify(sale(50, 2, { note: 'x'.repeat(3000) }))), '50')); // oversize: rejected for good
  const handler = createStreamSinkHandler({ env: env(config), s3, endpoint: proxy.endpoint, log: () => {} });
  const response = await handler({ Records: records }, context);
  proxy.set({ failRecord: undefined });

  // Order 13 is record 113; the aggregate (record 125) holds order 1017.
  assert.equal(response.batchItemFailures, [{ itemIdentifier: seq(113) }, { itemIdentifier: seq(125) }]);
  const stored = (await kinesis.readAll(stream)).map((r) => JSON.parse(r.data.toString('utf8')).order_id as number);
  assert.is(stored.length, 24 + 9);
  assert.not.ok(stored.includes(13));
  assert.not.ok(stored.includes(1017));
  const letters = lettersAt(`_dead-letters/copy/${SHARD}/${seq(100)}-${seq(126)}.ndjson`)!;
  assert.is(letters.length, 1, 'only the oversize record is a dead letter: the retryable ones are left to Lambda');
  assert.match(letters[0].reason, /maxRecordBytes/);
  assert.is(JSON.parse(letters[0].input).order_id, 50);
});

t('a destination that refuses every request (fatal): every record is reported, none dead-lettered', async () => {
  const config = { ...template, sink: 'nowhere', destination: { ...template.destination, streamName: 'does-not-exist' } };
  const records = Array.from({ length: 5 }, (_, i) => record(200 + i, Buffer.from(JSON.stringify(sale(i, 3))), String(i)));
  const handler = createStreamSinkHandler({ env: env(config), s3, endpoint: kinesis.endpoint, log: () => {} });
  const response = await handler({ Records: records }, context);
  assert.equal(response.batchItemFailures.map((f) => f.itemIdentifier), records.map((r) => r.kinesis.sequenceNumber));
  assert.is(lettersAt(`_dead-letters/nowhere/${SHARD}/${seq(200)}-${seq(204)}.ndjson`), undefined);
});

t('a destination slower than the time left: the handler returns before the deadline and reports every record', async () => {
  const stream = 'slow-out';
  await kinesis.createStream(stream, 1);
  const config = { ...template, sink: 'slow', destination: { ...template.destination, streamName: stream }, bufferingHints: { ...template.bufferingHints, maxTimeInBufferMs: 10 } };
  proxy.set({ latencyMs: 8000 });
  const records = Array.from({ length: 8 }, (_, i) => record(300 + i, Buffer.from(JSON.stringify(sale(i, 4))), String(i)));
  const handler = createStreamSinkHandler({ env: { ...env(config), STOP_MARGIN_MS: '3000' }, s3, endpoint: proxy.endpoint, log: () => {} });
  const started = Date.now();
  const response = await handler({ Records: records }, { getRemainingTimeInMillis: () => 5000 });
  const took = Date.now() - started;
  proxy.set({ latencyMs: 0 });
  // The deadline is 2,000 ms away (5,000 left, 3,000 margin: room for a loaded machine); the
  // requests would take 8,000.
  assert.ok(took < 5000, `returned after ${took} ms, inside the 5,000 ms left`);
  assert.equal(response.batchItemFailures.map((f) => f.itemIdentifier), records.map((r) => r.kinesis.sequenceNumber));
});

t('an empty event is answered without work', async () => {
  const handler = createStreamSinkHandler({ env: env({ ...template, sink: 'idle' } as { sink: string }), s3, log: () => assert.unreachable('no EMF line') });
  assert.equal(await handler({ Records: [] } as KinesisStreamEvent, context), { batchItemFailures: [] });
});

t.run();
