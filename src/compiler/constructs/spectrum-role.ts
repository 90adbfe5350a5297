/**
 * SpectrumRole: the warehouse's default IAM role (`IAM_ROLE default` in the SQL). Least privilege:
 * Glue Data Catalog reads of the named databases and their tables only, S3 reads of those
 * databases' locations only, and decryption with the platform key.
 */
import { Stack } from '../cdk-core.js';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

export interface SpectrumDatabase {
  /** Glue database name. */
  readonly glueName: string;
  /** Bucket holding the database's tables. */
  readonly bucketName: string;
  /** Prefix of the database inside the bucket ('' = the whole bucket). */
  readonly prefix: string;
}

export interface SpectrumRoleProps {
  readonly roleName: string;
  readonly databases: readonly SpectrumDatabase[];
  /** The platform key encrypting the lake. @default none (SSE-S3 buckets) */
  readonly key?: kms.IKey;
}

export class SpectrumRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SpectrumRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: `ara-gen warehouse: Redshift Spectrum reads of ${props.databases.map((d) => d.glueName).join(', ')}`,
      // Provisioned clusters assume roles as redshift, Serverless namespaces as redshift-serverless.
      assumedBy: new iam.CompositePrincipal(new iam.ServicePrincipal('redshift.amazonaws.com'), new iam.ServicePrincipal('redshift-serverless.amazonaws.com')),
    });
    const glue = (resource: string) => stack.formatArn({ service: 'glue', resource });
    const tables = props.databases.map((d) => glue(`table/${d.glueName}/*`));
    const objects = props.databases.map((d) => `arn:${stack.partition}:s3:::${d.bucketName}/${d.prefix}*`);
    const buckets = [...new Set(props.databases.map((d) => `arn:${stack.partition}:s3:::${d.bucketName}`))];
    const statements = [
      new iam.PolicyStatement({
        sid: 'CatalogRead',
        actions: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
        resources: [glue('catalog'), ...props.databases.map((d) => glue(`database/${d.glueName}`)), ...tables],
      }),
      new iam.PolicyStatement({ sid: 'LakeRead', actions: ['s3:GetObject'], resources: objects }),
      new iam.PolicyStatement({ sid: 'LakeList', actions: ['s3:GetBucketLocation', 's3:ListBucket'], resources: buckets }),
    ];
    if (props.key) statements.push(new iam.PolicyStatement({ sid: 'LakeDecrypt', actions: ['kms:Decrypt'], resources: [props.key.keyArn] }));
    const policy = new iam.Policy(this, 'Policy', { statements });
    policy.attachToRole(this.role);
    for (const r of [...tables, ...objects]) {
      acknowledge(policy, {
        id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(r))}]`,
        reason: 'Spectrum reads every table (and every object) of the named catalog databases, created at run time by crawlers, jobs and delivery streams: the database is the narrowest scope.',
      });
    }
  }
}
