/**
 * GlueSecurityConfiguration: encrypts what Glue crawlers and jobs write besides the data itself:
 * CloudWatch logs, job bookmarks and S3 output, all with the platform key.
 */
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

export interface GlueSecurityConfigurationProps {
  readonly name: string;
  /**
   * The key for S3 output (SSE-KMS), CloudWatch logs and job bookmarks.
   * @default - SSE-S3 for S3 output; logs and bookmarks unencrypted (storage encryption `s3`)
   */
  readonly key?: kms.IKey;
}

export class GlueSecurityConfiguration extends Construct {
  readonly resource: glue.CfnSecurityConfiguration;
  readonly name: string;

  constructor(scope: Construct, id: string, props: GlueSecurityConfigurationProps) {
    super(scope, id);
    this.name = props.name;
    const key = props.key?.keyArn;
    this.resource = new glue.CfnSecurityConfiguration(this, 'Resource', {
      name: props.name,
      encryptionConfiguration: key
        ? {
            cloudWatchEncryption: { cloudWatchEncryptionMode: 'SSE-KMS', kmsKeyArn: key },
            jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: key },
            s3Encryptions: [{ s3EncryptionMode: 'SSE-KMS', kmsKeyArn: key }],
          }
        : {
            cloudWatchEncryption: { cloudWatchEncryptionMode: 'DISABLED' },
            jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'DISABLED' },
            s3Encryptions: [{ s3EncryptionMode: 'SSE-S3' }],
          },
    });
    if (!key) {
      const reason = 'The spec selects storage.encryption: s3 (no customer-managed key); Glue logs and bookmarks need a KMS key to be encrypted.';
      acknowledge(this.resource, { id: 'AwsSolutions-GL1', reason }, { id: 'AwsSolutions-GL3', reason });
    }
  }
}
