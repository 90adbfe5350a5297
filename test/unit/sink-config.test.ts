import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadPlatformOrThrow } from '../../src/compiler/load.js';
import type { PlatformModel, SinkModel } from '../../src/compiler/model.js';
import { compileSinkConfig, compileSinkConfigs, formatSinkConfig } from '../../src/compiler/sink-config.js';
import { loadSinkConfig, parseSinkConfig, SinkConfigFileError, type SinkConfig } from '../../src/runtime/sink-config-file.js';

const flagship = suite('sink-config: compile the flagship');

flagship('web-sale-events compiles to the documented config', async () => {
  const model = await loadPlatformOrThrow('examples/mystore.yaml');
  const configs = compileSinkConfigs(model);
  assert.equal(Object.keys(configs), ['web-sale-events', 'web-sale-revenue']);
  const c = configs['web-sale-events']!;
  assert.equal(c, {
    version: 1,
    sink: 'web-sale-events',
    platform: 'mystore',
    environment: 'dev',
    destination: { type: 'kinesis', streamName: 'mystore-dev-web-sale', region: 'eu-west-1' },
    bufferingHints: {
      maxBatchSize: 500,
      maxBatchBytes: 5 * 1024 * 1024,
      maxRecordBytes: 1024 * 1024,
      maxBufferedRequests: 10000,
      maxTimeInBufferMs: 1000,
      maxInFlightRequests: 16,
    },
    rateLimiting: { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5, slowStart: true },
    retry: c.retry,
    partitionKey: 'order_id',
    aggregation: 'none',
  });
  // The retry policy comes from the blueprint; whatever it is, it is numeric and complete.
  for (const k of ['maxAttempts', 'initialBackoffMs', 'maxBackoffMs', 'requestTimeoutMs'] as const) assert.type(c.retry[k], 'number', k);
  // Fixed key order: the file text is deterministic.
  assert.equal(Object.keys(c), ['version', 'sink', 'platform', 'environment', 'destination', 'bufferingHints', 'rateLimiting', 'retry', 'partitionKey', 'aggregation']);
  const again = compileSinkConfigs(await loadPlatformOrThrow('examples/mystore.yaml'));
  assert.is(formatSinkConfig(again['web-sale-events']!), formatSinkConfig(c));
  // No secrets, no endpoints.
  assert.not.match(formatSinkConfig(c), /endpoint|secret|accessKey|password|token/i);
});

flagship('the compiled config passes the schema', async () => {
  const model = await loadPlatformOrThrow('examples/mystore.yaml');
  const c = compileSinkConfigs(model)['web-sale-events']!;
  const parsed = await parseSinkConfig(JSON.parse(formatSinkConfig(c)));
  assert.equal(parsed, c);
});

flagship('environment prod uses the prod physical names', async () => {
  const model = await loadPlatformOrThrow('examples/mystore.yaml', { env: 'prod' });
  const c = compileSinkConfigs(model)['web-sale-events']!;
  assert.is(c.environment, 'prod');
  assert.equal(c.destination, { type: 'kinesis', streamName: 'mystore-prod-web-sale', region: 'eu-west-1' });
});

flagship.run();

const variants = suite('sink-config: destination variants');

const source = { file: 'x.yaml', path: '/sinks/x', line: 1, col: 1 };
const hints = { maxBatchSize: 25, maxBatchBytes: 1000000, maxRecordBytes: 400000, maxBufferedRequests: 1000, maxTimeInBufferMs: 500, maxInFlightRequests: 4 };
const retry = { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 100, requestTimeoutMs: 1000 };
const model = { name: 'shop', environment: { name: 'qa', account: '111111111111', region: 'us-west-2' } } as PlatformModel;
const sinkOf = (destination: SinkModel['destination'], extra: Partial<SinkModel> = {}): SinkModel => ({
  name: 'x',
  type: destination.type,
  destination,
  aggregation: 'none',
  bufferingHints: hints,
  rateLimiting: { strategy: 'none' },
  retry,
  source,
  ...extra,
});

variants('firehose, dynamodb and file destinations', async () => {
  const fh = compileSinkConfig(model, sinkOf({ type: 'firehose', deliveryStream: 'to-raw', deliveryStreamName: 'shop-qa-to-raw' }));
  assert.equal(fh.destination, { type: 'firehose', deliveryStreamName: 'shop-qa-to-raw', region: 'us-west-2' });
  assert.equal(fh.rateLimiting, { strategy: 'none' });
  assert.not.ok('partitionKey' in fh);
  const ddb = compileSinkConfig(model, sinkOf({ type: 'dynamodb', tableName: 'shop-qa-orders' }));
  assert.equal(ddb.destination, { type: 'dynamodb', tableName: 'shop-qa-orders', region: 'us-west-2' });
  const file = compileSinkConfig(model, sinkOf({ type: 'file', path: 'out/events.ndjson' }));
  assert.equal(file.destination, { type: 'file', path: 'out/events.ndjson' });
  for (const c of [fh, ddb, file]) assert.equal(await parseSinkConfig(JSON.parse(formatSinkConfig(c))), c);
});

variants('dynamodb keyAttributes and slowStart reach the config in the schema order, and it validates', async () => {
  const c = compileSinkConfig(
    model,
    sinkOf(
      { type: 'dynamodb', tableName: 'shop-orders' },
      { keyAttributes: [{ name: 'customer', type: 'S' }, { name: 'order', type: 'N' }], rateLimiting: { strategy: 'aimd', increaseRate: 5, decreaseFactor: 0.7, slowStart: false } },
    ),
  );
  assert.equal(c.keyAttributes, [{ name: 'customer', type: 'S' }, { name: 'order', type: 'N' }]);
  assert.equal(c.rateLimiting, { strategy: 'aimd', increaseRate: 5, decreaseFactor: 0.7, slowStart: false });
  assert.equal(Object.keys(c), ['version', 'sink', 'platform', 'environment', 'destination', 'bufferingHints', 'rateLimiting', 'retry', 'keyAttributes', 'aggregation']);
  assert.equal(Object.keys(c.rateLimiting), ['strategy', 'increaseRate', 'decreaseFactor', 'slowStart']);
  const text = formatSinkConfig(c);
  assert.match(text, /"keyAttributes": \[\n    \{\n      "name": "customer",\n      "type": "S"\n    \},/);
  assert.equal(await parseSinkConfig(JSON.parse(text)), c);
  // A sink without keyAttributes writes none (the runtime then asks DescribeTable).
  assert.not.ok('keyAttributes' in compileSinkConfig(model, sinkOf({ type: 'dynamodb', tableName: 'shop-orders' })));
});

variants('kinesis with explicit hash key and KPL aggregation', async () => {
  const c = compileSinkConfig(
    model,
    sinkOf({ type: 'kinesis', stream: 'clicks', streamName: 'shop-qa-clicks' }, { partitionKey: 'user.id', explicitHashKey: 'hash', aggregation: 'kpl' }),
  );
  assert.is(c.partitionKey, 'user.id');
  assert.is(c.explicitHashKey, 'hash');
  assert.is(c.aggregation, 'kpl');
  assert.equal(Object.keys(c).slice(-3), ['partitionKey', 'explicitHashKey', 'aggregation']);
  await parseSinkConfig(c);
});

variants.run();

const rejects = suite('sink-config: bad configs are rejected with clear messages');

let dir = '';
rejects.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ara-sink-config-'));
});
rejects.after(() => rmSync(dir, { recursive: true, force: true }));

const good = (): Record<string, unknown> =>
  JSON.parse(
    JSON.stringify({
      version: 1,
      sink: 'web-sale-events',
      platform: 'mystore',
      environment: 'dev',
      destination: { type: 'kinesis', streamName: 'mystore-dev-web-sale', region: 'eu-west-1' },
      bufferingHints: { maxBatchSize: 500, maxBatchBytes: 5242880, maxRecordBytes: 1048576, maxBufferedRequests: 10000, maxTimeInBufferMs: 1000, maxInFlightRequests: 16 },
      rateLimiting: { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5 },
      retry: { maxAttempts: 0, initialBackoffMs: 50, maxBackoffMs: 5000, requestTimeoutMs: 30000 },
      partitionKey: 'order_id',
      aggregation: 'none',
    } satisfies SinkConfig),
  );

async function findings(doc: unknown, name = 'c.json'): Promise<SinkConfigFileError> {
  const file = join(dir, name);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  try {
    await loadSinkConfig(file);
  } catch (e) {
    assert.instance(e, SinkConfigFileError);
    return e as SinkConfigFileError;
  }
  throw new assert.Assertion({ message: 'expected the config to be rejected', expects: 'rejection', actual: 'accepted', operator: 'throws' });
}

rejects('a good config loads', async () => {
  const file = join(dir, 'good.json');
  writeFileSync(file, JSON.stringify(good()));
  const c = await loadSinkConfig(file);
  assert.is(c.destination.type, 'kinesis');
});

rejects('unknown key with a did-you-mean', async () => {
  const doc = good();
  doc.bufferingHint = doc.bufferingHints;
  delete doc.bufferingHints;
  const e = await findings(doc);
  const unknown = e.findings.find((f) => f.pointer === '/bufferingHint')!;
  assert.is(unknown.message, "unknown key 'bufferingHint'");
  assert.is(unknown.hint, "did you mean 'bufferingHints'?");
  assert.ok(e.findings.some((f) => f.message === "missing required key 'bufferingHints'"));
  assert.match(e.message, /c\.json: \/bufferingHint: unknown key 'bufferingHint' \(did you mean 'bufferingHints'\?\)/);
});

rejects('typo in a nested key and in an enum value', async () => {
  const doc = good();
  (doc.bufferingHints as Record<string, unknown>).maxBatchSise = 10;
  (doc.destination as Record<string, unknown>).type = 'kinesys';
  const e = await findings(doc);
  const key = e.findings.find((f) => f.pointer === '/bufferingHints/maxBatchSise')!;
  assert.is(key.hint, "did you mean 'maxBatchSize'?");
  const type = e.findings.find((f) => f.pointer === '/destination/type')!;
  assert.is(type.message, 'must be one of kinesis, firehose, dynamodb, file, cloudwatch-logs, cloudwatch-metrics, redis-stream; got "kinesys"');
  assert.is(type.hint, "did you mean 'kinesis'?");
});

rejects('the destination type decides the required and allowed keys', async () => {
  const doc = good();
  doc.destination = { type: 'kinesis', deliveryStreamName: 'x', region: 'eu-west-1' };
  const e = await findings(doc);
  assert.equal(
    e.findings.map((f) => [f.pointer, f.message]),
    [
      ['/destination', "missing required key 'streamName' (needed by a kinesis destination)"],
      ['/destination/deliveryStreamName', "'deliveryStreamName' does not apply to a kinesis destination"],
    ],
  );
});

rejects('wrong types and ranges name the value', async () => {
  const doc = good();
  (doc.bufferingHints as Record<string, unknown>).maxBatchSize = '500';
  (doc.rateLimiting as Record<string, unknown>).decreaseFactor = 1.5;
  (doc.retry as Record<string, unknown>).maxAttempts = -1;
  const e = await findings(doc);
  const at = (p: string) => e.findings.find((f) => f.pointer === p)?.message;
  assert.is(at('/bufferingHints/maxBatchSize'), 'must be an integer; got "500"');
  assert.is(at('/rateLimiting/decreaseFactor'), 'must be < 1; got 1.5');
  assert.is(at('/retry/maxAttempts'), 'must be >= 0; got -1');
});

rejects('kinesis-only options on another destination', async () => {
  const doc = good();
  doc.destination = { type: 'firehose', deliveryStreamName: 'mystore-dev-to-raw', region: 'eu-west-1' };
  doc.aggregation = 'kpl';
  const e = await findings(doc);
  assert.equal(
    e.findings.map((f) => f.message),
    ["'partitionKey' applies to kinesis destinations only, not firehose", "'aggregation' applies to kinesis destinations only, not firehose"],
  );
});

rejects('a newer config version', async () => {
  const doc = good();
  doc.version = 2;
  const e = await findings(doc);
  assert.is(e.findings[0]!.message, 'unsupported config version 2: this ara-gen reads version 1');
});

rejects('invalid JSON gives line and column; a missing file says so', async () => {
  const e = await findings('{\n  "version": 1,\n  "sink": oops\n}');
  assert.match(e.findings[0]!.message, /^not valid JSON: .* at line 3, column 11$/);
  try {
    await loadSinkConfig(join(dir, 'nope.json'));
    assert.unreachable('missing file accepted');
  } catch (err) {
    assert.instance(err, SinkConfigFileError);
    assert.match((err as Error).message, /nope\.json: \(document\): cannot read the sink config: file not found/);
  }
});

rejects.run();
