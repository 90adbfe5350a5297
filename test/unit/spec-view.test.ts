/**
 * The rules' typed, lenient view of a spec (rules/spec-view.ts): its types are generated from the
 * schema (the committed copy must be current), and its accessors give undefined or empty lists for
 * values of the wrong type instead of throwing, with the path of every value for findings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { specTypesSource } from '../../src/compiler/schema-types.js';
import { SpecNode, type PlatformSpec } from '../../src/compiler/rules/spec-view.js';
import { packageRoot } from '../../src/paths.js';

const test = suite('spec view');

test('src/compiler/rules/spec-types.ts is what the generator derives from the schema', () => {
  const schema = JSON.parse(readFileSync(join(packageRoot, 'schema', 'platform.schema.json'), 'utf8'));
  const committed = readFileSync(join(packageRoot, 'src', 'compiler', 'rules', 'spec-types.ts'), 'utf8');
  assert.ok(specTypesSource(schema) === committed, "src/compiler/rules/spec-types.ts is stale: run 'node scripts/build.js' and commit it");
});

test('the generated types merge the variants of a discriminated entry and keep every field optional', () => {
  const schema = JSON.parse(readFileSync(join(packageRoot, 'schema', 'platform.schema.json'), 'utf8'));
  const source = specTypesSource(schema);
  const sink = source.slice(source.indexOf('export interface SinkSpec {'), source.indexOf('\n}', source.indexOf('export interface SinkSpec {')));
  for (const field of ['type', 'stream', 'deliveryStream', 'keyAttributes', 'namespace', 'jsonField']) assert.ok(sink.includes(`readonly ${field}?:`), field);
  assert.not.match(source, /readonly \w+: /, 'a required field');
});

test('accessors read values of the right type, with their paths', () => {
  const spec = new SpecNode<PlatformSpec>({ name: 'shop', sinks: { s: { type: 'kinesis', stream: 'clicks', dimensions: ['a'] } } }, []);
  assert.equal(spec.str('name'), 'shop');
  const [name, sink] = spec.entries('sinks')[0]!;
  assert.equal(name, 's');
  assert.equal(sink.str('type'), 'kinesis');
  assert.equal(sink.pathOf('stream'), ['sinks', 's', 'stream']);
  assert.equal(sink.pointer, '/sinks/s');
  assert.equal(sink.items('dimensions').map((d) => [d.asStr(), d.path]), [['a', ['sinks', 's', 'dimensions', 0]]]);
});

test('values of the wrong type read as undefined or empty, never throw', () => {
  const spec = new SpecNode<PlatformSpec>({ name: 7, storage: 'x', sinks: { a: 'not a mapping', b: { type: 3, dimensions: 'x', bufferingHints: [] } } }, []);
  assert.is(spec.str('name'), undefined);
  assert.is(spec.node('storage').isObject, false);
  assert.equal(spec.node('storage').entries('layers'), []);
  assert.equal(spec.node('storage').node('layers').num('x' as never), undefined);
  assert.equal(spec.keys('sinks'), ['a', 'b']);
  const entries = spec.entries('sinks');
  assert.equal(entries.map(([n]) => n), ['b'], 'entries skip values that are not mappings');
  const b = entries[0]![1];
  assert.is(b.str('type'), undefined);
  assert.equal(b.items('dimensions'), []);
  assert.is(b.node('bufferingHints').num('maxBatchSize'), undefined);
  assert.is(new SpecNode<PlatformSpec>(null, []).entries('sinks').length, 0);
});

test.run();
