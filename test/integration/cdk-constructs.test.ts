/**
 * Each construct of the public API on a bare `Stack` (no account, no region, no ara-gen model), as
 * an app author would use it: it builds with only its required props, produces its resource, and
 * passes CDK synthesis. A construct added to the API without a case here fails the first test.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
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

/** One case per exported construct: builds it on a bare stack and returns the resource type it must create. */
const cases: Record<string, (stack: Stack) => string> = {
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
    const type = build(stack);
    const template = Template.fromStack(stack);
    assert.ok(Object.keys(template.findResources(type)).length > 0, `${name} creates ${type}`);
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
