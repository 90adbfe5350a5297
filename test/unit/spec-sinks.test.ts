// Spec language for sinks: `rateLimiting.slowStart` (AIMD only) and `keyAttributes` (dynamodb only),
// from the YAML through the schema, the rules and resolve() to the sink-runtime config.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Diagnostic } from '../../src/compiler/diagnostics.js';
import { parseSpec, validateSpec } from '../../src/compiler/load.js';
import type { PlatformModel } from '../../src/compiler/model.js';
import { resolve } from '../../src/compiler/resolve.js';
import { compileSinkConfigs, formatSinkConfig } from '../../src/compiler/sink-config.js';
import { parseSinkConfig } from '../../src/runtime/sink-config-file.js';

const head = `version: 1
name: shop
environments:
  dev: { account: "123456789012", region: eu-west-1 }
  prod:
    account: "123456789012"
    region: eu-west-1
    removalPolicy: retain
    overrides:
      sinks:
        orders:
          rateLimiting: { slowStart: true }
          keyAttributes: [{ name: order_id, type: S }]
streams:
  events: { shards: 1 }
`;

const valid = `${head}sinks:
  orders:
    type: dynamodb
    table: shop-orders
    keyAttributes:
      - { name: customer, type: S }
      - { type: N, name: order }
    rateLimiting: { strategy: aimd, slowStart: false }
  clicks:
    type: kinesis
    stream: events
`;

/** 1-based line:col of `needle` (which must occur once) in `text`, plus `offset` columns. */
function where(text: string, needle: string, offset = 0): string {
  const i = text.indexOf(needle);
  assert.ok(i >= 0 && text.indexOf(needle, i + 1) < 0, `'${needle}' must occur exactly once`);
  const before = text.slice(0, i);
  return `${before.split('\n').length}:${i - before.lastIndexOf('\n') + offset}`;
}
const at = (d: Diagnostic) => `${d.start.line}:${d.start.col}`;

async function findings(text: string): Promise<Diagnostic[]> {
  return (await validateSpec('shop.yaml', text)).diagnostics;
}

/** The model of a spec that has no findings. */
async function modelOf(text: string, env?: string): Promise<PlatformModel> {
  assert.equal(await findings(text), []);
  const r = resolve(parseSpec('shop.yaml', text).document!, env === undefined ? {} : { env });
  assert.equal(r.diagnostics, []);
  return r.model!;
}

const Resolve = suite('spec sinks: slowStart and keyAttributes resolve');

Resolve('a valid spec resolves both fields to the model; blueprint default slowStart true; overrides per environment', async () => {
  const dev = await modelOf(valid);
  const orders = dev.sinks.orders!;
  assert.equal(orders.keyAttributes, [{ name: 'customer', type: 'S' }, { name: 'order', type: 'N' }]);
  // Unset values of the dynamodb default (AIMD +10, x0.5) are kept; only slowStart changes.
  assert.equal(orders.rateLimiting, { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5, slowStart: false });
  const clicks = dev.sinks.clicks!;
  assert.equal(clicks.rateLimiting, { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5, slowStart: true });
  assert.not.ok('keyAttributes' in clicks);

  const prod = await modelOf(valid, 'prod');
  // Maps merge (slowStart replaced, strategy kept); lists replace.
  assert.equal(prod.sinks.orders!.rateLimiting, { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5, slowStart: true });
  assert.equal(prod.sinks.orders!.keyAttributes, [{ name: 'order_id', type: 'S' }]);
});

Resolve('the compiled configs carry them, in the runtime order, and pass schema/sink-config.schema.json', async () => {
  const configs = compileSinkConfigs(await modelOf(valid));
  const orders = configs.orders!;
  assert.equal(orders.keyAttributes, [{ name: 'customer', type: 'S' }, { name: 'order', type: 'N' }]);
  assert.equal(Object.keys(orders.keyAttributes![1]!), ['name', 'type'], 'name before type, whatever the spec order');
  assert.equal(orders.rateLimiting, { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5, slowStart: false });
  assert.equal(Object.keys(orders).slice(-3), ['retry', 'keyAttributes', 'aggregation']);
  assert.equal(orders.destination, { type: 'dynamodb', tableName: 'shop-orders', region: 'eu-west-1' });
  for (const c of Object.values(configs)) assert.equal(await parseSinkConfig(JSON.parse(formatSinkConfig(c))), c);
  assert.not.ok('keyAttributes' in configs.clicks!);
});

Resolve('aggregationMaxBytes: a size in the spec, bytes in the compiled config (absent = the runtime default)', async () => {
  const text = valid.replace('    stream: events\n', '    stream: events\n    aggregation: kpl\n    aggregationMaxBytes: 20KiB\n');
  const configs = compileSinkConfigs(await modelOf(text));
  assert.is(configs.clicks!.aggregation, 'kpl');
  assert.is(configs.clicks!.aggregationMaxBytes, 20 * 1024);
  assert.equal(await parseSinkConfig(JSON.parse(formatSinkConfig(configs.clicks!))), configs.clicks);
  assert.not.ok('aggregationMaxBytes' in compileSinkConfigs(await modelOf(valid)).clicks!);
});

Resolve.run();

const Errors = suite('spec sinks: findings');

Errors("keyAttributes on a kinesis sink: one schema finding about the variant it belongs to, at the sink's type", async () => {
  const text = `${head.replace(/    overrides:[\s\S]*?(?=streams:)/, '')}sinks:
  clicks:
    type: kinesis
    stream: events
    keyAttributes:
      - { name: id, type: S }
`;
  const ds = await findings(text);
  assert.equal(
    ds.map((d) => [d.code, at(d), d.message]),
    [['ARA110', where(text, 'kinesis'), "sinks.clicks has type 'kinesis', but 'keyAttributes' is a key of type 'dynamodb'"]],
  );
  assert.is(at(ds[0]!), '13:11'); // the value 'kinesis' of 'type: kinesis'
  assert.match(ds[0]!.hint!, /^set 'type: dynamodb', or remove 'keyAttributes' \(keys of type 'kinesis': type, stream,/);
  assert.is(ds[0]!.path, '/sinks/clicks');
});

Errors('two key attributes with the same name: one ARA247 at the second name (prod replaces the list, so only dev has it)', async () => {
  const text = valid.replace('{ type: N, name: order }', '{ type: N, name: customer }');
  const ds = await findings(text);
  assert.equal(
    ds.map((d) => [d.code, at(d), d.message]),
    [['ARA247', where(text, 'customer }', 0), "sink 'orders': keyAttributes names 'customer' twice (items 1 and 2); the sort key must be a different attribute from the partition key"]],
  );
  assert.is(at(ds[0]!), '22:26'); // 'customer' in '- { type: N, name: customer }'
  assert.is(ds[0]!.hint, "name the table's sort key attribute here, or remove item 2 if the table has only the partition key 'customer'");
  assert.is(ds[0]!.path, '/sinks/orders/keyAttributes/1/name');
});

Errors('a duplicate written by an environment override is reported there, naming the environment', async () => {
  const text = valid.replace('keyAttributes: [{ name: order_id, type: S }]', 'keyAttributes: [{ name: id, type: S }, { name: id, type: S }]');
  const ds = await findings(text);
  assert.equal(ds.map((d) => [d.code, at(d)]), [['ARA247', where(text, 'id, type: S }]', 0)]]);
  assert.match(ds[0]!.message, /keyAttributes names 'id' twice .*\(environment 'prod'\)$/);
});

Errors('shape errors: more than two items, a binary type, slowStart with strategy none or not a boolean', async () => {
  const three = valid.replace('      - { type: N, name: order }\n', '      - { type: N, name: order }\n      - { type: S, name: region }\n');
  const d3 = await findings(three);
  assert.equal(d3.map((d) => [d.code, at(d), d.message]), [['ARA115', where(three, '      - { name: customer', 6), 'sinks.orders.keyAttributes must have at most 2 items; it has 3']]);

  const binary = valid.replace('{ type: N, name: order }', '{ type: B, name: order }');
  const db = await findings(binary);
  assert.equal(db.map((d) => [d.code, at(d), d.message]), [['ARA113', where(binary, 'B, name'), "'type' must be one of 'S', 'N'; got 'B'"]]);
  assert.match(db[0]!.hint!, /binary \('B'\) keys cannot come from JSON events/, 'no did-you-mean between one-letter types');

  const none = valid.replace('{ strategy: aimd, slowStart: false }', '{ strategy: none, slowStart: false }');
  const dn = await findings(none);
  assert.equal(dn.map((d) => [d.code, at(d), d.message]), [['ARA110', where(none, 'none,'), "sinks.orders.rateLimiting has strategy 'none', but 'slowStart' is a key of strategy 'aimd'"]]);

  const text = valid.replace('slowStart: false', 'slowStart: "no"');
  const dt = await findings(text);
  assert.equal(dt.map((d) => [d.code, at(d), d.message]), [['ARA112', where(text, '"no"'), "'slowStart' must be a boolean, got a string ('no')"]]);
});

Errors('ARA253: aggregationMaxBytes above 1MiB, below 1KiB, or without aggregation: kpl, at the value', async () => {
  const big = valid.replace('    stream: events\n', '    stream: events\n    aggregation: kpl\n    aggregationMaxBytes: 2MiB\n');
  const ds = await findings(big);
  assert.equal(ds.map((d) => [d.code, at(d)]), [['ARA253', where(big, '2MiB')]]);
  assert.is(ds[0]!.message, "sink 'clicks': aggregationMaxBytes is 2097152 bytes; a KPL aggregate is one Kinesis record of 1024 to 1048576 bytes (1KiB to 1MiB)");
  const small = big.replace('2MiB', '100');
  assert.equal((await findings(small)).map((d) => d.code), ['ARA253']);
  const plain = big.replace('    aggregation: kpl\n', '').replace('2MiB', '50KiB');
  const dp = await findings(plain);
  assert.equal(dp.map((d) => [d.code, d.message]), [['ARA253', "sink 'clicks': aggregationMaxBytes applies only with aggregation: kpl"]]);
});

Errors.run();
