/**
 * Foundations stack: DataLakeStorage, DataLakeCatalog and AthenaWorkgroup on synthesized templates
 * for the flagship, a variant spec and model literals.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildApp } from '../../src/compiler/app.js';
import { DataLakeStorage } from '../../src/compiler/constructs/data-lake-storage.js';
import { AthenaWorkgroup } from '../../src/compiler/constructs/athena-workgroup.js';
import { cdkFixture, flagshipSpec, loadModel, makeOutdir, mystoreModel, removeOutdirs } from '../helpers/models.js';

type Resources = Record<string, { Type: string; Properties?: any; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;

const t = suite('cdk foundations');
let flagship: Template;
let lakehouse: Template;

t.before(async () => {
  const f = buildApp(await loadModel(flagshipSpec), { outdir: makeOutdir('found') });
  flagship = Template.fromStack(f.stacks[0]!);
  const l = buildApp(await loadModel(cdkFixture('lakehouse.yaml')), { outdir: makeOutdir('found') });
  lakehouse = Template.fromStack(l.stacks[0]!);
});
t.after(removeOutdirs);

function bucketNamed(template: Template, name: string): { Properties: any; DeletionPolicy?: string } {
  const found = Object.values(template.findResources('AWS::S3::Bucket', { Properties: { BucketName: name } }));
  assert.is(found.length, 1, `one bucket named ${name}`);
  return found[0] as { Properties: any; DeletionPolicy?: string };
}

function transitions(template: Template, name: string): Record<string, number> {
  const rules = bucketNamed(template, name).Properties.LifecycleConfiguration.Rules as any[];
  assert.is(rules.length, 1);
  assert.is(rules[0].AbortIncompleteMultipartUpload.DaysAfterInitiation, 1);
  assert.is(rules[0].Status, 'Enabled');
  return Object.fromEntries((rules[0].Transitions as any[]).map((x) => [x.StorageClass, x.TransitionInDays]));
}

t('flagship: one bucket per layer with deterministic names and lifecycle days from the spec', () => {
  const n = (layer: string) => `mystore-dev-${layer}-123456789012-eu-west-1`;
  assert.equal(transitions(flagship, n('raw')), { STANDARD_IA: 30, GLACIER: 180 });
  assert.equal(transitions(flagship, n('clean')), { STANDARD_IA: 90, GLACIER: 1095 });
  assert.equal(transitions(flagship, n('transform')), { STANDARD_IA: 90 });
  // layers + access logs + Athena results
  flagship.resourceCountIs('AWS::S3::Bucket', 5);
});

t('variant: exactly the declared layers, each with its own days; a named blueprint layer gets the blueprint values', () => {
  const n = (layer: string) => `lakehouse-test-${layer}-111122223333-us-east-1`;
  assert.equal(transitions(lakehouse, n('bronze')), { STANDARD_IA: 45, GLACIER: 120 });
  assert.equal(transitions(lakehouse, n('silver')), { STANDARD_IA: 60 });
  assert.equal(transitions(lakehouse, n('raw')), { STANDARD_IA: 30, GLACIER: 90 }); // blueprint defaults
  assert.equal(Object.keys(lakehouse.findResources('AWS::S3::Bucket', { Properties: { BucketName: n('clean') } })), [], 'an undeclared blueprint layer is not added');
  lakehouse.resourceCountIs('AWS::S3::Bucket', 5);
});

t('layer buckets: SSE-KMS with the platform key and bucket keys, no public access, owner enforced, access logs per layer', () => {
  const key = Object.keys(flagship.findResources('AWS::KMS::Key'));
  assert.is(key.length, 1);
  const logsId = Object.keys(flagship.findResources('AWS::S3::Bucket', { Properties: { BucketName: 'mystore-dev-access-logs-123456789012-eu-west-1' } }))[0];
  for (const layer of ['raw', 'clean', 'transform']) {
    const p = bucketNamed(flagship, `mystore-dev-${layer}-123456789012-eu-west-1`).Properties;
    assert.equal(p.BucketEncryption.ServerSideEncryptionConfiguration, [
      { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [key[0], 'Arn'] } } },
    ]);
    assert.equal(p.PublicAccessBlockConfiguration, { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    assert.equal(p.OwnershipControls, { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    assert.is(p.LoggingConfiguration.LogFilePrefix, `${layer}-bucket/`);
    assert.equal(p.LoggingConfiguration.DestinationBucketName, { Ref: logsId });
  }
  const logs = bucketNamed(flagship, 'mystore-dev-access-logs-123456789012-eu-west-1').Properties;
  // S3 cannot deliver access logs to an SSE-KMS bucket.
  assert.equal(logs.BucketEncryption.ServerSideEncryptionConfiguration, [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }]);
});

t('key: customer managed with rotation; CloudWatch Logs may use it only for Glue log groups', () => {
  flagship.hasResourceProperties('AWS::KMS::Key', {
    EnableKeyRotation: true,
    KeyPolicy: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
        }),
      ]),
    },
  });
  const statements = (Object.values(flagship.findResources('AWS::KMS::Key'))[0] as any).Properties.KeyPolicy.Statement as any[];
  const logs = statements.find((s) => s.Principal?.Service === 'logs.eu-west-1.amazonaws.com');
  assert.equal(logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'], {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:/aws-glue/*']],
  });
});

t('bucket policies deny non-TLS and TLS < 1.2 on every bucket', () => {
  const policies = Object.values(flagship.findResources('AWS::S3::BucketPolicy')) as any[];
  assert.is(policies.length, 5);
  for (const p of policies) {
    const denies = (p.Properties.PolicyDocument.Statement as any[]).filter((s) => s.Effect === 'Deny');
    assert.ok(denies.some((s) => s.Condition?.Bool?.['aws:SecureTransport'] === 'false' && s.Action === 's3:*'));
    assert.ok(denies.some((s) => s.Condition?.NumericLessThan?.['s3:TlsVersion'] === 1.2));
  }
});

t('removal policy: destroy deletes buckets and key and empties buckets; retain keeps them and adds no emptying', () => {
  const dev = flagship.toJSON().Resources as Resources;
  const ret = lakehouse.toJSON().Resources as Resources;
  const of = (r: Resources, type: string) => Object.values(r).filter((x) => x.Type === type);
  for (const b of [...of(dev, 'AWS::S3::Bucket'), ...of(dev, 'AWS::KMS::Key')]) assert.is(b.DeletionPolicy, 'Delete');
  assert.is(of(dev, 'Custom::S3AutoDeleteObjects').length, 5);
  for (const b of [...of(ret, 'AWS::S3::Bucket'), ...of(ret, 'AWS::KMS::Key')]) {
    assert.is(b.DeletionPolicy, 'Retain');
    assert.is(b.UpdateReplacePolicy, 'Retain');
  }
  assert.is(of(ret, 'Custom::S3AutoDeleteObjects').length, 0);
  assert.is(of(ret, 'AWS::Lambda::Function').length, 0);
});

t('catalog: one Glue database per entry located at its layer bucket and prefix', () => {
  flagship.resourceCountIs('AWS::Glue::Database', 3);
  flagship.hasResourceProperties('AWS::Glue::Database', {
    CatalogId: '123456789012',
    DatabaseInput: { Name: 'mystore_dev_clean', LocationUri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^StorageCleanBucket') }, '/']] } },
  });
  lakehouse.hasResourceProperties('AWS::Glue::Database', {
    DatabaseInput: { Name: 'lakehouse_test_silver', LocationUri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^StorageSilverBucket') }, '/tables/']] } },
  });
});

t('athena: enforced workgroup, SSE-KMS results in its own expiring bucket, scan cutoff, CloudWatch metrics', () => {
  flagship.hasResourceProperties('AWS::Athena::WorkGroup', {
    Name: 'mystore-dev-demo',
    RecursiveDeleteOption: true,
    WorkGroupConfiguration: {
      EnforceWorkGroupConfiguration: true,
      PublishCloudWatchMetricsEnabled: true,
      BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
      ResultConfiguration: {
        EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageKey'), 'Arn'] } },
        OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^DemoWorkgroupResultsBucket') }, '/athena-results/']] },
      },
    },
  });
  const results = bucketNamed(flagship, 'mystore-dev-demo-athena-results-123456789012-eu-west-1').Properties;
  assert.is(results.LifecycleConfiguration.Rules[0].ExpirationInDays, 30);
  assert.is(results.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm, 'aws:kms');
  // The variant's workgroup: no cutoff (unlimited), 7 days of results, saved queries kept (retain).
  const wg = Object.values(lakehouse.findResources('AWS::Athena::WorkGroup'))[0] as any;
  assert.is(wg.Properties.WorkGroupConfiguration.BytesScannedCutoffPerQuery, undefined);
  assert.is(wg.Properties.RecursiveDeleteOption, false);
  assert.is(bucketNamed(lakehouse, 'lakehouse-test-adhoc-athena-results-111122223333-us-east-1').Properties.LifecycleConfiguration.Rules[0].ExpirationInDays, 7);
});

t('storage encryption s3: SSE-S3 buckets, no key, SSE_S3 Athena results', async () => {
  const { stacks } = buildApp(mystoreModel({ encryption: 's3' }), { outdir: makeOutdir('found') });
  const tpl = Template.fromStack(stacks[0]!);
  tpl.resourceCountIs('AWS::KMS::Key', 0);
  const p = bucketNamed(tpl, 'mystore-dev-raw-123456789012-eu-west-1').Properties;
  assert.equal(p.BucketEncryption.ServerSideEncryptionConfiguration, [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }]);
  tpl.hasResourceProperties('AWS::Athena::WorkGroup', {
    WorkGroupConfiguration: { ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } } },
  });
});

t('constructs reject lifecycle and cutoff values S3 and Athena would refuse, naming the entry', () => {
  const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'S');
  assert.throws(
    () => new DataLakeStorage(stack, 'A', { layers: [{ name: 'raw', infrequentAccessDelay: 10 }] }),
    /layer 'raw': infrequentAccessDelay must be an integer >= 30/,
  );
  assert.throws(
    () => new DataLakeStorage(stack, 'B', { layers: [{ name: 'raw', infrequentAccessDelay: 80, archiveDelay: 100 }] }),
    /layer 'raw': archiveDelay must be an integer >= 110/,
  );
  const logs = new DataLakeStorage(stack, 'C', { layers: [] }).accessLogsBucket;
  assert.throws(
    () => new AthenaWorkgroup(stack, 'W', { workgroupName: 'w', resultsRetentionDays: 1, bytesScannedCutoffPerQuery: 1000, accessLogsBucket: logs }),
    /'w': bytesScannedCutoffPerQuery must be >= 10 MB/,
  );
  assert.throws(() => new DataLakeStorage(stack, 'D', { layers: [{ name: 'raw', infrequentAccessDelay: 30 }] }).bucket('rwa'), /unknown layer 'rwa' \(layers: raw\)/);
});

t.run();
