// The ARA blog's data-lake example ("Adding CDK Constructs to the AWS Analytics Reference
// Architecture"), in JavaScript: DataLakeStorage (raw archive 180 days, clean 1095), DataLakeCatalog,
// AthenaDemoSetup, a BatchReplayer of the retail customer dataset into the raw bucket every 5
// minutes, GlueDemoRole, a crawler over the replayed data and its 5-minute scheduled trigger. No
// `env`: environment-agnostic, as in the blog. ara-gen's counterpart is
// test/fixtures/specs/environment-agnostic.yaml. Usage: node app.js OUTDIR
'use strict';
const { App, Stack, Duration } = require('aws-cdk-lib');
const glue = require('aws-cdk-lib/aws-glue');
const ara = require('aws-analytics-reference-architecture');

const outdir = process.argv[2] || 'cdk.out';
const app = new App({ outdir, analyticsReporting: false });
const stack = new Stack(app, 'ara-demo');

const storage = new ara.DataLakeStorage(stack, 'storage', { rawArchiveDelay: 180, cleanArchiveDelay: 1095 });
new ara.DataLakeCatalog(stack, 'catalog', {});
new ara.AthenaDemoSetup(stack, 'demo_setup', {});
const dataGenerator = new ara.BatchReplayer(stack, 'customer', {
  dataset: ara.PreparedDataset.RETAIL_1_GB_CUSTOMER,
  frequency: Duration.minutes(5),
  s3Props: { sinkBucket: storage.rawBucket, sinkObjectKey: 'customer' },
});
const glueRole = ara.GlueDemoRole.getOrCreate(stack);
new glue.CfnCrawler(stack, 'ara-crawler', {
  name: 'ara-crawler',
  role: glueRole.iamRole.roleArn,
  databaseName: 'raw',
  targets: { s3Targets: [{ path: `s3://${storage.rawBucket.bucketName}/${dataGenerator.s3Props?.sinkObjectKey ?? 'customer'}/` }] },
});
new glue.CfnTrigger(stack, 'MyCfnTrigger', {
  type: 'SCHEDULED',
  description: 'ara_crawler_trigger',
  name: 'min_based_trigger',
  schedule: 'cron(0/5 * * * ? *)',
  startOnCreation: true,
  actions: [{ crawlerName: 'ara-crawler' }],
});
app.synth();
