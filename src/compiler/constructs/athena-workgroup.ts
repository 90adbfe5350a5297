/**
 * AthenaWorkgroup: a workgroup whose settings the clients cannot override, with its own results
 * bucket (encrypted with the platform key, expiring results) and SSE-KMS query results.
 */
import { Duration } from '../cdk-core.js';
import * as athena from 'aws-cdk-lib/aws-athena';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { secureBucket, type RemovalPolicyName } from './secure-bucket.js';

export interface AthenaWorkgroupProps {
  readonly workgroupName: string;
  /**
   * Physical name of the query-results bucket.
   * @default - CloudFormation generates a name
   */
  readonly resultsBucketName?: string;
  /** Days before query results expire. */
  readonly resultsRetentionDays: number;
  /**
   * Per-query scan limit in bytes (Athena minimum 10 MB).
   * @default - no limit
   */
  readonly bytesScannedCutoffPerQuery?: number;
  /**
   * Clients cannot override the output location or encryption.
   * @default true
   */
  readonly enforceConfiguration?: boolean;
  /**
   * SSE-KMS with this key for the results bucket and the query results.
   * @default - SSE-S3 (S3-managed keys)
   */
  readonly encryptionKey?: kms.IKey;
  readonly accessLogsBucket: s3.IBucket;
  /**
   * `retain` keeps the results bucket on stack deletion; `destroy` deletes it with its objects (and the workgroup's saved queries).
   * @default 'retain'
   */
  readonly removalPolicy?: RemovalPolicyName;
}

export const ATHENA_RESULTS_PREFIX = 'athena-results/';
const MIN_CUTOFF_BYTES = 10_000_000;

export class AthenaWorkgroup extends Construct {
  readonly workgroup: athena.CfnWorkGroup;
  readonly resultsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AthenaWorkgroupProps) {
    super(scope, id);
    if (props.bytesScannedCutoffPerQuery !== undefined && props.bytesScannedCutoffPerQuery < MIN_CUTOFF_BYTES) {
      throw new Error(`AthenaWorkgroup '${props.workgroupName}': bytesScannedCutoffPerQuery must be >= 10 MB (Athena minimum), got ${props.bytesScannedCutoffPerQuery}`);
    }
    const removalPolicy = props.removalPolicy ?? 'retain';
    this.resultsBucket = secureBucket(this, 'ResultsBucket', {
      bucketName: props.resultsBucketName,
      encryptionKey: props.encryptionKey,
      accessLogs: { bucket: props.accessLogsBucket, prefix: `${props.workgroupName}-athena-results-bucket/` },
      lifecycleRules: [
        {
          id: 'expire-results',
          expiration: Duration.days(props.resultsRetentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy,
    });

    this.workgroup = new athena.CfnWorkGroup(this, 'Workgroup', {
      name: props.workgroupName,
      state: 'ENABLED',
      // Deleting the workgroup also deletes its saved queries only when the spec allows destruction.
      recursiveDeleteOption: removalPolicy === 'destroy',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: props.enforceConfiguration ?? true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/${ATHENA_RESULTS_PREFIX}`,
          encryptionConfiguration: props.encryptionKey
            ? { encryptionOption: 'SSE_KMS', kmsKey: props.encryptionKey.keyArn }
            : { encryptionOption: 'SSE_S3' },
        },
      },
    });
  }
}
