/**
 * The BatchReplayer construct: Lambda (runtime, bundle, env, sizing), schedule, least-privilege role,
 * log group, cdk-nag, and a deterministic, content-addressed bundle.
 */
import { readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib/core';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BatchReplayer, bundleReplayerHandler, replayerSizing, REPLAYER_RUNTIME, type BatchReplayerProps } from '../../src/compiler/constructs/batch-replayer.js';
import { packageRoot } from '../../src/paths.js';

const t = suite('cdk replayer');
const ENV = { account: '123456789012', region: 'eu-west-1' };
const BUCKET = 'mystore-dev-raw-123456789012-eu-west-1';
const outdirs: string[] = [];

/** A foundations stack (bucket + key) and a batch stack holding the replayer, like the compiler's layout. */
function build(overrides: Partial<BatchReplayerProps> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'ara-replayer-cdk-'));
  outdirs.push(outdir);
  const app = new App({ outdir, analyticsReporting: false, builtinCloudFormationValidation: false, context: { '@aws-cdk/core:stackTraces': false } });
  const foundations = new Stack(app, 'Foundations', { env: ENV });
  const key = new kms.Key(foundations, 'Key', { enableKeyRotation: true });
  const bucket = new s3.Bucket(foundations, 'Raw', { bucketName: BUCKET, encryptionKey: key, bucketKeyEnabled: true });
  const stack = new Stack(app, 'Batch', { env: ENV });
  const replayer = new BatchReplayer(stack, 'CustomerReplayer', {
    replayerName: 'customer',
    dataset: { group: 'retail', table: 'customer' },
    frequencySeconds: 300,
    seed: 42,
    recordsPerWindow: 1000,
    bucket,
    prefix: 'customer/',
    encryptionKey: key,
    functionName: 'mystore-dev-customer',
    ...overrides,
  });
  return { app, stack, replayer, template: Template.fromStack(stack) };
}

let cached: ReturnType<typeof build> | undefined;
/** The default replayer, built once for the read-only assertions. */
const base = () => (cached ??= build());

t.after(() => {
  for (const d of outdirs) rmSync(d, { recursive: true, force: true });
});

t('the function runs the bundled handler on the latest Node.js runtime the CDK offers', () => {
  const { template } = base();
  const latestNode = lambda.Runtime.ALL.filter((r) => /^nodejs\d/.test(r.name))
    .map((r) => r.name)
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .at(-1);
  assert.is(REPLAYER_RUNTIME.name, latestNode);
  template.resourceCountIs('AWS::Lambda::Function', 1);
  const sizing = replayerSizing('customer', 1000);
  template.hasResourceProperties('AWS::Lambda::Function', {
    FunctionName: 'mystore-dev-customer',
    Runtime: 'nodejs24.x',
    Handler: 'index.handler',
    ReservedConcurrentExecutions: Match.absent(),
    MemorySize: sizing.memoryMiB,
    Timeout: sizing.timeoutSeconds,
    LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^CustomerReplayerLogGroup') } },
    Environment: {
      Variables: {
        BUCKET,
        PREFIX: 'customer/',
        TABLE: 'customer',
        SEED: '42',
        RECORDS_PER_WINDOW: '1000',
        FREQUENCY_SECONDS: '300',
        KMS_KEY_ARN: { 'Fn::ImportValue': Match.stringLikeRegexp('^Foundations:ExportsOutputFnGetAttKey') },
      },
    },
  });
  template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, Qualifier: '$LATEST' });
});

t('an EventBridge rule invokes the function every frequencySeconds', () => {
  const { template } = base();
  template.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: 'rate(5 minutes)',
    State: 'ENABLED',
    Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CustomerReplayerFunction'), 'Arn'] } })],
  });
  template.hasResourceProperties('AWS::Lambda::Permission', {
    Action: 'lambda:InvokeFunction',
    Principal: 'events.amazonaws.com',
    SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CustomerReplayerSchedule'), 'Arn'] },
  });
  build({ frequencySeconds: 60 }).template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
  build({ frequencySeconds: 7200 }).template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(2 hours)' });
});

t('the role may only put objects under the window prefix, encrypt with the key and write its own log group', () => {
  const { template } = base();
  const roles = template.findResources('AWS::IAM::Role');
  assert.is(Object.keys(roles).length, 1);
  const role = Object.values(roles)[0] as { Properties: Record<string, unknown> };
  assert.is(role.Properties['ManagedPolicyArns'], undefined, 'no managed policies');
  assert.equal(role.Properties['AssumeRolePolicyDocument'], {
    Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
    Version: '2012-10-17',
  });
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }[];
  assert.is(policies.length, 1);
  const [objects, logs, encrypt, ...more] = policies[0]!.Properties.PolicyDocument.Statement;
  assert.equal(more, []);
  assert.equal(objects, {
    Sid: 'WriteWindows',
    Action: 's3:PutObject',
    Effect: 'Allow',
    Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${BUCKET}/customer/*`]] },
  });
  assert.equal(logs!['Action'], ['logs:CreateLogStream', 'logs:PutLogEvents']);
  assert.match((logs!['Resource'] as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!, /^CustomerReplayerLogGroup/);
  assert.equal(encrypt!['Action'], ['kms:GenerateDataKey', 'kms:Encrypt']);
  assert.match((encrypt!['Resource'] as { 'Fn::ImportValue': string })['Fn::ImportValue'], /^Foundations:ExportsOutputFnGetAttKey/);
  // No statement grants `*`; the one wildcard is the object suffix under the table prefix.
  const text = JSON.stringify(policies);
  assert.not.match(text, /"Resource":"\*"/);
  assert.is(text.match(/\*/g)?.length, 1);
  template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/mystore-dev-customer', RetentionInDays: 30 });
});

t('without a key no KMS permission or variable is granted', () => {
  const app = new App({ analyticsReporting: false, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Plain', { env: ENV });
  const bucket = s3.Bucket.fromBucketName(stack, 'Imported', 'lake-bucket');
  new BatchReplayer(stack, 'ItemReplayer', {
    replayerName: 'item', dataset: { group: 'retail', table: 'item' }, frequencySeconds: 120, seed: 1,
    recordsPerWindow: 10, bucket, prefix: 'raw', functionName: 'p-item',
  });
  const template = Template.fromStack(stack);
  const policy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
  assert.not.match(policy, /kms:/);
  assert.match(policy, /:s3:::lake-bucket\/raw\/\*"/);
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectEquals({ BUCKET: 'lake-bucket', PREFIX: 'raw/', TABLE: 'item', SEED: '1', RECORDS_PER_WINDOW: '10', FREQUENCY_SECONDS: '120' }) },
  });
});

t('an empty prefix scopes the role and the windows to <table>/', () => {
  const { template, replayer } = build({ prefix: '', dataset: { group: 'retail', table: 'store_sale' }, functionName: 'mystore-dev-store-sale' });
  assert.is(replayer.keyPrefix, 'store_sale/');
  const policy = Object.values(template.findResources('AWS::IAM::Policy'))[0] as { Properties: { PolicyDocument: { Statement: { Sid: string; Resource: unknown }[] } } };
  assert.equal(policy.Properties.PolicyDocument.Statement.find((st) => st.Sid === 'WriteWindows')!.Resource, {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${BUCKET}/store_sale/*`]],
  });
  template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ PREFIX: '', TABLE: 'store_sale' }) } });
  assert.equal(new AwsSolutionsChecks().validateScope(Stack.of(replayer)).violations.map((v) => v.ruleName), []);
});

t('cdk-nag AwsSolutions: no finding left; the wildcard acknowledgement names exactly the finding cdk-nag raises', () => {
  const { stack } = base();
  const report = new AwsSolutionsChecks().validateScope(stack);
  assert.equal(report.violations.map((v) => v.ruleName), []);
  // The same statement without the construct's acknowledgement is an IAM5 finding with that exact id.
  const bare = new Stack(new App({ builtinCloudFormationValidation: false }), 'Bare', { env: ENV });
  new iam.Policy(bare, 'P', {
    statements: [new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [`arn:${bare.partition}:s3:::${BUCKET}/customer/*`] })],
    roles: [new iam.Role(bare, 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') })],
  });
  const bareIds = new AwsSolutionsChecks().validateScope(bare).violations.map((v) => v.ruleName);
  assert.equal(bareIds, [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${BUCKET}/customer/*]`]);
});

t('the bundle is deterministic: two apps give the same asset hash; no absolute path inside', () => {
  const a = base().template.toJSON();
  const b = build().template.toJSON();
  const code = (tpl: typeof a) =>
    Object.values(tpl['Resources'] as Record<string, { Type: string; Properties: { Code?: { S3Key: string } } }>).find((r) => r.Type === 'AWS::Lambda::Function')!.Properties.Code!.S3Key;
  assert.match(code(a), /^[0-9a-f]{64}\.zip$/);
  assert.is(code(a), code(b));
  assert.equal(a, b, 'whole templates are identical');

  const dir = bundleReplayerHandler();
  assert.equal(readdirSync(dir), ['index.js']);
  const text = readFileSync(join(dir, 'index.js'), 'utf8');
  for (const leak of [packageRoot, tmpdir(), '.build', 'sourceMappingURL']) assert.not.ok(text.includes(leak), `bundle contains ${leak}`);
  assert.match(text, /require\("@aws-sdk\/client-s3"\)/, 'the SDK is left to the Lambda runtime');
  assert.match(text, /^\/\/ src\/datasets\/retail\.js$/m, 'module markers are build-root relative');
  assert.ok(text.length < 100_000, `bundle is ${text.length} bytes`);
  // The synthesized asset is the bundle itself.
  const assembly = base().app.synth();
  const assetDir = readdirSync(assembly.directory).find((f) => f.startsWith('asset.'))!;
  assert.is(readFileSync(join(assembly.directory, assetDir, 'index.js'), 'utf8'), text);
});

t('memory and timeout grow with the records per window; impossible sizes are refused', () => {
  const small = replayerSizing('web_sale', 1000);
  const large = replayerSizing('web_sale', 1_000_000);
  assert.is(small.memoryMiB, 256);
  assert.ok(large.memoryMiB > 1024 && large.memoryMiB % 64 === 0, `${large.memoryMiB} MiB`);
  assert.ok(large.timeoutSeconds > small.timeoutSeconds && large.timeoutSeconds <= 900);
  assert.throws(() => replayerSizing('web_sale', 50_000_000), /need about \d+ MiB, more than a Lambda function has \(10240 MiB\): lower recordsPerWindow/);
});

t('bad props fail with a clear message', () => {
  assert.throws(() => build({ frequencySeconds: 90 }), /frequency must be a whole number of minutes \(EventBridge rates\), got 90 s/);
  assert.throws(() => build({ frequencySeconds: 30 }), /whole number of minutes/);
  assert.throws(() => build({ dataset: { group: 'tpcds', table: 'customer' } }), /unknown dataset group 'tpcds' \(available: retail\)/);
  assert.throws(() => build({ dataset: { group: 'retail', table: 'web_sales' } }), /did you mean 'web_sale'/);
  assert.throws(() => build({ recordsPerWindow: -5 }), /recordsPerWindow must be a non-negative integer/);
});

t.run();
