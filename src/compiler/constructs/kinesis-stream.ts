/**
 * KinesisStream: one Kinesis data stream, provisioned (a shard count) or on-demand, with its
 * retention, encrypted with the platform's customer-managed key (one key for the whole platform,
 * not one per stream), under the physical name the sink configs already carry.
 */
import { Duration } from '../cdk-core.js';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import { toRemovalPolicy, type RemovalPolicyName } from './secure-bucket.js';

/** Kinesis Data Streams limits (retention in hours, shards per provisioned stream by default quota). */
export const KINESIS_RETENTION_HOURS = { min: 24, max: 8760 } as const;

export interface KinesisStreamProps {
  /** Physical stream name (`<platform>-<env>-<stream>`). */
  readonly streamName: string;
  /** @default 'provisioned' */
  readonly mode?: 'provisioned' | 'on-demand';
  /**
   * Shards of a provisioned stream; must be absent for on-demand streams.
   * @default 1
   */
  readonly shards?: number;
  /** @default 24 */
  readonly retentionHours?: number;
  /**
   * `kms`: SSE with `key` (the AWS-managed `aws/kinesis` key when no key is given); `none`: unencrypted.
   * @default 'kms'
   */
  readonly encryption?: 'kms' | 'none';
  /**
   * The platform's customer-managed key.
   * @default the AWS-managed Kinesis key (when encryption is `kms`)
   */
  readonly key?: kms.IKey;
  /** @default 'retain' */
  readonly removalPolicy?: RemovalPolicyName;
}

export class KinesisStream extends Construct {
  readonly stream: kinesis.Stream;

  constructor(scope: Construct, id: string, props: KinesisStreamProps) {
    super(scope, id);
    const mode = props.mode ?? 'provisioned';
    const retention = props.retentionHours ?? KINESIS_RETENTION_HOURS.min;
    const where = `KinesisStream '${props.streamName}'`;
    if (!Number.isInteger(retention) || retention < KINESIS_RETENTION_HOURS.min || retention > KINESIS_RETENTION_HOURS.max) {
      throw new Error(`${where}: retentionHours must be an integer from ${KINESIS_RETENTION_HOURS.min} to ${KINESIS_RETENTION_HOURS.max}, got ${retention}`);
    }
    if (mode === 'on-demand' && props.shards !== undefined) throw new Error(`${where}: an on-demand stream has no shard count`);
    const shards = mode === 'provisioned' ? (props.shards ?? 1) : undefined;
    if (shards !== undefined && (!Number.isInteger(shards) || shards < 1)) throw new Error(`${where}: shards must be a positive integer, got ${shards}`);
    const encryption = props.encryption ?? 'kms';
    this.stream = new kinesis.Stream(this, 'Stream', {
      streamName: props.streamName,
      ...(mode === 'on-demand' ? { streamMode: kinesis.StreamMode.ON_DEMAND } : { streamMode: kinesis.StreamMode.PROVISIONED, shardCount: shards }),
      retentionPeriod: Duration.hours(retention),
      ...(encryption === 'none'
        ? { encryption: kinesis.StreamEncryption.UNENCRYPTED }
        : props.key
          ? { encryption: kinesis.StreamEncryption.KMS, encryptionKey: props.key }
          : { encryption: kinesis.StreamEncryption.MANAGED }),
      removalPolicy: toRemovalPolicy(props.removalPolicy ?? 'retain'),
    });
    if (encryption === 'none') {
      acknowledge(this.stream, {
        id: 'AwsSolutions-KDS1',
        reason: `The spec sets 'encryption: none' on this stream explicitly (the default is the platform's KMS key).`,
      });
    }
    if (encryption === 'kms' && props.key) {
      acknowledge(this.stream, {
        id: 'AwsSolutions-KDS3',
        reason:
          "The stream is encrypted with the platform's one customer-managed key (rotation on, the same key as the lake buckets) rather than aws/kinesis: one key policy governs all platform data.",
      });
    }
  }
}
