/**
 * `ara-gen synth` end to end through the CLI: assembly layout, summary, sink configs, not-compiled
 * sections, environments, output-dir hygiene, byte-for-byte determinism (no local paths), and
 * acceptance of the assembly by the official CDK CLI (the suite's one such check).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { flagship, repoRoot, runAraGen, runScript, type RunResult } from '../helpers/ara-cli.js';

const test = suite('cli synth');

const tmp = mkdtempSync(join(tmpdir(), 'ara-synth-'));
const dirA = join(tmp, 'a');
const dirB = join(tmp, 'b');
let first: RunResult;

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)))
    .sort();
}

test.before(async () => {
  // --strict changes nothing in what is written (cdk-nag runs on every synth; strict only makes a
  // finding an error), so this one synth also proves the flagship cdk-nag clean.
  first = await runAraGen(['synth', flagship, '-o', dirA, '--strict']);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('synth of the flagship writes the foundations, batch, warehouse and dashboards stacks and the sink config', () => {
  assert.is(first.code, 0, first.stderr);
  const manifest = JSON.parse(readFileSync(join(dirA, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string; properties?: { templateFile?: string } }> };
  const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  const names = stacks.map(([id]) => id).sort();
  assert.equal(names, ['mystore-dev-batch', 'mystore-dev-dashboards', 'mystore-dev-foundations', 'mystore-dev-streaming', 'mystore-dev-warehouse']);
  for (const [, a] of stacks) {
    const template = JSON.parse(readFileSync(join(dirA, a.properties!.templateFile!), 'utf8')) as { Resources: Record<string, unknown> };
    assert.ok(Object.keys(template.Resources).length > 5);
  }
  const sink = JSON.parse(readFileSync(join(dirA, 'sinks', 'web-sale-events.json'), 'utf8')) as { destination: { type: string; region: string }; partitionKey: string };
  assert.is(sink.destination.type, 'kinesis');
  assert.is(sink.destination.region, 'eu-west-1');
  assert.is(sink.partitionKey, 'order_id');
});

test('the summary lists stacks with resource counts per type and the output dir; nothing of the flagship is left uncompiled; --strict passes', () => {
  const s = first.stdout;
  assert.match(s, /cdk-nag AwsSolutions: no unsuppressed findings/);
  assert.ok(existsSync(join(dirA, 'manifest.json')));
  assert.match(s, /mystore-dev-foundations\s+\d+ resources/);
  assert.match(s, /mystore-dev-batch\s+\d+ resources/);
  assert.match(s, /AWS::S3::Bucket\s+\d+/);
  assert.match(s, /AWS::Glue::Crawler\s+1\b/);
  assert.ok(s.includes(dirA), 'names the output directory');
  assert.ok(s.includes(join(dirA, 'sinks', 'web-sale-events.json')));
  assert.not.ok(s.includes('Not compiled yet'), s);
  // Every section of the flagship is compiled: streaming, warehouse and dashboards included.
  assert.match(s, /mystore-dev-streaming\s+\d+ resources/);
  assert.match(s, /mystore-dev-warehouse\s+\d+ resources/);
  assert.match(s, /AWS::RedshiftServerless::Workgroup\s+1\b/);
  assert.match(s, /Before the first deploy:\n {2}QuickSight dashboards need a QuickSight subscription/);
  // Resource totals in the summary agree with the templates.
  const total = Number(/mystore-dev-batch\s+(\d+) resources/.exec(s)![1]);
  const batch = JSON.parse(readFileSync(join(dirA, 'mystore-dev-batch.template.json'), 'utf8')) as { Resources: Record<string, unknown> };
  assert.is(total, Object.keys(batch.Resources).length);
});

test('synth twice gives byte-identical trees, and re-synth removes stale files', async () => {
  const files = tree(dirA);
  assert.ok(files.length >= 5);
  // The second synth goes over an earlier assembly (a copy of the first) whose every file is
  // spoiled and beside which stale files lie: it must write every byte again and drop the rest.
  // It runs without the compile cache (src/util/compile-cache.ts) the first one could use: the
  // cache changes no byte.
  cpSync(dirA, dirB, { recursive: true });
  for (const f of files) writeFileSync(join(dirB, f), 'spoiled');
  writeFileSync(join(dirB, 'mystore-dev-old.template.json'), '{}');
  writeFileSync(join(dirB, 'sinks', 'removed-sink.json'), '{}');
  const second = await runAraGen(['synth', flagship, '-o', dirB, '-q'], { env: { ...process.env, ARA_COMPILE_CACHE: '0' } });
  assert.is(second.code, 0, second.stderr);
  assert.is(second.stdout, '', '--quiet prints no summary');
  assert.not.ok(existsSync(join(dirB, 'mystore-dev-old.template.json')));
  assert.not.ok(existsSync(join(dirB, 'sinks', 'removed-sink.json')));
  assert.equal(tree(dirB), files);
  assert.ok(files.some((f) => /^asset\.[0-9a-f]{64}\.py$/.test(f)), 'job scripts are staged assets');
  for (const f of files) {
    const a = readFileSync(join(dirA, f));
    assert.ok(a.equals(readFileSync(join(dirB, f))), `${f} differs between two synths`);
    // No local path leaks into the assembly (the spec was given by its absolute path).
    if (f.endsWith('.json')) assert.not.ok(a.includes(repoRoot) || a.includes(dirA), `${f} contains a local path`);
  }
});

test('synth refuses to wipe a directory holding foreign files', async () => {
  const dir = join(tmp, 'project');
  mkdirSync(dir);
  writeFileSync(join(dir, 'notes.md'), 'mine');
  const r = await runAraGen(['synth', flagship, '-o', dir]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /refusing to write into .*notes\.md/);
  assert.is(readFileSync(join(dir, 'notes.md'), 'utf8'), 'mine');
  assert.not.match(r.stderr, /\n\s+at /);
});

test('--env prod names the stacks <platform>-prod-* (a small two-environment spec; the flagship prod goes through the CLI in cli-deploy.test.ts)', async () => {
  const dir = join(tmp, 'prod');
  // The fixture with prod in an account of its own, so the summary shows which environment was taken.
  const text = readFileSync(join(repoRoot, 'test', 'fixtures', 'cdk', 'environments.yaml'), 'utf8');
  const spec = join(tmp, 'environments.yaml');
  writeFileSync(spec, text.replace('  prod:\n    account: "444455556666"', '  prod:\n    account: "210987654321"'));
  assert.ok(readFileSync(spec, 'utf8').includes('"210987654321"'));
  const r = await runAraGen(['synth', spec, '--env', 'prod', '-o', dir]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(tree(dir).filter((f) => f.endsWith('.template.json')), ['shop-prod-batch.template.json', 'shop-prod-foundations.template.json']);
  assert.match(r.stdout, /environment prod \(account 210987654321, eu-central-1\)/);
});

test('an unknown environment is rejected with did-you-mean and no assembly', async () => {
  const dir = join(tmp, 'unknown-env');
  const r = await runAraGen(['synth', flagship, '--env', 'prd', '-o', dir]);
  assert.ok(r.code === 1 || r.code === 2, `exit ${r.code}`);
  assert.match(r.stderr, /prd/);
  assert.match(r.stderr, /did you mean 'prod'/);
  assert.not.ok(existsSync(join(dir, 'manifest.json')));
});

const cdkEnv = {
  ...process.env,
  CDK_DISABLE_VERSION_CHECK: '1',
  CDK_DISABLE_CLI_TELEMETRY: '1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_REGION: 'eu-west-1',
};
const cdkCli = join(repoRoot, 'node_modules', 'aws-cdk', 'bin', 'cdk');

// The suite's one check with the official CDK CLI: it reads the assembly ara-gen wrote.
test('the official CDK CLI reads and lists the assembly', async () => {
  const ls = await runScript(cdkCli, ['ls', '--app', dirA, '--no-notices'], { env: cdkEnv, cwd: tmp });
  assert.is(ls.code, 0, ls.stderr);
  assert.equal(ls.stdout.trim().split('\n').map((l) => l.trim()).sort(), ['mystore-dev-batch', 'mystore-dev-dashboards', 'mystore-dev-foundations', 'mystore-dev-streaming', 'mystore-dev-warehouse']);
});

test.run();
