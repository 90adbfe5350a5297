/**
 * DataLakeStorage: one S3 bucket per data-lake layer plus a server-access-logs bucket, encrypted
 * with one customer-managed KMS key (rotation on, bucket keys on), private, TLS-only, with a
 * lifecycle per layer (STANDARD_IA, then GLACIER, and incomplete multipart uploads aborted).
 */
import { Aws, Duration, Stack } from '../cdk-core.js';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import { constructId } from '../naming.js';
import { secureBucket, toRemovalPolicy, type RemovalPolicyName } from './secure-bucket.js';
import { MIN_ARCHIVE_DAYS, MIN_DAYS_IN_INFREQUENT_ACCESS, MIN_INFREQUENT_ACCESS_DAYS } from '../../contract/aws-limits.js';

export interface DataLakeLayerProps {
  readonly name: string;
  /**
   * Physical bucket name.
   * @default - CloudFormation generates a name
   */
  readonly bucketName?: string;
  /** Days before objects move to STANDARD_IA (at least 30). */
  readonly infrequentAccessDelay: number;
  /**
   * Days before objects move to GLACIER (at least 90, and 30 after STANDARD_IA).
   * @default - objects are never archived
   */
  readonly archiveDelay?: number;
}

export interface DataLakeStorageProps {
  readonly layers: readonly DataLakeLayerProps[];
  /**
   * Physical name of the access-logs bucket.
   * @default - CloudFormation generates a name
   */
  readonly accessLogsBucketName?: string;
  /**
   * `kms`: one customer-managed, rotating key for every bucket; `s3`: S3-managed keys.
   * @default 'kms'
   */
  readonly encryption?: 'kms' | 's3';
  /**
   * `retain` keeps buckets and key on stack deletion; `destroy` deletes them, objects included.
   * @default 'retain'
   */
  readonly removalPolicy?: RemovalPolicyName;
  /**
   * CloudWatch Logs log-group name prefixes (e.g. `/aws-glue/`) allowed to encrypt with the key:
   * Glue security configurations encrypt their logs with it.
   * @default [] (no log group may use the key)
   */
  readonly logGroupPrefixes?: readonly string[];
}

const S3_LOGS_USE_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

export class DataLakeStorage extends Construct {
  /** The platform key; undefined with `encryption: 's3'`. */
  readonly key?: kms.Key;
  readonly accessLogsBucket: s3.Bucket;
  readonly buckets: Readonly<Record<string, s3.Bucket>>;

  constructor(scope: Construct, id: string, props: DataLakeStorageProps) {
    super(scope, id);
    // Log delivery through a bucket policy rather than ACLs (which BucketOwnerEnforced forbids),
    // whatever feature flags the surrounding app sets: must precede the buckets.
    this.node.setContext(S3_LOGS_USE_BUCKET_POLICY, true);
    const removalPolicy = props.removalPolicy ?? 'retain';
    for (const layer of props.layers) validateLayer(layer);

    if ((props.encryption ?? 'kms') === 'kms') {
      this.key = new kms.Key(this, 'Key', {
        description: `Data lake key (${Stack.of(this).stackName})`,
        enableKeyRotation: true,
        removalPolicy: toRemovalPolicy(removalPolicy),
      });
      for (const prefix of props.logGroupPrefixes ?? []) this.allowLogGroups(prefix);
    }

    // Server access logs cannot be delivered to an SSE-KMS bucket: this one uses SSE-S3.
    this.accessLogsBucket = secureBucket(this, 'AccessLogsBucket', {
      bucketName: props.accessLogsBucketName,
      removalPolicy,
      lifecycleRules: [{ id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });
    acknowledge(this.accessLogsBucket, {
      id: 'AwsSolutions-S1',
      reason: 'This is the server-access-logs destination; logging it into itself would loop.',
    });

    const buckets: Record<string, s3.Bucket> = {};
    for (const layer of props.layers) {
      buckets[layer.name] = secureBucket(this, `${constructId(layer.name)}Bucket`, {
        bucketName: layer.bucketName,
        encryptionKey: this.key,
        accessLogs: { bucket: this.accessLogsBucket, prefix: `${layer.name}-bucket/` },
        lifecycleRules: [layerLifecycle(layer)],
        removalPolicy,
      });
    }
    this.buckets = buckets;
  }

  /** The bucket of a layer; throws with the known layers when the name is unknown. */
  bucket(layer: string): s3.Bucket {
    const b = this.buckets[layer];
    if (!b) throw new Error(`DataLakeStorage: unknown layer '${layer}' (layers: ${Object.keys(this.buckets).join(', ')})`);
    return b;
  }

  private allowLogGroups(prefix: string): void {
    const { region, account } = Stack.of(this);
    this.key!.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AllowCloudWatchLogs${constructId(prefix)}`,
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${region}:${account}:log-group:${prefix}*` },
        },
      }),
    );
  }
}

/** Asserts what the validator's ARA210-ARA212 already guarantee for a validated spec. */
function validateLayer(l: DataLakeLayerProps): void {
  const where = `DataLakeStorage layer '${l.name}'`;
  if (!Number.isInteger(l.infrequentAccessDelay) || l.infrequentAccessDelay < MIN_INFREQUENT_ACCESS_DAYS) {
    throw new Error(`${where}: infrequentAccessDelay must be an integer >= ${MIN_INFREQUENT_ACCESS_DAYS} days (S3 minimum), got ${l.infrequentAccessDelay}`);
  }
  if (l.archiveDelay !== undefined) {
    const min = Math.max(MIN_ARCHIVE_DAYS, l.infrequentAccessDelay + MIN_DAYS_IN_INFREQUENT_ACCESS);
    if (!Number.isInteger(l.archiveDelay) || l.archiveDelay < min) {
      throw new Error(`${where}: archiveDelay must be an integer >= ${min} days (90, and 30 days after STANDARD_IA), got ${l.archiveDelay}`);
    }
  }
}

function layerLifecycle(l: DataLakeLayerProps): s3.LifecycleRule {
  const transitions: s3.Transition[] = [
    { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(l.infrequentAccessDelay) },
  ];
  if (l.archiveDelay !== undefined) {
    transitions.push({ storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(l.archiveDelay) });
  }
  return { id: `${l.name}-lifecycle`, abortIncompleteMultipartUploadAfter: Duration.days(1), transitions };
}
