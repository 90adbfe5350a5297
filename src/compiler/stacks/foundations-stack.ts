/** The `foundations` module: data-lake storage, Glue catalog databases, Athena workgroups. */
import { cfnName } from './physical-name.js';
import { Stack, type StackProps } from '../cdk-core.js';
import type { Construct } from 'constructs';
import { AthenaWorkgroup } from '../constructs/athena-workgroup.js';
import { DataLakeCatalog } from '../constructs/data-lake-catalog.js';
import { DataLakeStorage } from '../constructs/data-lake-storage.js';
import type { PlatformModel } from '../model.js';
import { catalogTables } from '../catalog-tables.js';
import { constructId } from '../naming.js';
import { recordSource } from './source.js';

export interface FoundationsStackProps extends StackProps {
  readonly model: PlatformModel;
}

/** Glue writes its logs under this prefix; the platform key lets CloudWatch Logs use it there. */
export const GLUE_LOG_GROUP_PREFIX = '/aws-glue/';

export class FoundationsStack extends Stack {
  readonly storage: DataLakeStorage;
  readonly catalog: DataLakeCatalog;
  readonly workgroups: Readonly<Record<string, AthenaWorkgroup>>;

  constructor(scope: Construct, id: string, props: FoundationsStackProps) {
    super(scope, id, props);
    const { model } = props;
    const { storage } = model;
    const usesGlue = Object.keys(model.crawlers).length > 0 || Object.keys(model.jobs).length > 0;
    // Resources of no single entry (the key, the access-logs bucket) map to `storage`, the rest to their entry.
    recordSource(this, model.source);

    this.storage = new DataLakeStorage(this, 'Storage', {
      layers: Object.values(storage.layers).map((l) => ({
        name: l.name,
        bucketName: cfnName(l.bucketName),
        infrequentAccessDelay: l.infrequentAccessDelay,
        archiveDelay: l.archiveDelay,
      })),
      accessLogsBucketName: cfnName(storage.accessLogsBucketName),
      encryption: storage.encryption,
      removalPolicy: storage.removalPolicy,
      logGroupPrefixes: usesGlue ? [GLUE_LOG_GROUP_PREFIX] : [],
    });
    recordSource(this.storage, storage.source);
    for (const l of Object.values(storage.layers)) recordSource(this.storage.bucket(l.name), l.source);

    this.catalog = new DataLakeCatalog(this, 'Catalog', {
      databases: Object.values(model.catalog.databases).map((db) => ({
        name: db.name,
        databaseName: db.glueName,
        bucket: this.storage.bucket(db.layer),
        prefix: db.prefix,
        description: `${model.name} ${db.name} database (${db.layer} layer)`,
      })),
      tables: catalogTables(model).map((t) => ({
        database: t.database,
        tableName: t.name,
        location: `s3://${cfnName(model.storage.layers[t.location.layer]!.bucketName)}/${t.location.prefix}`,
        format: t.format,
        columns: t.columns,
        partitionKeys: t.partitionKeys,
        description: `${t.dataset} written by ${t.origin.kind === 'replayer' ? 'replayer' : 'delivery stream'} ${t.origin.name}`,
      })),
    });
    for (const db of Object.values(model.catalog.databases)) recordSource(this.catalog.databases[db.name]!, db.source);
    for (const t of catalogTables(model)) {
      const entry = t.origin.kind === 'replayer' ? model.replayers[t.origin.name] : model.deliveryStreams[t.origin.name];
      if (entry) recordSource(this.catalog.tables[`${t.glueDatabase}.${t.name}`]!, entry.source);
    }

    const workgroups: Record<string, AthenaWorkgroup> = {};
    for (const wg of Object.values(model.athena.workgroups)) {
      workgroups[wg.name] = new AthenaWorkgroup(this, `${constructId(wg.name)}Workgroup`, {
        workgroupName: wg.physicalName,
        resultsBucketName: cfnName(wg.resultsBucketName),
        resultsRetentionDays: wg.resultsRetentionDays,
        bytesScannedCutoffPerQuery: wg.bytesScannedCutoff,
        enforceConfiguration: wg.enforceConfiguration,
        encryptionKey: this.storage.key,
        accessLogsBucket: this.storage.accessLogsBucket,
        removalPolicy: storage.removalPolicy,
      });
      recordSource(workgroups[wg.name]!, wg.source);
    }
    this.workgroups = workgroups;
  }
}
