// End to end from the spec language: a dynamodb sink with `keyAttributes` and `rateLimiting.slowStart`
// → the sink config as synth writes it (compileSinkConfigs + formatSinkConfig, what synth calls;
// cli-synth covers synth writing sinks/) → `ara-gen sink run` of that file against dynalite. The key check runs at
// conversion (with the input line number), which only happens when the config carries the keys.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadPlatformOrThrow } from '../../src/compiler/load.js';
import { compileSinkConfigs, formatSinkConfig } from '../../src/compiler/sink-config.js';
import { childEnv, runSinkRun } from '../helpers/sink-cli.js';
import { startDynalite, type LocalDynamoDb } from '../servers/dynalite.js';

const test = suite('spec → synth → sink run: dynamodb keyAttributes');

const spec = `version: 1
name: shop
environments:
  dev: { account: "123456789012", region: eu-west-1 }
sinks:
  orders:
    type: dynamodb
    table: shop-orders
    keyAttributes:
      - { name: customer, type: S }
      - { name: order, type: N }
    bufferingHints: { maxBatchSize: 25, maxTimeInBufferMs: 50, maxInFlightRequests: 4 }
    rateLimiting: { strategy: aimd, slowStart: false }
    retry: { maxAttempts: 0, initialBackoffMs: 20, maxBackoffMs: 500 }
`;

let dynamo: LocalDynamoDb;
let dir = '';

test.before(async () => {
  dynamo = await startDynalite();
  dir = mkdtempSync(join(tmpdir(), 'ara-spec-ddb-'));
});
test.after(async () => {
  await dynamo.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the compiled sink config carries the keys; sink run dead-letters the events that miss a key, delivers the rest', async () => {
  const specFile = join(dir, 'shop.yaml');
  writeFileSync(specFile, spec);
  const configs = compileSinkConfigs(await loadPlatformOrThrow(specFile));
  assert.equal(Object.keys(configs), ['orders']);
  const configFile = join(dir, 'orders.json');
  writeFileSync(configFile, formatSinkConfig(configs.orders!));
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  assert.equal(config.destination, { type: 'dynamodb', tableName: 'shop-orders', region: 'eu-west-1' });
  assert.equal(config.keyAttributes, [{ name: 'customer', type: 'S' }, { name: 'order', type: 'N' }]);
  assert.equal(config.rateLimiting, { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5, slowStart: false });

  await dynamo.createTable('shop-orders', { hash: 'customer', range: 'order', rangeType: 'N' });
  const good = Array.from({ length: 60 }, (_, i) => ({ customer: `c${i % 5}`, order: i, total: i * 2 }));
  const lines = good.map((e) => JSON.stringify(e));
  lines.splice(10, 0, JSON.stringify({ order: 1000, total: 1 })); // line 11: no partition key
  lines.splice(40, 0, JSON.stringify({ customer: 'c9', total: 2 })); // line 41: no sort key
  const dead = join(dir, 'orders.dead.ndjson');
  const r = await runSinkRun([configFile, '--dead-letter', dead], childEnv({ AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint }), lines.join('\n') + '\n');
  assert.is(r.code, 1, r.stderr);
  const deadLines = readFileSync(dead, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string; input: string; at: number });
  // Conversion-time reasons with line numbers: the keys came from the config, not from DescribeTable.
  assert.equal(deadLines.map((l) => [l.at, l.reason, JSON.parse(l.input)]), [
    [11, 'key attribute "customer" is missing', { order: 1000, total: 1 }],
    [41, 'key attribute "order" is missing', { customer: 'c9', total: 2 }],
  ]);
  const items = (await dynamo.scanAll('shop-orders')).sort((a, b) => (a.order as number) - (b.order as number));
  assert.equal(items, good);
});

test.run();
