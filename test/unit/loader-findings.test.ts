/**
 * One finding per root cause across the loader's phases (src/compiler/findings.ts), through the
 * public `validateSpec`: one case per rule of the collector, each of which fails when that rule is
 * removed (the finding it hides comes back, or a finding is repeated).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Diagnostic } from '../../src/compiler/diagnostics.js';
// The public validateSpec (src/compiler/index.ts re-exports it), from its module: the compiler's index
// also loads every construct and aws-cdk-lib, which a unit test of the loader does not need.
import { validateSpec } from '../../src/compiler/load.js';
import { flagship, repoRoot } from '../helpers/ara-cli.js';

const mystore = readFileSync(flagship, 'utf8');
const variants = readFileSync(join(repoRoot, 'test', 'fixtures', 'specs', 'all-variants.yaml'), 'utf8');

function edit(text: string, from: string, to: string): string {
  assert.ok(text.includes(from) && text.indexOf(from) === text.lastIndexOf(from), `the spec contains ${JSON.stringify(from)} once`);
  return text.replace(from, to);
}

/** The flagship with `block` (indented for prod's children) added to prod's overrides. */
const prod = (block: string, text = mystore) => edit(text, '    overrides:\n', `    overrides:\n${block}`);

/** `code line:col message` of every finding. */
async function findings(text: string): Promise<string[]> {
  return (await validateSpec('spec.yaml', text)).diagnostics.map(show);
}
const show = (d: Diagnostic) => `${d.code} ${d.start.line}:${d.start.col} ${d.message}`;

/** 1-based `line:col` of `needle` (once in `text`). */
function where(text: string, needle: string, offset = 0): string {
  const i = text.indexOf(needle);
  assert.ok(i >= 0 && text.indexOf(needle, i + 1) < 0, `'${needle}' must occur exactly once`);
  const before = text.slice(0, i);
  return `${before.split('\n').length}:${i - before.lastIndexOf('\n') + offset}`;
}

const test = suite('findings: one per root cause across phases');

test('1 ONCE: a rule finding every environment reports is reported once', async () => {
  const text = edit(mystore, 'dataset: retail/customer', 'dataset: retail/customers');
  const found = await findings(text);
  assert.equal(found.length, 1, found.join('\n'));
  assert.match(found[0]!, `ARA250 ${where(text, 'retail/customers')} replayer 'customer' replays 'retail/customers'`);
});

test("2 FILE_SCHEMA_HIDES_ENVIRONMENT: a section the file's schema rejects is not checked again for an environment", async () => {
  // prod's override gives the kinesis sink a DynamoDB key (an environment-schema finding), but the
  // sink is already invalid in the spec: only that is reported. The streams override keeps the
  // environment's check running for the sections that passed.
  const text = edit(prod('      streams:\n        web-sale: { retentionHours: 48 }\n      sinks:\n        web-sale-events:\n          keyAttributes: [{ name: order_id, type: S }]\n'), 'partitionKey: order_id', 'partitionKey: ""');
  const found = await findings(text);
  assert.equal(found, [`ARA115 ${where(text, '""')} 'partitionKey' must be at least 1 characters long; got 0`]);
});

test('3 DIRECT_OVER_NEAREST: an override that switches a variant: the switch, not the keys the new variant lacks', async () => {
  const text = edit(variants, /    overrides:\n[\s\S]*?(?=storage:)/.exec(variants)![0], '    overrides:\n      sinks:\n        to-kinesis:\n          type: firehose\n');
  const found = await findings(text);
  assert.equal(found, [`ARA110 ${where(text, '          type: firehose', 16)} sinks.to-kinesis has type 'firehose', but 'stream', 'explicitHashKey' and 'aggregation' are keys of type 'kinesis' (environment 'production')`]);
});

test('4 SCHEMA_HIDES_RULES: a rule finding at or below a schema error is its consequence', async () => {
  const text = edit(mystore, '    type: kinesis\n    stream: web-sale\n', '    type: kinesis\n    stream: Web_Sale!\n');
  const found = await findings(text);
  assert.equal(found.length, 1, found.join('\n'));
  assert.match(found[0]!, new RegExp(`^ARA11\\d ${where(text, 'Web_Sale!')} `));
});

test("5 BROKEN_OVERRIDE_SECTION: an environment's rejected override of a section hides what the rules find in that environment's section", async () => {
  const text = edit(variants, /    overrides:\n[\s\S]*?(?=storage:)/.exec(variants)![0], '    overrides:\n      triggers:\n        hourly:\n          when: { job: enrich }\n');
  const found = await findings(text);
  assert.equal(found, [`ARA110 ${where(text, 'when: { job: enrich }')} 'schedule' cannot be combined with 'when' in triggers.hourly (environment 'production')`]);
});

test('6 DOUBTFUL: what a misspelt section would hold is not reported missing', async () => {
  const text = edit(mystore, '\nsinks:\n', '\nsinkz:\n');
  const found = await findings(text);
  assert.equal(found, [`ARA110 ${where(text, 'sinkz')} unknown key 'sinkz': did you mean 'sinks'?`]);
});

test.run();
