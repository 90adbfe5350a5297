/**
 * Environment-agnostic specs (no `environments:`): one implicit environment `default` whose stacks
 * carry no account or region (the CDK's environment-agnostic stacks). Through the CLI: validate,
 * synth (cfn-lint clean, bucket names with CloudFormation pseudo-parameters ara-gen writes itself),
 * print, the sink configs (no region: `sink run` takes AWS_REGION) and what needs a concrete
 * account or region (ARA263/ARA264).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatMatches, lintAssemblies } from '../helpers/cfn-lint.js';
import { flagship, repoRoot, runAraGen } from '../helpers/ara-cli.js';
import { childEnv, runSinkRun } from '../helpers/sink-cli.js';
import { accounting } from '../servers/harness.js';
import { startKinesalite } from '../servers/kinesalite.js';

const test = suite('environment-agnostic specs');
const fixture = join(repoRoot, 'test', 'fixtures', 'specs', 'environment-agnostic.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'ara-agnostic-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
const templates = (dir: string): Record<string, Template> =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.template.json'))
      .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as Template]),
  );

/** The flagship without its `environments:` block (and, with `local`, without the warehouse and dashboards). */
function flagshipWithoutEnvironments(local: boolean): string {
  const text = readFileSync(flagship, 'utf8');
  let out = text.slice(0, text.indexOf('\nenvironments:')) + text.slice(text.indexOf('\ntags:'));
  if (local) out = out.slice(0, out.indexOf('\nwarehouse:') + 1);
  const file = join(tmp, local ? 'flagship-lake.yaml' : 'flagship-all.yaml');
  writeFileSync(file, out);
  return file;
}

test("the blog's data-lake example without environments: validate, synth (cfn-lint clean), environment-agnostic stacks", async () => {
  const v = await runAraGen(['validate', fixture]);
  assert.is(v.code, 0, v.stderr);
  const outdir = join(tmp, 'lake');
  const r = await runAraGen(['synth', fixture, '--strict', '-o', outdir]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout + r.stderr, /Synthesized ara for environment default \(environment-agnostic: the deploy credentials' account and region\)/);
  assert.not.match(r.stdout + r.stderr, /undefined/);
  // The CDK's environment-agnostic stacks: the manifest's environment is unknown-account/unknown-region.
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string; environment?: string }> };
  const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  assert.equal(stacks.map(([n]) => n).sort(), ['ara-default-batch', 'ara-default-foundations']);
  for (const [n, a] of stacks) assert.is(a.environment, 'aws://unknown-account/unknown-region', n);
  const ts = templates(outdir);
  const buckets = Object.values(ts['ara-default-foundations.template.json']!.Resources).filter((x) => x.Type === 'AWS::S3::Bucket');
  assert.equal(
    buckets.map((b) => b.Properties!.BucketName),
    ['access-logs', 'raw', 'clean', 'transform', 'demo-athena-results'].map((l) => ({ 'Fn::Sub': `ara-default-${l}-\${AWS::AccountId}-\${AWS::Region}` })),
  );
  // Nothing concrete leaked: no account id, no region name, no CDK token text.
  const text = Object.values(ts).map((t) => JSON.stringify(t)).join('\n');
  assert.not.match(text, /\b\d{12}\b|eu-west-1|\$\{Token\[/);
  const lint = await lintAssemblies([outdir]);
  assert.equal(lint, [], formatMatches(lint));
});

test('print shows the implicit environment and names with the deploy-time account and region', async () => {
  const r = await runAraGen(['print', fixture]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /environment:\n {2}name: default\n/);
  assert.match(r.stdout, /bucketName: ara-default-raw-\$\{AWS::AccountId\}-\$\{AWS::Region\}/);
  assert.not.match(r.stdout, /account:|region:/);
  const e = await runAraGen(['print', fixture, '--env', 'dev']);
  assert.is(e.code, 2, e.stderr);
  assert.match(e.stderr, /ARA290 +environment 'dev' is not declared in the spec/);
  assert.match(e.stderr, /hint: the spec declares no environments: its one environment is 'default' \(environment-agnostic\)/);
});

test('the flagship without environments: the warehouse and the QuickSight principal need a concrete account (ARA263), Flink SQL is a warning (ARA264)', async () => {
  const r = await runAraGen(['validate', flagshipWithoutEnvironments(false)]);
  assert.is(r.code, 1, r.stderr);
  const codes = [...(r.stdout + r.stderr).matchAll(/(error|warning) (ARA\d+)/g)].map((m) => `${m[1]} ${m[2]}`);
  assert.equal(codes, ['warning ARA264', 'error ARA263', 'error ARA263']);
  assert.match(r.stdout + r.stderr, /hint: add 'environments: \{ dev: \{ account: "123456789012", region: eu-west-1, network: \{ availabilityZones:/);
});

test('the flagship lake and streaming without environments: synth exit 0 (cfn-lint clean); the sink config has no region and runs with AWS_REGION', async () => {
  const spec = flagshipWithoutEnvironments(true);
  const outdir = join(tmp, 'flagship-lake');
  const r = await runAraGen(['synth', spec, '--strict', '-o', outdir]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr + r.stdout, /web-sale-events: none \(the connector needs a concrete account and region/);
  // Sink configs are written; no Flink SQL table (ARA264).
  const sinkFiles = readdirSync(join(outdir, 'sinks'));
  assert.ok(sinkFiles.includes('web-sale-events.json'), sinkFiles.join(', '));
  assert.equal(sinkFiles.filter((f) => f.endsWith('.flink.sql')), []);
  const config = JSON.parse(readFileSync(join(outdir, 'sinks', 'web-sale-events.json'), 'utf8')) as { destination: Record<string, unknown> };
  assert.equal(config.destination, { type: 'kinesis', streamName: 'mystore-default-web-sale' });
  assert.equal(await lintAssemblies([outdir]), []);
  // Reserved concurrency is opt-in: neither the lake replayers nor the sink replayer reserve any.
  const lambdas = Object.values(templates(outdir)).flatMap((t) => Object.values(t.Resources).filter((x) => x.Type === 'AWS::Lambda::Function'));
  assert.ok(lambdas.length >= 3, `${lambdas.length} functions`);
  for (const f of lambdas) assert.is(f.Properties?.ReservedConcurrentExecutions, undefined);

  const kinesis = await startKinesalite();
  try {
    await kinesis.createStream('mystore-default-web-sale', 1);
    const input = join(tmp, 'events.ndjson');
    writeFileSync(input, Array.from({ length: 500 }, (_, id) => JSON.stringify({ id, order_id: `o-${id % 17}` })).join('\n') + '\n');
    const run = await runSinkRun([join(outdir, 'sinks', 'web-sale-events.json'), '--input', input], childEnv({ AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint, AWS_REGION: 'eu-west-1' }));
    assert.is(run.code, 0, run.stderr);
    const ids = (await kinesis.readAll('mystore-default-web-sale')).map((x) => (JSON.parse(x.data.toString('utf8')) as { id: number }).id);
    assert.equal(accounting(ids, 500), { missing: [], duplicates: 0 });
  } finally {
    await kinesis.stop();
  }
});

// The Platform construct of an environment-agnostic spec: cdk-platform.test.ts (in-process CDK).

test.run();
