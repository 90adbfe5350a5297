/**
 * GlueDataAccessRole: the least-privilege role a Glue crawler or job runs as. Instead of the broad
 * `service-role/AWSGlueServiceRole` managed policy it grants explicit statements scoped to exactly
 * the S3 prefixes read and written, the Glue catalog database/tables used, the Glue log groups and
 * the platform key. Resources keep a `*` only where AWS gives no narrower name in advance; each such
 * case is one of IAM_WILDCARD_EXCEPTIONS and is acknowledged for cdk-nag (AwsSolutions-IAM5) with
 * that exception's reason, on this role only.
 */
import { ArnFormat, Stack } from '../cdk-core.js';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';

export interface S3Location {
  readonly bucketName: string;
  /** Key prefix (`customer/`); empty = the whole bucket. */
  readonly prefix: string;
}

export interface S3Object {
  readonly bucketName: string;
  readonly key: string;
}

/** A Glue catalog table, or every table of the database when `table` is omitted. */
export interface GlueTableRef {
  readonly database: string;
  /**
   * The table's name.
   * @default - every table of the database
   */
  readonly table?: string;
}

export interface GlueDataAccessRoleProps {
  /**
   * Physical role name.
   * @default - CloudFormation generates a name
   */
  readonly roleName?: string;
  /**
   * The role's description.
   * @default - none
   */
  readonly description?: string;
  /**
   * S3 prefixes the role may list and read.
   * @default [] (no read access)
   */
  readonly read?: readonly S3Location[];
  /**
   * S3 prefixes the role may write and delete under (also listed).
   * @default [] (no write access)
   */
  readonly write?: readonly S3Location[];
  /**
   * Single objects to read, e.g. a job's script asset.
   * @default [] (none)
   */
  readonly readObjects?: readonly S3Object[];
  /**
   * Catalog databases/tables the role may read.
   * @default [] (only what `catalogWrite` implies)
   */
  readonly catalogRead?: readonly GlueTableRef[];
  /**
   * Catalog databases/tables the role may create and update tables and partitions in (also readable).
   * @default [] (none)
   */
  readonly catalogWrite?: readonly GlueTableRef[];
  /**
   * Platform key: data, logs and job bookmarks are encrypted with it; the role may use it.
   * @default - no key permissions (S3-managed encryption)
   */
  readonly key?: kms.IKey;
  /** CloudWatch Logs group prefix Glue writes to, e.g. `/aws-glue/crawlers`. */
  readonly logGroupPrefix: string;
  /**
   * The role's job publishes Glue job metrics (`--enable-metrics`): allow `cloudwatch:PutMetricData`
   * in the `Glue` namespace only.
   * @default false
   */
  readonly publishesMetrics?: boolean;
}

/** The CloudWatch namespace Glue job metrics are published in (`--enable-metrics`). */
export const GLUE_METRICS_NAMESPACE = 'Glue';

export interface WildcardException {
  readonly id: string;
  /** Matches the resource as cdk-nag prints it (`arn:<AWS::Partition>:s3:::bucket/prefix/*`). */
  readonly pattern: RegExp;
  readonly reason: string;
}

// ARN fields as cdk-nag prints them: a literal or a pseudo parameter such as `<AWS::Partition>`.
const PARTITION = '(?:<AWS::Partition>|aws[a-z-]*)';
const REGION = '(?:<AWS::Region>|[a-z0-9-]+)';
const ACCOUNT = '(?:<AWS::AccountId>|[0-9]{12})';

/** Every `*` an ara-gen IAM policy may contain in a resource, and why AWS leaves no narrower choice. */
export const IAM_WILDCARD_EXCEPTIONS: readonly WildcardException[] = [
  {
    id: 's3-objects-under-prefix',
    pattern: new RegExp(`^arn:${PARTITION}:s3:::[^/*]+/[^*]*\\*$`),
    reason:
      'Objects under one data-lake prefix: their keys are created at run time (one per replayed window or Spark task), so the prefix is the narrowest scope.',
  },
  {
    id: 'glue-tables-of-crawled-database',
    pattern: new RegExp(`^arn:${PARTITION}:glue:${REGION}:${ACCOUNT}:table/[^/*]+/\\*$`),
    reason: 'A crawler creates tables named after the folders it discovers, unknown before it runs; scoped to its one database.',
  },
  {
    id: 'glue-log-groups',
    pattern: new RegExp(`^arn:${PARTITION}:logs:${REGION}:${ACCOUNT}:log-group:/aws-glue/[^*]*\\*$`),
    reason:
      'Glue names its log groups and streams at run time (the security configuration and role names are appended); scoped to the Glue log-group prefix.',
  },
];

export function wildcardExceptionFor(flattenedResource: string): WildcardException | undefined {
  return IAM_WILDCARD_EXCEPTIONS.find((e) => e.pattern.test(flattenedResource));
}

const CATALOG_READ = [
  'glue:GetDatabase',
  'glue:GetTable',
  'glue:GetTables',
  'glue:GetPartition',
  'glue:GetPartitions',
  'glue:BatchGetPartition',
];
const CATALOG_WRITE = [
  'glue:CreateTable',
  'glue:UpdateTable',
  'glue:CreatePartition',
  'glue:BatchCreatePartition',
  'glue:UpdatePartition',
  'glue:BatchUpdatePartition',
];

export class GlueDataAccessRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: GlueDataAccessRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const statements: iam.PolicyStatement[] = [];
    const bucketArn = (name: string) => stack.formatArn({ service: 's3', region: '', account: '', resource: name });
    const under = (l: S3Location) => `${bucketArn(l.bucketName)}/${l.prefix}*`;

    const read = props.read ?? [];
    const write = props.write ?? [];
    const listed = [...read, ...write];
    for (const bucket of unique(listed.map((l) => l.bucketName))) {
      const prefixes = unique(listed.filter((l) => l.bucketName === bucket).map((l) => l.prefix));
      statements.push(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucketArn(bucket)],
          // Listing is limited to the prefixes used; an empty prefix means the whole bucket.
          conditions: prefixes.includes('') ? undefined : { StringLike: { 's3:prefix': prefixes.flatMap((p) => [p, `${p}*`]) } },
        }),
        // GetBucketLocation carries no s3:prefix, so it cannot share the conditional statement.
        new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [bucketArn(bucket)] }),
      );
    }
    if (listed.length) {
      statements.push(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: unique(listed.map(under)) }));
    }
    if (write.length) {
      statements.push(new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:DeleteObject'], resources: unique(write.map(under)) }));
    }
    if (props.readObjects?.length) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: props.readObjects.map((o) => `${bucketArn(o.bucketName)}/${o.key}`),
        }),
      );
    }

    const glueArn = (resource: string, resourceName?: string) =>
      stack.formatArn({ service: 'glue', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const catalogResources = (refs: readonly GlueTableRef[]) =>
      unique([
        glueArn('catalog'),
        ...refs.map((r) => glueArn('database', r.database)),
        ...refs.map((r) => glueArn('table', `${r.database}/${r.table ?? '*'}`)),
      ]);
    const catalogRead = [...(props.catalogRead ?? []), ...(props.catalogWrite ?? [])];
    if (catalogRead.length) {
      statements.push(new iam.PolicyStatement({ actions: CATALOG_READ, resources: catalogResources(catalogRead) }));
    }
    if (props.catalogWrite?.length) {
      statements.push(new iam.PolicyStatement({ actions: CATALOG_WRITE, resources: catalogResources(props.catalogWrite) }));
    }

    statements.push(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
        resources: [
          stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: `${props.logGroupPrefix}*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    if (props.publishesMetrics) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': GLUE_METRICS_NAMESPACE } },
        }),
      );
    }
    if (props.key) {
      statements.push(
        new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [props.key.keyArn] }),
      );
    }

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: props.description,
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
      inlinePolicies: { DataAccess: new iam.PolicyDocument({ statements }) },
    });
    this.acknowledgeWildcards(statements.filter((st) => !isMetricsStatement(st)));
    if (props.publishesMetrics) {
      acknowledge(this.role, {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `cloudwatch:PutMetricData has no resource-level permissions (AWS requires "*"); the cloudwatch:namespace condition limits it to the ${GLUE_METRICS_NAMESPACE} namespace.`,
      });
    }
  }

  get roleArn(): string {
    return this.role.roleArn;
  }

  /** Acknowledges each wildcard resource that is a listed exception; anything else stays a finding. */
  private acknowledgeWildcards(statements: readonly iam.PolicyStatement[]): void {
    const stack = Stack.of(this);
    const seen = new Set<string>();
    for (const s of statements) {
      for (const r of s.resources) {
        const flat = flattenCfnReference(stack.resolve(r));
        if (!flat.includes('*') || seen.has(flat)) continue;
        seen.add(flat);
        const exception = wildcardExceptionFor(flat);
        if (exception) acknowledge(this.role, { id: `AwsSolutions-IAM5[Resource::${flat}]`, reason: exception.reason });
      }
    }
  }
}

/** The one statement whose `*` resource AWS requires: PutMetricData, scoped by namespace condition. */
export function isMetricsStatement(st: iam.PolicyStatement): boolean {
  return st.actions.length === 1 && st.actions[0] === 'cloudwatch:PutMetricData';
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
