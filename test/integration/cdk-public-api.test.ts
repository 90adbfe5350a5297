/**
 * The public compiler API (`ara-gen` / `ara-gen/compiler` → src/compiler/index.ts): the flagship
 * compiled with nothing but its exports, and the constructs reused in a hand-written CDK app.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as api from '../../src/compiler/index.js';
import { flagshipSpec } from '../helpers/models.js';

const t = suite('cdk public api');
const dirs: string[] = [];
const outdir = () => {
  const d = mkdtempSync(join(tmpdir(), 'ara-api-'));
  dirs.push(d);
  return d;
};
t.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

t('load → buildAssembly → sink configs: the flagship through the public API only', async () => {
  const [checked] = await api.validateFiles([flagshipSpec]);
  assert.equal(checked!.diagnostics.filter((d) => d.severity === 'error'), []);
  const loaded = await api.loadPlatform(flagshipSpec, { env: 'prod' });
  const model: api.PlatformModel = loaded.model!;
  assert.is(model.environment.name, 'prod');
  const dir = outdir();
  const result: api.BuildResult = api.buildAssembly(model, { outdir: dir, strict: true });
  assert.equal(result.stacks.map((s) => s.name), [api.stackName({ platform: 'mystore', env: 'prod' }, 'foundations'), 'mystore-prod-batch', 'mystore-prod-streaming', 'mystore-prod-warehouse', 'mystore-prod-dashboards']);
  assert.equal(result.nagFindings, []);
  assert.equal(result.notCompiled.map((n) => n.section), []);
  // The prod environment's own principal (an override), never the dev account's.
  assert.is(model.dashboards.sales!.principal, 'arn:aws:quicksight:eu-west-1:210987654321:group/default/analysts');
  const template = JSON.parse(readFileSync(join(dir, 'mystore-prod-foundations.template.json'), 'utf8'));
  const buckets = Object.values(template.Resources as Record<string, any>).filter((r) => r.Type === 'AWS::S3::Bucket').map((r) => r.Properties.BucketName);
  assert.ok(buckets.includes(api.layerBucketName({ platform: 'mystore', env: 'prod', account: '210987654321', region: 'eu-west-1' }, 'raw')));
  const sinks = api.compileSinkConfigs(model);
  assert.equal(Object.keys(sinks), ['web-sale-events', 'web-sale-revenue']);
  assert.match(api.formatSinkConfig(sinks['web-sale-events']!), /"mystore-prod-web-sale"/);
  // The failure map reads what the compiler recorded.
  const index = api.SourceIndex.fromAssemblyDirectory(dir);
  const crawler = api.readAssemblyStacks(dir).flatMap((s) => Object.entries(s.resources).filter(([, r]) => r.Type === 'AWS::Glue::Crawler').map(([id]) => [s.stackName, id] as const))[0]!;
  assert.is(index.locate(crawler[0], crawler[1])!.source!.path, '/crawlers/raw');
});

t('errors are SpecErrors carrying positioned diagnostics', async () => {
  const err = await api.loadPlatformOrThrow(flagshipSpec, { env: 'staging' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(err, api.SpecError);
  const d = (err as api.SpecError).diagnostics[0]!;
  assert.ok(d.file.endsWith('mystore.yaml') && d.start.line >= 1, JSON.stringify(d));
  assert.match(d.message, /staging/);
});

t('spec paths recorded in the assembly are relative and /-separated', () => {
  assert.is(api.portableSpecPath('examples/mystore.yaml', '/home/u/repo'), 'examples/mystore.yaml');
  assert.is(api.portableSpecPath('./specs/a.yaml', '/home/u/repo'), 'specs/a.yaml');
  assert.is(api.portableSpecPath('/home/u/repo/examples/mystore.yaml', '/home/u/repo'), 'examples/mystore.yaml');
  assert.is(api.portableSpecPath('/srv/specs/shop.yaml', '/home/u/repo'), '../../../srv/specs/shop.yaml');
});

t('constructs and stacks are usable from a hand-written CDK app', () => {
  const app = new App({ outdir: outdir(), analyticsReporting: false, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Hand', { env: { account: '111122223333', region: 'us-east-1' } });
  const storage = new api.DataLakeStorage(stack, 'Lake', {
    layers: [{ name: 'bronze', infrequentAccessDelay: 30, archiveDelay: 120 }],
    removalPolicy: 'retain',
  });
  const security = new api.GlueSecurityConfiguration(stack, 'Security', { name: 'sec', key: storage.key });
  const crawler = new api.GlueCrawler(stack, 'Crawler', {
    crawlerName: 'bronze-orders',
    databaseName: 'bronze',
    targets: [{ bucketName: 'bronze-bucket', prefix: 'orders/' }],
    securityConfiguration: security,
    key: storage.key,
  });
  new api.GlueWorkflow(stack, 'Flow', {
    workflowName: 'flow',
    triggers: [{ id: 'start', triggerName: 'start', type: 'scheduled', schedule: 'cron(0 1 * * ? *)', startOnCreation: true, actions: [{ crawlerName: crawler.crawlerName }] }],
  });
  const tpl = Template.fromStack(stack);
  tpl.resourceCountIs('AWS::S3::Bucket', 2);
  tpl.hasResourceProperties('AWS::Glue::Crawler', { Name: 'bronze-orders', CrawlerSecurityConfiguration: 'sec' });
  tpl.hasResourceProperties('AWS::Glue::Trigger', { Type: 'SCHEDULED', WorkflowName: { Ref: 'FlowWorkflow9EA6C25C' } });
  assert.equal(api.runNag([stack]).filter((f) => f.path.includes('/Crawler/')), []);
});

t.run();
