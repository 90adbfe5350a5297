/**
 * Environment overrides checked on each environment's effective spec (blueprint ⊕ spec ⊕
 * overrides) against the full schema: a key of another variant, or a value the merged entry's
 * variant forbids, is one finding at the override that introduced it, suffixed with the
 * environment; valid overrides and the flagship stay clean; `ara-gen validate` exits 1.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Diagnostic } from '../../src/compiler/diagnostics.js';
import { loadPlatform, validateSpec } from '../../src/compiler/load.js';
import { flagship, repoRoot, runAraGen } from '../helpers/ara-cli.js';

const mystore = readFileSync(flagship, 'utf8');
const variants = readFileSync(join(repoRoot, 'test', 'fixtures', 'specs', 'all-variants.yaml'), 'utf8');

/** The flagship with `block` (indented for `prod:`'s children) added to prod's overrides. */
function prod(block: string): string {
  const anchor = '    overrides:\n';
  assert.ok(mystore.indexOf(anchor) >= 0 && mystore.indexOf(anchor) === mystore.lastIndexOf(anchor), 'the flagship keeps one overrides block (prod)');
  return mystore.replace(anchor, `${anchor}${block}`);
}

/** all-variants.yaml with `block` as environment `production`'s overrides (replacing its own). */
function production(block: string): string {
  const own = /    overrides:\n[\s\S]*?(?=storage:)/;
  assert.match(variants, own);
  return variants.replace(own, `    overrides:\n${block}`);
}

/** 1-based line:col of `needle` (which must occur once) in `text`, plus `offset` columns. */
function where(text: string, needle: string, offset = 0): string {
  const i = text.indexOf(needle);
  assert.ok(i >= 0 && text.indexOf(needle, i + 1) < 0, `'${needle}' must occur exactly once`);
  const before = text.slice(0, i);
  return `${before.split('\n').length}:${i - before.lastIndexOf('\n') + offset}`;
}

const show = (ds: readonly Diagnostic[]) => ds.map((d) => `${d.code} ${d.start.line}:${d.start.col} ${d.message}`).join('\n');
const at = (d: Diagnostic) => `${d.start.line}:${d.start.col}`;

async function all(text: string): Promise<Diagnostic[]> {
  return (await validateSpec('spec.yaml', text)).diagnostics;
}

async function only(text: string): Promise<Diagnostic> {
  const ds = await all(text);
  assert.is(ds.length, 1, show(ds));
  return ds[0]!;
}

const bad = suite('spec overrides: keys and values the overridden entry does not allow');

bad('keyAttributes on a kinesis sink: one ARA110 at the override key', async () => {
  const text = prod('      sinks:\n        web-sale-events:\n          keyAttributes: [{ name: order_id, type: S }]\n');
  const d = await only(text);
  assert.is(d.code, 'ARA110');
  assert.is(d.severity, 'error');
  assert.is(d.message, "sinks.web-sale-events has type 'kinesis', but 'keyAttributes' is a key of type 'dynamodb' (environment 'prod')");
  assert.is(d.hint, "set 'type: dynamodb', or remove 'keyAttributes' (keys of type 'kinesis': type, stream, partitionKey, explicitHashKey, aggregation, aggregationMaxBytes, source, bufferingHints, rateLimiting, retry, description)");
  assert.is(at(d), where(text, 'keyAttributes:'));
  assert.is(d.path, '/environments/prod/overrides/sinks/web-sale-events/keyAttributes');
});

bad('partitionKey on a firehose sink: one ARA110 at the override key', async () => {
  const text = production('      sinks:\n        to-firehose:\n          partitionKey: order_id\n');
  const d = await only(text);
  assert.is(d.code, 'ARA110');
  assert.is(d.message, "sinks.to-firehose has type 'firehose', but 'partitionKey' is a key of type 'kinesis' (environment 'production')");
  assert.match(d.hint!, /^set 'type: kinesis', or remove 'partitionKey' \(keys of type 'firehose': type, deliveryStream, /);
  assert.is(at(d), where(text, 'partitionKey: order_id'));
});

bad('shards on an on-demand stream: one ARA113 at the override, with the reason', async () => {
  const text = production('      streams:\n        audit:\n          shards: 3\n');
  const d = await only(text);
  assert.is(d.code, 'ARA113');
  assert.is(d.message, "'shards' is not allowed in streams.audit (environment 'production')");
  assert.is(d.hint, "An on-demand stream scales by itself and has no shard count: remove 'shards', or set 'mode: provisioned'.");
  assert.is(at(d), where(text, 'shards: 3'));
});

bad('on-demand mode on a stream the spec gives shards: at the override that changed the mode', async () => {
  const text = prod('      streams:\n        web-sale: { mode: on-demand }\n');
  const d = await only(text);
  assert.is(d.code, 'ARA113');
  assert.is(d.message, "'shards' is not allowed in streams.web-sale (environment 'prod')");
  assert.is(at(d), where(text, 'mode: on-demand'));
});

bad("an AIMD key on a sink whose rate limiting is 'none' (the partial copy cannot tell): one ARA110", async () => {
  const text = production('      sinks:\n        to-firehose:\n          rateLimiting: { increaseRate: 5 }\n');
  const d = await only(text);
  assert.is(d.code, 'ARA110');
  assert.is(d.message, "sinks.to-firehose.rateLimiting has strategy 'none', but 'increaseRate' is a key of strategy 'aimd' (environment 'production')");
  assert.is(at(d), where(text, 'increaseRate: 5'));
});

bad('a provisioned-cluster key on a serverless warehouse: one ARA110', async () => {
  const text = prod('      warehouse:\n        nodes: 4\n');
  const d = await only(text);
  assert.is(d.code, 'ARA110');
  assert.is(d.message, "warehouse has engine 'redshift-serverless', but 'nodes' is a key of engine 'redshift-provisioned' (environment 'prod')");
  assert.is(at(d), where(text, 'nodes: 4'));
});

bad('an override that switches a sink type: one finding at the new type (its missing keys are a consequence)', async () => {
  const text = production('      sinks:\n        to-kinesis:\n          type: firehose\n');
  const d = await only(text);
  assert.is(d.code, 'ARA110');
  assert.is(d.message, "sinks.to-kinesis has type 'firehose', but 'stream', 'explicitHashKey' and 'aggregation' are keys of type 'kinesis' (environment 'production')");
  assert.is(at(d), where(text, '          type: firehose', 16));
});

bad('a replayer target switched to a sink: one finding naming both layer keys, at the override', async () => {
  const text = production('      replayers:\n        orders:\n          target: { sink: to-file }\n');
  const d = await only(text);
  assert.is(d.code, 'ARA110');
  assert.is(d.message, "'layer' and 'prefix' cannot be combined with 'sink' in replayers.orders.target (environment 'production')");
  assert.is(d.hint, "Where records go: '{ layer, prefix }' or '{ sink }'.");
  assert.is(at(d), where(text, '          target: { sink: to-file }', 20));
});

bad('a scheduled trigger made conditional: one finding, not also the trigger cycle it would form', async () => {
  const text = production('      triggers:\n        hourly:\n          when: { job: enrich }\n');
  const d = await only(text);
  assert.is(d.code, 'ARA110');
  assert.is(d.message, "'schedule' cannot be combined with 'when' in triggers.hourly (environment 'production')");
  assert.is(at(d), where(text, 'when: { job: enrich }'));
});

bad('the same bad override in two environments: one finding each, at its own line', async () => {
  const block = '      streams:\n        audit: { shards: 3 }\n';
  const text = production(`${block}  canary:\n    account: "111111111111"\n    region: us-east-1\n    network: { availabilityZones: [use1-az1, use1-az2, use1-az3] }\n    overrides:\n${block}`);
  const ds = await all(text);
  assert.equal(
    ds.map((d) => [d.code, d.start.line, d.message]),
    [
      ['ARA113', 21, "'shards' is not allowed in streams.audit (environment 'production')"],
      ['ARA113', 28, "'shards' is not allowed in streams.audit (environment 'canary')"],
    ],
  );
});

bad('an invalid override stops resolve(): no model for that environment', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ara-overrides-'));
  try {
    const file = join(dir, 'spec.yaml');
    writeFileSync(file, prod('      sinks:\n        web-sale-events:\n          keyAttributes: [{ name: order_id, type: S }]\n'));
    const r = await loadPlatform(file, { env: 'prod' });
    assert.is(r.model, undefined);
    assert.equal(r.diagnostics.map((d) => d.code), ['ARA110']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const once = suite('spec overrides: one finding per root cause');

once('a typo the per-file check already reports is not reported again for the environment', async () => {
  const text = prod('      sinks:\n        web-sale-events:\n          bufferingHint: { maxBatchSize: 100 }\n');
  const d = await only(text);
  assert.is(d.code, 'ARA110');
  assert.is(d.message, "unknown key 'bufferingHint': did you mean 'bufferingHints'?");
  assert.is(at(d), where(text, 'bufferingHint:'));
});

once('an override of an undeclared entry: only ARA260 (not also the keys that entry lacks)', async () => {
  const text = prod('      sinks:\n        web-sale-event:\n          bufferingHints: { maxBatchSize: 100 }\n');
  const d = await only(text);
  assert.is(d.code, 'ARA260');
  assert.is(at(d), where(text, 'web-sale-event:\n'));
});

once('a spec error in a section an environment overrides: reported once, without an environment suffix', async () => {
  const text = prod('      sinks:\n        web-sale-events:\n          bufferingHints: { maxBatchSize: 100 }\n').replace('partitionKey: order_id', 'partitionKey: ""');
  const d = await only(text);
  assert.is(d.code, 'ARA115');
  assert.is(d.message, "'partitionKey' must be at least 1 characters long; got 0");
  assert.is(at(d), where(text, '""'));
});

once("keys of two variants at once in the spec itself: one finding naming them all, at the first", async () => {
  const text = mystore.replace('target: { layer: raw, prefix: customer/ }', 'target: { layer: raw, prefix: customer/, sink: web-sale-events }');
  const d = await only(text);
  assert.is(d.code, 'ARA110');
  assert.is(d.message, "'layer' and 'prefix' cannot be combined with 'sink' in replayers.customer.target");
  assert.is(at(d), where(text, 'layer: raw, prefix: customer/, sink'));
  assert.is(d.path, '/replayers/customer/target');
});

const good = suite('spec overrides: valid overrides');

good('the flagship validates clean', async () => {
  assert.equal(show(await all(mystore)), '');
});

good('all-variants (production overrides streams, sinks and jobs) validates clean', async () => {
  assert.equal(show(await all(variants)), '');
});

good('prod changes a layer archiveDelay and a sink bufferingHints: no findings, and resolve() applies them', async () => {
  const text = prod('      storage:\n        layers:\n          raw: { archiveDelay: 365 }\n      sinks:\n        web-sale-events:\n          bufferingHints: { maxBatchSize: 250, maxInFlightRequests: 32 }\n');
  assert.equal(show(await all(text)), '');
  const dir = mkdtempSync(join(tmpdir(), 'ara-overrides-'));
  try {
    const file = join(dir, 'spec.yaml');
    writeFileSync(file, text);
    const r = await loadPlatform(file, { env: 'prod' });
    assert.ok(r.model, show(r.diagnostics));
    const json = JSON.stringify(r.model);
    assert.match(json, /"archiveDelay(Days)?":365/);
    assert.match(json, /"maxBatchSize":250/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

good('on-demand mode on a stream without shards, and a valid variant key on its own variant', async () => {
  const text = production('      streams:\n        audit: { retentionHours: 72 }\n      sinks:\n        to-dynamodb:\n          keyAttributes: [{ name: id, type: S }]\n        to-file:\n          rateLimiting: { increaseRate: 5 }\n');
  assert.equal(show(await all(text)), '');
});

const cli = suite('spec overrides: ara-gen validate');
let dir = '';
cli.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ara-overrides-cli-'));
});
cli.after(() => rmSync(dir, { recursive: true, force: true }));

cli('a bad override: exit 1, the finding at the override on stdout', async () => {
  const file = join(dir, 'bad-override.yaml');
  const text = production('      sinks:\n        to-firehose:\n          partitionKey: order_id\n');
  writeFileSync(file, text);
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const r = await runAraGen(['validate', file], { env });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.ok(
    r.stdout.startsWith(`${file}:${where(text, 'partitionKey: order_id')}  error ARA110  sinks.to-firehose has type 'firehose', but 'partitionKey' is a key of type 'kinesis' (environment 'production')\n`),
    r.stdout,
  );
  assert.is(r.stderr, '1 error in 1 file\n');
});

bad.run();
once.run();
good.run();
cli.run();
