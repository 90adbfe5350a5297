/**
 * Each construct of the public API on a bare `Stack` (no account, no region, no ara-gen model), as
 * an app author would use it: it builds with only its required props, produces its resource, and
 * passes CDK synthesis. A construct added to the API without a case here fails the first test.
 */
import { App, Stack } from 'aws-cdk-lib/core';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as api from '../../src/compiler/index.js';

const test = suite('constructs on a bare Stack');

// CDK's built-in template validation is left to the synth tests: it costs seconds per synth.
const bare = () => new Stack(new App({ analyticsReporting: false, builtinCloudFormationValidation: false }), 'Bare');
const bucketIn = (stack: Stack) => new s3.Bucket(stack, 'Data');
const security = (stack: Stack) => new api.GlueSecurityConfiguration(stack, 'Security', { name: 'sec' });
const subnetIds = ['subnet-1', 'subnet-2', 'subnet-3'];
const warehouseIn = (stack: Stack, id = 'Warehouse', engine: api.RedshiftEngineProps = { engine: 'redshift-serverless', baseCapacity: 8 }) =>
  new api.RedshiftWarehouse(stack, id, {
    ...engine,
    name: id.toLowerCase(),
    databaseName: 'dw',
    subnetIds,
    securityGroupId: 'sg-1',
    key: new kms.Key(stack, `${id}Key`),
    defaultRole: new iam.Role(stack, `${id}Role`, { assumedBy: new iam.ServicePrincipal('redshift.amazonaws.com') }),
  });
/** The statements of the one `AWS::IAM::Policy` of the stack (with `sid`: of the one policy holding a statement of that Sid). */
const policyStatements = (template: Template, sid?: string): Array<Record<string, unknown>> => {
  const all = Object.values(template.findResources('AWS::IAM::Policy')).map((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
  const found = sid ? all.filter((st) => st.some((x) => x.Sid === sid)) : all;
  assert.is(found.length, 1, `one policy${sid ? ` with ${sid}` : ''}`);
  return found[0]!;
};

/**
 * One case per exported construct: builds it on a bare stack and returns the resource type it must
 * create, with what else its template must hold where the construct has security settings of its own.
 */
type Case = (stack: Stack) => string | { type: string; check: (template: Template) => void };
const cases: Record<string, Case> = {
  DataLakeStorage: (stack) => {
    new api.DataLakeStorage(stack, 'C', { layers: [{ name: 'raw', infrequentAccessDelay: 30 }] });
    return 'AWS::KMS::Key';
  },
  DataLakeCatalog: (stack) => {
    new api.DataLakeCatalog(stack, 'C', { databases: [{ name: 'raw', databaseName: 'raw_db', bucket: bucketIn(stack) }] });
    return 'AWS::Glue::Database';
  },
  AthenaWorkgroup: (stack) => {
    new api.AthenaWorkgroup(stack, 'C', { workgroupName: 'wg', resultsRetentionDays: 7, accessLogsBucket: bucketIn(stack) });
    return 'AWS::Athena::WorkGroup';
  },
  GlueSecurityConfiguration: (stack) => {
    new api.GlueSecurityConfiguration(stack, 'C', { name: 'sec', key: new kms.Key(stack, 'K') });
    return 'AWS::Glue::SecurityConfiguration';
  },
  GlueDataAccessRole: (stack) => {
    new api.GlueDataAccessRole(stack, 'C', { logGroupPrefix: '/aws-glue/crawlers', read: [{ bucketName: 'b', prefix: 'p/' }] });
    return 'AWS::IAM::Role';
  },
  GlueCrawler: (stack) => {
    new api.GlueCrawler(stack, 'C', { crawlerName: 'c', databaseName: 'db', targets: [{ bucketName: 'b', prefix: 'p/' }], securityConfiguration: security(stack) });
    return 'AWS::Glue::Crawler';
  },
  GlueJob: (stack) => {
    new api.GlueJob(stack, 'C', {
      jobName: 'j',
      script: { text: 'print("job")\n', extension: 'py' },
      source: { database: 'raw', table: 't', locations: [{ bucketName: 'b', prefix: 'in/' }] },
      target: { database: 'clean', table: 't', location: { bucketName: 'b', prefix: 'out/' } },
      securityConfiguration: security(stack),
    });
    return 'AWS::Glue::Job';
  },
  GlueTrigger: (stack) => {
    new api.GlueTrigger(stack, 'C', { triggerName: 't', type: 'scheduled', schedule: 'cron(0 1 * * ? *)', actions: [{ crawlerName: 'c' }] });
    return 'AWS::Glue::Trigger';
  },
  GlueWorkflow: (stack) => {
    new api.GlueWorkflow(stack, 'C', { workflowName: 'w', triggers: [{ id: 't', triggerName: 't', type: 'scheduled', schedule: 'cron(0 1 * * ? *)', actions: [{ jobName: 'j' }] }] });
    return 'AWS::Glue::Workflow';
  },
  GlueTable: (stack) => {
    new api.GlueTable(stack, 'C', { databaseName: 'db', tableName: 't', location: 's3://b/t/', format: 'parquet', columns: [{ name: 'id', type: 'int' }] });
    return 'AWS::Glue::Table';
  },
  KinesisStream: (stack) => {
    new api.KinesisStream(stack, 'C', { streamName: 's' });
    return 'AWS::Kinesis::Stream';
  },
  BatchReplayer: (stack) => {
    new api.BatchReplayer(stack, 'C', {
      replayerName: 'r',
      dataset: { group: 'retail', table: 'customer' },
      frequencySeconds: 300,
      seed: 1,
      recordsPerWindow: 10,
      bucket: bucketIn(stack),
      prefix: 'customer/',
      functionName: 'replayer',
    });
    return 'AWS::Lambda::Function';
  },
  WarehouseNetwork: (stack) => {
    new api.WarehouseNetwork(stack, 'C', { kind: 'created', cidr: '10.0.0.0/20', availabilityZones: ['euw1-az1', 'euw1-az2', 'euw1-az3'], name: 'n' });
    return {
      type: 'AWS::EC2::VPC',
      check: (t) => {
        // Isolated: three subnets, no public IPs, no internet or NAT gateway; flow logs; S3 + Glue endpoints.
        t.resourceCountIs('AWS::EC2::Subnet', 3);
        t.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
        t.resourceCountIs('AWS::EC2::InternetGateway', 0);
        t.resourceCountIs('AWS::EC2::NatGateway', 0);
        t.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL' });
        t.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
        t.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', PrivateDnsEnabled: true });
        // Redshift's port is open to members of the warehouse group only.
        t.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
        t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: api.REDSHIFT_PORT, ToPort: api.REDSHIFT_PORT, SourceSecurityGroupId: Match.objectLike({ 'Fn::GetAtt': Match.anyValue() }) });
      },
    };
  },
  SpectrumRole: (stack) => {
    new api.SpectrumRole(stack, 'C', { roleName: 'spectrum', databases: [{ glueName: 'clean', bucketName: 'lake', prefix: 'clean/' }], key: new kms.Key(stack, 'K') });
    return {
      type: 'AWS::IAM::Role',
      check: (t) => {
        const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
        t.hasResourceProperties('AWS::IAM::Role', {
          AssumeRolePolicyDocument: {
            Statement: [
              { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'redshift.amazonaws.com' } },
              { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'redshift-serverless.amazonaws.com' } },
            ],
          },
        });
        // Exactly these four statements: reads of the one database's catalog entries, prefix and key.
        const st = policyStatements(t);
        assert.equal(st.map((x) => x.Sid), ['CatalogRead', 'LakeRead', 'LakeList', 'LakeDecrypt']);
        assert.equal(st[1], { Sid: 'LakeRead', Effect: 'Allow', Action: 's3:GetObject', Resource: arn(':s3:::lake/clean/*') });
        assert.equal(st[2]!.Resource, arn(':s3:::lake'));
        assert.equal(st[3]!.Action, 'kms:Decrypt');
        assert.not.ok(JSON.stringify(st).includes('"Resource":"*"'), 'no wildcard resource');
      },
    };
  },
  RedshiftWarehouse: (stack) => {
    warehouseIn(stack);
    warehouseIn(stack, 'Cluster', { engine: 'redshift-provisioned', nodeType: 'ra3.xlplus', nodes: 2 });
    const tls = Match.arrayWith([Match.objectLike({ ParameterValue: 'true', ParameterKey: 'require_ssl' })]);
    return {
      type: 'AWS::RedshiftServerless::Workgroup',
      check: (t) => {
        t.hasResourceProperties('AWS::RedshiftServerless::Workgroup', { PubliclyAccessible: false, EnhancedVpcRouting: true, SubnetIds: subnetIds, SecurityGroupIds: ['sg-1'], ConfigParameters: tls });
        t.hasResourceProperties('AWS::RedshiftServerless::Namespace', {
          ManageAdminPassword: true,
          AdminUserPassword: Match.absent(),
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WarehouseKey'), 'Arn'] },
          LogExports: ['connectionlog', 'userlog', 'useractivitylog'],
        });
        t.hasResourceProperties('AWS::Redshift::Cluster', {
          Encrypted: true,
          PubliclyAccessible: false,
          EnhancedVpcRouting: true,
          ManageMasterPassword: true,
          MasterUserPassword: Match.absent(),
          NumberOfNodes: 2,
          Port: api.REDSHIFT_PORT + 1,
        });
        t.hasResourceProperties('AWS::Redshift::ClusterParameterGroup', { Parameters: Match.arrayWith([{ ParameterName: 'require_ssl', ParameterValue: 'true' }]) });
      },
    };
  },
  WarehouseMigrations: (stack) => {
    // Provisioned: on a stack without account/region the Serverless secret's nag acknowledgement does not synthesize.
    const w = warehouseIn(stack, 'Warehouse', { engine: 'redshift-provisioned', nodeType: 'ra3.xlplus', nodes: 2 });
    new api.WarehouseMigrations(stack, 'C', { warehouse: w, key: new kms.Key(stack, 'K'), name: 'wh', migrations: [{ name: 'V0001__init', kind: 'versioned', checksum: '0', statements: ['SELECT 1'] }] });
    return {
      type: 'Custom::WarehouseMigrations',
      check: (t) => {
        t.hasResourceProperties('Custom::WarehouseMigrations', { ClusterIdentifier: 'warehouse', Database: 'dw', SecretArn: stack.resolve(w.adminSecret.arn) });
        // Statements on this cluster only, reads of its own statements only, the secret through Secrets Manager only.
        const st = policyStatements(t, 'RunStatements');
        assert.equal(st.map((x) => x.Sid), ['RunStatements', 'OwnStatements', 'AdminSecret', 'AdminSecretKey', 'Logs']);
        assert.equal(st[0]!.Resource, stack.resolve(w.arn));
        assert.equal(st[1]!.Condition, { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } });
        assert.equal(st[2]!.Action, 'secretsmanager:GetSecretValue');
        assert.equal(st[2]!.Resource, stack.resolve(w.adminSecretResource()));
        assert.ok(JSON.stringify(st[3]!.Condition).includes('kms:ViaService'));
      },
    };
  },
  WarehouseLoadSchedule: (stack) => {
    const w = warehouseIn(stack);
    new api.WarehouseLoadSchedule(stack, 'C', { warehouse: w, name: 'load', scheduleSeconds: 300, sql: 'CALL dw.sp_load()' });
    return {
      type: 'AWS::Events::Rule',
      check: (t) => {
        t.resourceCountIs('AWS::Events::Rule', 2);
        t.hasResourceProperties('AWS::Events::Rule', {
          ScheduleExpression: 'rate(5 minutes)',
          Targets: [Match.objectLike({ Arn: stack.resolve(w.arn), RedshiftDataParameters: Match.objectLike({ Database: 'dw', StatementName: 'load' }), DeadLetterConfig: Match.objectLike({}) })],
        });
        t.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
        t.hasResourceProperties('AWS::SQS::QueuePolicy', {
          PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
        });
        // The rule role runs statements on, and gets credentials for, this workgroup only.
        assert.equal(policyStatements(t, 'RunLoad'), [
          { Sid: 'RunLoad', Effect: 'Allow', Action: 'redshift-data:ExecuteStatement', Resource: stack.resolve(w.arn) },
          { Sid: 'Credentials', Effect: 'Allow', Action: 'redshift-serverless:GetCredentials', Resource: stack.resolve(w.arn) },
        ]);
      },
    };
  },
  QuickSightDashboard: (stack) => {
    const workgroup = 'arn:aws:redshift-serverless:eu-west-1:111111111111:workgroup/w';
    new api.QuickSightDashboard(stack, 'C', {
      name: 'd',
      title: 'D',
      source: { kind: 'redshift', engine: 'redshift-serverless', identifier: 'w', arn: workgroup, host: 'h', port: 5439, database: 'dw', databaseUser: 'reader', subnetIds, securityGroupId: 'sg-1' },
      sql: 'SELECT 1 AS n',
      columns: [{ name: 'n', type: 'INTEGER' }],
      definition: { Sheets: [] },
      dataSetIdentifier: 'sales',
      principal: 'arn:aws:quicksight:eu-west-1:111111111111:group/default/readers',
    });
    return {
      type: 'AWS::QuickSight::Dashboard',
      check: (t) => {
        t.hasResourceProperties('AWS::QuickSight::VPCConnection', { SubnetIds: subnetIds, SecurityGroupIds: ['sg-1'] });
        // TLS, IAM sign-in as the read-only user, no stored credentials.
        t.hasResourceProperties('AWS::QuickSight::DataSource', {
          Type: 'REDSHIFT',
          SslProperties: { DisableSsl: false },
          Credentials: Match.absent(),
          DataSourceParameters: { RedshiftParameters: Match.objectLike({ IAMParameters: Match.objectLike({ DatabaseUser: 'reader', AutoCreateDatabaseUser: false }) }) },
        });
        t.hasResourceProperties('AWS::QuickSight::DataSet', { ImportMode: 'DIRECT_QUERY' });
        t.hasResourceProperties('AWS::QuickSight::Dashboard', {
          Permissions: [{ Principal: Match.stringLikeRegexp('group/default/readers$'), Actions: ['quicksight:DescribeDashboard', 'quicksight:ListDashboardVersions', 'quicksight:QueryDashboard'] }],
        });
        // The sign-in role may get credentials on this workgroup, nothing else.
        t.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'redshift-serverless:GetCredentials', Resource: workgroup }] } });
      },
    };
  },
};

test('every construct the API exports has a case here', () => {
  const exported = Object.entries(api)
    .filter(([, v]) => typeof v === 'function' && v.prototype instanceof Construct && !(v.prototype instanceof Stack))
    .map(([name]) => name)
    // Platform creates stacks of its own: test/integration/cdk-platform.test.ts.
    .filter((name) => name !== 'Platform')
    .sort();
  assert.equal(exported, Object.keys(cases).sort());
});

for (const [name, build] of Object.entries(cases)) {
  test(`${name} with its required props only`, () => {
    const stack = bare();
    const built = build(stack);
    const { type, check } = typeof built === 'string' ? { type: built, check: undefined } : built;
    const template = Template.fromStack(stack);
    assert.ok(Object.keys(template.findResources(type)).length > 0, `${name} creates ${type}`);
    check?.(template);
  });
}

test('secureBucket: encrypted, TLS-only, no public access, on a bare stack', () => {
  const stack = bare();
  api.secureBucket(stack, 'B', { removalPolicy: 'retain' });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::S3::Bucket', {
    BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
  });
  template.hasResourceProperties('AWS::S3::BucketPolicy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
  });
});

test.run();
