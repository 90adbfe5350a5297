/**
 * The public compiler API (the flagship compiled with nothing but its exports; constructs in a
 * hand-written CDK app), then the whole assembly: the CDK's template validation, cdk-nag,
 * environment overrides, dev against prod, tags and the sections reported as not compiled.
 * (Determinism and the CDK CLI's acceptance: cli-synth.test.ts; the 500-resource split:
 * stack-split.test.ts.)
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildApp, buildAssembly, type BuildResult } from '../../src/compiler/app.js';
import * as api from '../../src/compiler/index.js';
import { isBlanket, listAcknowledgements, NagFindingsError, runNag } from '../../src/compiler/nag.js';
import { cdkFixture, flagshipSpec, loadModel, makeOutdir, mystoreModel, removeOutdirs } from '../helpers/models.js';

/** The flagship's prod build, made through the public API by the first suite; the second compares it with dev. */
let flagshipProd: BuildResult | undefined;

// ---- the public compiler API (`ara-gen` / `ara-gen/compiler` → src/compiler/index.ts): the flagship
// compiled with nothing but its exports, and the constructs reused in a hand-written CDK app ----
{
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
    flagshipProd = result; // compared with dev by the 'cdk assembly' suite below
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
}

const t = suite('cdk assembly');
let dirA: string;
let flagship: BuildResult;

t.before(async () => {
  dirA = makeOutdir('asm');
  flagship = buildAssembly(await loadModel(flagshipSpec), { outdir: dirA, strict: true, cfnValidation: true });
});
t.after(removeOutdirs);

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)))
    .sort();
}

function template(r: BuildResult, module: string): any {
  const s = r.stacks.find((x) => x.module === module)!;
  return r.assembly.getStackByName(s.name).template;
}

/** JSON paths where two values differ. */
function diff(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b ? [] : [path];
  if (Array.isArray(a) !== Array.isArray(b)) return [path];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) => diff((a as any)[k], (b as any)[k], `${path}/${k}`));
}

t('the flagship compiles to the foundations, batch, streaming, warehouse and dashboards stacks, strict-clean, with counts per type', () => {
  assert.equal(flagship.stacks.map((s) => [s.name, s.module]), [
    ['mystore-dev-foundations', 'foundations'],
    ['mystore-dev-batch', 'batch'],
    ['mystore-dev-streaming', 'streaming'],
    ['mystore-dev-warehouse', 'warehouse'],
    ['mystore-dev-dashboards', 'dashboards'],
  ]);
  assert.equal(flagship.nagFindings, []);
  const batch = flagship.stacks[1]!;
  assert.is(batch.resourceCounts['AWS::Glue::Crawler'], 1);
  assert.is(batch.resourceCounts['AWS::Glue::Job'], 2);
  assert.is(batch.resourceCounts['AWS::Glue::Trigger'], 2);
  assert.is(batch.resourceCounts['AWS::Glue::Workflow'], 1);
  assert.is(batch.total, Object.keys(template(flagship, 'batch').Resources).length);
  assert.is(flagship.stacks[0]!.resourceCounts['AWS::S3::Bucket'], 5);
});

t('the flagship passes the CDK built-in CloudFormation template validation', () => {
  const report = JSON.parse(readFileSync(join(dirA, 'validation-report.json'), 'utf8')) as { pluginReports: { summary?: { status?: string }; violations?: unknown[] }[] };
  for (const r of report.pluginReports) assert.equal(r.violations ?? [], [], JSON.stringify(r));
  assert.ok(existsSync(join(dirA, 'validation-report.json')));
});

t('every section of the flagship compiles to a stack: nothing is reported as not compiled', () => {
  assert.equal(flagship.notCompiled.map((n) => [n.section, n.entries]), []);
  assert.equal(flagship.prerequisites, ['QuickSight dashboards need a QuickSight subscription (Enterprise edition) in the account before the first deploy; ara-gen does not create it.']);
});

// Byte-for-byte determinism of two builds is proven through the CLI (cli-synth.test.ts: two synths
// of the flagship, every file compared), where the absence of local paths is checked as well.
t('job scripts are staged assets of the assembly', () => {
  assert.ok(files(dirA).some((f) => /^asset\.[0-9a-f]{64}\.py$/.test(f)), 'job scripts are staged assets');
});

t('the assembly carries no CDK warning or error annotations (cdk synth / deploy print none)', () => {
  const manifest = JSON.parse(readFileSync(join(dirA, 'manifest.json'), 'utf8'));
  const annotations: string[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts as Record<string, any>)) {
    const meta = { ...artifact.metadata, ...(artifact.additionalMetadataFile ? JSON.parse(readFileSync(join(dirA, artifact.additionalMetadataFile), 'utf8')) : {}) };
    for (const [path, entries] of Object.entries(meta as Record<string, { type: string; data: unknown }[]>)) {
      for (const e of entries) if (/^aws:cdk:(warning|error)$/.test(e.type)) annotations.push(`${id} ${path}: ${String(e.data)}`);
    }
  }
  assert.equal(annotations, []);
});

t('stacks: account/region from the environment, dependency foundations → batch, cross-stack key', () => {
  const manifest = JSON.parse(readFileSync(join(dirA, 'manifest.json'), 'utf8'));
  const batch = manifest.artifacts['mystore-dev-batch'];
  assert.is(batch.environment, 'aws://123456789012/eu-west-1');
  assert.ok(batch.dependencies.includes('mystore-dev-foundations'));
  assert.equal(batch.properties.tags, { owner: 'data-platform', project: 'mystore' });
  assert.equal(manifest.artifacts['mystore-dev-foundations'].properties.tags, { owner: 'data-platform', project: 'mystore' });
  const exported = Object.values(template(flagship, 'foundations').Outputs as Record<string, any>).map((o) => o.Export.Name);
  assert.ok(exported.some((n: string) => n.startsWith('mystore-dev-foundations:ExportsOutputFnGetAttStorageKey')));
});

t('every taggable resource carries the spec tags', () => {
  // The types that must carry tags, so that a resource losing its tags fails here rather than being
  // skipped. Untagged: types CloudFormation cannot tag (Glue databases and security configurations,
  // bucket and IAM policies, Lambda permissions) and CDK's auto-delete provider, a raw CfnResource.
  const taggedTypes: Record<string, string[]> = {
    foundations: ['AWS::Athena::WorkGroup', 'AWS::KMS::Key', 'AWS::S3::Bucket'],
    streaming: ['AWS::Events::Rule', 'AWS::IAM::Role', 'AWS::Kinesis::Stream', 'AWS::KinesisFirehose::DeliveryStream', 'AWS::Lambda::EventSourceMapping', 'AWS::Lambda::Function', 'AWS::Logs::LogGroup', 'AWS::SQS::Queue'],
    batch: ['AWS::Events::Rule', 'AWS::Glue::Crawler', 'AWS::Glue::Job', 'AWS::Glue::Trigger', 'AWS::Glue::Workflow', 'AWS::IAM::Role', 'AWS::Lambda::Function', 'AWS::Logs::LogGroup'],
    warehouse: [
      'AWS::EC2::FlowLog', 'AWS::EC2::RouteTable', 'AWS::EC2::SecurityGroup', 'AWS::EC2::Subnet', 'AWS::EC2::VPC', 'AWS::EC2::VPCEndpoint', 'AWS::Events::Rule', 'AWS::IAM::Role',
      'AWS::Lambda::Function', 'AWS::Logs::LogGroup', 'AWS::RedshiftServerless::Namespace', 'AWS::RedshiftServerless::Workgroup', 'AWS::SQS::Queue', 'AWS::StepFunctions::StateMachine',
    ],
    dashboards: ['AWS::IAM::Role', 'AWS::QuickSight::Dashboard', 'AWS::QuickSight::DataSet', 'AWS::QuickSight::DataSource', 'AWS::QuickSight::VPCConnection'],
  };
  for (const module of ['foundations', 'batch', 'streaming', 'warehouse', 'dashboards']) {
    const types = new Set<string>();
    for (const [id, r] of Object.entries(template(flagship, module).Resources as Record<string, any>)) {
      const tags = r.Properties?.Tags;
      if (tags === undefined) {
        assert.not.ok(taggedTypes[module]!.includes(r.Type), `${module}/${id} (${r.Type}) has no tags`);
        continue;
      }
      types.add(r.Type);
      const map = Array.isArray(tags) ? Object.fromEntries(tags.map((x: any) => [x.Key, x.Value])) : tags;
      assert.is(map.project, 'mystore', `${module}/${id}`);
      assert.is(map.owner, 'data-platform', `${module}/${id}`);
    }
    assert.equal([...types].sort(), taggedTypes[module], module);
  }
  const crawler = Object.values(template(flagship, 'batch').Resources as Record<string, any>).find((r) => r.Type === 'AWS::Glue::Crawler');
  assert.equal(crawler.Properties.Tags, { owner: 'data-platform', project: 'mystore' });
});

// The CDK CLI's acceptance of the assembly (cdk ls --app) is checked once, on the CLI's output: cli-synth.test.ts.

/** One small app for the two cdk-nag tests (the second adds a careless bucket to it). */
let nagStacks: Stack[] | undefined;
const nagApp = (): Stack[] => (nagStacks ??= buildApp(mystoreModel(), { outdir: makeOutdir('asm') }).stacks);

t('cdk-nag: every acknowledgement has a reason and sits on a resource construct, never on a stack', () => {
  const stacks = nagApp();
  const acks = listAcknowledgements(stacks);
  assert.ok(acks.length >= 5);
  for (const a of acks) {
    assert.not.ok(isBlanket(a, stacks), `${a.rule} at ${a.path}`);
    assert.ok(a.reason.length > 20, `${a.rule} needs a written reason`);
    assert.match(a.rule, /^AwsSolutions-(S1|GL1|GL3|IAM5\[Resource::[^\]]*\*\])$/);
  }
  assert.ok(acks.some((a) => a.rule === 'AwsSolutions-S1' && a.path.endsWith('/Storage/AccessLogsBucket')));
});

t('cdk-nag: an unacknowledged finding is reported with rule and path; strict turns it into an error', () => {
  const stacks = nagApp();
  new s3.Bucket(stacks[0]!, 'Careless');
  const findings = runNag(stacks);
  const rules = findings.filter((f) => f.path === 'mystore-dev-foundations/Careless/Resource').map((f) => f.rule);
  assert.equal(rules.sort(), ['AwsSolutions-S1', 'AwsSolutions-S10']);
  assert.ok(findings.every((f) => f.path.includes('/Careless/')));
  const e = new NagFindingsError(findings);
  assert.match(e.message, /2 unacknowledged finding\(s\)/);
  assert.match(e.message, /AwsSolutions-S10 at mystore-dev-foundations\/Careless\/Resource/);
});

// A module over 500 resources is split into part stacks: stack-split.test.ts.

/** Template text with environment-specific names folded onto `dev`, asset hashes masked. */
function normalized(r: BuildResult, module: string, from: string, to: string): any {
  const text = JSON.stringify(template(r, module))
    .split(from.replace('-', '_')).join(to.replace('-', '_'))
    .split(from).join(to)
    .replace(/\((prod|dev)\)/g, '(ENV)')
    .replace(/210987654321/g, '123456789012')
    .replace(/[0-9a-f]{64}/g, 'HASH')
    // CDK names a Lambda permission after the function's unique id, which includes the stack name.
    .replace(/AllowEventRule[A-Za-z0-9]+/g, 'AllowEventRule<id>');
  return JSON.parse(text);
}

t('environment overrides change exactly the settings they name', async () => {
  const dev = buildAssembly(await loadModel(cdkFixture('environments.yaml'), 'dev'), { outdir: makeOutdir('asm') });
  const prodOut = makeOutdir('asm');
  const prod = buildAssembly(await loadModel(cdkFixture('environments.yaml'), 'prod'), { outdir: prodOut, strict: true });
  // Template validation is opt-in (it costs seconds per synth).
  assert.not.ok(existsSync(join(prodOut, 'validation-report.json')));
  assert.equal(prod.stacks.map((s) => s.name), ['shop-prod-foundations', 'shop-prod-batch']);
  const f = diff(normalized(dev, 'foundations', 'shop-dev', 'shop-dev'), normalized(prod, 'foundations', 'shop-prod', 'shop-dev'));
  assert.is(f.length, 2, f.join('\n'));
  assert.match(f[0]!, /^\/Resources\/AnalystsWorkgroup[0-9A-F]+\/Properties\/WorkGroupConfiguration\/BytesScannedCutoffPerQuery$/);
  assert.match(f[1]!, /^\/Resources\/StorageRawBucket[0-9A-F]+\/Properties\/LifecycleConfiguration\/Rules\/0\/Transitions\/1\/TransitionInDays$/);
  const b = diff(normalized(dev, 'batch', 'shop-dev', 'shop-dev'), normalized(prod, 'batch', 'shop-prod', 'shop-dev'));
  assert.equal(b.map((p) => p.replace(/[0-9A-F]{8}\//, '/')), ['/Resources/OrdersToParquetJob/Properties/NumberOfWorkers']);
  const wg = (r: BuildResult) => Object.values(template(r, 'foundations').Resources as Record<string, any>).find((x) => x.Type === 'AWS::Athena::WorkGroup');
  assert.is(wg(dev).Properties.WorkGroupConfiguration.BytesScannedCutoffPerQuery, 100 * 1024 ** 2);
  assert.is(wg(prod).Properties.WorkGroupConfiguration.BytesScannedCutoffPerQuery, 1024 ** 3);
});

t('flagship prod (removalPolicy: retain) differs from dev only in what retention implies', () => {
  // Built (strict: no cdk-nag finding) by the public-API suite above.
  assert.ok(flagshipProd, 'the public-API suite built the flagship prod');
  const prod = flagshipProd!;
  assert.equal(prod.nagFindings, []);
  const devT = normalized(flagship, 'foundations', 'mystore-dev', 'mystore-dev');
  const prodT = normalized(prod, 'foundations', 'mystore-prod', 'mystore-dev');
  const kinds = new Set(
    diff(devT, prodT).map((p) => {
      const [, , id, field, ...rest] = p.split('/');
      const type = (devT.Resources[id!] ?? prodT.Resources[id!]).Type as string;
      if (!(id! in prodT.Resources)) return `only-dev ${type}`;
      return `${type} ${field}${field === 'Properties' ? `/${rest[0]}` : ''}`;
    }),
  );
  assert.equal([...kinds].sort(), [
    'AWS::Athena::WorkGroup Properties/RecursiveDeleteOption',
    'AWS::KMS::Key DeletionPolicy',
    'AWS::KMS::Key UpdateReplacePolicy',
    'AWS::S3::Bucket DeletionPolicy',
    'AWS::S3::Bucket Properties/Tags',
    'AWS::S3::Bucket UpdateReplacePolicy',
    'AWS::S3::BucketPolicy Properties/PolicyDocument',
    'only-dev AWS::IAM::Role',
    'only-dev AWS::Lambda::Function',
    'only-dev Custom::S3AutoDeleteObjects',
  ]);
  assert.equal(diff(normalized(flagship, 'batch', 'mystore-dev', 'mystore-dev'), normalized(prod, 'batch', 'mystore-prod', 'mystore-dev')), []);
});

t.run();
