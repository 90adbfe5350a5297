/**
 * Streaming module and declared catalog tables: Kinesis streams, Glue tables with the generator's
 * columns, crawlers over declared tables, Firehose delivery streams, on synthesized templates of the
 * flagship and the all-variants spec; and the proof that the generated data matches its tables.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildApp } from '../../src/compiler/app.js';
import { catalogTables } from '../../src/compiler/catalog-tables.js';
import { compileSinkConfig } from '../../src/compiler/sink-config.js';
import { GLUE_TYPES } from '../../src/compiler/constructs/glue-table.js';
import type { PlatformModel } from '../../src/compiler/model.js';
import { datasetTable, REPLAY_PARTITION_KEYS, TIMESTAMP_PATTERN } from '../../src/contract/datasets.js';
import { generateWindow } from '../../src/datasets/retail.js';
import { configFromEnv, renderWindow, windowEndingAt } from '../../src/runtime/replayer/handler.js';
import { flagshipSpec, loadModel, makeOutdir, removeOutdirs } from '../helpers/models.js';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

const t = suite('cdk streaming');
const variantsSpec = join(packageRoot, 'test', 'fixtures', 'specs', 'all-variants.yaml');
let model: PlatformModel;
let foundations: Template;
let batch: Template;
let streaming: Template;
let variants: Template;

t.before(async () => {
  model = await loadModel(flagshipSpec);
  const f = buildApp(model, { outdir: makeOutdir('streaming') });
  [foundations, batch, streaming] = f.stacks.map((s) => Template.fromStack(s)) as [Template, Template, Template];
  const v = buildApp(await loadModel(variantsSpec, 'staging'), { outdir: makeOutdir('streaming') });
  variants = Template.fromStack(v.stacks.find((s) => s.stackName === 'variants-staging-streaming')!);
});
t.after(removeOutdirs);

const KEY = { 'Fn::ImportValue': Match.stringLikeRegexp('^mystore-dev-foundations:ExportsOutputFnGetAttStorageKey') };

t('streams: physical names from the model (the sink config names), shards, retention, the platform key', () => {
  streaming.resourceCountIs('AWS::Kinesis::Stream', 1);
  streaming.hasResourceProperties('AWS::Kinesis::Stream', {
    Name: 'mystore-dev-web-sale',
    ShardCount: 2,
    RetentionPeriodHours: 24,
    StreamModeDetails: { StreamMode: 'PROVISIONED' },
    StreamEncryption: { EncryptionType: 'KMS', KeyId: KEY },
  });
  // No key of its own: the platform has one key.
  streaming.resourceCountIs('AWS::KMS::Key', 0);
  // On-demand without a shard count; S3-managed storage means the AWS-managed Kinesis key.
  variants.hasResourceProperties('AWS::Kinesis::Stream', {
    Name: 'variants-staging-audit',
    ShardCount: Match.absent(),
    StreamModeDetails: { StreamMode: 'ON_DEMAND' },
    StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
  });
  variants.hasResourceProperties('AWS::Kinesis::Stream', { Name: 'variants-staging-clicks', ShardCount: 1, RetentionPeriodHours: 48 });
});

const tableNamed = (name: string) => {
  const found = Object.values(foundations.findResources('AWS::Glue::Table', { Properties: { TableInput: { Name: name } } }));
  assert.is(found.length, 1, `one table ${name}`);
  return (found[0] as any).Properties;
};

t('Glue tables: the generator columns and types, partition keys, location and SerDe of each dataset', () => {
  foundations.resourceCountIs('AWS::Glue::Table', 3);
  const customer = tableNamed('customer');
  assert.is(customer.DatabaseName, 'mystore_dev_raw');
  const sd = customer.TableInput.StorageDescriptor;
  assert.is(sd.Location, 's3://mystore-dev-raw-123456789012-eu-west-1/customer/');
  assert.equal(
    sd.Columns,
    datasetTable('retail', 'customer')!.columns.map((c) => ({ Name: c.name, Type: GLUE_TYPES[c.type] })),
  );
  assert.ok(sd.Columns.some((c: any) => c.Name === 'customer_id' && c.Type === 'bigint'));
  assert.ok(sd.Columns.some((c: any) => c.Name === 'birth_date' && c.Type === 'date'));
  assert.ok(sd.Columns.some((c: any) => c.Name === 'customer_datetime' && c.Type === 'timestamp'));
  assert.equal(customer.TableInput.PartitionKeys, [...REPLAY_PARTITION_KEYS].map((Name) => ({ Name, Type: 'string' })));
  assert.is(sd.SerdeInfo.SerializationLibrary, 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe');
  assert.equal(sd.SerdeInfo.Parameters, { 'field.delim': ',', 'serialization.format': ',', 'timestamp.formats': TIMESTAMP_PATTERN });
  assert.is(customer.TableInput.Parameters['skip.header.line.count'], '1');
  assert.is(customer.TableInput.Parameters.classification, 'csv');

  const web = tableNamed('web_sale');
  assert.is(web.TableInput.StorageDescriptor.Location, 's3://mystore-dev-raw-123456789012-eu-west-1/web_sale/');
  assert.is(web.TableInput.StorageDescriptor.SerdeInfo.SerializationLibrary, 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
  assert.equal(web.TableInput.PartitionKeys.map((k: any) => k.Name), ['year', 'month', 'day', 'hour']);
  assert.equal(web.TableInput.StorageDescriptor.Columns.map((c: any) => c.Name), datasetTable('retail', 'web_sale')!.columns.map((c) => c.name));
  // No column is both a data column and a partition key, in any declared table.
  for (const table of catalogTables(model)) {
    const names = new Set(table.columns.map((c) => c.name));
    assert.equal(table.partitionKeys.filter((k) => names.has(k)), [], `${table.glueDatabase}.${table.name}`);
  }
});

t('a generated window: CSV header = table columns, path = partition keys; JSON keys = the delivery table columns', () => {
  const tables = catalogTables(model);
  const customer = tables.find((x) => x.name === 'customer')!;
  const config = configFromEnv({ BUCKET: 'b', PREFIX: 'customer/', TABLE: 'customer', SEED: '42', RECORDS_PER_WINDOW: '500', FREQUENCY_SECONDS: '300' });
  const [part] = renderWindow(config, windowEndingAt(new Date('2024-03-01T10:07:00Z'), 300));
  const lines = part!.body.toString('utf8').split('\r\n');
  assert.equal(lines[0]!.split(','), customer.columns.map((c) => c.name));
  const folders = part!.key.slice(customer.location.prefix.length).split('/').slice(0, -1);
  assert.equal(folders.map((f) => f.split('=')[0]), [...customer.partitionKeys]);
  assert.ok(part!.key.startsWith(customer.location.prefix));
  // LazySimpleSerDe cannot read quoted fields: no generated value may need quoting, in any table.
  for (const table of ['customer', 'customer_address', 'item', 'promo', 'store', 'warehouse', 'store_sale', 'web_sale']) {
    const rows = generateWindow(table, { seed: 7, start: new Date('2024-03-01T00:00:00Z'), end: new Date('2024-03-01T01:00:00Z'), recordsPerWindow: 2000 });
    for (const row of rows) for (const v of Object.values(row)) assert.not.ok(typeof v === 'string' && /[",\r\n]/.test(v), `${table}: ${v}`);
  }
  const web = tables.find((x) => x.name === 'web_sale')!;
  const events = generateWindow('web_sale', { seed: 42, start: new Date('2024-03-01T10:00:00Z'), end: new Date('2024-03-01T10:01:00Z'), recordsPerWindow: 50 });
  for (const e of events) assert.equal(Object.keys(JSON.parse(JSON.stringify(e))), web.columns.map((c) => c.name));
});

t('crawlers over declared tables: catalog targets, schema changes logged only', () => {
  batch.hasResourceProperties('AWS::Glue::Crawler', {
    Targets: { CatalogTargets: [{ DatabaseName: 'mystore_dev_raw', Tables: ['customer', 'store_sale'] }] },
    SchemaChangePolicy: { UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' },
  });
});

t('delivery stream: from the stream to arrival-hour folders, Parquet against exactly the declared table', () => {
  streaming.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
  const [id, ds] = Object.entries(streaming.findResources('AWS::KinesisFirehose::DeliveryStream'))[0] as [string, any];
  assert.ok(id);
  const p = ds.Properties;
  assert.is(p.DeliveryStreamName, 'mystore-dev-web-sale-to-raw');
  assert.is(p.DeliveryStreamType, 'KinesisStreamAsSource');
  assert.equal(p.KinesisStreamSourceConfiguration.KinesisStreamARN['Fn::GetAtt'][1], 'Arn');
  const s3 = p.ExtendedS3DestinationConfiguration;
  assert.is(s3.Prefix, 'web_sale/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/');
  assert.is(s3.ErrorOutputPrefix, '_firehose-errors/web-sale-to-raw/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/');
  assert.equal(s3.BufferingHints, { SizeInMBs: 64, IntervalInSeconds: 300 });
  assert.match(JSON.stringify(s3.EncryptionConfiguration), /^\{"KMSEncryptionConfig":\{"AWSKMSKeyARN":\{"Fn::ImportValue":"mystore-dev-foundations:ExportsOutputFnGetAttStorageKey/);
  const conv = s3.DataFormatConversionConfiguration;
  assert.is(conv.Enabled, true);
  assert.equal(conv.InputFormatConfiguration, { Deserializer: { HiveJsonSerDe: { TimestampFormats: [TIMESTAMP_PATTERN] } } });
  assert.equal(conv.OutputFormatConfiguration, { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } });
  // The schema names exactly the declared table of the foundations stack.
  const table = tableNamed('web_sale');
  assert.is(conv.SchemaConfiguration.DatabaseName, table.DatabaseName);
  assert.is(conv.SchemaConfiguration.TableName, table.TableInput.Name);
  assert.is(conv.SchemaConfiguration.VersionId, 'LATEST');
  // Partition folders in the prefix are the table's partition keys, in order.
  assert.equal([...s3.Prefix.matchAll(/(\w+)=!\{timestamp/g)].map((m) => m[1]), table.TableInput.PartitionKeys.map((k: any) => k.Name));
});

t('delivery stream role: its stream, its prefixes, its table, the key, its log stream; nothing else', () => {
  const policy = Object.values(streaming.findResources('AWS::IAM::Policy'))[0] as any;
  const grants = (policy.Properties.PolicyDocument.Statement as any[]).map((s) => [s.Sid, [s.Action].flat(), [s.Resource].flat().map(flattenCfnReference)]);
  const bucket = 'arn:<AWS::Partition>:s3:::mystore-dev-raw-123456789012-eu-west-1';
  assert.equal(
    grants.find((g) => g[0] === 'Objects')![2],
    [`${bucket}/web_sale/*`, `${bucket}/_firehose-errors/web-sale-to-raw/*`],
  );
  assert.equal(grants.find((g) => g[0] === 'Schema')![2], [
    'arn:<AWS::Partition>:glue:eu-west-1:123456789012:catalog',
    'arn:<AWS::Partition>:glue:eu-west-1:123456789012:database/mystore_dev_raw',
    'arn:<AWS::Partition>:glue:eu-west-1:123456789012:table/mystore_dev_raw/web_sale',
  ]);
  assert.equal((grants.find((g) => g[0] === 'ReadStream')![2] as string[]).length, 1);
  for (const [, actions] of grants) for (const a of actions as string[]) assert.not.ok(a.includes('*'), a);
  streaming.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'firehose.amazonaws.com' }, Condition: { StringEquals: { 'sts:ExternalId': '123456789012' } } }] },
  });
});

t('replayer into a sink: a scheduled Lambda with the sink config embedded, least-privilege grants', () => {
  // The replayer, and the stream-fed sink web-sale-revenue (cdk-stream-sinks.test.ts).
  streaming.resourceCountIs('AWS::Lambda::Function', 2);
  const fn = Object.values(streaming.findResources('AWS::Lambda::Function')).find((f: any) => f.Properties.Environment.Variables.TABLE) as any;
  const env = fn.Properties.Environment.Variables;
  assert.is(fn.Properties.FunctionName, 'mystore-dev-web-sale-replayer');
  assert.equal(JSON.parse(env.SINK_CONFIG), JSON.parse(JSON.stringify(compileSinkConfig(model, model.sinks['web-sale-events']!))));
  assert.is(env.TABLE, 'web_sale');
  assert.is(env.DEAD_LETTER_BUCKET, 'mystore-dev-raw-123456789012-eu-west-1');
  assert.is(env.DEAD_LETTER_PREFIX, '_dead-letters/web-sale-events/');
  assert.is(env.FREQUENCY_SECONDS, '60');
  assert.ok(Number(env.STOP_MARGIN_MS) * 2 <= fn.Properties.Timeout * 1000, 'the stop margin fits the timeout');
  streaming.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
  const policy = Object.values(streaming.findResources('AWS::IAM::Policy')).find((p: any) => p.Properties.PolicyDocument.Statement.some((s: any) => s.Sid === 'DeadLetters' && JSON.stringify(s.Resource).includes('web-sale-events'))) as any;
  const bySid = Object.fromEntries((policy.Properties.PolicyDocument.Statement as any[]).map((s) => [s.Sid, s]));
  assert.equal(bySid.Destination.Action, ['kinesis:PutRecords', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards']);
  assert.equal(bySid.Destination.Resource['Fn::GetAtt'][1], 'Arn');
  assert.is(flattenCfnReference(bySid.DeadLetters.Resource), 'arn:<AWS::Partition>:s3:::mystore-dev-raw-123456789012-eu-west-1/_dead-letters/web-sale-events/*');
});

t('a replayer into a KPL-aggregating kinesis sink may also list the shards of its stream (and only of it)', () => {
  const policies = Object.values(variants.findResources('AWS::IAM::Policy')) as any[];
  const destination = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as any[]).filter((s) => s.Sid === 'Destination' && [s.Action].flat().includes('kinesis:PutRecords'));
  assert.is(destination.length, 1);
  assert.equal(destination[0].Action, ['kinesis:PutRecords', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards']);
  assert.equal(destination[0].Resource['Fn::GetAtt'][1], 'Arn');
});

t('direct PUT delivery stream (what a firehose sink writes to): encrypted at rest, no stream source', () => {
  variants.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
    DeliveryStreamName: 'variants-staging-direct-in',
    DeliveryStreamType: 'DirectPut',
    KinesisStreamSourceConfiguration: Match.absent(),
    DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
    ExtendedS3DestinationConfiguration: Match.objectLike({ CompressionFormat: 'GZIP', DataFormatConversionConfiguration: Match.absent() }),
  });
});

t('the flagship: web-sale-revenue reads web-sale in batches of 500, a 5 s window, 2 per shard, into CloudWatch metrics', () => {
  streaming.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebSaleStream'), 'Arn'] },
    BatchSize: 500,
    MaximumBatchingWindowInSeconds: 5,
    ParallelizationFactor: 2,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  });
  streaming.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'cloudwatch:PutMetricData', Condition: { StringEquals: { 'cloudwatch:namespace': 'MyStore/Sales' } } })]) },
  });
});

t.run();
