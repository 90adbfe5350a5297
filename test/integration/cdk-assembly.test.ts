/**
 * The public compiler API (the flagship compiled with nothing but its exports; constructs in a
 * hand-written CDK app), the warehouse and dashboards stacks, then the whole assembly: the CDK's template validation, cdk-nag,
 * environment overrides, dev against prod, tags and the sections reported as not compiled.
 * (Determinism and the CDK CLI's acceptance: cli-synth.test.ts; the 500-resource split:
 * stack-split.test.ts.)
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { App, Stack } from 'aws-cdk-lib/core';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildApp, buildAssembly, type BuildResult } from '../../src/compiler/app.js';
import * as api from '../../src/compiler/index.js';
import { editedReleasedMigrations } from '../../src/compiler/warehouse/sql.js';
import { platformsDir } from '../../src/paths.js';
import { isBlanket, listAcknowledgements, NagFindingsError, runNag } from '../../src/compiler/nag.js';
import { assemblyTemplates, formatMatches, lintTemplates } from '../helpers/cfn-lint.js';
import { cdkFixture, flagshipSpec, loadModel, makeOutdir, mystoreModel, removeOutdirs } from '../helpers/models.js';

/**
 * The flagship builds the three suites of this file share (one of each environment), in outdirs
 * removed after the last suite: prod, made through the public API by the first suite; dev, with
 * cdk-nag strict, made on first use.
 */
let flagshipProd: { result: BuildResult; dir: string } | undefined;
let flagshipDev: { result: BuildResult; dir: string } | undefined;
async function devBuild(): Promise<{ result: BuildResult; dir: string }> {
  if (!flagshipDev) {
    const dir = makeOutdir('asm');
    flagshipDev = { result: buildAssembly(await loadModel(flagshipSpec), { outdir: dir, strict: true }), dir };
  }
  return flagshipDev;
}

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
    const dir = makeOutdir('api-prod');
    const result: api.BuildResult = api.buildAssembly(model, { outdir: dir, strict: true });
    flagshipProd = { result, dir }; // used by the warehouse suite and compared with dev by the 'cdk assembly' suite
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

// ---- the warehouse and dashboards stacks: Template assertions for every resource they hold (flagship
// dev and prod on Redshift Serverless in a created VPC; a provisioned cluster in an existing VPC with
// a Redshift and an Athena dashboard), and the append-only rule of released migrations. cfn-lint over
// these same templates: the flagship's in the 'cdk assembly' suite below, the provisioned fixture's in
// cfn-lint.test.ts. ----
{
  const t = suite('cdk warehouse and dashboards');
  const built: Record<string, { result: BuildResult; dir: string }> = {};
  const template = (key: string, module: string): Template => {
    const { result, dir } = built[key]!;
    const stack = result.stacks.find((s) => s.module === module)!;
    return Template.fromJSON(JSON.parse(readFileSync(join(dir, `${stack.name}.template.json`), 'utf8')));
  };
  const migrations = (tpl: Template): { name: string; statements: string[] }[] => {
    const [cr] = Object.values(tpl.findResources('Custom::WarehouseMigrations')) as { Properties: { Migrations: string } }[];
    return JSON.parse(cr!.Properties.Migrations);
  };

  t.before(async () => {
    // The flagship's dev and prod builds of this file (both cdk-nag strict), and the provisioned fixture.
    assert.ok(flagshipProd, 'the public-API suite built the flagship prod');
    built.dev = await devBuild();
    built.prod = flagshipProd!;
    const dir = makeOutdir('wh-provisioned');
    built.provisioned = { result: buildAssembly(await loadModel(cdkFixture('warehouse-provisioned.yaml'), 'dev'), { outdir: dir, strict: true }), dir };
  });

  t('a created network: three isolated subnets by AZ id, no route out but the S3 gateway and the Glue endpoint', () => {
    const tpl = template('dev', 'warehouse');
    tpl.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.20.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true });
    const subnets = Object.values(tpl.findResources('AWS::EC2::Subnet')) as { Properties: { AvailabilityZoneId: string; MapPublicIpOnLaunch: boolean } }[];
    assert.equal(subnets.map((s) => s.Properties.AvailabilityZoneId), ['euw1-az1', 'euw1-az2', 'euw1-az3']);
    for (const s of subnets) assert.is(s.Properties.MapPublicIpOnLaunch, false);
    tpl.resourceCountIs('AWS::EC2::InternetGateway', 0);
    tpl.resourceCountIs('AWS::EC2::NatGateway', 0);
    tpl.resourceCountIs('AWS::EC2::Route', 0);
    tpl.resourceCountIs('AWS::EC2::SubnetRouteTableAssociation', 3);
    tpl.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.eu-west-1.s3', VpcEndpointType: 'Gateway' });
    tpl.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.eu-west-1.glue', VpcEndpointType: 'Interface', PrivateDnsEnabled: true });
    tpl.resourceCountIs('AWS::EC2::VPCEndpoint', 2);
    tpl.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    tpl.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: 'tcp', FromPort: 5439, ToPort: 5439 });
    tpl.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { IpProtocol: 'tcp', FromPort: 5439, ToPort: 5439 });
    // Nothing reaches the warehouse from an address range: only members of its own group.
    for (const sg of Object.values(tpl.findResources('AWS::EC2::SecurityGroup')) as { Properties: { SecurityGroupIngress?: { CidrIp?: string }[] } }[]) {
      for (const rule of sg.Properties.SecurityGroupIngress ?? []) assert.is(rule.CidrIp, undefined);
    }
  });

  t('Redshift Serverless: private, TLS only, enhanced VPC routing, the platform key, managed admin secret, audit logs, Spectrum role as default', () => {
    const tpl = template('dev', 'warehouse');
    tpl.hasResourceProperties('AWS::RedshiftServerless::Namespace', {
      NamespaceName: 'mystore-dev-mystore',
      DbName: 'mystore',
      ManageAdminPassword: true,
      AdminPasswordSecretKmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('StorageKey') },
      KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('StorageKey') },
      DefaultIamRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SpectrumRole'), 'Arn'] },
      LogExports: ['connectionlog', 'userlog', 'useractivitylog'],
    });
    tpl.hasResourceProperties('AWS::RedshiftServerless::Workgroup', {
      WorkgroupName: 'mystore-dev-mystore',
      BaseCapacity: 8,
      EnhancedVpcRouting: true,
      PubliclyAccessible: false,
      ConfigParameters: Match.arrayWith([{ ParameterKey: 'require_ssl', ParameterValue: 'true' }]),
    });
    const ns = tpl.findResources('AWS::RedshiftServerless::Namespace');
    assert.not.ok(JSON.stringify(ns).includes('AdminUserPassword'), 'no password in the template');
  });

  t('the Spectrum role reads only the named databases, their tables and their buckets', () => {
    const tpl = template('dev', 'warehouse');
    tpl.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'mystore-dev-warehouse-spectrum',
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'redshift.amazonaws.com' } }), Match.objectLike({ Principal: { Service: 'redshift-serverless.amazonaws.com' } })],
      },
    });
    const policies = JSON.stringify(tpl.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('^SpectrumPolicy') } }));
    for (const s of ['database/mystore_dev_clean', 'table/mystore_dev_clean/*', 'database/mystore_dev_raw', 'table/mystore_dev_raw/*', 'mystore-dev-clean-123456789012-eu-west-1/*', 'mystore-dev-raw-123456789012-eu-west-1/*']) {
      assert.ok(policies.includes(s), s);
    }
    assert.not.ok(policies.includes('transform'), 'the transform layer is not read');
    assert.not.ok(/"Action":"[a-z0-9-]+:\*"|"Resource":"\*"/.test(policies), 'no wildcard actions or resources');
  });

  t('migrations: rendered from the templates, run by the Provider through the Data API with the admin secret', () => {
    const tpl = template('dev', 'warehouse');
    tpl.hasResourceProperties('Custom::WarehouseMigrations', {
      Database: 'mystore',
      WorkgroupName: 'mystore-dev-mystore',
      SecretArn: 'redshift!mystore-dev-mystore-ara_admin',
      StatementPrefix: 'ara-gen:mystore-dev-mystore:',
    });
    const m = migrations(tpl);
    assert.equal(m.map((x) => x.name), ['V0001__star-schema', 'V0002__database-users', 'R__external-schemas', 'R__load-procedures']);
    const sql = m.flatMap((x) => x.statements).join('\n');
    assert.match(sql, /CREATE EXTERNAL SCHEMA IF NOT EXISTS "spectrum_clean" FROM DATA CATALOG DATABASE 'mystore_dev_clean' IAM_ROLE default/);
    assert.match(sql, /CREATE EXTERNAL SCHEMA IF NOT EXISTS "spectrum_raw" FROM DATA CATALOG DATABASE 'mystore_dev_raw' IAM_ROLE default/);
    // customer and store_sale from clean (the Parquet jobs), web_sale from raw (Firehose).
    assert.match(sql, /FROM "spectrum_clean"\."customer" c/);
    assert.match(sql, /FROM "spectrum_clean"\."store_sale" s/);
    assert.match(sql, /FROM "spectrum_raw"\."web_sale" s/);
    assert.match(sql, /CREATE USER "IAMR:mystore-dev-warehouse-load" PASSWORD DISABLE/);
    assert.match(sql, /DISTKEY \(customer_id\) SORTKEY \(sale_datetime\)/);
    const policy = JSON.stringify(tpl.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('^MigrationsPolicy') } }));
    assert.ok(policy.includes('redshift-data:statement-owner-iam-userid'));
    assert.ok(policy.includes('secret:redshift!mystore-dev-mystore-ara_admin-??????'));
    tpl.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    tpl.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.isComplete', Timeout: 600 });
    tpl.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.onEvent' });
  });

  t('the load: an EventBridge schedule calling the procedure through the Data API, a DLQ, and a rule for statements that fail later', () => {
    const tpl = template('dev', 'warehouse');
    tpl.hasResourceProperties('AWS::Events::Rule', {
      Name: 'mystore-dev-warehouse-load',
      ScheduleExpression: 'rate(30 minutes)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Workgroup'), 'Workgroup.WorkgroupArn'] },
          RedshiftDataParameters: { Database: 'mystore', Sql: 'CALL "dw".sp_run_incremental_load()', StatementName: 'mystore-dev-warehouse-load', WithEvent: true },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetters'), 'Arn'] } },
        }),
      ],
    });
    tpl.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.redshift-data'], 'detail-type': ['Redshift Data Statement Status Change'], detail: { state: ['FAILED', 'ABORTED'], statementName: ['mystore-dev-warehouse-load'] } },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetters'), 'Arn'] } })],
    });
    tpl.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'mystore-dev-warehouse-load-failures', SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    tpl.hasResourceProperties('AWS::IAM::Role', { RoleName: 'mystore-dev-warehouse-load' });
    const policy = JSON.stringify(tpl.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('^LoadPolicy') } }));
    assert.ok(policy.includes('redshift-serverless:GetCredentials') && policy.includes('redshift-data:ExecuteStatement'));
    tpl.resourceCountIs('AWS::Lambda::Function', 5); // the migrations' two handlers and the Provider's three: no polling Lambda for the load
  });

  t('dashboards: VPC connection, IAM sign-in as the reader, direct-query dataset, templated dashboard, each shared read-only', () => {
    const tpl = template('dev', 'dashboards');
    tpl.hasResourceProperties('AWS::QuickSight::VPCConnection', { AwsAccountId: '123456789012', VPCConnectionId: 'mystore-dev-sales' });
    tpl.hasResourceProperties('AWS::QuickSight::DataSource', {
      Type: 'REDSHIFT',
      DataSourceParameters: { RedshiftParameters: { Database: 'mystore', Port: 5439, IAMParameters: { DatabaseUser: 'quicksight_reader', AutoCreateDatabaseUser: false } } },
      SslProperties: { DisableSsl: false },
    });
    tpl.hasResourceProperties('AWS::QuickSight::DataSet', { ImportMode: 'DIRECT_QUERY', PhysicalTableMap: { sales: { CustomSql: Match.objectLike({ SqlQuery: Match.stringLikeRegexp('FROM "dw"\\.sale_fact f') }) } } });
    const [dash] = Object.values(tpl.findResources('AWS::QuickSight::Dashboard')) as { Properties: { Definition: { Sheets: { Visuals: Record<string, { VisualId: string }>[] }[] }; Permissions: { Principal: string; Actions: string[] }[] } }[];
    assert.equal(dash!.Properties.Definition.Sheets[0]!.Visuals.map((v) => Object.values(v)[0]!.VisualId), ['revenue-by-day', 'revenue-by-channel', 'top-items']);
    assert.equal(dash!.Properties.Permissions, [{ Principal: 'arn:aws:quicksight:eu-west-1:123456789012:group/default/analysts', Actions: ['quicksight:DescribeDashboard', 'quicksight:ListDashboardVersions', 'quicksight:QueryDashboard'] }]);
    // prod shares with its own account's group (the environment override).
    const prod = JSON.stringify(template('prod', 'dashboards').findResources('AWS::QuickSight::Dashboard'));
    assert.ok(prod.includes('arn:aws:quicksight:eu-west-1:210987654321:group/default/analysts'));
    assert.not.ok(prod.includes('123456789012'));
  });

  t('a provisioned cluster in an existing VPC: same security settings, the load as a named cluster user, an Athena dashboard', () => {
    const tpl = template('provisioned', 'warehouse');
    tpl.resourceCountIs('AWS::EC2::VPC', 0);
    tpl.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    tpl.hasResourceProperties('AWS::EC2::SecurityGroup', { VpcId: 'vpc-0a1b2c3d4e5f60718' });
    tpl.hasResourceProperties('AWS::Redshift::ClusterSubnetGroup', { SubnetIds: ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60712', 'subnet-0a1b2c3d4e5f60713'] });
    tpl.hasResourceProperties('AWS::Redshift::Cluster', {
      ClusterIdentifier: 'shop-dev-dwh',
      ClusterType: 'single-node',
      NodeType: 'ra3.large',
      Encrypted: true,
      PubliclyAccessible: false,
      EnhancedVpcRouting: true,
      ManageMasterPassword: true,
      LoggingProperties: { LogDestinationType: 'cloudwatch', LogExports: ['connectionlog', 'userlog', 'useractivitylog'] },
    });
    tpl.hasResourceProperties('AWS::Redshift::ClusterParameterGroup', { Parameters: Match.arrayWith([{ ParameterName: 'require_ssl', ParameterValue: 'true' }]) });
    tpl.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)', Targets: [Match.objectLike({ RedshiftDataParameters: Match.objectLike({ DbUser: 'ara_loader' }) })] });
    tpl.hasResourceProperties('Custom::WarehouseMigrations', { ClusterIdentifier: 'shop-dev-dwh', SecretArn: { 'Fn::GetAtt': [Match.anyValue(), 'MasterPasswordSecretArn'] } });
    const sql = migrations(tpl).flatMap((m) => m.statements).join('\n');
    assert.match(sql, /IAM_ROLE 'arn:aws:iam::123456789012:role\/shop-dev-warehouse-spectrum'/);
    assert.match(sql, /CREATE USER "ara_loader" PASSWORD DISABLE/);
    const dash = template('provisioned', 'dashboards');
    dash.hasResourceProperties('AWS::QuickSight::DataSource', { Type: 'ATHENA', DataSourceParameters: { AthenaParameters: { WorkGroup: 'shop-dev-bi' } } });
    dash.hasResourceProperties('AWS::QuickSight::DataSource', { Type: 'REDSHIFT', DataSourceParameters: { RedshiftParameters: Match.objectLike({ ClusterId: 'shop-dev-dwh' }) } });
    dash.hasResourceProperties('AWS::QuickSight::DataSet', { PhysicalTableMap: { sales: { CustomSql: Match.objectLike({ SqlQuery: Match.stringLikeRegexp('FROM "shop_dev_raw"\\."web_sale"') }) } } });
  });

  t('a released migration edited or deleted is a synth error that says to add a new one', () => {
    const root = mkdtempSync(join(tmpdir(), 'ara-gen-platforms-'));
    try {
      cpSync(join(platformsDir, 'aws-native'), join(root, 'aws-native'), { recursive: true });
      assert.equal(editedReleasedMigrations('aws-native', root), []);
      const file = join(root, 'aws-native', 'templates', 'warehouse', 'V0001__star-schema.sql.hbs');
      writeFileSync(file, readFileSync(file, 'utf8').replace('ext_discount_amt DECIMAL(14,2),', 'ext_discount_amt DECIMAL(16,2),'));
      assert.equal(editedReleasedMigrations('aws-native', root), [
        "released warehouse migration 'V0001__star-schema' was edited; restore it and add a new migration (e.g. V0003__<change>.sql.hbs) with the change",
      ]);
      rmSync(file);
      assert.match(editedReleasedMigrations('aws-native', root).join('\n'), /'V0001__star-schema' was deleted; restore it \(migrations are append-only\)/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  t.run();
}

const t = suite('cdk assembly');
let dirA: string;
let flagship: BuildResult;

t.before(async () => {
  ({ result: flagship, dir: dirA } = await devBuild());
});
// The last suite of the file: removes the outdirs of all three.
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

// The CDK's own template validation (BuildOptions.cfnValidation) starts a WebAssembly rule engine
// that costs 6-9 s of CPU per process, whatever the template: the suite's gate on every template is
// cfn-lint (below, and cfn-lint.test.ts), which checks more. Here: the option reaches the CDK app,
// and stays off unless asked for.
t('cfnValidation turns on the CDK built-in CloudFormation template validation, off by default', async () => {
  const model = await loadModel(cdkFixture('environments.yaml'), 'dev');
  assert.is(buildApp(model, { outdir: makeOutdir('asm'), cfnValidation: true }).app._builtinCloudFormationValidation, true);
  assert.is(buildApp(model, { outdir: makeOutdir('asm') }).app._builtinCloudFormationValidation, false);
  assert.not.ok(existsSync(join(dirA, 'validation-report.json')));
});

t('every template of the flagship, dev and prod, passes cfn-lint (the fixtures: cfn-lint.test.ts)', async () => {
  assert.ok(flagshipProd, 'the public-API suite built the flagship prod');
  const templates = [...assemblyTemplates(dirA), ...assemblyTemplates(flagshipProd!.dir)];
  assert.is(templates.length, 10, templates.join('\n'));
  const errors = await lintTemplates(templates);
  assert.equal(errors, [], formatMatches(errors));
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
  const prod = flagshipProd!.result;
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
