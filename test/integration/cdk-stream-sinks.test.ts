/**
 * Sinks fed by a stream (`sinks.<name>.source`): one Lambda per sink on an event source mapping
 * with the spec's settings and ReportBatchItemFailures, an on-failure SQS queue (platform key,
 * TLS only), a least-privilege role per destination type, the compiled sink config embedded; on
 * synthesized templates of a fixture with every destination type and of the flagship; cdk-nag and
 * cfn-lint clean; deterministic.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { App, Stack } from 'aws-cdk-lib/core';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildApp, buildAssembly } from '../../src/compiler/app.js';
import { bundleHandler } from '../../src/compiler/constructs/bundle.js';
import { StreamSinkFunction } from '../../src/compiler/constructs/stream-sink-function.js';
import { packageRoot } from '../../src/paths.js';
import type { PlatformModel } from '../../src/compiler/model.js';
import { runNag } from '../../src/compiler/nag.js';
import { compileSinkConfig } from '../../src/compiler/sink-config.js';
import { lintAssemblies, formatMatches } from '../helpers/cfn-lint.js';
import { cdkFixture, loadModel, makeOutdir, removeOutdirs } from '../helpers/models.js';

const t = suite('cdk stream sinks');
let model: PlatformModel;
let streaming: Template;
let stack: Stack;
let fixtureApp: App;
let fixtureOutdir: string;

t.before(async () => {
  model = await loadModel(cdkFixture('stream-sinks.yaml'));
  fixtureOutdir = makeOutdir('stream-sinks');
  const { app, stacks } = buildApp(model, { outdir: fixtureOutdir });
  fixtureApp = app;
  stack = stacks.find((s) => s.stackName === 'feeds-dev-streaming')!;
  // Synthesizes the whole app into fixtureOutdir (the assembly the lint below reads).
  streaming = Template.fromStack(stack);
});
t.after(removeOutdirs);

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };
const resources = (type: string): [string, Resource][] => Object.entries(streaming.findResources(type)) as [string, Resource][];
/** The resource of `type` whose logical id starts with the sink's construct id. */
const of = (sink: string, type: string): [string, Resource] => {
  const id = sink.split('-').map((p) => p[0]!.toUpperCase() + p.slice(1)).join('') + 'StreamSink';
  const found = resources(type).filter(([k]) => k.startsWith(id));
  assert.is(found.length, 1, `one ${type} for ${sink}`);
  return found[0]!;
};
const statements = (sink: string): Record<string, any>[] => of(sink, 'AWS::IAM::Policy')[1].Properties.PolicyDocument.Statement;
const sid = (sink: string, s: string): Record<string, any> => statements(sink).find((x) => x.Sid === s)!;
const streamArn = (name: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^${name}Stream`), 'Arn'] });

t('one function, mapping, queue and role per stream-fed sink', () => {
  for (const type of ['AWS::Lambda::EventSourceMapping', 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy']) streaming.resourceCountIs(type, 5);
  streaming.resourceCountIs('AWS::Lambda::Function', 5);
  for (const sink of ['to-kinesis', 'to-firehose', 'to-dynamodb', 'to-logs', 'to-metrics']) {
    const fn = of(sink, 'AWS::Lambda::Function')[1].Properties;
    assert.is(fn.FunctionName, `feeds-dev-${sink}-sink`);
    assert.is(fn.Handler, 'index.handler');
    assert.is(fn.Architectures[0], 'arm64');
    // The very sinks/<sink>.json content, embedded.
    assert.equal(JSON.parse(fn.Environment.Variables.SINK_CONFIG), JSON.parse(JSON.stringify(compileSinkConfig(model, model.sinks[sink]!))));
    assert.is(fn.Environment.Variables.DEAD_LETTER_PREFIX, `_dead-letters/${sink}/`);
    assert.is(fn.Environment.Variables.DEAD_LETTER_BUCKET, 'feeds-dev-raw-123456789012-eu-west-1');
  }
});

t('event source mappings: the spec settings, defaults from the table, ReportBatchItemFailures, the on-failure queue', () => {
  const [queueId] = of('to-kinesis', 'AWS::SQS::Queue');
  const [, m] = of('to-kinesis', 'AWS::Lambda::EventSourceMapping');
  assert.equal(m.Properties.EventSourceArn, { 'Fn::GetAtt': [m.Properties.EventSourceArn['Fn::GetAtt'][0], 'Arn'] });
  assert.match(m.Properties.EventSourceArn['Fn::GetAtt'][0], /^OrdersStream/);
  assert.equal(
    { ...m.Properties, EventSourceArn: undefined, FunctionName: undefined, Tags: undefined },
    {
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
      EventSourceArn: undefined,
      FunctionName: undefined,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumBatchingWindowInSeconds: 0,
      MaximumRetryAttempts: 10,
      ParallelizationFactor: 1,
      StartingPosition: 'TRIM_HORIZON',
      Tags: undefined,
    },
  );
  // Created only once the role may read the stream.
  assert.ok(m.DependsOn?.includes(of('to-kinesis', 'AWS::IAM::Policy')[0]));
  streaming.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    EventSourceArn: streamArn('Orders'),
    BatchSize: 10000,
    MaximumBatchingWindowInSeconds: 300,
    ParallelizationFactor: 10,
    FunctionName: { Ref: Match.stringLikeRegexp('^ToDynamodbStreamSinkFunction') },
  });
  streaming.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    StartingPosition: 'LATEST',
    BisectBatchOnFunctionError: false,
    MaximumRetryAttempts: -1,
    FunctionName: { Ref: Match.stringLikeRegexp('^ToFirehoseStreamSinkFunction') },
  });
});

t('on-failure queues: the platform key, TLS only, 14 days', () => {
  for (const [, q] of resources('AWS::SQS::Queue')) {
    assert.equal(q.Properties.KmsMasterKeyId, { 'Fn::ImportValue': q.Properties.KmsMasterKeyId['Fn::ImportValue'] });
    assert.match(q.Properties.KmsMasterKeyId['Fn::ImportValue'], /^feeds-dev-foundations:ExportsOutputFnGetAttStorageKey/);
    assert.is(q.Properties.MessageRetentionPeriod, 1209600);
  }
  for (const [, p] of resources('AWS::SQS::QueuePolicy')) {
    assert.equal(p.Properties.PolicyDocument.Statement.map((s: any) => [s.Effect, s.Action, s.Condition]), [['Deny', 'sqs:*', { Bool: { 'aws:SecureTransport': 'false' } }]]);
  }
});

t('roles: read the one source stream, write the one destination, dead letters under the sink prefix, own queue and log group', () => {
  assert.equal(sid('to-kinesis', 'SourceStream').Action, ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards']);
  assert.match(sid('to-kinesis', 'SourceStream').Resource['Fn::GetAtt'][0], /^OrdersStream/);
  assert.match(sid('to-logs', 'SourceStream').Resource['Fn::GetAtt'][0], /^CopiesStream/);
  assert.equal(sid('to-kinesis', 'Destination').Action, ['kinesis:PutRecords', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards']);
  assert.match(sid('to-kinesis', 'Destination').Resource['Fn::GetAtt'][0], /^CopiesStream/);
  assert.is(sid('to-firehose', 'Destination').Action, 'firehose:PutRecordBatch');
  assert.match(JSON.stringify(sid('to-firehose', 'Destination').Resource), /:deliverystream\/feeds-dev-orders-archive"/);
  assert.equal(sid('to-dynamodb', 'Destination').Action, ['dynamodb:BatchWriteItem', 'dynamodb:DescribeTable']);
  assert.match(JSON.stringify(sid('to-dynamodb', 'Destination').Resource), /:table\/feeds-orders"/);
  assert.is(sid('to-logs', 'Destination').Action, 'logs:PutLogEvents');
  assert.match(JSON.stringify(sid('to-logs', 'Destination').Resource), /:log-group:\/feeds\/orders:log-stream:lambda"/);
  assert.is(sid('to-logs', 'DestinationStream').Action, 'logs:CreateLogStream');
  assert.match(JSON.stringify(sid('to-logs', 'DestinationStream').Resource), /:log-group:\/feeds\/orders"/);
  assert.equal(
    { ...sid('to-metrics', 'Destination'), Sid: undefined },
    { Action: 'cloudwatch:PutMetricData', Condition: { StringEquals: { 'cloudwatch:namespace': 'Feeds/Orders' } }, Effect: 'Allow', Resource: '*', Sid: undefined },
  );
  for (const sink of ['to-kinesis', 'to-firehose', 'to-dynamodb', 'to-logs', 'to-metrics']) {
    const all = statements(sink);
    assert.equal(all.map((s) => s.Sid), ['SourceStream', 'Destination', ...(sink === 'to-logs' ? ['DestinationStream'] : []), 'DeadLetters', 'OnFailure', 'Logs', 'Key']);
    assert.ok(all.every((s) => s.Effect === 'Allow'));
    assert.match(JSON.stringify(sid(sink, 'DeadLetters').Resource), new RegExp(`:s3:::feeds-dev-raw-123456789012-eu-west-1/_dead-letters/${sink}/\\*"`));
    assert.equal(sid(sink, 'OnFailure').Resource, { 'Fn::GetAtt': [of(sink, 'AWS::SQS::Queue')[0], 'Arn'] });
    assert.equal(sid(sink, 'Logs').Resource, { 'Fn::GetAtt': [of(sink, 'AWS::Logs::LogGroup')[0], 'Arn'] });
    assert.equal(sid(sink, 'Key').Action, ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt']);
  }
  // Nothing else grants anything to these roles.
  for (const [, p] of resources('AWS::IAM::Policy')) assert.is(p.Properties.Roles.length, 1);
});

t('cdk-nag AwsSolutions: no finding left (the acknowledgements carry reasons); cfn-lint: no error; deterministic', async () => {
  assert.equal(runNag([stack]).map((f) => `${f.path} ${f.rule}`), []);
  const policy = stack.node.findAll().find((c) => c.node.path.endsWith('ToMetricsStreamSink/Policy'))!;
  const acknowledged = JSON.stringify(policy.node.metadata.map((m) => m.data));
  assert.match(acknowledged, /AwsSolutions-IAM5\[Resource::\*\]/);
  assert.match(acknowledged, /cloudwatch:PutMetricData supports no resource-level permissions; the grant is limited to the namespace 'Feeds\/Orders'/);
  // Deterministic: a second, independent build writes the same template as the one above.
  const again = buildAssembly(model, { outdir: makeOutdir('stream-sinks-b') });
  const tpl = (a: CloudAssembly) => JSON.stringify(a.getStackByName('feeds-dev-streaming').template);
  assert.is(tpl(again.assembly), tpl(fixtureApp.synth()));
  // The flagship's templates (with its stream-fed sink) are linted by cfn-lint.test.ts.
  const matches = await lintAssemblies([fixtureOutdir]);
  assert.equal(matches, [], formatMatches(matches));
});

// The flagship's stream-fed sink (web-sale-revenue): cdk-streaming.test.ts, on its flagship build.

t('the bundled handlers load in a fresh Node process with only the SDK beside them (as in /var/task)', () => {
  for (const name of ['stream-sink', 'sink-replayer'] as const) {
    // Copied out of the package tree: in /var/task no package.json says "type": "module".
    const dir = makeOutdir(`bundle-${name}`);
    copyFileSync(join(bundleHandler(name), 'index.js'), join(dir, 'index.js'));
    const script = "const m = require(process.argv[1]); if (typeof m.handler !== 'function') { console.error('no handler export'); process.exit(1); }";
    // The Lambda runtime provides the AWS SDK (external in the bundle): NODE_PATH stands for it.
    const r = spawnSync(process.execPath, ['-e', script, join(dir, 'index.js')], { cwd: tmpdir(), encoding: 'utf8', env: { PATH: process.env.PATH, NODE_PATH: join(packageRoot, 'node_modules') } });
    assert.is(r.status, 0, `${name}: ${r.stderr}`);
    const text = readFileSync(join(dir, 'index.js'), 'utf8');
    assert.not.ok(text.includes('// src/paths.js'), `${name}: no package-tree lookups in a Lambda bundle`);
    assert.not.ok(text.includes('// node_modules/@redis/'), `${name}: the Redis client is left out`);
    assert.match(text, /require\("@aws-sdk\/client-s3"\)/, `${name}: the SDK is left to the Lambda runtime`);
  }
});

t('environment-agnostic: the dead-letter bucket is named through CloudFormation pseudo parameters', async () => {
  const file = join(makeOutdir('stream-sinks-agnostic'), 'agnostic.yaml');
  writeFileSync(file, readFileSync(cdkFixture('stream-sinks.yaml'), 'utf8').replace(/^environments:\n.*\n/m, ''));
  const m = await loadModel(file);
  const s = buildApp(m, { outdir: makeOutdir('stream-sinks-agnostic') }).stacks.find((x) => x.stackName === 'feeds-default-streaming')!;
  const fn = Object.entries(Template.fromStack(s).findResources('AWS::Lambda::Function')).find(([k]) => k.startsWith('ToKinesisStreamSink'))![1] as Resource;
  assert.equal(fn.Properties.Environment.Variables.DEAD_LETTER_BUCKET, { 'Fn::Sub': 'feeds-default-raw-${AWS::AccountId}-${AWS::Region}' });
  assert.equal(runNag([s]).map((f) => `${f.path} ${f.rule}`), []);
});

t('bad props fail with one sentence', () => {
  const s = new Stack(new App({ builtinCloudFormationValidation: false }), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
  const props = {
    functionName: 'f',
    sinkConfig: { sink: 'x' },
    sourceStreamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/s',
    destination: { kind: 'dynamodb' as const, tableArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/t' },
    deadLetterBucketName: 'b',
  };
  assert.throws(() => new StreamSinkFunction(s, 'A', { ...props, batchSize: 10001 }), /StreamSinkFunction 'x': batchSize must be an integer from 1 to 10000, got 10001/);
  assert.throws(() => new StreamSinkFunction(s, 'B', { ...props, parallelizationFactor: 0 }), /parallelizationFactor must be an integer from 1 to 10/);
  assert.throws(() => new StreamSinkFunction(s, 'C', { ...props, maxRetryAttempts: -2 }), /maxRetryAttempts must be an integer from -1 to 10000/);
});

t.run();
