/**
 * DataLakeCatalog: one Glue database per entry, located at its layer bucket (and optional prefix),
 * and the tables ara-gen declares in them (GlueTable).
 */
import { Stack } from '../cdk-core.js';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { constructId } from '../naming.js';
import { GlueTable, type GlueTableProps } from './glue-table.js';

export interface CatalogDatabaseProps {
  /** Spec name (construct id). */
  readonly name: string;
  /** Physical Glue database name. */
  readonly databaseName: string;
  readonly bucket: s3.IBucket;
  /**
   * Prefix inside the bucket.
   * @default '' (the bucket root)
   */
  readonly prefix?: string;
  /**
   * Description of the Glue database.
   * @default - none
   */
  readonly description?: string;
}

export interface CatalogTableProps extends Omit<GlueTableProps, 'databaseName'> {
  /** Spec name of the database (one of `databases`). */
  readonly database: string;
}

export interface DataLakeCatalogProps {
  readonly databases: readonly CatalogDatabaseProps[];
  /**
   * Declared tables.
   * @default no tables (crawlers create them)
   */
  readonly tables?: readonly CatalogTableProps[];
}

export class DataLakeCatalog extends Construct {
  readonly databases: Readonly<Record<string, glue.CfnDatabase>>;
  /** Declared tables by `<glue database>.<table>`. */
  readonly tables: Readonly<Record<string, GlueTable>>;

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
    const tables: Record<string, GlueTable> = {};
    for (const { database, ...t } of props.tables ?? []) {
      const db = databases[database];
      if (!db) throw new Error(`DataLakeCatalog: table '${t.tableName}' names unknown database '${database}'`);
      const databaseName = props.databases.find((d) => d.name === database)!.databaseName;
      const table = new GlueTable(this, `${constructId(database)}${constructId(t.tableName)}Table`, { ...t, databaseName });
      table.node.addDependency(db);
      tables[`${databaseName}.${t.tableName}`] = table;
    }
    this.tables = tables;
  }
}
