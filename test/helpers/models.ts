/**
 * PlatformModel literals for compiler tests that must not depend on the loader (construct-level
 * variations). The flagship and YAML fixtures go through loadPlatform instead.
 */
import type { CrawlerModel, JobModel, PlatformModel, SourceRef, TriggerModel } from '../../src/compiler/model.js';
import {
  accessLogsBucketName,
  athenaResultsBucketName,
  glueName,
  layerBucketName,
  resourceName,
  type NameContext,
} from '../../src/compiler/naming.js';

const src = (path: string): SourceRef => ({ file: 'test.yaml', path, line: 1, col: 1 });

export interface ModelOptions {
  name?: string;
  env?: string;
  account?: string;
  region?: string;
  removalPolicy?: 'retain' | 'destroy';
  encryption?: 'kms' | 's3';
  layers?: Record<string, { infrequentAccessDelay: number; archiveDelay?: number }>;
  /** Number of extra crawlers/jobs/triggers (`c1..cN`), for size tests. */
  extraCrawlers?: number;
}

/** A MyStore-like model: raw/clean/transform, one crawler, two jobs, a scheduled + conditional trigger. */
export function mystoreModel(o: ModelOptions = {}): PlatformModel {
  const c: NameContext = {
    platform: o.name ?? 'mystore',
    env: o.env ?? 'dev',
    account: o.account ?? '123456789012',
    region: o.region ?? 'eu-west-1',
  };
  const layerSpec = o.layers ?? {
    raw: { infrequentAccessDelay: 30, archiveDelay: 180 },
    clean: { infrequentAccessDelay: 90, archiveDelay: 1095 },
    transform: { infrequentAccessDelay: 90 },
  };
  const layers = Object.fromEntries(
    Object.entries(layerSpec).map(([name, l]) => [
      name,
      { name, ...l, bucketName: layerBucketName(c, name), source: src(`/storage/layers/${name}`) },
    ]),
  );
  const databases = Object.fromEntries(
    Object.keys(layerSpec).map((name) => [
      name,
      { name, layer: name, prefix: '', glueName: glueName(c, name), source: src(`/catalog/databases/${name}`) },
    ]),
  );
  const crawlers: Record<string, CrawlerModel> = {
    raw: {
      name: 'raw',
      database: 'raw',
      targets: [
        { layer: 'raw', prefix: 'customer/' },
        { layer: 'raw', prefix: 'store_sale/' },
      ],
      exclude: ['**_SUCCESS', '**crc'],
      physicalName: resourceName(c, 'raw'),
      source: src('/crawlers/raw'),
    },
  };
  for (let i = 1; i <= (o.extraCrawlers ?? 0); i++) {
    crawlers[`c${i}`] = {
      name: `c${i}`,
      database: 'raw',
      targets: [{ layer: 'raw', prefix: `t${i}/` }],
      exclude: [],
      physicalName: resourceName(c, `c${i}`),
      source: src(`/crawlers/c${i}`),
    };
  }
  const job = (name: string, table: string, partitionBy: string[]): JobModel => ({
    name,
    template: 'csv-to-parquet',
    input: { database: 'raw', table },
    target: { layer: 'clean', prefix: `${table}/`, database: 'clean', table },
    partitionBy,
    glueVersion: '4.0',
    workerType: 'G.1X',
    workers: 2,
    timeoutMinutes: 60,
    maxRetries: 0,
    physicalName: resourceName(c, name),
    source: src(`/jobs/${name}`),
  });
  const triggers: Record<string, TriggerModel> = {
    'every-5-minutes': {
      name: 'every-5-minutes',
      type: 'scheduled',
      schedule: 'cron(0/5 * * * ? *)',
      startOnCreation: true,
      actions: [{ kind: 'crawler', name: 'raw' }],
      workflow: 'every-5-minutes',
      physicalName: resourceName(c, 'every-5-minutes'),
      source: src('/triggers/every-5-minutes'),
    },
    'raw-to-clean': {
      name: 'raw-to-clean',
      type: 'conditional',
      conditions: [{ kind: 'crawler', name: 'raw', state: 'SUCCEEDED' }],
      logical: 'AND',
      startOnCreation: true,
      actions: [
        { kind: 'job', name: 'customer-to-parquet' },
        { kind: 'job', name: 'store-sale-to-parquet' },
      ],
      workflow: 'every-5-minutes',
      physicalName: resourceName(c, 'raw-to-clean'),
      source: src('/triggers/raw-to-clean'),
    },
  };
  return {
    version: 1,
    name: c.platform,
    platform: 'aws-native',
    environment: { name: c.env, account: c.account, region: c.region },
    environmentNames: [c.env],
    tags: { project: 'mystore', owner: 'data-platform' },
    storage: {
      encryption: o.encryption ?? 'kms',
      removalPolicy: o.removalPolicy ?? 'destroy',
      layers,
      accessLogsBucketName: accessLogsBucketName(c),
      source: src('/storage'),
    },
    catalog: { databases },
    athena: {
      workgroups: {
        demo: {
          name: 'demo',
          physicalName: resourceName(c, 'demo'),
          resultsRetentionDays: 30,
          bytesScannedCutoff: 10 * 1024 ** 3,
          enforceConfiguration: true,
          resultsBucketName: athenaResultsBucketName(c, 'demo'),
          source: src('/athena/workgroups/demo'),
        },
      },
    },
    replayers: {},
    crawlers,
    jobs: {
      'customer-to-parquet': job('customer-to-parquet', 'customer', []),
      'store-sale-to-parquet': job('store-sale-to-parquet', 'store_sale', ['sale_date']),
    },
    triggers,
    workflows: {
      'every-5-minutes': {
        name: 'every-5-minutes',
        physicalName: resourceName(c, 'every-5-minutes'),
        triggers: ['every-5-minutes', 'raw-to-clean'],
      },
    },
    streams: {},
    sinks: {},
    deliveryStreams: {},
    dashboards: {},
    source: src(''),
  };
}

// ---- specs through the real loader -----------------------------------------------------------

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlatformOrThrow } from '../../src/compiler/load.js';
import { packageRoot } from '../../src/paths.js';

export const flagshipSpec = join(packageRoot, 'examples', 'mystore.yaml');
export const cdkFixture = (name: string): string => join(packageRoot, 'test', 'fixtures', 'cdk', name);

/** The resolved model of a spec file (throws a SpecError listing every finding). */
export function loadModel(file: string, env?: string): Promise<PlatformModel> {
  return loadPlatformOrThrow(file, env === undefined ? {} : { env });
}

const outdirs: string[] = [];
/** A fresh output directory, removed by removeOutdirs(). */
export function makeOutdir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ara-cdk-${label}-`));
  outdirs.push(dir);
  return dir;
}
export function removeOutdirs(): void {
  for (const d of outdirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
