/** DataLakeCatalog: one Glue database per entry, located at its layer bucket (and optional prefix). */
import { Stack } from '../cdk-core.js';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { constructId } from '../naming.js';

export interface CatalogDatabaseProps {
  /** Spec name (construct id). */
  readonly name: string;
  /** Physical Glue database name. */
  readonly databaseName: string;
  readonly bucket: s3.IBucket;
  /** Prefix inside the bucket; empty for the bucket root. */
  readonly prefix?: string;
  readonly description?: string;
}

export interface DataLakeCatalogProps {
  readonly databases: readonly CatalogDatabaseProps[];
}

export class DataLakeCatalog extends Construct {
  readonly databases: Readonly<Record<string, glue.CfnDatabase>>;

  constructor(scope: Construct, id: string, props: DataLakeCatalogProps) {
    super(scope, id);
    const databases: Record<string, glue.CfnDatabase> = {};
    for (const db of props.databases) {
      databases[db.name] = new glue.CfnDatabase(this, `${constructId(db.name)}Database`, {
        catalogId: Stack.of(this).account,
        databaseInput: {
          name: db.databaseName,
          description: db.description,
          locationUri: `s3://${db.bucket.bucketName}/${db.prefix ?? ''}`,
        },
      });
    }
    this.databases = databases;
  }
}
