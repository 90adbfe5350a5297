/**
 * The environment-override ("partial") definitions of schema/platform.schema.json are generated
 * from the full ones. These tests fail when the committed file is stale, and, independently of the
 * generator, when a partial differs from its full definition in anything but `required` (and the
 * few things an override needs: its description prefix, references to other partials, a closed
 * shell over the variants of a discriminated entry).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NOT_OVERRIDABLE, PARTIAL_PREFIX, formatSchema, partialDescription, withDerivedPartials } from '../../src/compiler/schema-partials.js';
import { packageRoot } from '../../src/paths.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const file = join(packageRoot, 'schema', 'platform.schema.json');
const text = readFileSync(file, 'utf8');
const schema = JSON.parse(text) as Obj & { definitions: Record<string, Obj>; properties: Record<string, Obj> };
const REF = '#/definitions/';

test('the committed schema is what the generator derives from its full definitions', () => {
  assert.ok(formatSchema(withDerivedPartials(JSON.parse(text))) === text, "schema/platform.schema.json is stale: run 'node scripts/build.js' and commit the schema");
});

/** The variants of a discriminated definition whose if/then chain can match none of them. */
function openVariants(def: Obj): string[] | undefined {
  const variants: string[] = [];
  let node: unknown = def;
  while (isObj(node) && 'if' in node) {
    if (!isObj(node.then) || typeof node.then.$ref !== 'string') return undefined;
    variants.push(node.then.$ref.slice(REF.length));
    if (!('else' in node)) return variants;
    node = node.else;
  }
  return undefined;
}

/**
 * Where `partial` differs from `full` in anything but what an override may change. `merge` is false
 * inside lists and conditions: there the partial must equal the full schema exactly.
 */
function differences(full: unknown, partial: unknown, at: string, merge: boolean, out: string[] = []): string[] {
  const defs = schema.definitions;
  if (Array.isArray(full) && Array.isArray(partial) && full.length === partial.length) {
    full.forEach((f, i) => differences(f, partial[i], `${at}/${i}`, merge, out));
    return out;
  }
  if (!isObj(full) || !isObj(partial)) {
    if (JSON.stringify(full) !== JSON.stringify(partial)) out.push(`${at}: ${JSON.stringify(partial)} instead of ${JSON.stringify(full)}`);
    return out;
  }
  const fullKeys = Object.keys(full).filter((k) => !(merge && k === 'required'));
  for (const k of Object.keys(partial)) if (!fullKeys.includes(k)) out.push(`${at}: '${k}' is not in the full definition`);
  for (const k of fullKeys) {
    const f = full[k];
    const p = partial[k];
    const here = `${at}/${k}`;
    if (!(k in partial)) {
      // Alternatives that only require keys say nothing about an override, and may go.
      const onlyRequired = (k === 'anyOf' || k === 'oneOf') && merge && Array.isArray(f) && f.every((a) => isObj(a) && Object.keys(a).every((x) => x === 'required'));
      if (!onlyRequired) out.push(`${here}: missing in the partial`);
    } else if (merge && k === '$ref') {
      const target = String(f).slice(REF.length);
      const allowed = [f, ...(`${PARTIAL_PREFIX}${target}` in defs ? [`${REF}${PARTIAL_PREFIX}${target}`] : [])];
      if (!allowed.includes(p)) out.push(`${here}: ${String(p)} instead of ${allowed.join(' or ')}`);
    } else if (merge && k === 'properties' && isObj(f) && isObj(p)) {
      for (const [name, s] of Object.entries(f)) {
        if (name in p) differences(s, p[name], `${here}/${name}`, true, out);
        else out.push(`${here}/${name}: missing in the partial`);
      }
    } else if (merge && (k === 'additionalProperties' || k === 'allOf' || k === 'anyOf' || k === 'oneOf' || k === 'then' || k === 'else')) {
      differences(f, p, here, true, out);
    } else {
      differences(f, p, here, false, out);
    }
  }
  return out;
}

/** Differences of one partial definition from its full definition; [] when it is a faithful copy. */
function partialDifferences(name: string, partial: Obj): string[] {
  const defs = schema.definitions;
  const full = defs[name];
  if (!full) return [`${PARTIAL_PREFIX}${name}: no full definition '${name}'`];
  const out: string[] = [];
  const { description, $comment, ...body } = partial;
  if (description !== partialDescription(name, full.description as string | undefined)) out.push(`${name}: description is not the full one's with the partial prefix`);
  const { description: _d, $comment: fullComment, ...fullBody } = full;
  const variants = openVariants(full);
  let compared: Obj = body;
  if (variants) {
    // A shell over variants: closed, with each variant's keys as that variant (partially) has them.
    if (body.additionalProperties !== false) out.push(`${name}: the shell is not closed (additionalProperties: false)`);
    const own = Object.keys((full.properties ?? {}) as Obj);
    const props = { ...((body.properties ?? {}) as Obj) };
    for (const key of Object.keys(props)) {
      if (own.includes(key)) continue;
      const from = variants.find((v) => key in ((defs[`${PARTIAL_PREFIX}${v}`]?.properties ?? {}) as Obj));
      if (!from) out.push(`${name}/properties/${key}: in no variant`);
      else if (JSON.stringify(props[key]) !== JSON.stringify((defs[`${PARTIAL_PREFIX}${from}`]!.properties as Obj)[key])) out.push(`${name}/properties/${key}: differs from partial-${from}`);
      delete props[key];
    }
    const { additionalProperties: _a, ...rest } = body;
    compared = { ...rest, properties: props };
  } else if (fullComment !== undefined && $comment === undefined) {
    out.push(`${name}: the full definition's $comment is missing`);
  }
  return [...out, ...differences(fullBody, compared, name, true)];
}

test('every partial equals its full definition in all but `required`', () => {
  const partials = Object.entries(schema.definitions).filter(([n]) => n.startsWith(PARTIAL_PREFIX));
  assert.ok(partials.length >= 25, `${partials.length} partial definitions`);
  for (const [n, def] of partials) assert.equal(partialDifferences(n.slice(PARTIAL_PREFIX.length), def), [], n);
});

test('the check catches what a hand edit would change: a bound, a type, an enum, a missing key, a dropped constraint', () => {
  const copy = (n: string): Obj => JSON.parse(JSON.stringify(schema.definitions[`${PARTIAL_PREFIX}${n}`])) as Obj;
  const props = (d: Obj) => d.properties as Record<string, Obj>;

  const bound = copy('stream');
  props(bound).shards!.maximum = 123456;
  assert.ok(partialDifferences('stream', bound).some((d) => d.includes('shards/maximum')), 'a changed maximum');

  const type = copy('layer');
  props(type).infrequentAccessDelay!.type = 'string';
  assert.ok(partialDifferences('layer', type).some((d) => d.includes('infrequentAccessDelay/type')), 'a changed type');

  const choices = copy('storage');
  props(choices).encryption!.enum = ['kms'];
  assert.ok(partialDifferences('storage', choices).some((d) => d.includes('encryption/enum')), 'a narrowed enum');

  const missing = copy('job');
  delete props(missing).workers;
  assert.ok(partialDifferences('job', missing).some((d) => d.includes('workers: missing')), 'a dropped key');

  const open = copy('sink');
  delete open.additionalProperties;
  assert.ok(partialDifferences('sink', open).some((d) => d.includes('not closed')), 'an opened shell');

  const items = copy('crawler');
  (props(items).targets!.items as Obj).$ref = `${REF}${PARTIAL_PREFIX}layerLocation`;
  assert.ok(partialDifferences('crawler', items).some((d) => d.includes('targets/items')), 'lists replace: their items stay full');
});

test('editors complete under overrides: every overridable section points at its partial, variants list their keys', () => {
  const overrides = schema.definitions.overrides!.properties as Record<string, Obj>;
  const sections = Object.keys(schema.properties).filter((k) => !NOT_OVERRIDABLE.includes(k));
  assert.equal(Object.keys(overrides), sections);
  assert.is((overrides.sinks!.additionalProperties as Obj).$ref, `${REF}partial-sink`);
  assert.is(((overrides.storage!.allOf as Obj[])[0] as Obj).$ref, `${REF}partial-storage`);
  const sinkKeys = Object.keys(schema.definitions['partial-sink']!.properties as Obj);
  for (const key of ['stream', 'partitionKey', 'deliveryStream', 'table', 'keyAttributes', 'path', 'bufferingHints', 'retry']) assert.ok(sinkKeys.includes(key), key);
  // Nothing in a partial requires a key (outside lists and conditions).
  assert.not.ok('required' in schema.definitions['partial-kinesisSink']!);
  // The modeline of the flagship points at this file.
  assert.match(readFileSync(join(packageRoot, 'examples', 'mystore.yaml'), 'utf8'), /\$schema=\.\.\/schema\/platform\.schema\.json/);
});

test.run();
