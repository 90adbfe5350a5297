// resolve(): blueprint defaults, environment overlay, units, prefixes, physical names, workflows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSpec } from '../../src/compiler/load.js';
import type { PlatformModel } from '../../src/compiler/model.js';
import { loadBlueprint, canonicalS3Prefix, resolve } from '../../src/compiler/resolve.js';
import { checkRules } from '../../src/compiler/rules/index.js';
import { packageRoot } from '../../src/paths.js';

const flagship = join(packageRoot, 'examples', 'mystore.yaml');
const variants = join(packageRoot, 'test', 'fixtures', 'specs', 'all-variants.yaml');

function doc(file: string, text = readFileSync(file, 'utf8')) {
  const parsed = parseSpec(file, text);
  assert.ok(parsed.document, `${file} parses`);
  return parsed.document!;
}

function model(file: string, env?: string, text?: string): PlatformModel {
  const d = doc(file, text);
  assert.equal(checkRules(d), [], 'spec has no rule findings');
  const r = resolve(d, env === undefined ? {} : { env });
  assert.equal(r.diagnostics, []);
  assert.ok(r.model);
  return r.model!;
}

/** The model without source positions (compared across environments and specs). */
const strip = (m: unknown): unknown => JSON.parse(JSON.stringify(m, (k, v) => (k === 'source' ? undefined : v)));

const Flagship = suite('resolve: flagship');

Flagship('defaults to the first environment and fills blueprint defaults', () => {
  const m = model(flagship);
  assert.equal(strip(m.environment), { name: 'dev', account: '123456789012', region: 'eu-west-1', network: { kind: 'created', cidr: '10.20.0.0/16', availabilityZones: ['euw1-az1', 'euw1-az2', 'euw1-az3'] } });
  assert.equal(m.environmentNames, ['dev', 'prod']);
  assert.is(m.platform, 'aws-native');
  const job = m.jobs['customer-to-parquet']!;
  assert.equal([job.glueVersion, job.workerType, job.workers, job.timeoutMinutes, job.maxRetries], ['4.0', 'G.1X', 2, 60, 0]);
  assert.equal(job.input, { database: 'raw', table: 'customer' });
  assert.equal(job.target, { layer: 'clean', prefix: 'customer/', database: 'clean', table: 'customer' });
  assert.equal(m.jobs['store-sale-to-parquet']!.partitionBy, ['sale_date']);
  assert.equal(m.jobs['customer-to-parquet']!.partitionBy, []);
  assert.equal(strip(m.streams['web-sale']), { name: 'web-sale', mode: 'provisioned', shards: 2, retentionHours: 24, encryption: 'kms', physicalName: 'mystore-dev-web-sale' });
  assert.equal(m.replayers.customer!.seed, 42);
  assert.equal(m.replayers.customer!.recordsPerWindow, 100);
  assert.equal(m.sinks['web-sale-events']!.retry, { maxAttempts: 10, initialBackoffMs: 100, maxBackoffMs: 10000, requestTimeoutMs: 30000 });
  assert.equal(m.sinks['web-sale-events']!.aggregation, 'none');
  assert.equal(m.athena.workgroups.demo!.enforceConfiguration, true);
  assert.equal(m.crawlers.raw!.exclude, ['**_SUCCESS', '**crc']);
  assert.equal(m.triggers['raw-to-clean']!.startOnCreation, true); // conditional triggers are active by default
  assert.equal(m.triggers['every-5-minutes']!.startOnCreation, true);
});

Flagship('a stream source resolves to the event source mapping settings; omitted ones from the blueprint', () => {
  const m = model(flagship);
  assert.equal(m.sinks['web-sale-revenue']!.input, {
    kind: 'stream',
    stream: 'web-sale',
    batchSize: 500,
    maxBatchingWindowSeconds: 5,
    parallelizationFactor: 2,
    bisectOnError: true,
    maxRetryAttempts: 10,
    startingPosition: 'TRIM_HORIZON',
    functionName: 'mystore-dev-web-sale-revenue-sink',
  });
  assert.is(m.sinks['web-sale-events']!.input, undefined);
  const text = readFileSync(flagship, 'utf8').replace('parallelizationFactor: 2 }', 'parallelizationFactor: 2, startingPosition: latest, maxRetryAttempts: -1, bisectOnError: false }');
  const input = model(flagship, undefined, text).sinks['web-sale-revenue']!.input!;
  assert.equal([input.startingPosition, input.maxRetryAttempts, input.bisectOnError], ['LATEST', -1, false]);
});

Flagship('the spec overrides the blueprint: maps merge, scalars replace', () => {
  const m = model(flagship);
  // Blueprint: raw archives at 90 days and retains data; the spec says 180 and destroy.
  assert.equal(m.storage.layers.raw!.archiveDelay, 180);
  assert.equal(m.storage.layers.clean!.archiveDelay, 1095);
  assert.is(m.storage.layers.transform!.archiveDelay, undefined);
  assert.is(m.storage.removalPolicy, 'destroy');
  assert.equal(Object.keys(m.storage.layers), ['raw', 'clean', 'transform']);
});

Flagship('units are converted: sizes to bytes, durations to seconds', () => {
  const m = model(flagship);
  assert.is(m.athena.workgroups.demo!.bytesScannedCutoff, 10 * 1024 ** 3);
  assert.equal(m.sinks['web-sale-events']!.bufferingHints, {
    maxBatchSize: 500,
    maxBatchBytes: 5 * 1024 ** 2,
    maxRecordBytes: 1024 ** 2,
    maxBufferedRequests: 10000,
    maxTimeInBufferMs: 1000,
    maxInFlightRequests: 16,
  });
  assert.is(m.replayers.customer!.frequencySeconds, 300);
  assert.is(m.replayers['web-sale']!.frequencySeconds, 60);
  assert.is(m.warehouse!.loadScheduleSeconds, 1800);
  assert.equal(m.deliveryStreams['web-sale-to-raw']!.bufferingHints, { sizeMiB: 64, intervalSeconds: 300 });
});

Flagship('physical names come from naming.ts', () => {
  const m = model(flagship, 'prod');
  assert.is(m.storage.layers.raw!.bucketName, 'mystore-prod-raw-210987654321-eu-west-1');
  assert.is(m.storage.accessLogsBucketName, 'mystore-prod-access-logs-210987654321-eu-west-1');
  assert.is(m.athena.workgroups.demo!.resultsBucketName, 'mystore-prod-demo-athena-results-210987654321-eu-west-1');
  assert.is(m.athena.workgroups.demo!.physicalName, 'mystore-prod-demo');
  assert.is(m.catalog.databases.clean!.glueName, 'mystore_prod_clean');
  assert.is(m.crawlers.raw!.physicalName, 'mystore-prod-raw');
  assert.is(m.jobs['store-sale-to-parquet']!.physicalName, 'mystore-prod-store-sale-to-parquet');
  assert.is(m.triggers['raw-to-clean']!.physicalName, 'mystore-prod-raw-to-clean');
  assert.is(m.replayers['store-sale']!.physicalName, 'mystore-prod-store-sale-replayer');
  assert.equal(m.sinks['web-sale-events']!.destination, { type: 'kinesis', stream: 'web-sale', streamName: 'mystore-prod-web-sale' });
  assert.is(m.deliveryStreams['web-sale-to-raw']!.physicalName, 'mystore-prod-web-sale-to-raw');
  assert.is(m.warehouse!.physicalName, 'mystore-prod-mystore');
  assert.is(m.dashboards.sales!.physicalName, 'mystore-prod-sales');
});

Flagship("prod's removalPolicy: retain and its dashboard principal change exactly those settings", () => {
  const dev = model(flagship, 'dev');
  const prod = model(flagship, 'prod');
  const neutral = (m: PlatformModel): Record<string, unknown> => {
    const json = JSON.stringify(m)
      .replaceAll(`-${m.environment.account}-`, '-<account>-')
      .replaceAll(`mystore-${m.environment.name}-`, 'mystore-<env>-')
      .replaceAll(`mystore_${m.environment.name}_`, 'mystore_<env>_');
    const o = JSON.parse(json) as Record<string, unknown>;
    delete o.environment;
    return o;
  };
  const d = neutral(dev);
  const p = neutral(prod);
  assert.is((d.storage as { removalPolicy: string }).removalPolicy, 'destroy');
  assert.is((p.storage as { removalPolicy: string }).removalPolicy, 'retain');
  (p.storage as { removalPolicy: string }).removalPolicy = 'destroy';
  const principal = (m: Record<string, unknown>) => (m.dashboards as Record<string, { principal: string }>).sales!;
  assert.is(principal(d).principal, 'arn:aws:quicksight:eu-west-1:123456789012:group/default/analysts');
  assert.is(principal(p).principal, 'arn:aws:quicksight:eu-west-1:210987654321:group/default/analysts');
  principal(p).principal = principal(d).principal;
  assert.equal(p, d);
});

Flagship('the scheduled trigger and the conditional trigger it feeds form one workflow', () => {
  const m = model(flagship);
  assert.equal(m.workflows, { 'every-5-minutes': { name: 'every-5-minutes', physicalName: 'mystore-dev-every-5-minutes', triggers: ['every-5-minutes', 'raw-to-clean'] } });
  assert.is(m.triggers['every-5-minutes']!.workflow, 'every-5-minutes');
  assert.is(m.triggers['raw-to-clean']!.workflow, 'every-5-minutes');
  const t = m.triggers['raw-to-clean']!;
  assert.ok(t.type === 'conditional');
  if (t.type === 'conditional') {
    assert.equal(t.conditions, [{ kind: 'crawler', name: 'raw', state: 'SUCCEEDED' }]);
    assert.is(t.logical, 'AND');
    assert.equal(t.actions, [{ kind: 'job', name: 'customer-to-parquet' }, { kind: 'job', name: 'store-sale-to-parquet' }]);
  }
});

Flagship('every entry carries its source position', () => {
  const m = model(flagship);
  assert.equal(m.sinks['web-sale-events']!.source, { file: flagship, path: '/sinks/web-sale-events', line: 108, col: 3 });
  assert.equal(m.triggers['raw-to-clean']!.source, { file: flagship, path: '/triggers/raw-to-clean', line: 94, col: 3 });
  assert.equal(m.storage.layers.clean!.source, { file: flagship, path: '/storage/layers/clean', line: 37, col: 5 });
  assert.equal(m.warehouse!.source, { file: flagship, path: '/warehouse', line: 144, col: 1 });
});

Flagship('an unknown environment is a diagnostic with "did you mean"', () => {
  const r = resolve(doc(flagship), { env: 'prd' });
  assert.is(r.model, undefined);
  assert.equal(r.diagnostics.map((d) => [d.code, d.message, d.hint, d.start.line, d.start.col]), [['ARA290', "environment 'prd' is not declared in the spec", "did you mean 'prod'? (declared environments: dev, prod)", 7, 1]]);
  const other = resolve(doc(flagship), { env: 'staging' });
  assert.is(other.diagnostics[0]!.hint, 'declared environments: dev, prod');
});

Flagship.run();

const Variants = suite('resolve: every variant, overlays');

Variants('environment overrides deep-merge into that environment only', () => {
  const staging = model(variants, 'staging');
  const prod = model(variants, 'production');
  assert.is(staging.streams.clicks!.shards, 1);
  assert.is(prod.streams.clicks!.shards, 4);
  assert.is(prod.streams.clicks!.retentionHours, 48, 'unchanged fields of an overridden entry survive');
  assert.is(staging.jobs.enrich!.workers, 4);
  assert.is(prod.jobs.enrich!.workers, 10);
  assert.is(prod.jobs.enrich!.workerType, 'G.2X');
  assert.equal(prod.sinks['to-kinesis']!.bufferingHints, { maxBatchSize: 500, maxBatchBytes: 5242880, maxRecordBytes: 1048576, maxBufferedRequests: 10000, maxTimeInBufferMs: 5000, maxInFlightRequests: 8 });
  assert.is(staging.sinks['to-kinesis']!.bufferingHints.maxInFlightRequests, 50);
  assert.is(staging.storage.removalPolicy, 'destroy');
  assert.is(prod.storage.removalPolicy, 'retain');
  assert.equal(staging.tags, { stage: 'staging' });
  assert.equal(prod.tags, {});
  // An overridden entry is still declared where the spec declares it.
  assert.is(prod.streams.clicks!.source.path, '/streams/clicks');
});

Variants('sink variants resolve with their destination defaults', () => {
  const m = model(variants, 'staging');
  const k = m.sinks['to-kinesis']!;
  assert.equal([k.aggregation, k.explicitHashKey, k.partitionKey], ['kpl', 'hash', undefined]);
  assert.equal(k.rateLimiting, { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5, slowStart: true });
  const f = m.sinks['to-firehose']!;
  assert.equal(f.destination, { type: 'firehose', deliveryStream: 'direct-in', deliveryStreamName: 'variants-staging-direct-in' });
  assert.equal(f.rateLimiting, { strategy: 'none' });
  assert.equal(f.bufferingHints, { maxBatchSize: 500, maxBatchBytes: 4194304, maxRecordBytes: 1024000, maxBufferedRequests: 10000, maxTimeInBufferMs: 5000, maxInFlightRequests: 50 });
  const d = m.sinks['to-dynamodb']!;
  assert.equal(d.destination, { type: 'dynamodb', tableName: 'orders-table' });
  assert.equal([d.bufferingHints.maxBatchSize, d.bufferingHints.maxBatchBytes, d.bufferingHints.maxRecordBytes], [25, 16 * 1024 ** 2, 400 * 1024]);
  assert.equal(d.retry, { maxAttempts: 0, initialBackoffMs: 50, maxBackoffMs: 2000, requestTimeoutMs: 5000 });
  const file = m.sinks['to-file']!;
  assert.equal(file.destination, { type: 'file', path: 'out/events.ndjson' });
  assert.equal(file.rateLimiting, { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.9, slowStart: true });
  assert.is(file.bufferingHints.maxBatchBytes, 4 * 1024 ** 2);
});

Variants('other variants: streams, delivery streams, warehouse, dashboards, replayers', () => {
  const m = model(variants, 'staging');
  assert.equal(strip(m.streams.audit), { name: 'audit', mode: 'on-demand', retentionHours: 24, encryption: 'kms', physicalName: 'variants-staging-audit' });
  assert.equal(m.deliveryStreams['direct-in']!.input, { kind: 'direct' });
  assert.equal(m.deliveryStreams['direct-in']!.format, 'json');
  assert.equal(m.deliveryStreams['direct-in']!.bufferingHints, { sizeMiB: 128, intervalSeconds: 900 });
  assert.equal(m.deliveryStreams['clicks-to-clean']!.input, { kind: 'stream', stream: 'clicks' });
  assert.equal(m.deliveryStreams['clicks-to-clean']!.table, { database: 'clean', name: 'clicks' });
  assert.equal(strip(m.warehouse), { engine: 'redshift-provisioned', name: 'dwh', database: 'analytics', nodeType: 'ra3.xlplus', nodes: 4, spectrum: [
      { database: 'clean', glueName: 'variants_staging_clean', layer: 'clean', prefix: '', externalSchema: 'spectrum_clean' },
      { database: 'landing', glueName: 'variants_staging_landing', layer: 'landing', prefix: 'tables/landing/', externalSchema: 'spectrum_landing' },
    ],
    sources: {
      customer: { database: 'landing', externalSchema: 'spectrum_landing', table: 'customer' },
      storeSale: { database: 'landing', externalSchema: 'spectrum_landing', table: 'store_sale' },
    },
    model: 'star-schema',
    loadScheduleSeconds: 3600,
    physicalName: 'variants-staging-dwh',
  });
  assert.equal(strip(m.environment.network), { kind: 'created', cidr: '10.1.0.0/20', availabilityZones: ['use1-az1', 'use1-az2', 'use1-az4'] });
  assert.equal(m.dashboards.sales!.input, { kind: 'warehouse', warehouse: 'dwh' });
  assert.equal(m.dashboards.adhoc!.input, { kind: 'athena', workgroup: 'bi', tables: [{ channel: 'store', glueDatabase: 'variants_staging_landing', table: 'store_sale' }] });
  assert.equal(strip(m.replayers.orders), {
    name: 'orders',
    dataset: { group: 'retail', table: 'store_sale' },
    frequencySeconds: 120,
    target: { kind: 'layer', layer: 'landing', prefix: 'store_sale/' },
    seed: 7,
    recordsPerWindow: 500,
    physicalName: 'variants-staging-orders-replayer',
  });
  assert.equal(m.replayers.events!.target, { kind: 'sink', sink: 'to-file' });
  assert.is(m.replayers.events!.frequencySeconds, 60, 'blueprint default 60s');
  assert.is(m.athena.workgroups.bi!.bytesScannedCutoff, 1024 ** 3);
  assert.is(m.athena.workgroups.bi!.enforceConfiguration, false);
  assert.is(m.storage.encryption, 's3');
});

Variants('a spec declaring layers gets exactly those; a blueprint layer it names keeps the blueprint values; prefixes are normalised', () => {
  const m = model(variants, 'staging');
  assert.equal(Object.keys(m.storage.layers), ['landing', 'clean']);
  assert.equal([m.storage.layers.landing!.infrequentAccessDelay, m.storage.layers.landing!.archiveDelay], [60, 365]);
  assert.equal([m.storage.layers.clean!.infrequentAccessDelay, m.storage.layers.clean!.archiveDelay], [90, undefined]);
  assert.is(m.catalog.databases.landing!.prefix, 'tables/landing/');
  assert.is(m.catalog.databases.clean!.prefix, '');
  assert.equal(m.crawlers.clean!.targets, [{ layer: 'clean', prefix: '' }]);
  assert.equal([canonicalS3Prefix('/a//b'), canonicalS3Prefix('a/'), canonicalS3Prefix(''), canonicalS3Prefix(undefined)], ['a/b/', 'a/', '', '']);
});

const OptOut = suite('resolve: blueprint map sections');
const specHead = 'version: 1\nname: shop\nenvironments:\n  dev: { account: "123456789012", region: eu-west-1 }\n';

OptOut('two declared layers give two layers (and two buckets), not the blueprint three as well', () => {
  const m = model('two.yaml', undefined, `${specHead}storage:\n  layers:\n    landing: {}\n    curated: { infrequentAccessDelay: 60 }\n`);
  assert.equal(Object.keys(m.storage.layers), ['landing', 'curated']);
  // Per-entry defaults still fill what an entry leaves out (defaults.layer).
  assert.is(m.storage.layers.landing!.infrequentAccessDelay, 90);
  assert.is(m.storage.layers.curated!.infrequentAccessDelay, 60);
  assert.is(m.storage.encryption, 'kms', 'the rest of the blueprint spec still applies');
});

OptOut("naming a blueprint layer ('raw: {}') gets the blueprint's raw; no storage.layers gets the blueprint's layers", () => {
  const named = model('raw.yaml', undefined, `${specHead}storage:\n  layers:\n    raw: {}\n    landing: {}\n`);
  assert.equal(Object.keys(named.storage.layers), ['raw', 'landing']);
  assert.equal([named.storage.layers.raw!.infrequentAccessDelay, named.storage.layers.raw!.archiveDelay], [30, 90]);
  const none = model('none.yaml', undefined, `${specHead}storage:\n  encryption: s3\n`);
  assert.equal(Object.keys(none.storage.layers), ['raw', 'clean', 'transform']);
  const empty = model('empty.yaml', undefined, `${specHead}storage:\n  layers: {}\n`);
  assert.equal(Object.keys(empty.storage.layers), []);
});

OptOut('a reference to a blueprint layer the spec did not name is unresolved (ARA201), with the declared names', () => {
  const d = doc('ref.yaml', `${specHead}storage:\n  layers:\n    landing: {}\ncatalog:\n  databases:\n    raw: { layer: raw }\n`);
  const found = checkRules(d);
  assert.equal(found.map((x) => `${x.code} ${x.start.line}:${x.start.col}`), ['ARA201 10:19']);
  assert.match(found[0]!.hint!, /declared: 'landing'/);
});

Variants('rate schedules become Glue cron; any/all conditions; a three-trigger workflow', () => {
  const m = model(variants, 'staging');
  const hourly = m.triggers.hourly!;
  assert.ok(hourly.type === 'scheduled' && hourly.schedule === 'cron(0 * * * ? *)');
  assert.is(m.crawlers.clean!.schedule, 'cron(0 0/6 * * ? *)');
  const alert = m.triggers['alert-on-failure']!;
  assert.ok(alert.type === 'conditional');
  if (alert.type === 'conditional') {
    assert.is(alert.logical, 'ANY');
    assert.equal(alert.conditions, [{ kind: 'job', name: 'enrich', state: 'FAILED' }, { kind: 'job', name: 'enrich', state: 'TIMEOUT' }]);
  }
  assert.equal(m.workflows, { hourly: { name: 'hourly', physicalName: 'variants-staging-hourly', triggers: ['hourly', 'enrich-after-crawl', 'alert-on-failure'] } });
});

Variants('separate chains form separate workflows; a lone trigger forms none', () => {
  const text = `version: 1
name: wf
environments: { dev: { account: "123456789012", region: eu-west-1 } }
catalog: { databases: { raw: { layer: raw } } }
crawlers:
  a: { database: raw, targets: [{ layer: raw }] }
  b: { database: raw, targets: [{ layer: raw }] }
  c: { database: raw, targets: [{ layer: raw }] }
triggers:
  lone: { schedule: cron(0 1 * * ? *), actions: [{ crawler: c }] }
  after-b: { when: { crawler: b }, actions: [{ crawler: c }] }
  start-a: { schedule: cron(0 2 * * ? *), actions: [{ crawler: a }] }
  start-b: { schedule: cron(0 3 * * ? *), actions: [{ crawler: b }] }
  after-a: { when: { crawler: a }, actions: [{ crawler: c }] }
`;
  const m = model('wf.yaml', undefined, text);
  assert.equal(m.workflows, {
    'start-b': { name: 'start-b', physicalName: 'wf-dev-start-b', triggers: ['after-b', 'start-b'] },
    'start-a': { name: 'start-a', physicalName: 'wf-dev-start-a', triggers: ['start-a', 'after-a'] },
  });
  assert.is(m.triggers.lone!.workflow, undefined);
});

Variants('loadBlueprint parses once and caches; unknown names give undefined', () => {
  const bp = loadBlueprint('aws-native') as { defaults: { job: { glueVersion: string } } };
  assert.is(bp.defaults.job.glueVersion, '4.0');
  assert.ok(loadBlueprint('aws-native') === bp);
  assert.is(loadBlueprint('nope'), undefined);
  assert.is(loadBlueprint('../schema'), undefined);
});

Variants.run();
OptOut.run();
