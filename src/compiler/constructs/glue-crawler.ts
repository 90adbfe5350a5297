/**
 * GlueCrawler: an AWS::Glue::Crawler over data-lake prefixes (with exclusion globs) that runs under
 * an encrypting security configuration and its own least-privilege role.
 */
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GlueDataAccessRole, type S3Location } from './glue-data-access-role.js';
import type { GlueSecurityConfiguration } from './glue-security-configuration.js';

export interface GlueCrawlerProps {
  readonly crawlerName: string;
  /** Physical Glue database the crawler writes tables to. */
  readonly databaseName: string;
  readonly targets: readonly S3Location[];
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
    if (props.targets.length === 0) throw new Error(`GlueCrawler '${props.crawlerName}': at least one target is required`);
    this.role = new GlueDataAccessRole(this, 'Role', {
      roleName: props.roleName,
      description: `Glue crawler ${props.crawlerName}`,
      read: props.targets,
      catalogWrite: [{ database: props.databaseName }],
      key: props.key,
      logGroupPrefix: '/aws-glue/crawlers',
    });
    const exclusions = props.exclusions?.length ? [...props.exclusions] : undefined;
    this.crawler = new glue.CfnCrawler(this, 'Crawler', {
      name: props.crawlerName,
      role: this.role.roleArn,
      databaseName: props.databaseName,
      crawlerSecurityConfiguration: props.securityConfiguration.name,
      targets: { s3Targets: props.targets.map((t) => ({ path: `s3://${t.bucketName}/${t.prefix}`, exclusions })) },
      schedule: props.schedule ? { scheduleExpression: props.schedule } : undefined,
      schemaChangePolicy: { updateBehavior: 'UPDATE_IN_DATABASE', deleteBehavior: 'LOG' },
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
