/**
 * The replayer-into-sink Lambda handler, invoked in-process as Lambda would (scheduled event +
 * context), against kinesalite and the local S3 server: a full window reaches every shard of the
 * stream; records the destination cannot take land as dead letters in S3; the EMF line follows a
 * fixed schema.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compileSinkConfig } from '../../src/compiler/sink-config.js';
import { generateWindow } from '../../src/datasets/retail.js';
import { EMF_METRICS, EMF_NAMESPACE } from '../../src/runtime/lambda/emf.js';
import { createSinkReplayerHandler } from '../../src/runtime/lambda/sink-replayer.js';
import { flagshipSpec, loadModel } from '../helpers/models.js';
import { startKinesalite, TEST_CREDENTIALS, type LocalKinesis } from '../servers/kinesalite.js';
import { startS3Local, type S3Local } from '../servers/s3-local.js';

const t = suite('sink replayer handler');
let kinesis: LocalKinesis;
let s3local: S3Local;
let s3: S3Client;
let sinkConfig: Record<string, any>;
const saved = { ...process.env };

t.before(async () => {
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  kinesis = await startKinesalite();
  s3local = await startS3Local({ buckets: ['raw'] });
  s3 = new S3Client({ endpoint: s3local.endpoint, forcePathStyle: true, region: 'eu-west-1', credentials: TEST_CREDENTIALS });
  const model = await loadModel(flagshipSpec);
  sinkConfig = JSON.parse(JSON.stringify(compileSinkConfig(model, model.sinks['web-sale-events']!)));
});

t.after(async () => {
  s3.destroy();
  await kinesis.stop();
  await s3local.close();
  process.env = saved;
});

const WINDOW = { start: new Date('2024-03-01T10:00:00Z'), end: new Date('2024-03-01T10:01:00Z') };
const env = (config: object, records: number) => ({
  SINK_CONFIG: JSON.stringify(config),
  TABLE: 'web_sale',
  SEED: '42',
  RECORDS_PER_WINDOW: String(records),
  FREQUENCY_SECONDS: '60',
  DEAD_LETTER_BUCKET: 'raw',
  DEAD_LETTER_PREFIX: `_dead-letters/${(config as any).sink}/`,
  KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/test',
});
const context = { getRemainingTimeInMillis: () => 60_000 };

t('a full window reaches the stream (all shards), one EMF line with the fixed schema', async () => {
  const stream = 'replay-full';
  await kinesis.createStream(stream, 2);
  const config = { ...sinkConfig, destination: { ...sinkConfig.destination, streamName: stream } };
  const lines: string[] = [];
  const handler = createSinkReplayerHandler({ env: env(config, 500), s3, endpoint: kinesis.endpoint, log: (l) => lines.push(l) });
  const result = await handler({ time: '2024-03-01T10:01:20Z' }, context);
  assert.is(result.outcome, 'ok');
  assert.equal(result.records, { read: 500, delivered: 500, deadLettered: 0, unacknowledged: 0 });
  assert.is(result.deadLetters, null);
  const stored = await kinesis.readAll(stream);
  assert.is(stored.length, 500);
  assert.is(new Set(stored.map((r) => r.shardId)).size, 2, 'both shards hold records');
  const expected = generateWindow('web_sale', { seed: 42, ...WINDOW, recordsPerWindow: 500 });
  const got = stored.map((r) => JSON.parse(r.data.toString('utf8')));
  const key = (r: any) => `${r.order_id}|${r.item_id}|${r.sale_datetime}`;
  assert.equal(got.map(key).sort(), expected.map(key).sort());
  // The partition key is the order id.
  assert.ok(stored.every((r, i) => r.partitionKey === String(got[i].order_id)));

  assert.is(lines.length, 1);
  const emf = JSON.parse(lines[0]!);
  assert.equal(Object.keys(emf), ['_aws', 'Sink', 'Outcome', ...Object.keys(EMF_METRICS)]);
  assert.is(emf._aws.CloudWatchMetrics.length, 1);
  const [directive] = emf._aws.CloudWatchMetrics;
  assert.is(directive.Namespace, EMF_NAMESPACE);
  assert.equal(directive.Dimensions, [['Sink']]);
  assert.equal(directive.Metrics, Object.entries(EMF_METRICS).map(([Name, Unit]) => ({ Name, Unit })));
  assert.ok(Number.isInteger(emf._aws.Timestamp));
  assert.is(emf.Sink, 'web-sale-events');
  assert.is(emf.RecordsDelivered, 500);
  assert.is(emf.RecordsDeadLettered, 0);
  for (const name of Object.keys(EMF_METRICS)) assert.ok(typeof emf[name] === 'number' && emf[name] >= 0, name);
});

t('records the destination cannot take land as dead letters under the S3 prefix, none lost', async () => {
  const stream = 'replay-dead';
  await kinesis.createStream(stream, 1);
  const rows = generateWindow('web_sale', { seed: 42, ...WINDOW, recordsPerWindow: 300 });
  // A record limit at the median record size: about half the records are oversize.
  const sizes = rows.map((r) => Buffer.byteLength(JSON.stringify(r)) + String(r.order_id).length).sort((a, b) => a - b);
  const limit = sizes[150]!;
  const config = {
    ...sinkConfig,
    destination: { ...sinkConfig.destination, streamName: stream },
    bufferingHints: { ...sinkConfig.bufferingHints, maxRecordBytes: limit },
  };
  const handler = createSinkReplayerHandler({ env: env(config, 300), s3, endpoint: kinesis.endpoint, log: () => {} });
  const result = await handler({ time: '2024-03-01T10:01:20Z' }, context);
  assert.is(result.outcome, 'dead-letters');
  assert.ok(result.records.deadLettered > 50 && result.records.deadLettered < 250, `${result.records.deadLettered} dead letters`);
  assert.is(result.records.delivered + result.records.deadLettered, 300);
  assert.is((await kinesis.readAll(stream)).length, result.records.delivered);
  const key = '_dead-letters/web-sale-events/2024-03-01T100000-2024-03-01T100100.ndjson';
  assert.is(result.deadLetters, `s3://raw/${key}`);
  const object = s3local.buckets.get('raw')!.get(key)!;
  assert.ok(object, 'dead-letter object written');
  assert.is(object.headers['x-amz-server-side-encryption'], 'aws:kms');
  const letters = object.body.toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.is(letters.length, result.records.deadLettered);
  for (const l of letters) {
    assert.is(l.sink, 'web-sale-events');
    assert.ok(Buffer.byteLength(l.input) + 1 > limit - 20, 'an oversize record');
    assert.ok(JSON.parse(l.input).order_id > 0, 'the original event is kept');
  }
});

t.run();
