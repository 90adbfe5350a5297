/**
 * Schema findings through the public loader API: positions (line:col), did-you-mean, a missing key
 * at its parent, one finding about the sink variant the user meant, every root cause reported.
 */
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Diagnostic } from '../../src/compiler/diagnostics.js';
import { validateFiles, validateSpec } from '../../src/compiler/load.js';
import { flagship } from '../helpers/ara-cli.js';

const base = readFileSync(flagship, 'utf8');

/** 1-based line:col of `needle` (which must occur once) in `text`, plus `offset` columns. */
function where(text: string, needle: string, offset = 0): string {
  const i = text.indexOf(needle);
  assert.ok(i >= 0 && text.indexOf(needle, i + 1) < 0, `'${needle}' must occur exactly once`);
  const before = text.slice(0, i);
  const line = before.split('\n').length;
  return `${line}:${i - before.lastIndexOf('\n') + offset}`;
}
const at = (d: Diagnostic) => `${d.start.line}:${d.start.col}`;

function mutate(from: string, to: string): string {
  assert.ok(base.includes(from), `the example no longer contains ${JSON.stringify(from)}`);
  return base.replace(from, to);
}

async function check(text: string): Promise<Diagnostic[]> {
  return (await validateSpec('mystore.yaml', text)).diagnostics;
}

const schema = suite('loader: schema findings');

schema('the flagship example has no findings', async () => {
  const [r] = await validateFiles([flagship]);
  assert.equal(r!.diagnostics, []);
});

schema('unknown key: at the key, with did-you-mean from the variant schema', async () => {
  const text = mutate('    bufferingHints:\n      maxBatchSize: 500', '    bufferingHint:\n      maxBatchSize: 500');
  const ds = await check(text);
  assert.is(ds.length, 1, JSON.stringify(ds));
  const d = ds[0]!;
  assert.is(d.code, 'ARA110');
  assert.is(d.message, "unknown key 'bufferingHint': did you mean 'bufferingHints'?");
  assert.is(at(d), where(text, '    bufferingHint:\n', 4));
  assert.is(d.path, '/sinks/web-sale-events/bufferingHint');
  assert.match(d.hint!, /^allowed keys in sinks\.web-sale-events: type, stream, partitionKey/);
});

schema('missing required key: points at the parent key', async () => {
  const text = mutate('    stream: web-sale\n    partitionKey', '    partitionKey');
  const ds = await check(text);
  assert.is(ds.length, 1, JSON.stringify(ds));
  assert.is(ds[0]!.code, 'ARA111');
  assert.is(ds[0]!.message, "sinks.web-sale-events is missing the required key 'stream'");
  assert.is(at(ds[0]!), where(text, '  web-sale-events:\n    type', 2));
  assert.match(ds[0]!.hint!, /^add 'stream:' \(Name of a stream/);
});

schema('missing top-level key: points at the document start', async () => {
  const text = mutate('name: mystore\n', '');
  const ds = await check(text);
  assert.is(ds.length, 1, JSON.stringify(ds));
  assert.is(ds[0]!.code, 'ARA111');
  assert.is(ds[0]!.message, "the document is missing the required key 'name'");
  assert.is(at(ds[0]!), '2:1');
});

schema('a mistyped sink type: one finding at the value, did-you-mean the variant', async () => {
  const text = mutate('type: kinesis', 'type: kinesys');
  const ds = await check(text);
  assert.is(ds.length, 1, JSON.stringify(ds));
  assert.is(ds[0]!.code, 'ARA113');
  assert.is(ds[0]!.message, "'type' must be one of 'kinesis', 'firehose', 'dynamodb', 'file', 'cloudwatch-logs', 'cloudwatch-metrics', 'redis-stream'; got 'kinesys'");
  assert.is(ds[0]!.hint, "did you mean 'kinesis'?");
  assert.is(at(ds[0]!), where(text, 'kinesys'));
});

schema('a sink of another variant: that variant\'s findings, the other variant\'s keys in one finding at the type', async () => {
  const text = mutate('type: kinesis', 'type: firehose');
  const ds = await check(text);
  assert.equal(
    ds.map((d) => [d.code, d.message, at(d)]),
    [
      ['ARA111', "sinks.web-sale-events is missing the required key 'deliveryStream'", where(text, '  web-sale-events:', 2)],
      ['ARA110', "sinks.web-sale-events has type 'firehose', but 'stream' and 'partitionKey' are keys of type 'kinesis'", where(text, 'firehose')],
    ],
  );
  assert.match(ds[1]!.hint!, /^set 'type: kinesis', or remove 'stream' and 'partitionKey' \(keys of type 'firehose': type, deliveryStream,/);
  assert.is(ds[1]!.path, '/sinks/web-sale-events');
});

schema('size with an invalid unit: one format finding (no anyOf noise), the unit problem, examples in the hint', async () => {
  const text = mutate('maxBatchBytes: 5MiB', 'maxBatchBytes: 5 megs');
  const ds = await check(text);
  assert.is(ds.length, 1, JSON.stringify(ds));
  assert.is(ds[0]!.code, 'ARA114');
  assert.is(ds[0]!.message, "'maxBatchBytes': unknown size unit 'megs' in '5 megs'; use B, KiB, MiB, GiB, TiB (or KB, MB, GB, TB = powers of 1000)");
  assert.is(at(ds[0]!), where(text, '5 megs'));
  assert.match(ds[0]!.hint!, /e\.g\. '512KiB'|e\.g\. '5MiB'/);
});

schema('size of the wrong type: one merged type finding', async () => {
  const text = mutate('maxBatchBytes: 5MiB', 'maxBatchBytes: [5]');
  const ds = await check(text);
  assert.is(ds.length, 1, JSON.stringify(ds));
  assert.is(ds[0]!.code, 'ARA112');
  assert.is(ds[0]!.message, "'maxBatchBytes' must be an integer or a string, got a list");
});

schema('every root cause is reported, in source order', async () => {
  const text = mutate('encryption: kms', 'encryption: kmss').replace('shards: 2', 'shards: 0').replace('frequency: 1m', 'frequency: 1x');
  const ds = await check(text);
  assert.equal(
    ds.map((d) => [d.code, at(d), d.message]),
    [
      ['ARA113', where(text, 'kmss'), "'encryption' must be one of 'kms', 's3'; got 'kmss'"],
      ['ARA114', where(text, '1x'), "'frequency': unknown duration unit 'x' in '1x'; use ms, s, m, h or d"],
      ['ARA115', where(text, 'shards: 0', 8), "'shards' must be >= 1; got 0"],
    ],
  );
  assert.is(ds[0]!.hint, "did you mean 'kms'?");
});

schema('wrong scalar type: ARA112 at the value with the description as hint', async () => {
  const text = mutate('shards: 2', 'shards: two');
  const ds = await check(text);
  assert.is(ds.length, 1, JSON.stringify(ds));
  assert.is(ds[0]!.message, "'shards' must be an integer, got a string ('two')");
  assert.is(at(ds[0]!), where(text, 'shards: two', 8));
  assert.match(ds[0]!.hint!, /[Ss]hard/);
});

schema('invalid entry name: ARA117 at the key', async () => {
  const text = mutate('  web-sale:\n    shards', '  web sale!:\n    shards');
  const ds = (await check(text)).filter((d) => d.code.startsWith('ARA1'));
  assert.is(ds.length, 1, JSON.stringify(ds));
  assert.is(ds[0]!.code, 'ARA117');
  assert.is(ds[0]!.message, "name 'web sale!' in streams is not a valid name");
  assert.is(at(ds[0]!), where(text, 'web sale!'));
});

schema('a provisioned warehouse of more nodes than CloudFormation accepts is a finding at the value (found by the differential bench)', async () => {
  const text = mutate('  engine: redshift-serverless\n  database: mystore\n  baseCapacity: 8\n', '  engine: redshift-provisioned\n  database: mystore\n  nodes: 128\n');
  const d = await check(text);
  assert.equal(
    d.map((x) => `${x.code} ${at(x)}`),
    [`ARA115 ${where(text, '128')}`],
    d.map((x) => x.message).join('\n'),
  );
  assert.match(d[0]!.message, /100/);
});

schema.run();
