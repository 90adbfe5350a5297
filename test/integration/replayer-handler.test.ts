/**
 * The BatchReplayer Lambda handler against a real S3-compatible server on 127.0.0.1
 * (test/servers/s3-local.ts): key layout, CSV header and columns, SSE-KMS headers, idempotency,
 * part splitting, configuration errors, and the esbuild bundle the construct deploys.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bundleReplayerHandler } from '../../src/compiler/constructs/batch-replayer.js';
import { packageRoot } from '../../src/paths.js';
import { generateWindow, tableColumns, toCsv } from '../../src/datasets/retail.js';
import { configFromEnv, createHandler, renderWindow, windowEndingAt, type ReplayResult } from '../../src/runtime/replayer/handler.js';
import { startS3Local, type S3Local } from '../servers/s3-local.js';

const run = promisify(execFile);
const t = suite('replayer handler');
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const ENV = {
  BUCKET: 'lake',
  PREFIX: 'customer/',
  TABLE: 'customer',
  SEED: '42',
  RECORDS_PER_WINDOW: '250',
  FREQUENCY_SECONDS: '300',
  KMS_KEY_ARN: KEY_ARN,
};
const WINDOW_KEY = 'customer/ingestion_start=2024-03-01T10:00:00/ingestion_end=2024-03-01T10:05:00/part-00000.csv';

let s3local: S3Local;
let client: S3Client;
const logs: string[] = [];

t.before(async () => {
  s3local = await startS3Local({ buckets: ['lake'] });
  client = new S3Client({
    endpoint: s3local.endpoint,
    forcePathStyle: true,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

t.after(async () => {
  client.destroy();
  await s3local.close();
});

t.before.each(() => {
  s3local.buckets.set('lake', new Map());
  s3local.requests.length = 0;
  logs.length = 0;
});

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  assert.ok(error, `expected a rejection matching ${pattern}`);
  assert.match(error!.message, pattern);
}

const handlerWith = (env: Record<string, string>) => createHandler({ s3: client, env, log: (l) => logs.push(l) });

async function listKeys(prefix = ''): Promise<string[]> {
  const out = await client.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

async function getText(key: string): Promise<string> {
  const out = await client.send(new GetObjectCommand({ Bucket: 'lake', Key: key }));
  return out.Body!.transformToString();
}

t('the window is the frequency-aligned interval that ends at or before the event time', () => {
  const w = windowEndingAt(new Date('2024-03-01T10:07:30Z'), 300);
  assert.is(w.start.toISOString(), '2024-03-01T10:00:00.000Z');
  assert.is(w.end.toISOString(), '2024-03-01T10:05:00.000Z');
  const exact = windowEndingAt(new Date('2024-03-01T10:05:00Z'), 300);
  assert.is(exact.end.toISOString(), '2024-03-01T10:05:00.000Z', 'an event on the boundary closes the window that ends there');
  assert.is(windowEndingAt(new Date('2024-03-01T10:00:59.999Z'), 60).start.toISOString(), '2024-03-01T09:59:00.000Z');
});

t('one invocation writes the window under <prefix>ingestion_start=…/ingestion_end=…/ with a header; the bounds are in the path only', async () => {
  const result = await handlerWith(ENV)({ time: '2024-03-01T10:07:30Z' });
  assert.equal(await listKeys(), [WINDOW_KEY]);
  assert.equal(result.objects.map((o) => o.key), [WINDOW_KEY]);
  assert.is(result.objects[0]!.rows, 250);
  assert.is(result.start, '2024-03-01T10:00:00');
  assert.is(result.end, '2024-03-01T10:05:00');

  const text = await getText(WINDOW_KEY);
  const lines = text.split('\r\n');
  assert.is(lines.length, 252, 'header + 250 records + trailing empty string');
  assert.is(lines[0], tableColumns('customer').map((c) => c.name).join(','));
  assert.ok(!text.includes('2024-03-01T10:05:00'), 'the window end (a partition value) is not repeated in the rows');
  // Exactly the generator's rows for that window and seed.
  const expected = toCsv(
    generateWindow('customer', { seed: 42, start: new Date('2024-03-01T10:00:00Z'), end: new Date('2024-03-01T10:05:00Z'), recordsPerWindow: 250 }),
    tableColumns('customer'),
  );
  assert.is(text, expected);

  const stored = s3local.buckets.get('lake')!.get(WINDOW_KEY)!;
  assert.is(stored.headers['x-amz-server-side-encryption'], 'aws:kms');
  assert.is(stored.headers['x-amz-server-side-encryption-aws-kms-key-id'], KEY_ARN);
  assert.is(stored.headers['x-amz-server-side-encryption-bucket-key-enabled'], 'true');
  assert.is(stored.headers['content-type'], 'text/csv; charset=utf-8');
  assert.equal(JSON.parse(logs[0]!), {
    message: 'window replayed', table: 'customer', start: '2024-03-01T10:00:00', end: '2024-03-01T10:05:00', rows: 250, objects: [WINDOW_KEY],
  });
});

t('replaying the same window (retry, duplicate event) rewrites the same key with the same bytes', async () => {
  const handler = handlerWith(ENV);
  await handler({ time: '2024-03-01T10:05:00Z' });
  const first = s3local.buckets.get('lake')!.get(WINDOW_KEY)!;
  await handler({ time: '2024-03-01T10:09:59Z' }); // later in the same period: same window
  const second = s3local.buckets.get('lake')!.get(WINDOW_KEY)!;
  assert.equal(await listKeys(), [WINDOW_KEY]);
  assert.is(s3local.requests.filter((r) => r.startsWith('PUT ')).length, 2);
  assert.ok(first.body.equals(second.body));
  assert.is(first.etag, second.etag);
});

t('consecutive events write consecutive, non-overlapping windows', async () => {
  const handler = handlerWith(ENV);
  for (const time of ['2024-03-01T10:05:02Z', '2024-03-01T10:10:01Z', '2024-03-01T10:15:00Z']) await handler({ time });
  assert.equal(await listKeys('customer/'), [
    WINDOW_KEY,
    'customer/ingestion_start=2024-03-01T10:05:00/ingestion_end=2024-03-01T10:10:00/part-00000.csv',
    'customer/ingestion_start=2024-03-01T10:10:00/ingestion_end=2024-03-01T10:15:00/part-00000.csv',
  ]);
  const second = await getText('customer/ingestion_start=2024-03-01T10:05:00/ingestion_end=2024-03-01T10:10:00/part-00000.csv');
  const times = second.split('\r\n').slice(1, -1).map((l) => l.split(',').at(-1)!);
  assert.ok(times.every((x) => x >= '2024-03-01T10:05:00' && x < '2024-03-01T10:10:00'));
});

t('a window larger than the part limit is split into parts, each with the header and within the limit', async () => {
  const env = { ...ENV, TABLE: 'web_sale', PREFIX: 'sales/web/', RECORDS_PER_WINDOW: '400', MAX_PART_BYTES: '20000' };
  const result = await handlerWith(env)({ time: '2024-03-01T10:05:00Z' });
  const keys = await listKeys('sales/web/');
  assert.ok(keys.every((k) => k.startsWith('sales/web/ingestion_start=2024-03-01T10:00:00/ingestion_end=2024-03-01T10:05:00/part-')), keys.join(' '));
  assert.ok(keys.length >= 4, `${keys.length} parts`);
  assert.equal(keys, result.objects.map((o) => o.key));
  assert.equal(keys.map((k) => k.slice(-14)), keys.map((_, i) => `part-${String(i).padStart(5, '0')}.csv`));
  let records: string[] = [];
  let header = '';
  for (const key of keys) {
    const stored = s3local.buckets.get('lake')!.get(key)!;
    assert.ok(stored.body.length <= 20000, `${key}: ${stored.body.length} bytes`);
    const lines = stored.body.toString('utf8').split('\r\n');
    header ||= lines[0]!;
    assert.is(lines[0], header);
    records = records.concat(lines.slice(1, -1));
  }
  assert.is(records.length, 400);
  // Concatenated parts hold exactly the single-part rendering's records, in order.
  const whole = renderWindow(configFromEnv({ ...env, MAX_PART_BYTES: '' }), windowEndingAt(new Date('2024-03-01T10:05:00Z'), 300));
  assert.is(whole.length, 1);
  assert.equal(records, whole[0]!.body.toString('utf8').split('\r\n').slice(1, -1));
});

t('an empty window still writes its header-only object; without a key no SSE header is sent', async () => {
  const { KMS_KEY_ARN: _omit, ...plain } = ENV;
  const result = await handlerWith({ ...plain, RECORDS_PER_WINDOW: '0' })({ time: '2024-03-01T10:05:00Z' });
  assert.is(result.objects[0]!.rows, 0);
  assert.is(await getText(WINDOW_KEY), `${tableColumns('customer').map((c) => c.name).join(',')}\r\n`);
  assert.is(s3local.buckets.get('lake')!.get(WINDOW_KEY)!.headers['x-amz-server-side-encryption'], undefined);
});

t('the prefix names the table folder; an empty prefix falls back to <table>/', async () => {
  await handlerWith({ ...ENV, PREFIX: '' })({ time: '2024-03-01T10:07:30Z' });
  await handlerWith({ ...ENV, TABLE: 'item', PREFIX: '' })({ time: '2024-03-01T10:07:30Z' });
  await handlerWith({ ...ENV, PREFIX: 'lake/customers' })({ time: '2024-03-01T10:07:30Z' });
  assert.equal(await listKeys(), [
    // Without a prefix the default folder is the table, same as the spec's customer/ prefix.
    WINDOW_KEY,
    'item/ingestion_start=2024-03-01T10:00:00/ingestion_end=2024-03-01T10:05:00/part-00000.csv',
    'lake/customers/ingestion_start=2024-03-01T10:00:00/ingestion_end=2024-03-01T10:05:00/part-00000.csv',
  ]);
});

t('configuration errors name the variable and the fix', async () => {
  const { BUCKET: _b, ...noBucket } = ENV;
  await rejects(handlerWith(noBucket)({ time: '2024-03-01T10:05:00Z' }), /environment variable BUCKET is not set/);
  await rejects(handlerWith({ ...ENV, SEED: 'abc' })({}), /SEED must be an integer >= .*got 'abc'/);
  await rejects(handlerWith({ ...ENV, FREQUENCY_SECONDS: '0' })({}), /FREQUENCY_SECONDS must be an integer >= 1/);
  await rejects(handlerWith({ ...ENV, TABLE: 'custmer' })({}), /unknown retail table 'custmer': did you mean 'customer'\?/);
  await rejects(handlerWith(ENV)({ time: 'yesterday' }), /event time is not a valid date/);
  assert.is(s3local.requests.length, 0);
  assert.is(configFromEnv({ ...ENV, PREFIX: 'raw' }).prefix, 'raw/');
  assert.is(configFromEnv({ ...ENV, PREFIX: undefined as unknown as string }).prefix, '');
});

t('the deployed bundle runs as the Lambda would: CommonJS index.handler, SDK from the runtime', async () => {
  const dir = bundleReplayerHandler();
  const script =
    'require(process.argv[1]).handler({ time: "2024-03-01T10:07:30Z" })' +
    '.then((r) => process.stdout.write("\\n" + JSON.stringify(r)), (e) => { console.error(e); process.exit(1); })';
  const { stdout } = await run(process.execPath, ['-e', script, join(dir, 'index.js')], {
    env: {
      PATH: process.env['PATH'] ?? '',
      // The Lambda runtime provides the AWS SDK; here node_modules stands in for it.
      NODE_PATH: join(packageRoot, 'node_modules'),
      NODE_NO_WARNINGS: '1',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_S3: s3local.endpoint,
      ...ENV,
    },
  });
  const [logLine, resultLine] = stdout.split('\n').filter(Boolean);
  assert.is(JSON.parse(logLine!).message, 'window replayed', 'the function logs one JSON line per window');
  const result = JSON.parse(resultLine!) as ReplayResult;
  assert.equal(result.objects.map((o) => o.key), [WINDOW_KEY]);
  const fromBundle = s3local.buckets.get('lake')!.get(WINDOW_KEY)!.body;
  await handlerWith(ENV)({ time: '2024-03-01T10:07:30Z' });
  assert.ok(fromBundle.equals(s3local.buckets.get('lake')!.get(WINDOW_KEY)!.body), 'bundle and sources write the same bytes');
});

t.run();
