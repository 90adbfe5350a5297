/**
 * GlueCrawler: an AWS::Glue::Crawler that runs under an encrypting security configuration and its
 * own least-privilege role, over either
 * - data-lake prefixes (S3 targets, with exclusion globs): it creates and updates the tables it
 *   finds there; or
 * - tables ara-gen declared (catalog targets): it only adds their new partitions. The declared
 *   schema is the truth, so schema changes are only logged, never written (Glue requires catalog
 *   targets to be alone in their crawler, with the LOG delete behaviour).
 */
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GlueDataAccessRole, type S3Location } from './glue-data-access-role.js';
import type { GlueSecurityConfiguration } from './glue-security-configuration.js';

/** A declared table and the folder its files are in. */
export interface CatalogTarget {
  /** Physical Glue database name. */
  readonly databaseName: string;
  readonly tableName: string;
  readonly location: S3Location;
}

export interface GlueCrawlerProps {
  readonly crawlerName: string;
  /** Physical Glue database the crawler writes tables to. */
  readonly databaseName: string;
  readonly targets: readonly S3Location[];
  /**
   * Declared tables to crawl for partitions; exclusive with `targets`.
   * @default none (the crawler crawls `targets`)
   */
  readonly catalogTargets?: readonly CatalogTarget[];
  /**
   * Glob exclusions applied to every target, e.g. `**_SUCCESS`.
   * @default [] (everything under the targets is crawled)
   */
  readonly exclusions?: readonly string[];
  /**
   * Glue cron expression; usually a trigger starts the crawler instead.
   * @default - no schedule (started by triggers or by hand)
   */
  readonly schedule?: string;
  readonly securityConfiguration: GlueSecurityConfiguration;
  /**
   * The platform key the crawled data and the crawler's logs are encrypted with: the role may use it.
   * @default - no key permissions (S3-managed encryption)
   */
  readonly key?: kms.IKey;
  /**
   * Physical name of the crawler's role.
   * @default - CloudFormation generates a name
   */
  readonly roleName?: string;
}

export class GlueCrawler extends Construct {
  readonly crawler: glue.CfnCrawler;
  readonly role: GlueDataAccessRole;

  constructor(scope: Construct, id: string, props: GlueCrawlerProps) {
    super(scope, id);
    const tables = props.catalogTargets ?? [];
    if (props.targets.length === 0 && tables.length === 0) throw new Error(`GlueCrawler '${props.crawlerName}': at least one target is required`);
    if (props.targets.length > 0 && tables.length > 0) {
      throw new Error(`GlueCrawler '${props.crawlerName}': Glue crawls declared tables and S3 prefixes in separate crawlers; give it one kind of target`);
    }
    this.role = new GlueDataAccessRole(this, 'Role', {
      roleName: props.roleName,
      description: `Glue crawler ${props.crawlerName}`,
      read: tables.length ? tables.map((t) => t.location) : props.targets,
      // Over declared tables it only adds partitions: write access to exactly those tables.
      catalogWrite: tables.length ? tables.map((t) => ({ database: t.databaseName, table: t.tableName })) : [{ database: props.databaseName }],
      key: props.key,
      logGroupPrefix: '/aws-glue/crawlers',
    });
    const exclusions = props.exclusions?.length ? [...props.exclusions] : undefined;
    this.crawler = new glue.CfnCrawler(this, 'Crawler', {
      name: props.crawlerName,
      role: this.role.roleArn,
      databaseName: props.databaseName,
      crawlerSecurityConfiguration: props.securityConfiguration.name,
      targets: tables.length
        ? { catalogTargets: catalogTargetsOf(tables) }
        : { s3Targets: props.targets.map((t) => ({ path: `s3://${t.bucketName}/${t.prefix}`, exclusions })) },
      schedule: props.schedule ? { scheduleExpression: props.schedule } : undefined,
      schemaChangePolicy: tables.length ? { updateBehavior: 'LOG', deleteBehavior: 'LOG' } : { updateBehavior: 'UPDATE_IN_DATABASE', deleteBehavior: 'LOG' },
      // Partitions (ingestion_start=/ingestion_end=) inherit the table schema instead of diverging.
      configuration: JSON.stringify({
        Version: 1,
        CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' } },
      }),
    });
    this.crawler.node.addDependency(props.securityConfiguration);
  }

  get crawlerName(): string {
    return this.crawler.ref;
  }
}

/** One catalog target per database, tables in the given order. */
function catalogTargetsOf(tables: readonly CatalogTarget[]): glue.CfnCrawler.CatalogTargetProperty[] {
  const byDb = new Map<string, string[]>();
  for (const t of tables) byDb.set(t.databaseName, [...(byDb.get(t.databaseName) ?? []), t.tableName]);
  return [...byDb].map(([databaseName, names]) => ({ databaseName, tables: names }));
}
