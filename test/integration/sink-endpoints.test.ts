// `ara-gen sink run` finds its endpoint the standard AWS SDK way: AWS_ENDPOINT_URL_<SERVICE>, then
// AWS_ENDPOINT_URL, with --endpoint winning over both; plain http:// loopback endpoints work.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SinkConfig } from '../../src/runtime/sink-config-file.js';
import { childEnv, eventLines, runSinkRun, writeJson } from '../helpers/sink-cli.js';
import { startDynalite, type LocalDynamoDb } from '../servers/dynalite.js';
import { startFirehoseLocal, type LocalFirehose } from '../servers/firehose-local.js';
import { uniqueName } from '../servers/harness.js';

const test = suite('sink run: endpoint resolution (firehose, dynamodb)');

let firehose: LocalFirehose;
let dynamo: LocalDynamoDb;
let dir = '';

test.before(async () => {
  firehose = await startFirehoseLocal();
  dynamo = await startDynalite();
  dir = mkdtempSync(join(tmpdir(), 'ara-sink-endpoints-'));
});
test.after(async () => {
  await firehose.stop();
  await dynamo.stop();
  rmSync(dir, { recursive: true, force: true });
});

const common = {
  version: 1,
  sink: 'events',
  platform: 'test',
  environment: 'dev',
  rateLimiting: { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5 },
  retry: { maxAttempts: 0, initialBackoffMs: 20, maxBackoffMs: 500, requestTimeoutMs: 5000 },
  aggregation: 'none',
} as const;
const hints = { maxBatchBytes: 1024 * 1024, maxRecordBytes: 4096, maxBufferedRequests: 1000, maxTimeInBufferMs: 50, maxInFlightRequests: 4 };

const ids = (lines: readonly string[]): number[] => lines.map((l) => (JSON.parse(l) as { id: number }).id).sort((a, b) => a - b);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test('firehose through AWS_ENDPOINT_URL_FIREHOSE: every event delivered as one NDJSON line; exit 0', async () => {
  const stream = uniqueName('fh');
  firehose.createDeliveryStream(stream);
  const config: SinkConfig = { ...common, destination: { type: 'firehose', deliveryStreamName: stream, region: 'us-east-1' }, bufferingHints: { ...hints, maxBatchSize: 100 } };
  const file = writeJson(join(dir, 'fh.json'), config);
  // AWS_ENDPOINT_URL points nowhere: the service-specific variable must win.
  const env = childEnv({ AWS_ENDPOINT_URL_FIREHOSE: firehose.endpoint, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
  const r = await runSinkRun([file], env, eventLines(0, 200));
  assert.is(r.code, 0, r.stderr);
  const records = firehose.records(stream).map((b) => b.toString('utf8'));
  assert.ok(records.every((l) => l.endsWith('}\n')), 'newline-delimited');
  assert.equal(ids(records), range(200));
});

test('dynamodb through the generic AWS_ENDPOINT_URL; --endpoint wins over the variables', async () => {
  const table = uniqueName('generic');
  await dynamo.createTable(table, { hash: 'id', hashType: 'N' });
  const config: SinkConfig = { ...common, destination: { type: 'dynamodb', tableName: table, region: 'us-east-1' }, bufferingHints: { ...hints, maxBatchSize: 25 } };
  const file = writeJson(join(dir, 'ddb.json'), config);
  const [r1, r2] = await Promise.all([
    runSinkRun([file], childEnv({ AWS_ENDPOINT_URL: dynamo.endpoint }), eventLines(0, 100)),
    runSinkRun([file, '--endpoint', dynamo.endpoint], childEnv({ AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' }), eventLines(100, 150)),
  ]);
  assert.is(r1.code, 0, r1.stderr);
  assert.is(r2.code, 0, r2.stderr);
  const items = await dynamo.scanAll(table);
  assert.equal(items.map((i) => i.id as number).sort((a, b) => a - b), range(150));
});

test.run();
