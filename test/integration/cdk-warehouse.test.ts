/**
 * The warehouse and dashboards stacks: Template assertions for every resource they hold (flagship
 * dev and prod on Redshift Serverless in a created VPC; a provisioned cluster in an existing VPC
 * with a Redshift and an Athena dashboard), and the append-only rule of released migrations.
 * cfn-lint over these same templates (every environment of the flagship and of
 * fixtures/cdk/warehouse-provisioned.yaml) is in cfn-lint.test.ts.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildAssembly, type BuildResult } from '../../src/compiler/app.js';
import { editedReleasedMigrations } from '../../src/compiler/warehouse/sql.js';
import { platformsDir } from '../../src/paths.js';
import { cdkFixture, flagshipSpec, loadModel, makeOutdir, removeOutdirs } from '../helpers/models.js';

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
  for (const [key, file, env] of [
    ['dev', flagshipSpec, 'dev'],
    ['prod', flagshipSpec, 'prod'],
    ['provisioned', cdkFixture('warehouse-provisioned.yaml'), 'dev'],
  ] as const) {
    const dir = makeOutdir(`wh-${key}`);
    built[key] = { result: buildAssembly(await loadModel(file, env), { outdir: dir, strict: true }), dir };
  }
});
t.after(() => removeOutdirs());

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
