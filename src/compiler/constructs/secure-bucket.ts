/**
 * The bucket settings every ara-gen bucket shares (data-lake layers, Athena results): encryption,
 * no public access, TLS-only, enforced object ownership, access logs and the spec's removal policy.
 * One helper so that the data lake and the Athena results bucket cannot drift apart.
 */
import { RemovalPolicy } from '../cdk-core.js';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export type RemovalPolicyName = 'retain' | 'destroy';

export interface SecureBucketOptions {
  /**
   * Physical bucket name.
   * @default - CloudFormation generates a name
   */
  readonly bucketName?: string;
  /**
   * Customer-managed key (SSE-KMS with bucket keys).
   * @default - SSE-S3 (S3-managed keys)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Server access logs go to this bucket under this prefix.
   * @default - no access logs (only for the access-logs bucket itself)
   */
  readonly accessLogs?: { readonly bucket: s3.IBucket; readonly prefix: string };
  /**
   * Lifecycle rules.
   * @default - none
   */
  readonly lifecycleRules?: s3.LifecycleRule[];
  readonly removalPolicy: RemovalPolicyName;
  /**
   * Keeps object versions.
   * @default false
   */
  readonly versioned?: boolean;
}

export function toRemovalPolicy(name: RemovalPolicyName): RemovalPolicy {
  return name === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}

export function secureBucket(scope: Construct, id: string, o: SecureBucketOptions): s3.Bucket {
  return new s3.Bucket(scope, id, {
    bucketName: o.bucketName,
    ...(o.encryptionKey
      ? { encryption: s3.BucketEncryption.KMS, encryptionKey: o.encryptionKey, bucketKeyEnabled: true }
      : { encryption: s3.BucketEncryption.S3_MANAGED }),
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: o.accessLogs?.bucket,
    serverAccessLogsPrefix: o.accessLogs?.prefix,
    lifecycleRules: o.lifecycleRules,
    versioned: o.versioned ?? false,
    removalPolicy: toRemovalPolicy(o.removalPolicy),
    // Emptying on delete only when the spec asked for `destroy`: data survives by default.
    autoDeleteObjects: o.removalPolicy === 'destroy',
  });
}
