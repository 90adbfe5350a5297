// Semantic rules (ARA2xx): every rule has a failing fixture under test/fixtures/rules/ whose
// `# expect:` lines give the exact code, severity, line:col, message and hint of each finding.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Diagnostic } from '../../src/compiler/diagnostics.js';
import { parseSpec, validateSpec } from '../../src/compiler/load.js';
import { checkRules, rules } from '../../src/compiler/rules/index.js';
import { cronProblem, parseRate, rateToCron } from '../../src/compiler/rules/schedules.js';
import { packageRoot } from '../../src/paths.js';
import { assertFixtureFindings, expectations } from '../helpers/expectations.js';

const fixtures = join(packageRoot, 'test', 'fixtures', 'rules');
const flagship = join(packageRoot, 'examples', 'mystore.yaml');

function docOf(file: string, text = readFileSync(file, 'utf8')) {
  const parsed = parseSpec(file, text);
  assert.ok(parsed.document, `${file} parses`);
  return parsed.document!;
}

const show = (ds: readonly Diagnostic[]): string => ds.map((d) => `${d.code} ${d.start.line}:${d.start.col} ${d.message}`).join('\n');

const Fixtures = suite('spec rules: fixtures');
const files = readdirSync(fixtures).filter((f) => f.endsWith('.yaml')).sort();

Fixtures('every rule code has a failing fixture', () => {
  const covered = new Set(files.flatMap((f) => expectations(readFileSync(join(fixtures, f), 'utf8')).map((e) => e.code)));
  // ARA299 is the internal-error guard: no valid or invalid spec should ever produce it.
  const codes = rules.flatMap((r) => r.codes);
  assert.equal(codes.filter((c) => !covered.has(c)), []);
  assert.ok(codes.length >= 25, `${codes.length} codes`);
});

for (const f of files) {
  Fixtures(`${f}: exact findings through the loader (code, severity, line:col, message, hint)`, () => assertFixtureFindings(join(fixtures, f)));

  Fixtures(`${f}: checkRules() reports the same findings directly`, () => {
    const file = join(fixtures, f);
    const expected = expectations(readFileSync(file, 'utf8'));
    const found = checkRules(docOf(file));
    for (const e of expected) {
      assert.ok(
        found.some((d) => d.code === e.code && d.start.line === e.line && d.start.col === e.col && d.message.includes(e.message)),
        `${e.code} at ${e.line}:${e.col} in\n${show(found)}`,
      );
    }
  });
}

Fixtures.run();

const Flagship = suite('spec rules: valid specs');

Flagship('examples/mystore.yaml has no findings (schema and rules)', async () => {
  const { diagnostics } = await validateSpec(flagship);
  assert.equal(show(diagnostics), '');
  assert.equal(checkRules(docOf(flagship)), []);
});

Flagship('every spec under test/fixtures/specs validates with no findings', async () => {
  const dir = join(packageRoot, 'test', 'fixtures', 'specs');
  const specs = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  assert.ok(specs.length >= 2);
  for (const f of specs) {
    const { diagnostics } = await validateSpec(join(dir, f));
    assert.equal(show(diagnostics), '', f);
  }
});

Flagship('an override is checked in its environment only, and names it', () => {
  const text = readFileSync(flagship, 'utf8').replace(
    '    overrides:\n',
    '    overrides:\n      sinks:\n        web-sale-events:\n          bufferingHints: { maxBufferedRequests: 400 }\n',
  );
  const found = checkRules(docOf('mystore.yaml', text));
  assert.equal(found.map((d) => `${d.code} ${d.start.line}:${d.start.col}`), ['ARA241 24:50']);
  assert.match(found[0]!.message, /maxBufferedRequests \(400\) must be greater than maxBatchSize \(500\).*\(environment 'prod'\)$/);
  assert.equal(found[0]!.path, '/environments/prod/overrides/sinks/web-sale-events/bufferingHints/maxBufferedRequests');
});

Flagship('a hint that breaks only with the blueprint default points at the field the user set', () => {
  // maxRecordBytes stays at the kinesis default (1 MiB): the finding is on maxBatchBytes.
  const text = readFileSync(flagship, 'utf8').replace('      maxBatchBytes: 5MiB\n      maxRecordBytes: 1MiB\n', '      maxBatchBytes: 256KiB\n');
  const found = checkRules(docOf('mystore.yaml', text));
  assert.equal(found.map((d) => `${d.code} ${d.path} ${d.start.line}:${d.start.col}`), ['ARA242 /sinks/web-sale-events/bufferingHints/maxBatchBytes 114:22']);
});

Flagship.run();

const Defensive = suite('spec rules: wrong shapes never throw');

const mangled: Record<string, string> = {
  'sections as lists': 'version: 1\nname: x\nenvironments: []\nsinks: [1, 2]\ntriggers: [a]\nstorage: [raw]\n',
  'entries as scalars': 'version: 1\nname: x\nenvironments: { dev: 3 }\nsinks: { a: 1 }\njobs: { j: true }\ncatalog: { databases: { d: null } }\n',
  'wrong leaf types': [
    'version: 1',
    'name: 5',
    'environments: { dev: { account: 1, region: [] } }',
    'sinks: { s: { type: kinesis, stream: [x], bufferingHints: { maxBatchSize: "big", maxBatchBytes: 5XB }, rateLimiting: { strategy: aimd, decreaseFactor: "half" } } }',
    'triggers: { t: { schedule: 5, when: { all: 3 }, actions: { job: x } } }',
    'replayers: { r: { dataset: 7, frequency: soon, target: { sink: 4 } } }',
    'storage: { layers: { raw: { infrequentAccessDelay: "30" } } }',
    'deliveryStreams: { d: { source: 1, format: parquet, table: x } }',
    'environments2: {}',
  ].join('\n'),
  'null document': 'null\n',
};

for (const [name, text] of Object.entries(mangled)) {
  Defensive(name, () => {
    const parsed = parseSpec('x.yaml', text);
    if (!parsed.document) return; // the loader rejected it before the rules
    const found = checkRules(parsed.document);
    assert.equal(found.filter((d) => d.code === 'ARA299'), [], show(found));
  });
}

Defensive.run();

const Schedules = suite('spec rules: AWS schedule expressions');

Schedules('valid AWS cron expressions', () => {
  for (const e of ['0 10 * * ? *', '15 12 * * ? *', '0 18 ? * MON-FRI *', '0 8 1 * ? *', '0/15 * * * ? *', '0/10 * ? * MON-FRI *', '0/5 8-17 ? * MON-FRI *', '0 9 ? * 2#1 *', '0 0 L * ? *', '0 0 ? * 6L *', '0 0 15W * ? *', '0 0 LW * ? *', '0,30 1-3 ? JAN-MAR SUN 2030', '5 4 ? * * 2026-2030']) {
    assert.is(cronProblem(e), undefined, e);
  }
});

Schedules('invalid AWS cron expressions say why', () => {
  const cases: [string, RegExp][] = [
    ['0 0 * * * *', /exactly one of day-of-month and day-of-week/],
    ['0 0 ? * ? *', /both day-of-month and day-of-week/],
    ['60 * * * ? *', /minutes value 60 is out of range 0-59/],
    ['0 0 ? 13 MON *', /month value 13 is out of range 1-12/],
    ['0 0 ? * 2#6 *', /#1 and #5/],
    ['0 0 ? * 8 *', /day-of-week value 8 is out of range 1-7/],
    ['0 0 32 * ? *', /day-of-month value 32/],
    ['0 0 5-1 * ? *', /runs backwards/],
    ['0 0 * * ?', /has 5 fields/],
    ['0/0 * * * ? *', /step '\/0'/],
    ['0 0 * FOO ? *', /'FOO' is not a valid month value/],
    ['0 ? * * ? *', /'\?' is only allowed in day-of-month and day-of-week/],
    ['0 0 * * ? 1969', /year value 1969/],
  ];
  for (const [e, re] of cases) assert.match(cronProblem(e) ?? '', re, e);
});

Schedules('rates parse with singular/plural units and convert to cron when exact', () => {
  assert.equal(parseRate('5 minutes'), { amount: 5, unit: 'minute' });
  assert.equal(parseRate('1 hour'), { amount: 1, unit: 'hour' });
  assert.match(parseRate('1 hours') as string, /singular/);
  assert.match(parseRate('0 minutes') as string, /positive/);
  assert.match(parseRate('5 weeks') as string, /unknown rate unit 'weeks'/);
  assert.is(rateToCron({ amount: 5, unit: 'minute' }), 'cron(0/5 * * * ? *)');
  assert.is(rateToCron({ amount: 1, unit: 'minute' }), 'cron(* * * * ? *)');
  assert.is(rateToCron({ amount: 1, unit: 'hour' }), 'cron(0 * * * ? *)');
  assert.is(rateToCron({ amount: 120, unit: 'minute' }), 'cron(0 0/2 * * ? *)');
  assert.is(rateToCron({ amount: 6, unit: 'hour' }), 'cron(0 0/6 * * ? *)');
  assert.is(rateToCron({ amount: 1, unit: 'day' }), 'cron(0 0 * * ? *)');
  assert.is(rateToCron({ amount: 7, unit: 'minute' }), undefined);
  assert.is(rateToCron({ amount: 5, unit: 'hour' }), undefined);
  assert.is(rateToCron({ amount: 2, unit: 'day' }), undefined);
  assert.is(rateToCron({ amount: 90, unit: 'minute' }), undefined);
});

Schedules.run();

const Provenance = suite('spec rules: blueprint values in messages');

Provenance("a blueprint archive delay that conflicts with the user's IA delay says where it comes from", () => {
  const text = 'version: 1\nname: shop\nenvironments:\n  dev: { account: "123456789012", region: eu-west-1 }\nstorage:\n  layers:\n    raw:\n      infrequentAccessDelay: 120\n';
  const found = checkRules(docOf('x.yaml', text));
  // Reported at the value the user wrote that conflicts with the blueprint's.
  assert.equal(found.map((d) => `${d.code} ${d.start.line}:${d.start.col}`), ['ARA212 8:30']);
  assert.is(found[0]!.message, "layer 'raw' archives after 90 days (the aws-native blueprint default), less than 30 days after its Standard-IA transition at 120 days");
  assert.is(found[0]!.hint, 'set archiveDelay to at least 150 (S3 keeps objects 30 days in Standard-IA before archiving)');
});

Provenance.run();

const Schema = suite('spec schema: structure');
type Node = { [k: string]: unknown };
const schema = JSON.parse(readFileSync(join(packageRoot, 'schema', 'platform.schema.json'), 'utf8')) as { definitions: Record<string, Node> } & Node;

Schema('every property has a description; every object with properties is closed or a documented discriminator', () => {
  const problems: string[] = [];
  const walk = (n: unknown, at: string): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach((c, i) => walk(c, `${at}/${i}`));
    const o = n as Node;
    for (const [k, v] of Object.entries(o)) {
      if (k === 'if' || k === 'not') continue; // discriminator tests, not document shapes
      if (k === 'properties') {
        for (const [p, s] of Object.entries(v as Node)) {
          if (!(s as Node).description) problems.push(`${at}/properties/${p}: no description`);
          walk(s, `${at}/properties/${p}`);
        }
      } else walk(v, `${at}/${k}`);
    }
    if (o.type === 'object' && o.properties && o.additionalProperties === undefined && !o.$comment) problems.push(`${at}: open object`);
  };
  walk(schema, '');
  assert.equal(problems, []);
  assert.is(schema.$id, 'https://ara-gen.dev/schema/platform.schema.json');
});

Schema.run();
