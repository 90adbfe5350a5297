/**
 * One table of defaults (src/contract/defaults.ts). The blueprint states it in the spec's units,
 * the schema's `default`s repeat it for editors, the compiler falls back on it, the engine uses it
 * for configs and callers that omit a setting. Each test fails when one of them differs from the
 * table; KNOWN_DISAGREEMENTS names the differences that exist today and are being settled (the
 * list must shrink: a settled one fails the test until it is removed here).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { HINT_NAMES } from '../../src/contract/buffering.js';
import {
  BUFFERING_DEFAULTS,
  DEFAULT_PLATFORM,
  DEFAULT_RATE_LIMITING,
  DEFAULT_RETRY,
  DESTINATION_OPTION_DEFAULTS,
  RATE_LIMITING_DEFAULTS,
  SPEC_DEFAULTS,
  SPEC_RETRY_DEFAULTS,
} from '../../src/contract/defaults.js';
import { DESTINATION_LIMITS, type DestinationType } from '../../src/contract/limits.js';
import { loadPlatform } from '../../src/compiler/load.js';
import { compileSinkConfigs } from '../../src/compiler/sink-config.js';
import { parseSize } from '../../src/compiler/units.js';
import { packageRoot } from '../../src/paths.js';

const test = suite('defaults');

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const TYPES = Object.keys(DESTINATION_LIMITS) as DestinationType[];

/** Differences between the table and its copies: none (the engine's owner settled retry and the Kinesis decrease factor). */
const KNOWN_DISAGREEMENTS: string[] = [];

/** Leaves of `actual` that differ from `expected` ("<what>.<path> <actual> vs table <expected>"). */
function compare(what: string, actual: unknown, expected: unknown, path = ''): string[] {
  if (isObj(expected)) {
    if (!isObj(actual)) return [`${what}${path} ${JSON.stringify(actual)} vs table ${JSON.stringify(expected)}`];
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    return keys.flatMap((k) => compare(what, actual[k], expected[k], `${path}.${k}`));
  }
  // The blueprint writes sizes in the spec's units (5MiB); the table holds bytes.
  const value = typeof expected === 'number' && typeof actual === 'string' ? (parseSize(actual) as { value?: number }).value : actual;
  return JSON.stringify(value) === JSON.stringify(expected) ? [] : [`${what}${path} ${JSON.stringify(actual)} vs table ${JSON.stringify(expected)}`];
}

const blueprint = parse(readFileSync(join(packageRoot, 'platforms', 'aws-native', 'blueprint.yaml'), 'utf8')) as { spec: Obj; defaults: Obj };
const schema = JSON.parse(readFileSync(join(packageRoot, 'schema', 'platform.schema.json'), 'utf8')) as { properties: Obj; definitions: Record<string, Obj> };

/** Kinds of the table that are not blueprint `defaults:` kinds (the blueprint's `spec:` and the compiler apply them). */
const NOT_BLUEPRINT_KINDS = ['storage', 'condition'];

function blueprintDifferences(): string[] {
  const out: string[] = [];
  const kinds = Object.keys(SPEC_DEFAULTS).filter((k) => !NOT_BLUEPRINT_KINDS.includes(k));
  assert.equal(Object.keys(blueprint.defaults).sort(), kinds.sort(), 'the blueprint has a defaults: kind for each kind of the table');
  for (const kind of kinds) out.push(...compare(`blueprint defaults.${kind}`, blueprint.defaults[kind], (SPEC_DEFAULTS as Obj)[kind]));
  const storage = blueprint.spec.storage as Obj;
  out.push(...compare('blueprint spec.storage', { encryption: storage.encryption, removalPolicy: storage.removalPolicy }, SPEC_DEFAULTS.storage));
  return out;
}

/**
 * Where the schema's definitions take their defaults from in the table. A definition with a
 * `default` that is not listed fails the test: give its values a place in the table first.
 */
const SCHEMA_SOURCES: Record<string, (property: string) => unknown[]> = {
  storage: (p) => [(SPEC_DEFAULTS.storage as Obj)[p]],
  workgroup: (p) => [(SPEC_DEFAULTS.workgroup as Obj)[p]],
  replayer: (p) => [(SPEC_DEFAULTS.replayer as Obj)[p]],
  job: (p) => [(SPEC_DEFAULTS.job as Obj)[p]],
  condition: (p) => [(SPEC_DEFAULTS.condition as Obj)[p]],
  scheduledTrigger: (p) => [(SPEC_DEFAULTS.trigger as Obj)[p]],
  conditionalTrigger: (p) => [(SPEC_DEFAULTS.conditionalTrigger as Obj)[p]],
  stream: (p) => [(SPEC_DEFAULTS.stream as Obj)[p]],
  retry: (p) => [(SPEC_RETRY_DEFAULTS as unknown as Obj)[p]],
  kinesisSink: (p) => [(SPEC_DEFAULTS.sink as Obj)[p]],
  streamSource: (p) => [(SPEC_DEFAULTS.streamSource as Obj)[p]],
  deliveryStream: (p) => [p.split('.').reduce<unknown>((v, k) => (v as Obj)[k], SPEC_DEFAULTS.deliveryStream)],
  serverlessWarehouse: (p) => [(SPEC_DEFAULTS.warehouse as Obj)[p]],
  provisionedWarehouse: (p) => [(SPEC_DEFAULTS.warehouse as Obj)[p]],
  cloudwatchLogsSink: (p) => [(DESTINATION_OPTION_DEFAULTS['cloudwatch-logs'] as Obj)[p]],
  cloudwatchMetricsSink: (p) => [(DESTINATION_OPTION_DEFAULTS['cloudwatch-metrics'] as Obj)[p]],
  redisStreamSink: (p) => [(DESTINATION_OPTION_DEFAULTS['redis-stream'] as Obj)[p]],
};

/** Every `default` of the full schema: [definition, property path], value. */
function schemaDefaults(): { definition: string; property: string; value: unknown }[] {
  const out: { definition: string; property: string; value: unknown }[] = [];
  const walk = (definition: string, node: unknown, path: string[]): void => {
    if (!isObj(node)) return;
    if ('default' in node && path.length) out.push({ definition, property: path.join('.'), value: node.default });
    for (const [k, v] of Object.entries(node)) {
      if (k === 'properties' && isObj(v)) for (const [p, s] of Object.entries(v)) walk(definition, s, [...path, p]);
      else if (k === 'then' || k === 'else' || k === 'allOf') walk(definition, v, path);
    }
  };
  for (const [name, def] of Object.entries(schema.definitions)) if (!name.startsWith('partial-') && name !== 'overrides') walk(name, def, []);
  walk('(top level)', { properties: schema.properties }, []);
  return out;
}

function schemaDifferences(): string[] {
  const out: string[] = [];
  for (const { definition, property, value } of schemaDefaults()) {
    if (definition === '(top level)' && property === 'platform') {
      if (value !== DEFAULT_PLATFORM) out.push(`schema platform ${JSON.stringify(value)} vs table ${DEFAULT_PLATFORM}`);
      continue;
    }
    if (definition === 'rateLimiting') {
      // One definition for every sink type: its default must be every type's.
      for (const t of TYPES) {
        const expected = (RATE_LIMITING_DEFAULTS[t] as Obj)[property];
        if (JSON.stringify(value) !== JSON.stringify(expected)) out.push(`schema rateLimiting.${property} (${t}) ${JSON.stringify(value)} vs table ${JSON.stringify(expected)}`);
      }
      continue;
    }
    const source = SCHEMA_SOURCES[definition];
    if (!source) {
      out.push(`schema ${definition}.${property} has a default (${JSON.stringify(value)}) the table does not hold`);
      continue;
    }
    const [expected] = source(property);
    if (JSON.stringify(value) !== JSON.stringify(expected)) out.push(`schema ${definition}.${property} ${JSON.stringify(value)} vs table ${JSON.stringify(expected)}`);
  }
  return out;
}

function engineDifferences(): string[] {
  const out: string[] = [];
  out.push(...compare('engine DEFAULT_RETRY', DEFAULT_RETRY, SPEC_RETRY_DEFAULTS));
  for (const t of TYPES) {
    out.push(...compare(`engine BUFFERING_DEFAULTS.${t}`, BUFFERING_DEFAULTS[t], SPEC_DEFAULTS.sink[t].bufferingHints));
    out.push(...compare(`engine DEFAULT_RATE_LIMITING (${t})`, DEFAULT_RATE_LIMITING, RATE_LIMITING_DEFAULTS[t]));
  }
  return out;
}

test('the blueprint states the table', () => {
  assert.equal(blueprintDifferences(), []);
});

test("the schema's defaults are the table's, or a known disagreement", () => {
  assert.ok(schemaDefaults().length >= 30, 'the schema walk finds the defaults');
  assert.equal(schemaDifferences().filter((d) => !KNOWN_DISAGREEMENTS.includes(d)), []);
});

test("the engine's defaults are the table's, or a known disagreement", () => {
  assert.equal(engineDifferences().filter((d) => !KNOWN_DISAGREEMENTS.includes(d)), []);
  for (const t of TYPES) for (const h of HINT_NAMES) assert.type(BUFFERING_DEFAULTS[t][h], 'number', `${t}.${h}`);
});

test('every known disagreement still exists (remove the settled ones)', () => {
  const all = [...blueprintDifferences(), ...schemaDifferences(), ...engineDifferences()];
  assert.equal(KNOWN_DISAGREEMENTS.filter((d) => !all.includes(d)), []);
});

test('the comparison sees a changed value, in the units the blueprint writes', () => {
  assert.equal(compare('x', { a: '5MiB', b: 1 }, { a: 5 * 1024 * 1024, b: 1 }), []);
  assert.equal(compare('x', { a: '4MiB' }, { a: 5 * 1024 * 1024 }), ['x.a "4MiB" vs table 5242880']);
  assert.equal(compare('x', { a: 1, extra: 2 }, { a: 1 }), ['x.extra 2 vs table undefined']);
});

test('a spec that sets nothing resolves to the table (the validator and the compiler apply the same defaults)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ara-defaults-'));
  try {
    const file = join(dir, 'spec.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'name: dflt',
        'environments:',
        '  dev: { account: "123456789012", region: eu-west-1 }',
        'storage:',
        '  layers:',
        '    raw: {}',
        '    clean: {}',
        '    extra: {}',
        'replayers:',
        '  customer: { dataset: retail/customer, target: { layer: raw, prefix: customer/ } }',
        'jobs:',
        '  to-parquet:',
        '    template: csv-to-parquet',
        '    source: { database: raw, table: customer }',
        '    target: { layer: clean, prefix: customer/, database: clean }',
        'catalog:',
        '  databases:',
        '    raw: { layer: raw }',
        '    clean: { layer: clean }',
        'streams:',
        '  events: {}',
        'sinks:',
        '  to-kinesis: { type: kinesis, stream: events }',
        '  to-file: { type: file, path: out.ndjson }',
        '',
      ].join('\n'),
    );
    const { model, diagnostics } = await loadPlatform(file);
    assert.equal(diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`), []);
    assert.ok(model);
    assert.is(model.storage.layers.extra!.infrequentAccessDelay, SPEC_DEFAULTS.layer.infrequentAccessDelay);
    const job = model.jobs['to-parquet']!;
    assert.equal({ glueVersion: job.glueVersion, workerType: job.workerType, workers: job.workers, timeoutMinutes: job.timeoutMinutes, maxRetries: job.maxRetries }, {
      glueVersion: SPEC_DEFAULTS.job.glueVersion,
      workerType: SPEC_DEFAULTS.job.workerType,
      workers: SPEC_DEFAULTS.job.workers,
      timeoutMinutes: SPEC_DEFAULTS.job.timeoutMinutes,
      maxRetries: SPEC_DEFAULTS.job.maxRetries,
    });
    const replayer = model.replayers.customer!;
    assert.equal([replayer.seed, replayer.recordsPerWindow], [SPEC_DEFAULTS.replayer.seed, SPEC_DEFAULTS.replayer.recordsPerWindow]);
    const stream = model.streams.events!;
    assert.equal([stream.mode, stream.shards, stream.retentionHours, stream.encryption], [SPEC_DEFAULTS.stream.mode, SPEC_DEFAULTS.stream.shards, SPEC_DEFAULTS.stream.retentionHours, SPEC_DEFAULTS.stream.encryption]);
    // What `synth` writes for the engine: the table's hints, rate limiting and retry per type.
    const configs = compileSinkConfigs(model);
    for (const [sink, type] of [['to-kinesis', 'kinesis'], ['to-file', 'file']] as const) {
      const config = configs[sink]!;
      assert.equal(config.bufferingHints, SPEC_DEFAULTS.sink[type].bufferingHints, `${sink} hints`);
      assert.equal(config.rateLimiting, SPEC_DEFAULTS.sink[type].rateLimiting, `${sink} rate limiting`);
      assert.equal(config.retry, SPEC_DEFAULTS.sink.retry, `${sink} retry`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
