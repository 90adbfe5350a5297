/**
 * The lake's stacks, on one build of the flagship and of the lakehouse fixture:
 * - batch: crawlers, Glue jobs and their rendered scripts, triggers and workflows, replayers into
 *   the lake, and the least-privilege roles (no `*` resource outside IAM_WILDCARD_EXCEPTIONS);
 * - foundations: DataLakeStorage, DataLakeCatalog and AthenaWorkgroup on the same synthesized
 *   templates, plus model literals.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib/core';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildApp } from '../../src/compiler/app.js';
import { AthenaWorkgroup } from '../../src/compiler/constructs/athena-workgroup.js';
import { DataLakeStorage } from '../../src/compiler/constructs/data-lake-storage.js';
import { IAM_WILDCARD_EXCEPTIONS, wildcardExceptionFor } from '../../src/compiler/constructs/glue-data-access-role.js';
import type { BatchStack } from '../../src/compiler/stacks/batch-stack.js';
import { renderTemplate, TemplateError } from '../../src/compiler/templates.js';
import { cdkFixture, flagshipSpec, loadModel, makeOutdir, mystoreModel, removeOutdirs } from '../helpers/models.js';

const t = suite('cdk batch');
let flagship: Template;
let flagshipStack: BatchStack;
let flagshipOut: string;
let lakehouse: Template;
let lakehouseStack: BatchStack;
let lakehouseOut: string;
const all: Template[] = [];
/** The foundations stacks of the same two builds (the second suite below). */
let flagshipFoundations: Template;
let lakehouseFoundations: Template;

t.before(async () => {
  flagshipOut = makeOutdir('batch');
  const f = buildApp(await loadModel(flagshipSpec), { outdir: flagshipOut });
  flagshipStack = f.stacks[1] as BatchStack;
  flagship = Template.fromStack(flagshipStack);
  lakehouseOut = makeOutdir('batch');
  const l = buildApp(await loadModel(cdkFixture('lakehouse.yaml')), { outdir: lakehouseOut });
  lakehouseStack = l.stacks[1] as BatchStack;
  lakehouse = Template.fromStack(lakehouseStack);
  flagshipFoundations = Template.fromStack(f.stacks[0]!);
  lakehouseFoundations = Template.fromStack(l.stacks[0]!);
  all.push(flagship, lakehouse, flagshipFoundations, lakehouseFoundations);
});
t.after(removeOutdirs);

const ref = (prefix: string) => ({ Ref: Match.stringLikeRegexp(`^${prefix}`) });
const logicalId = (tpl: Template, type: string, props: object) => {
  const ids = Object.keys(tpl.findResources(type, { Properties: props }));
  assert.is(ids.length, 1, `one ${type} with ${JSON.stringify(props)}`);
  return ids[0]!;
};

t('crawler: declared tables as catalog targets (schema changes only logged), undeclared prefixes as S3 targets', () => {
  flagship.resourceCountIs('AWS::Glue::Crawler', 1);
  const role = logicalId(flagship, 'AWS::IAM::Role', { Description: 'Glue crawler mystore-dev-raw' });
  // The flagship's replayers write customer/ and store_sale/: both are declared tables.
  flagship.hasResourceProperties('AWS::Glue::Crawler', {
    Name: 'mystore-dev-raw',
    DatabaseName: 'mystore_dev_raw',
    Role: { 'Fn::GetAtt': [role, 'Arn'] },
    CrawlerSecurityConfiguration: 'mystore-dev-glue-security',
    Targets: { CatalogTargets: [{ DatabaseName: 'mystore_dev_raw', Tables: ['customer', 'store_sale'] }], S3Targets: Match.absent() },
    SchemaChangePolicy: { UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' },
    Configuration: JSON.stringify({ Version: 1, CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' } } }),
    Schedule: Match.absent(),
  });
  lakehouse.hasResourceProperties('AWS::Glue::Crawler', {
    Name: 'lakehouse-test-orders',
    Targets: { S3Targets: [{ Path: 's3://lakehouse-test-bronze-111122223333-us-east-1/orders/', Exclusions: ['**.tmp'] }], CatalogTargets: Match.absent() },
    SchemaChangePolicy: { UpdateBehavior: 'UPDATE_IN_DATABASE', DeleteBehavior: 'LOG' },
  });
  lakehouse.hasResourceProperties('AWS::Glue::Crawler', {
    Name: 'lakehouse-test-returns',
    Schedule: { ScheduleExpression: 'cron(0 1 * * ? *)' },
    Targets: { S3Targets: [{ Path: 's3://lakehouse-test-bronze-111122223333-us-east-1/returns/', Exclusions: Match.absent() }] },
  });
});

t('security configuration: logs, bookmarks and S3 encrypted with the platform key from foundations', () => {
  const key = { 'Fn::ImportValue': Match.stringLikeRegexp('^mystore-dev-foundations:ExportsOutputFnGetAttStorageKey') };
  flagship.hasResourceProperties('AWS::Glue::SecurityConfiguration', {
    Name: 'mystore-dev-glue-security',
    EncryptionConfiguration: {
      CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: key },
      JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: key },
      S3Encryptions: [{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: key }],
    },
  });
});

t('jobs: glueetl with the script asset, bookmarks on, security configuration, sizes from spec and blueprint', () => {
  flagship.resourceCountIs('AWS::Glue::Job', 2);
  flagship.hasResourceProperties('AWS::Glue::Job', {
    Name: 'mystore-dev-store-sale-to-parquet',
    Command: {
      Name: 'glueetl',
      PythonVersion: '3',
      ScriptLocation: Match.stringLikeRegexp('^s3://cdk-hnb659fds-assets-123456789012-eu-west-1/[0-9a-f]{64}\\.py$'),
    },
    GlueVersion: '4.0',
    WorkerType: 'G.1X',
    NumberOfWorkers: 2,
    Timeout: 60,
    MaxRetries: 0,
    ExecutionProperty: { MaxConcurrentRuns: 1 },
    SecurityConfiguration: 'mystore-dev-glue-security',
    DefaultArguments: {
      '--job-bookmark-option': 'job-bookmark-enable',
      '--target_path': 's3://mystore-dev-clean-123456789012-eu-west-1/store_sale/',
    },
  });
  lakehouse.hasResourceProperties('AWS::Glue::Job', {
    Name: 'lakehouse-test-orders-to-parquet',
    WorkerType: 'G.2X',
    NumberOfWorkers: 5,
    DefaultArguments: Match.objectLike({ '--target_path': 's3://lakehouse-test-silver-111122223333-us-east-1/tables/orders/' }),
  });
});

t('job script: the rendered template is the staged asset, with catalog names, casts, timestamps and partitions', () => {
  const job = flagshipStack.jobs['store-sale-to-parquet']!;
  const script = readFileSync(join(flagshipOut, `asset.${job.scriptAsset.assetHash}.py`), 'utf8');
  assert.ok(script.includes('SOURCE_DATABASE = "mystore_dev_raw"'));
  assert.ok(script.includes('SOURCE_TABLE = "store_sale"'));
  assert.ok(script.includes('TARGET_DATABASE = "mystore_dev_clean"'));
  assert.ok(script.includes('PARTITION_KEYS = ["sale_date"]'));
  assert.ok(script.includes('TIMESTAMP_FORMAT = "yyyy-MM-dd\'T\'HH:mm:ss"'));
  assert.match(script, /transformation_ctx="source_" \+ SOURCE_TABLE/);
  assert.match(script, /\.cast\(DecimalType\(15, 2\)\)/);
  assert.match(script, /F\.to_timestamp\(F\.col\(field\.name\), TIMESTAMP_FORMAT\)/);
  assert.match(script, /withColumn\("etl_processing_datetime", F\.current_timestamp\(\)\)/);
  assert.match(script, /enableUpdateCatalog=True,[\s\S]*partitionKeys=PARTITION_KEYS/);
  assert.match(script, /setCatalogInfo\(catalogDatabase=TARGET_DATABASE, catalogTableName=TARGET_TABLE\)/);
  assert.match(script, /sink\.setFormat\("glueparquet"\)/);
  assert.match(script, /job\.commit\(\)\s*$/);
  const customer = flagshipStack.jobs['customer-to-parquet']!;
  const other = readFileSync(join(flagshipOut, `asset.${customer.scriptAsset.assetHash}.py`), 'utf8');
  assert.ok(other.includes('PARTITION_KEYS = []'));
  assert.is.not(customer.scriptAsset.assetHash, job.scriptAsset.assetHash);
  const orders = lakehouseStack.jobs['orders-to-parquet']!;
  const o = readFileSync(join(lakehouseOut, `asset.${orders.scriptAsset.assetHash}.py`), 'utf8');
  assert.ok(o.includes('PARTITION_KEYS = ["order_date","region"]'));
  assert.ok(o.includes('TARGET_DATABASE = "lakehouse_test_silver"'));
});

t('workflow: scheduled crawl then, on SUCCEEDED, the jobs; triggers share the workflow', () => {
  const wf = logicalId(flagship, 'AWS::Glue::Workflow', { Name: 'mystore-dev-every-5-minutes' });
  const crawler = logicalId(flagship, 'AWS::Glue::Crawler', { Name: 'mystore-dev-raw' });
  const jobs = ['customer-to-parquet', 'store-sale-to-parquet'].map((j) => logicalId(flagship, 'AWS::Glue::Job', { Name: `mystore-dev-${j}` }));
  flagship.resourceCountIs('AWS::Glue::Trigger', 2);
  flagship.hasResourceProperties('AWS::Glue::Trigger', {
    Name: 'mystore-dev-every-5-minutes',
    Type: 'SCHEDULED',
    Schedule: 'cron(0/5 * * * ? *)',
    StartOnCreation: true,
    WorkflowName: { Ref: wf },
    Actions: [{ CrawlerName: { Ref: crawler } }],
  });
  flagship.hasResourceProperties('AWS::Glue::Trigger', {
    Name: 'mystore-dev-raw-to-clean',
    Type: 'CONDITIONAL',
    WorkflowName: { Ref: wf },
    Predicate: { Logical: 'AND', Conditions: [{ LogicalOperator: 'EQUALS', CrawlerName: { Ref: crawler }, CrawlState: 'SUCCEEDED' }] },
    Actions: jobs.map((j) => ({ JobName: { Ref: j } })),
  });
});

t('triggers: StartOnCreation follows the model for scheduled and conditional triggers alike', () => {
  const on = Template.fromStack(buildApp(mystoreModel(), { outdir: makeOutdir('batch') }).stacks[1]!);
  for (const name of ['mystore-dev-every-5-minutes', 'mystore-dev-raw-to-clean']) on.hasResourceProperties('AWS::Glue::Trigger', { Name: name, StartOnCreation: true });
  const model = mystoreModel();
  const off = { ...model, triggers: { ...model.triggers, 'raw-to-clean': { ...model.triggers['raw-to-clean']!, startOnCreation: false } } };
  const tpl = Template.fromStack(buildApp(off, { outdir: makeOutdir('batch') }).stacks[1]!);
  tpl.hasResourceProperties('AWS::Glue::Trigger', { Name: 'mystore-dev-raw-to-clean', Type: 'CONDITIONAL', StartOnCreation: false });
  tpl.hasResourceProperties('AWS::Glue::Trigger', { Name: 'mystore-dev-every-5-minutes', StartOnCreation: true });
});

t('variant: ANY conditions on job states; a lone scheduled trigger has no workflow', () => {
  lakehouse.resourceCountIs('AWS::Glue::Workflow', 1);
  const wf = logicalId(lakehouse, 'AWS::Glue::Workflow', { Name: 'lakehouse-test-nightly' });
  const job = logicalId(lakehouse, 'AWS::Glue::Job', { Name: 'lakehouse-test-orders-to-parquet' });
  lakehouse.hasResourceProperties('AWS::Glue::Trigger', {
    Name: 'lakehouse-test-recrawl-on-failure',
    WorkflowName: { Ref: wf },
    Predicate: {
      Logical: 'ANY',
      Conditions: [
        { LogicalOperator: 'EQUALS', JobName: { Ref: job }, State: 'FAILED' },
        { LogicalOperator: 'EQUALS', JobName: { Ref: job }, State: 'TIMEOUT' },
      ],
    },
  });
  lakehouse.hasResourceProperties('AWS::Glue::Trigger', {
    Name: 'lakehouse-test-weekly-returns',
    Type: 'SCHEDULED',
    Schedule: 'cron(0 4 ? * SUN *)',
    StartOnCreation: false,
    WorkflowName: Match.absent(),
    Actions: [{ CrawlerName: ref('ReturnsCrawler') }],
  });
});

t('replayers into the lake: one function and schedule each; the sink-target replayer is not compiled here', () => {
  flagship.resourceCountIs('AWS::Lambda::Function', 2);
  flagship.hasResourceProperties('AWS::Events::Rule', { Name: 'mystore-dev-customer-replayer', ScheduleExpression: 'rate(5 minutes)' });
  flagship.hasResourceProperties('AWS::Lambda::Function', {
    FunctionName: 'mystore-dev-store-sale-replayer',
    Environment: { Variables: Match.objectLike({ BUCKET: 'mystore-dev-raw-123456789012-eu-west-1', PREFIX: 'store_sale/', TABLE: 'store_sale', SEED: '42' }) },
  });
  assert.equal(Object.keys(flagshipStack.replayers), ['customer', 'store-sale']);
});

/** Every resource of every identity policy (role inline policies, AWS::IAM::Policy), flattened as cdk-nag prints it. */
function identityPolicyResources(tpl: Template): { resource: string; actions: string[]; condition?: any }[] {
  const out: { resource: string; actions: string[]; condition?: any }[] = [];
  const docs: any[] = [];
  for (const r of Object.values(tpl.toJSON().Resources ?? {}) as any[]) {
    if (r.Type === 'AWS::IAM::Role') for (const p of r.Properties?.Policies ?? []) docs.push(p.PolicyDocument);
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') docs.push(r.Properties.PolicyDocument);
  }
  for (const d of docs) {
    for (const s of d.Statement) {
      if (s.Effect !== 'Allow') continue;
      const actions = [s.Action].flat();
      for (const res of [s.Resource].flat()) out.push({ resource: flattenCfnReference(res), actions, condition: s.Condition });
    }
  }
  return out;
}

t('IAM: no wildcard actions, and no `*` in a resource except the listed exceptions', () => {
  const used = new Set<string>();
  for (const tpl of all) {
    for (const { resource, actions, condition } of identityPolicyResources(tpl)) {
      for (const a of actions) assert.not.ok(a.includes('*'), `wildcard action ${a}`);
      if (!resource.includes('*')) continue;
      // AWS offers no resource for PutMetricData: "*" only with the Glue namespace condition.
      if (resource === '*' && actions.join() === 'cloudwatch:PutMetricData') {
        assert.equal(condition, { StringEquals: { 'cloudwatch:namespace': 'Glue' } });
        continue;
      }
      const e = wildcardExceptionFor(resource);
      assert.ok(e, `unlisted wildcard resource ${resource}`);
      used.add(e!.id);
    }
  }
  assert.not.ok(wildcardExceptionFor('*'));
  assert.not.ok(wildcardExceptionFor('arn:<AWS::Partition>:s3:::*'));
  assert.not.ok(wildcardExceptionFor('arn:<AWS::Partition>:glue:eu-west-1:123456789012:table/*/*'));
  assert.equal([...used].sort(), IAM_WILDCARD_EXCEPTIONS.map((e) => e.id).sort());
});

t('IAM: a job role may publish the metrics --enable-metrics turns on (Glue namespace only); crawler roles may not', () => {
  for (const tpl of all) {
    const resources = tpl.toJSON().Resources as Record<string, any>;
    for (const job of Object.values(resources).filter((r) => r.Type === 'AWS::Glue::Job')) {
      assert.is(job.Properties.DefaultArguments['--enable-metrics'], 'true');
      const roleId = job.Properties.Role['Fn::GetAtt'][0];
      const statements = resources[roleId].Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
      assert.ok(
        statements.some((s: any) => s.Action === 'cloudwatch:PutMetricData' && s.Condition?.StringEquals?.['cloudwatch:namespace'] === 'Glue'),
        `job role ${roleId} lacks cloudwatch:PutMetricData`,
      );
    }
    for (const crawler of Object.values(resources).filter((r) => r.Type === 'AWS::Glue::Crawler')) {
      const roleId = crawler.Properties.Role['Fn::GetAtt'][0];
      const statements = resources[roleId].Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
      assert.not.ok(statements.some((s: any) => [s.Action].flat().includes('cloudwatch:PutMetricData')));
    }
  }
});

t('IAM: the crawler reads exactly its prefixes; a job reads its source and writes only its target', () => {
  const byRole = (tpl: Template, description: string) => {
    const role = Object.values(tpl.findResources('AWS::IAM::Role', { Properties: { Description: description } }))[0] as any;
    const stmts = role.Properties.Policies[0].PolicyDocument.Statement as any[];
    return (action: string) =>
      stmts.filter((s) => [s.Action].flat().includes(action)).flatMap((s) => [s.Resource].flat().map(flattenCfnReference)).sort();
  };
  const raw = 'arn:<AWS::Partition>:s3:::mystore-dev-raw-123456789012-eu-west-1';
  const clean = 'arn:<AWS::Partition>:s3:::mystore-dev-clean-123456789012-eu-west-1';
  const crawler = byRole(flagship, 'Glue crawler mystore-dev-raw');
  assert.equal(crawler('s3:GetObject'), [`${raw}/customer/*`, `${raw}/store_sale/*`]);
  assert.equal(crawler('s3:PutObject'), []);
  // Over declared tables: catalog write on exactly those tables (partitions), no table wildcard.
  assert.equal(crawler('glue:BatchCreatePartition'), [
    'arn:<AWS::Partition>:glue:eu-west-1:123456789012:catalog',
    'arn:<AWS::Partition>:glue:eu-west-1:123456789012:database/mystore_dev_raw',
    'arn:<AWS::Partition>:glue:eu-west-1:123456789012:table/mystore_dev_raw/customer',
    'arn:<AWS::Partition>:glue:eu-west-1:123456789012:table/mystore_dev_raw/store_sale',
  ]);
  assert.equal(crawler('kms:Decrypt'), ['mystore-dev-foundations:ExportsOutputFnGetAttStorageKeyBAA9457BArn746704A7']);
  const job = byRole(flagship, 'Glue job mystore-dev-customer-to-parquet');
  assert.equal(job('s3:PutObject'), [`${clean}/customer/*`]);
  assert.ok(job('s3:GetObject').includes(`${raw}/customer/*`));
  assert.not.ok(job('s3:GetObject').includes(`${raw}/store_sale/*`));
  // Catalog write on the one target table, read on the one source table: no table wildcard for jobs.
  assert.equal(job('glue:UpdateTable'), [
    'arn:<AWS::Partition>:glue:eu-west-1:123456789012:catalog',
    'arn:<AWS::Partition>:glue:eu-west-1:123456789012:database/mystore_dev_clean',
    'arn:<AWS::Partition>:glue:eu-west-1:123456789012:table/mystore_dev_clean/customer',
  ]);
  assert.ok(job('glue:GetTable').includes('arn:<AWS::Partition>:glue:eu-west-1:123456789012:table/mystore_dev_raw/customer'));
  // Log groups: Glue's own names, including the ones it derives under an encrypting security configuration.
  assert.equal(job('logs:AssociateKmsKey'), ['arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:/aws-glue/jobs*']);
  assert.equal(crawler('logs:AssociateKmsKey'), ['arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:/aws-glue/crawlers*']);
  // The script: exactly its asset object in the bootstrap bucket.
  assert.equal(job('s3:GetObject').filter((r) => r.includes('cdk-hnb659fds')), [
    `arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1/${flagshipStack.jobs['customer-to-parquet']!.scriptAsset.assetHash}.py`,
  ]);
  flagship.hasResourceProperties('AWS::IAM::Role', {
    Description: 'Glue job mystore-dev-customer-to-parquet',
    AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'glue.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } })] },
    ManagedPolicyArns: Match.absent(),
  });
});

t('job scripts: every rendered flagship and lakehouse script is valid Python (py_compile)', () => {
  const scripts = [
    ...Object.values(flagshipStack.jobs).map((j) => join(flagshipOut, `asset.${j.scriptAsset.assetHash}.py`)),
    ...Object.values(lakehouseStack.jobs).map((j) => join(lakehouseOut, `asset.${j.scriptAsset.assetHash}.py`)),
  ];
  assert.is(scripts.length, 3);
  // Compiles in memory (no __pycache__ written next to the assembly); prints each failure.
  const code = 'import sys\nfor f in sys.argv[1:]:\n    compile(open(f, encoding="utf-8").read(), f, "exec")\nprint(len(sys.argv) - 1)';
  const r = spawnSync('python3', ['-c', code, ...scripts], { encoding: 'utf8' });
  assert.not.ok(r.error, `python3 is needed to check the Glue scripts: ${r.error?.message}`);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), '3');
  // A broken render (e.g. a quote in a name) is caught by the same check.
  const bad = spawnSync('python3', ['-c', 'compile(\'X = "a"b"\', "t", "exec")'], { encoding: 'utf8' });
  assert.is.not(bad.status, 0);
});

t('job scripts: every column of the declared source table is cast to its catalog type (type drift between crawled windows)', () => {
  // The Glue tables as deployed: the foundations template of the flagship (all[2]).
  const tables = Object.values(all[2]!.findResources('AWS::Glue::Table')).map((r) => r.Properties.TableInput as { Name: string; StorageDescriptor: { Columns: { Name: string; Type: string }[] } });
  const jobs = flagshipStack.jobs;
  assert.ok(Object.keys(jobs).length >= 2);
  for (const [name, job] of Object.entries(jobs)) {
    const text = readFileSync(join(flagshipOut, `asset.${job.scriptAsset.assetHash}.py`), 'utf8');
    const line = /^SOURCE_COLUMNS = (.*)$/m.exec(text);
    assert.ok(line, `${name}: the script declares SOURCE_COLUMNS`);
    const declared = JSON.parse(line![1]!) as [string, string][];
    const sourceTable = name === 'customer-to-parquet' ? 'customer' : 'store_sale';
    const table = tables.find((x) => x.Name === sourceTable);
    assert.ok(table, `the catalog declares ${sourceTable}`);
    assert.equal(declared, table!.StorageDescriptor.Columns.map((c) => [c.Name, c.Type]), `${name}: the script's types are the table's`);
    assert.ok(declared.some(([, type]) => type === 'bigint') && declared.some(([, type]) => type === 'timestamp'));
    // Resolved before the DataFrame exists (a choice type cannot be cast later), then cast per column.
    assert.match(text, /source = source\.resolveChoice\(specs=\[\(name, "cast:" \+ CHOICE_TYPES\[glue_type\]\) for name, glue_type in SOURCE_COLUMNS\]\)/);
    assert.match(text, /for name, glue_type in SOURCE_COLUMNS:\n/);
    assert.match(text, /df = df\.withColumn\(name, F\.col\(name\)\.cast\(glue_type\)\)/);
    assert.ok(text.indexOf('resolveChoice') < text.indexOf('df = source.toDF()'));
  }
});

t('templates: strict rendering names the missing variable; unknown templates get a suggestion', () => {
  assert.throws(() => renderTemplate('aws-native', 'csv-to-parquet', { jobName: 'j' }), (e: Error) => e instanceof TemplateError && /'csv-to-parquet'.*"sourceDatabase" not defined/.test(e.message));
  assert.throws(() => renderTemplate('aws-native', 'csv-to-parket', {}), /template 'csv-to-parket' not found .*did you mean 'csv-to-parquet'\?/);
  const r = renderTemplate('aws-native', 'csv-to-parquet', {
    jobName: 'j', sourceDatabase: 'a', sourceTable: 'b', targetDatabase: 'c', targetTable: 'd', partitionKeys: ['p'], timestampFormat: 'f', dateFormat: 'g', sourceColumns: [],
  });
  assert.is(r.extension, 'py');
  assert.ok(r.text.includes('PARTITION_KEYS = ["p"]'));
});

t.run();

// ---- foundations stack (its own suite, in a block: its helpers keep their names) ----
{
  type Resources = Record<string, { Type: string; Properties?: any; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;

  const t = suite('cdk foundations');
  let flagship: Template;
  let lakehouse: Template;

  // The foundations stacks the batch suite's builds produced.
  t.before(() => {
    flagship = flagshipFoundations;
    lakehouse = lakehouseFoundations;
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
}
