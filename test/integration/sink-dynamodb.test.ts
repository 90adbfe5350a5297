// `ara-gen sink run` into DynamoDB (dynalite on loopback): events that break the table's key schema
// (a key attribute missing, of the wrong type or empty; a wrongly typed index key) go to the
// dead-letter file with a reason; they never fail the request, never block and never stop the sink.
// The CLI's part (exit codes, --stats-json, messages) runs as a child; the destination's dead-letter
// rules run in-process through runSinkJob, the library `sink run` is a thin adapter of.
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SinkConfig } from '../../src/runtime/sink-config-file.js';
import { Readable } from 'node:stream';
import { DeadLetterWriter } from '../../src/runtime/dead-letter.js';
import { destinationFromConfig, type AwsDestinationConfig } from '../../src/runtime/destinations/index.js';
import { loadSinkConfig } from '../../src/runtime/sink-config-file.js';
import { runSinkJob, type SinkJobResult } from '../../src/runtime/sink-job.js';
import { childEnv, runSinkRun, testSinkConfig, writeJson } from '../helpers/sink-cli.js';
import { TEST_CREDENTIALS } from '../servers/kinesalite.js';
import { startDynalite, type LocalDynamoDb } from '../servers/dynalite.js';
import { uniqueName } from '../servers/harness.js';

const test = suite('sink run (CLI) against dynalite');

let dynamo: LocalDynamoDb;
let dir = '';
let env: NodeJS.ProcessEnv;

test.before(async () => {
  dynamo = await startDynalite();
  dir = mkdtempSync(join(tmpdir(), 'ara-sink-ddb-'));
  env = childEnv({ AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint });
});
test.after(async () => {
  await dynamo.stop();
  rmSync(dir, { recursive: true, force: true });
});

function dynamoConfig(tableName: string, overrides: Partial<SinkConfig> = {}): SinkConfig {
  return testSinkConfig({ type: 'dynamodb', tableName, region: 'us-east-1' }, {
    sink: 'orders',
    bufferingHints: { maxBatchSize: 25, maxBatchBytes: 1024 * 1024, maxRecordBytes: 4096, maxBufferedRequests: 500, maxTimeInBufferMs: 50, maxInFlightRequests: 4 },
    ...overrides,
  });
}

interface DeadLine {
  reason: string;
  input: string;
  at: number | null;
}
const deadLines = (file: string): DeadLine[] =>
  readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DeadLine);

/** 200 good orders with bad ones mixed in; returns the NDJSON and the good events. */
function mixedInput(bad: readonly unknown[]): { text: string; good: Record<string, unknown>[] } {
  const good: Record<string, unknown>[] = [];
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    const e = { customer: `c${i % 7}`, order: i, total: i * 1.5 };
    good.push(e);
    lines.push(JSON.stringify(e));
    // A bad event every 40 lines: inside batches of good ones.
    if (i % 40 === 20 && bad[(i - 20) / 40] !== undefined) lines.push(JSON.stringify(bad[(i - 20) / 40]));
  }
  return { text: lines.join('\n') + '\n', good };
}

/** `sink run CONFIG --dead-letter DEAD < text`, in-process: the config as the CLI loads it, the destination it builds. */
async function runJob(configFile: string, text: string, dead: string): Promise<SinkJobResult> {
  const config = await loadSinkConfig(configFile);
  const deadLetters = new DeadLetterWriter(dead);
  try {
    const destination = destinationFromConfig(config.destination as AwsDestinationConfig, { endpoint: dynamo.endpoint, maxSockets: config.bufferingHints.maxInFlightRequests, keyAttributes: config.keyAttributes, credentials: TEST_CREDENTIALS });
    return await runSinkJob({ config, input: { stream: Readable.from([Buffer.from(text)]) }, deadLetters, destination });
  } finally {
    await deadLetters.close();
  }
}

const byOrder = (a: Record<string, unknown>, b: Record<string, unknown>) => (a.order as number) - (b.order as number);

test('key schema learnt with DescribeTable: events missing a key or with a wrongly typed/empty key are dead-lettered, the rest delivered; exit 1', async () => {
  const table = uniqueName('orders');
  await dynamo.createTable(table, { hash: 'customer', range: 'order', rangeType: 'N' });
  const bad = [
    { order: 1000, total: 1 }, // no partition key
    { customer: 'c1', order: 'one', total: 2 }, // sort key of the wrong type
    { customer: '', order: 1002 }, // empty partition key
    { customer: 'c2', total: 3 }, // no sort key
    { customer: { id: 1 }, order: 1004 }, // a map as the partition key
  ];
  const { text, good } = mixedInput(bad);
  const config = writeJson(join(dir, `${table}.json`), dynamoConfig(table));
  const dead = join(dir, `${table}.dead.ndjson`);
  const stats = join(dir, `${table}.stats.json`);
  const r = await runSinkRun([config, '--dead-letter', dead, '--stats-json', stats], env, text);
  assert.is(r.code, 1, r.stderr);
  assert.not.match(r.stderr, /ValidationException.*retrying cannot fix|\n\s+at /);
  assert.equal((await dynamo.scanAll(table)).sort(byOrder), good);
  // Requests complete in any order: compare (input, reason) pairs sorted by input.
  const got = deadLines(dead)
    .map((l) => [l.input, l.reason.replace(/^rejected by DynamoDB table \S+: ValidationException: /, '')])
    .sort((x, y) => x[0]!.localeCompare(y[0]!));
  const expected = [
    [bad[0], `the item has no value for the key attribute "customer" (table ${table})`],
    [bad[1], `key attribute "order" is a string; the table expects a number (table ${table})`],
    [bad[2], `key attribute "customer" is empty; DynamoDB keys cannot be empty (table ${table})`],
    [bad[3], `the item has no value for the key attribute "order" (table ${table})`],
    [bad[4], `key attribute "customer" is a map; the table expects a string (table ${table})`],
  ]
    .map(([e, reason]) => [JSON.stringify(e), reason as string])
    .sort((x, y) => x[0]!.localeCompare(y[0]!));
  assert.equal(got, expected);
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  assert.equal(s.records, { read: 205, delivered: 200, deadLettered: 5, unacknowledged: 0 });
  assert.is(s.exitCode, 1);
  assert.is(s.engine.failedRequests, 0, 'no request failed as a whole');
  assert.is(s.engine.throttled, 0, 'bad items do not slow the rate limiter');
});

test('keyAttributes in the config: checked at conversion, with the input line number; no DescribeTable needed', async () => {
  const table = uniqueName('keyed');
  await dynamo.createTable(table, { hash: 'customer', range: 'order', rangeType: 'N' });
  const bad = [{ order: 1000 }, { customer: 'c1', order: '7' }];
  const { text, good } = mixedInput(bad);
  const config = writeJson(
    join(dir, `${table}.json`),
    dynamoConfig(table, { keyAttributes: [{ name: 'customer', type: 'S' }, { name: 'order', type: 'N' }] }),
  );
  const dead = join(dir, `${table}.dead.ndjson`);
  const r = await runJob(config, text, dead);
  assert.is(r.outcome, 'dead-letters', JSON.stringify(r.records));
  assert.equal((await dynamo.scanAll(table)).sort(byOrder), good);
  const lines = deadLines(dead);
  assert.equal(lines.map((l) => [l.at, l.reason]), [
    [22, 'key attribute "customer" is missing'],
    [63, 'key attribute "order" is a string; the table expects a number'],
  ]);
});

test('a wrongly typed index key the checks cannot see in the config is isolated: only that item is dead-lettered', async () => {
  const table = uniqueName('indexed');
  await dynamo.client.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, { AttributeName: 'region', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [{ IndexName: 'by-region', KeySchema: [{ AttributeName: 'region', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await dynamo.waitActive(table);
  const events = Array.from({ length: 60 }, (_, i) => ({ id: `o${i}`, region: i === 30 ? 42 : `r${i % 3}` }));
  // keyAttributes given: the destination does not know the index, so DynamoDB refuses the batch.
  const config = writeJson(join(dir, `${table}.json`), dynamoConfig(table, { keyAttributes: [{ name: 'id', type: 'S' }] }));
  const dead = join(dir, `${table}.dead.ndjson`);
  const r = await runJob(config, events.map((e) => JSON.stringify(e)).join('\n') + '\n', dead);
  assert.is(r.outcome, 'dead-letters', JSON.stringify(r.records));
  assert.equal(r.records, { read: 60, delivered: 59, deadLettered: 1, unacknowledged: 0 });
  const items = (await dynamo.scanAll(table)).map((i) => i.id as string).sort();
  assert.equal(items, events.filter((_, i) => i !== 30).map((e) => e.id).sort());
  const lines = deadLines(dead);
  assert.is(lines.length, 1);
  assert.equal(JSON.parse(lines[0]!.input), { id: 'o30', region: 42 });
  assert.match(lines[0]!.reason, /^rejected by DynamoDB table \S+: ValidationException: .+/);
});

test('a table that does not exist: exit 3 with one sentence naming it', async () => {
  const config = writeJson(join(dir, 'missing.json'), dynamoConfig('no-such-table'));
  const r = await runSinkRun([config, '--dead-letter', join(dir, 'missing.dead.ndjson')], env, '{"id":"a"}\n');
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr, /DynamoDB table no-such-table failed with ResourceNotFoundException/);
  assert.not.match(r.stderr, /\n\s+at /);
});

test('keyAttributes is rejected for other destination types and when both keys have the same name', async () => {
  const bad1 = writeJson(join(dir, 'k1.json'), { ...dynamoConfig('orders-table'), destination: { type: 'kinesis', streamName: 'stream', region: 'us-east-1' }, keyAttributes: [{ name: 'id', type: 'S' }] });
  const bad2 = writeJson(join(dir, 'k2.json'), dynamoConfig('orders-table', { keyAttributes: [{ name: 'id', type: 'S' }, { name: 'id', type: 'N' }] }));
  const [r1, r2] = await Promise.all([runSinkRun([bad1], env, ''), runSinkRun([bad2], env, '')]);
  assert.is(r1.code, 2, r1.stderr);
  assert.match(r1.stderr, /\/keyAttributes: 'keyAttributes' applies to dynamodb destinations only, not kinesis\n\s+hint: remove 'keyAttributes'/);
  assert.is(r2.code, 2, r2.stderr);
  assert.match(r2.stderr, /\/keyAttributes\/1\/name: the sort key must differ from the partition key "id"/);
});

test.run();
