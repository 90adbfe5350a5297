/**
 * One finding per root cause, with the message a user can act on, through the public loader API.
 * Each case is a defect found by auditing `ara-gen validate` against hand-broken copies of the
 * flagship example: the expected code, message, hint and exact line:col of every finding.
 */
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Diagnostic } from '../../src/compiler/diagnostics.js';
import { isUsageProblem, loadPlatform, validateSpec } from '../../src/compiler/load.js';
import { suggestCron } from '../../src/compiler/rules/schedules.js';
import { flagship } from '../helpers/ara-cli.js';

const base = readFileSync(flagship, 'utf8');

/** 1-based line:col of `needle` (which must occur once) in `text`, plus `offset` columns. */
function where(text: string, needle: string, offset = 0): string {
  const i = text.indexOf(needle);
  assert.ok(i >= 0 && text.indexOf(needle, i + 1) < 0, `'${needle}' must occur exactly once`);
  const before = text.slice(0, i);
  return `${before.split('\n').length}:${i - before.lastIndexOf('\n') + offset}`;
}

function mutate(from: string, to: string): string {
  assert.ok(base.includes(from), `the example no longer contains ${JSON.stringify(from)}`);
  return base.replace(from, to);
}

/** `[code, line:col, message]` of every finding. */
async function findings(text: string): Promise<[string, string, string][]> {
  return (await validateSpec('mystore.yaml', text)).diagnostics.map((d) => [d.code, `${d.start.line}:${d.start.col}`, d.message]);
}

async function only(text: string): Promise<Diagnostic> {
  const ds = (await validateSpec('mystore.yaml', text)).diagnostics;
  assert.is(ds.length, 1, ds.map((d) => `${d.code} ${d.start.line}:${d.start.col} ${d.message}`).join('\n'));
  return ds[0]!;
}
const at = (d: Diagnostic) => `${d.start.line}:${d.start.col}`;

const yaml = suite('loader root causes: YAML');

yaml('a tab indenting a mapping entry: one ARA102 at the tab, no syntax-error cascade', async () => {
  for (const indent of ['\t', '  \t']) {
    const text = mutate('    shards: 2', `${indent}shards: 2`);
    const d = await only(text);
    assert.is(d.code, 'ARA102');
    assert.is(d.message, 'tab character used for indentation');
    assert.is(at(d), where(text, `${indent}shards: 2`, indent.indexOf('\t')));
    assert.is(d.hint, 'YAML indentation must use spaces; replace the tab with spaces');
  }
});

yaml('two parser errors at the same place: one finding', async () => {
  const text = mutate('    shards: 2', '    shards: 2 shards: 3');
  const ds = await findings(text);
  assert.is(ds.length, 1, JSON.stringify(ds));
  assert.is(ds[0]![0], 'ARA100');
});

const variants = suite('loader root causes: variants and exclusive keys');

variants('a mistyped warehouse engine: one ARA113 (not one per variant)', async () => {
  const text = mutate('engine: redshift-serverless', 'engine: redshift');
  const d = await only(text);
  assert.is(d.code, 'ARA113');
  assert.is(d.message, "'engine' must be one of 'redshift-serverless', 'redshift-provisioned'; got 'redshift'");
  assert.is(d.hint, "did you mean 'redshift-serverless'?");
  assert.is(at(d), where(text, 'redshift\n'));
});

variants('a warehouse without engine: only the missing key (no keys of a guessed variant)', async () => {
  const text = mutate('  engine: redshift-serverless\n', '');
  const d = await only(text);
  assert.is(d.code, 'ARA111');
  assert.is(d.message, "warehouse is missing the required key 'engine'");
  assert.is(at(d), where(text, 'warehouse:\n'));
  assert.match(d.hint!, /^add 'engine:' \(Redshift engine: 'redshift-serverless' \(/);
});

variants("keys of the other variant: one finding at the discriminator (rate limiting 'none' with AIMD keys)", async () => {
  const text = mutate('strategy: aimd', 'strategy: none');
  const d = await only(text);
  assert.is(d.code, 'ARA110');
  assert.is(d.message, "sinks.web-sale-events.rateLimiting has strategy 'none', but 'increaseRate' and 'decreaseFactor' are keys of strategy 'aimd'");
  assert.is(d.hint, "set 'strategy: aimd', or remove 'increaseRate' and 'decreaseFactor' (keys of strategy 'none': strategy)");
  assert.is(at(d), where(text, 'none'));
});

variants("keys of the other variant: a provisioned warehouse with 'baseCapacity'", async () => {
  const text = mutate('engine: redshift-serverless', 'engine: redshift-provisioned');
  const d = await only(text);
  assert.is(d.message, "warehouse has engine 'redshift-provisioned', but 'baseCapacity' is a key of engine 'redshift-serverless'");
  assert.is(at(d), where(text, 'redshift-provisioned'));
});

variants("a trigger with both 'schedule' and 'when': one finding that says so (no contradictory 'unknown key', no cycle)", async () => {
  const text = mutate('    schedule: cron(0/5 * * * ? *)\n', '    schedule: cron(0/5 * * * ? *)\n    when: { crawler: raw }\n');
  const d = await only(text);
  assert.is(d.code, 'ARA110');
  assert.is(d.message, "'schedule' cannot be combined with 'when' in triggers.every-5-minutes");
  assert.is(d.hint, "A Glue trigger: scheduled ('schedule') or conditional ('when').");
  assert.is(at(d), where(text, 'schedule: cron'));
  assert.is(d.path, '/triggers/every-5-minutes');
});

variants("a replayer target with both 'layer' and 'sink'", async () => {
  const text = mutate('target: { layer: raw, prefix: customer/ }', 'target: { layer: raw, sink: web-sale-events }');
  const d = await only(text);
  assert.is(d.message, "'layer' cannot be combined with 'sink' in replayers.customer.target");
  assert.is(d.hint, "Where records go: '{ layer, prefix }' or '{ sink }'.");
  assert.is(at(d), where(text, 'layer: raw, sink', 0));
});

variants("a condition with both 'all' and 'crawler': one finding (no 'too many keys' beside it)", async () => {
  const text = mutate('      crawler: raw\n      state: SUCCEEDED', '      all: [{ crawler: raw }]\n      crawler: raw');
  const d = await only(text);
  assert.is(d.message, "'crawler' cannot be combined with 'all' in triggers.raw-to-clean.when");
  assert.is(at(d), where(text, '      crawler: raw\n    actions', 6));
});

variants("an on-demand stream with 'shards': the reason, not 'must NOT be valid'", async () => {
  const text = mutate('    shards: 2', '    shards: 2\n    mode: on-demand');
  const d = await only(text);
  assert.is(d.code, 'ARA113');
  assert.is(d.message, "'shards' is not allowed in streams.web-sale");
  assert.is(d.hint, "An on-demand stream scales by itself and has no shard count: remove 'shards', or set 'mode: provisioned'.");
  assert.is(at(d), where(text, 'shards: 2', 0));
});

variants('a trigger action naming both a job and a crawler (was accepted by maxProperties only in conditions)', async () => {
  const text = mutate('      - job: store-sale-to-parquet', '      - { job: store-sale-to-parquet, crawler: raw }');
  const d = await only(text);
  assert.is(d.message, "triggers.raw-to-clean.actions[1] sets both 'crawler' and 'job'; use one");
  assert.match(d.hint!, /^An action starts one job or one crawler/);
  assert.is(at(d), where(text, 'job: store-sale-to-parquet, crawler', 0));
});

variants('a condition naming both a crawler and a job was valid: now one finding', async () => {
  const text = mutate('      crawler: raw\n      state: SUCCEEDED', '      crawler: raw\n      job: customer-to-parquet');
  const d = await only(text);
  assert.is(d.code, 'ARA113');
  assert.is(d.message, "triggers.raw-to-clean.when sets both 'crawler' and 'job'; use one");
  assert.is(at(d), where(text, 'job: customer-to-parquet\n    actions', 0));
});

variants('a condition with neither a crawler nor a job was valid: now one finding', async () => {
  const text = mutate('      crawler: raw\n      state: SUCCEEDED', '      state: FAILED');
  const d = await only(text);
  assert.is(d.code, 'ARA111');
  assert.is(d.message, "triggers.raw-to-clean.when needs either 'crawler' or 'job'");
  assert.is(at(d), where(text, '    when:\n      state', 4));
});

variants('an empty action: one finding naming both choices', async () => {
  const text = mutate('      - job: store-sale-to-parquet', '      - {}');
  const d = await only(text);
  assert.is(d.message, "triggers.raw-to-clean.actions[1] needs either 'crawler' or 'job'");
  assert.is(at(d), where(text, '{}'));
});

const messages = suite('loader root causes: messages');

messages("a typo in an action's key: only the unknown key (no missing-key twin, no ARA231 consequence)", async () => {
  const text = mutate('      - crawler: raw\n  raw-to-clean', '      - crawlr: raw\n  raw-to-clean');
  const d = await only(text);
  assert.is(d.code, 'ARA110');
  assert.is(d.message, "unknown key 'crawlr': did you mean 'crawler'?");
  assert.is(at(d), where(text, 'crawlr'));
});

messages('an unresolved action: only ARA201 (the "never fires" warning on its watcher is a consequence)', async () => {
  const text = mutate('      - crawler: raw\n  raw-to-clean', '      - crawler: raws\n  raw-to-clean');
  const d = await only(text);
  assert.is(d.code, 'ARA201');
  assert.is(at(d), where(text, 'raws'));
});

messages('a list item of the wrong type is named by its place, not by its index', async () => {
  const text = mutate('      - job: store-sale-to-parquet', '      - store-sale-to-parquet');
  const d = await only(text);
  assert.is(d.message, "triggers.raw-to-clean.actions[1] must be a mapping, got a string ('store-sale-to-parquet')");
  assert.is(at(d), where(text, '- store-sale-to-parquet', 2));
});

messages('the right value with the wrong type (version: "1")', async () => {
  const text = mutate('version: 1', 'version: "1"');
  const d = await only(text);
  assert.is(d.code, 'ARA113');
  assert.is(d.message, "'version' must be the number 1, not a string ('1')");
  assert.is(d.hint, 'remove the quotes: 1');
  assert.is(at(d), '2:10');
});

messages('a size unit in the wrong case: the unit parser says which unit was meant', async () => {
  const text = mutate('maxBatchBytes: 5MiB', 'maxBatchBytes: 5mib');
  const d = await only(text);
  assert.is(d.code, 'ARA114');
  assert.is(d.message, "'maxBatchBytes': unknown size unit 'mib' in '5mib' (units are case-sensitive: did you mean 'MiB'?); use B, KiB, MiB, GiB, TiB (or KB, MB, GB, TB = powers of 1000)");
  assert.is(d.hint, "Most bytes in one request (Kinesis ≤ 5MiB, Firehose ≤ 4MiB, DynamoDB ≤ 16MiB); e.g. '5MiB'");
  assert.is(at(d), where(text, '5mib'));
});

messages('a duration where a schedule belongs: did you mean rate(...)', async () => {
  const text = mutate('schedule: cron(0/5 * * * ? *)', 'schedule: 5m');
  const d = await only(text);
  assert.is(d.message, "'schedule': '5m' is a duration, not a schedule expression: did you mean 'rate(5 minutes)'?");
  assert.is(at(d), where(text, 'schedule: 5m', 10));
});

messages('an invalid cron gets the corrected expression as hint', async () => {
  for (const [bad, fix] of [
    ['cron(0/5 * * * * *)', 'cron(0/5 * * * ? *)'],
    ['cron(0/5 * * * ?)', 'cron(0/5 * * * ? *)'],
    ['cron(0/5 * ? * ? *)', 'cron(0/5 * ? * * *)'],
  ] as const) {
    const text = mutate('cron(0/5 * * * ? *)', bad);
    const d = await only(text);
    assert.is(d.code, 'ARA220');
    assert.ok(d.hint!.startsWith(`did you mean '${fix}'?`), `${bad}: ${d.hint}`);
    assert.is(at(d), where(text, bad));
  }
  assert.is(suggestCron('0 12 * * *'), 'cron(0 12 * * ? *)');
  assert.is(suggestCron('0 25 * * ?'), undefined);
});

messages('a trigger that starts what it watches: a cycle message in the singular', async () => {
  const text = mutate('      - job: store-sale-to-parquet', '      - crawler: raw');
  const ds = (await validateSpec('mystore.yaml', text)).diagnostics.filter((d) => d.code === 'ARA232');
  assert.equal(
    ds.map((d) => [d.message, at(d)]),
    [["trigger 'raw-to-clean' starts crawler 'raw', which it watches: a cycle that restarts it forever", where(text, '- crawler: raw\n\nstreams', 2)]],
  );
});

messages('a name collision in every environment: one finding, not one per environment', async () => {
  const text = mutate('    raw: { layer: raw }', '    raw: { layer: raw }\n    Raw: { layer: raw }');
  const d = await only(text);
  assert.is(d.code, 'ARA202');
  assert.is(d.message, "database 'Raw' and database 'raw' both give the Glue name 'mystore_dev_raw'");
  assert.is(at(d), where(text, 'Raw: {'));
});

messages('an override entry with two action keys: the same finding as in the spec itself (list items are whole entries)', async () => {
  const text = mutate(
    '    overrides:\n',
    '    overrides:\n      triggers:\n        raw-to-clean:\n          actions: [{ job: customer-to-parquet, crawler: raw }]\n',
  );
  const d = await only(text);
  assert.is(d.code, 'ARA113');
  assert.is(d.message, "environments.prod.overrides.triggers.raw-to-clean.actions[0] sets both 'crawler' and 'job'; use one");
  assert.is(at(d), where(text, 'job: customer-to-parquet, crawler', 0));
});

messages("a misspelt section: only the typo (references into 'sinks' are not 'undeclared' because of it)", async () => {
  const text = mutate('\nsinks:\n', '\nsinkz:\n');
  const d = await only(text);
  assert.is(d.message, "unknown key 'sinkz': did you mean 'sinks'?");
  assert.is(at(d), where(text, 'sinkz:'));
});

messages('an empty section (YAML null): says empty, points at the key, no unresolved references beside it', async () => {
  const text = mutate('streams:\n  web-sale:\n    shards: 2\n    retentionHours: 24\n', 'streams:\n');
  const d = await only(text);
  assert.is(d.code, 'ARA112');
  assert.is(d.message, "'streams' is empty, but must be a mapping");
  assert.is(d.hint, 'write its entries under it (or {}), or remove the key (Kinesis data streams by name)');
  assert.is(at(d), where(text, 'streams:\n'));
});

messages('a duplicate list item: items numbered in order', async () => {
  const text = mutate('partitionBy: [sale_date]', 'partitionBy: [sale_date, sale_date]');
  const d = await only(text);
  assert.is(d.message, 'jobs.store-sale-to-parquet.partitionBy lists the same item twice (items 1 and 2)');
});

messages('an empty name and a malformed ARN: plain words and an example instead of a regular expression', async () => {
  const empty = await only(mutate('name: mystore', 'name: ""'));
  assert.is(empty.message, "'name' is empty");
  const arn = await only(mutate('principal: arn:aws:quicksight:eu-west-1:123456789012:group/default/analysts', 'principal: analysts'));
  assert.is(arn.message, "'principal' has an invalid format: 'analysts'");
  assert.match(arn.hint!, /; e\.g\. 'arn:aws:quicksight:eu-west-1:123456789012:group\/default\/analysts'$/);
});

messages('several references to one missing entry: one finding at the first, the others by line', async () => {
  const text = mutate('  raw:\n    database: raw', '  raws:\n    database: raw');
  const d = await only(text);
  assert.is(d.code, 'ARA201');
  const line = where(text, '      crawler: raw\n      state').split(':')[0];
  assert.is(d.message, `trigger 'every-5-minutes' refers to crawler 'raw', which is not declared in 'crawlers' (also referred to by trigger 'raw-to-clean' at line ${line})`);
  assert.is(d.hint, "did you mean 'raws'? (declared: 'raws')");
  assert.is(at(d), where(text, '- crawler: raw', 11));
});

messages('a list where an enum value belongs: one type finding (no "must be one of" twin)', async () => {
  const text = mutate('encryption: kms', 'encryption: [kms]');
  const d = await only(text);
  assert.is(d.message, "'encryption' must be a string, got a list");
  assert.is(at(d), where(text, '[kms]'));
});

messages("a misspelt 'actions': no 'never fires' warning on the trigger that watches what it would start", async () => {
  const text = mutate('    actions:\n      - crawler: raw', '    actionz:\n      - crawler: raw');
  const d = await only(text);
  assert.is(d.message, "unknown key 'actionz': did you mean 'actions'?");
});

const lines = suite('loader root causes: a missing section or key line');

lines("a deleted 'jobs:' line: one finding per stray entry (not one per key, missing key and reference)", async () => {
  const text = mutate('\njobs:\n', '\n');
  assert.equal(await findings(text), [
    ['ARA110', where(text, 'customer-to-parquet:\n', 0), "crawlers.customer-to-parquet has keys of an entry of 'jobs' ('template', 'source', 'target'), not of 'crawlers'"],
    ['ARA110', where(text, 'store-sale-to-parquet:\n', 0), "crawlers.store-sale-to-parquet has keys of an entry of 'jobs' ('template', 'source', 'target', 'partitionBy'), not of 'crawlers'"],
  ]);
  const d = (await validateSpec('mystore.yaml', text)).diagnostics[0]!;
  assert.is(d.hint, "is the 'jobs:' line above them missing, or the indentation wrong?");
});

lines("a deleted 'catalog:' line: one finding, and no 'database not declared' for every reference", async () => {
  const text = mutate('\ncatalog:\n', '\n');
  const d = await only(text);
  assert.is(d.message, "'databases' is a key of 'catalog', not of 'storage'");
  assert.is(d.hint, "is the 'catalog:' line above it missing, or the indentation wrong?");
  assert.is(at(d), where(text, '  databases:\n    raw', 2));
});

lines("a deleted 'rateLimiting:' line: its keys are named as rateLimiting's", async () => {
  const text = mutate('    rateLimiting:\n', '');
  const d = await only(text);
  assert.is(d.message, "'strategy', 'increaseRate', 'decreaseFactor' are keys of 'rateLimiting', not of 'bufferingHints' (in sinks.web-sale-events)");
  assert.is(at(d), where(text, 'strategy: aimd', 0));
});

lines("a deleted entry-name line: its fields are named as one entry's", async () => {
  const text = mutate('\ndashboards:\n  sales:\n', '\ndashboards:\n');
  const d = await only(text);
  assert.is(d.message, "the entries of 'dashboards' ('source', 'principal') are the fields of one entry");
  assert.is(at(d), where(text, 'source: { warehouse', 0));
});

lines("a deleted 'warehouse:' line: its keys in the section above are one finding (and the dashboard's reference is not undeclared)", async () => {
  const text = mutate('\nwarehouse:\n', '\n');
  const d = await only(text);
  assert.is(d.message, "'engine', 'database', 'baseCapacity', 'spectrum', 'model', 'loadSchedule' in 'deliveryStreams' are keys of 'warehouse'");
  assert.is(d.hint, "is the 'warehouse:' line above them missing, or the indentation wrong?");
  assert.is(at(d), where(text, 'engine: redshift', 0));
});

lines('the same YAML complaint on consecutive lines: one finding naming the lines', async () => {
  // The entry-name line deleted but its indentation left: the following lines are mis-indented.
  const text = mutate('web-sale-to-raw:\n', '');
  const d = await only(text);
  const line = Number(where(text, '      source: { stream: web-sale }').split(':')[0]);
  assert.is(d.code, 'ARA100');
  assert.is(d.message, `YAML indentation error: all mapping items must start at the same column (also lines ${line + 2}-${line + 4})`);
  assert.is(at(d), `${line + 1}:1`);
});

lines("a misspelt 'when': did you mean 'when' (not 'missing schedule')", async () => {
  const text = mutate('    when:\n      crawler: raw', '    whenn:\n      crawler: raw');
  const d = await only(text);
  assert.is(d.message, "unknown key 'whenn': did you mean 'when'?");
  assert.is(at(d), where(text, 'whenn'));
});

lines("a misspelt 'table' or warehouse 'database': no rule finding about what the typo hides", async () => {
  const table = await only(mutate('    table: { database: raw, name: web_sale }', '    tabel: { database: raw, name: web_sale }'));
  assert.is(table.message, "unknown key 'tabel': did you mean 'table'?");
  const db = await only(mutate('  database: mystore\n', '  databse: mystore\n'));
  assert.is(db.message, "unknown key 'databse': did you mean 'database'?");
});

const env = suite('loader root causes: environments');

env("a misspelt environment 'removalPolicy': only the typo (not the 'prod destroys its data' warning it causes)", async () => {
  const text = mutate('    removalPolicy: retain\n', '    removalPolicyy: retain\n').replace('  removalPolicy: destroy', '  removalPolicy: destroy');
  const d = await only(text);
  assert.is(d.message, "unknown key 'removalPolicyy': did you mean 'removalPolicy'?");
  assert.is(at(d), where(text, 'removalPolicyy'));
});

env('an unknown --env is a usage problem (exit 2 in print and synth), with the declared environments', async () => {
  const r = await loadPlatform(flagship, { env: 'prd' });
  assert.is(r.model, undefined);
  assert.equal(
    r.diagnostics.map((d) => [d.code, d.message, d.hint, at(d), isUsageProblem(d)]),
    [['ARA290', "environment 'prd' is not declared in the spec", "did you mean 'prod'? (declared environments: dev, prod)", '7:1', true]],
  );
});

env('an unknown region: a warning with did-you-mean (a newer region still validates)', async () => {
  const text = mutate('"123456789012"\n    region: eu-west-1\n', '"123456789012"\n    region: eu-wst-1\n');
  const d = await only(text);
  assert.equal([d.code, d.severity, d.message, d.hint, at(d)], ['ARA262', 'warning', "environment 'dev': 'eu-wst-1' is not a known AWS region", "did you mean 'eu-west-1'?", where(text, 'eu-wst-1')]);
});

yaml.run();
variants.run();
messages.run();
lines.run();
env.run();
