/**
 * FirehoseDeliveryStream: an Amazon Data Firehose delivery stream into a data-lake prefix, reading a
 * Kinesis stream or accepting direct PUT (what a `firehose` sink writes to). Objects land under
 * Hive-style arrival-hour folders (`year=!{timestamp:yyyy}/...`) that match the Glue table's
 * partition keys; failed records go to an error prefix outside every table's folder. With `parquet`
 * the JSON records are converted against the declared Glue table (Hive JSON SerDe told the
 * generator's timestamp pattern; OpenX JSON SerDe has no timestamp-format setting).
 *
 * Least privilege: one role per delivery stream, allowed to read its one stream, write under its
 * prefixes of its one bucket, read its one table's schema, use the platform key and write its own
 * log stream.
 */
import { ArnFormat, RemovalPolicy, Stack } from '../cdk-core.js';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import { TIMESTAMP_PATTERN } from '../../contract/datasets.js';
import { FIREHOSE_BUFFERING } from '../../contract/streaming.js';
import { acknowledge } from '../nag.js';
import { wildcardExceptionFor } from './glue-data-access-role.js';

export interface FirehoseDeliveryStreamProps {
  readonly deliveryStreamName: string;
  /**
   * The Kinesis stream it reads.
   * @default direct PUT (producers such as a firehose sink put records)
   */
  readonly sourceStream?: kinesis.IStream;
  /** Physical name of the destination bucket. */
  readonly bucketName: string;
  /** S3 prefix of the objects, `!{timestamp:...}` expressions included. */
  readonly prefix: string;
  /** S3 prefix of failed records; must contain `!{firehose:error-output-type}`. */
  readonly errorOutputPrefix: string;
  /**
   * `parquet` converts each JSON record with `table`'s schema.
   * @default 'json'
   */
  readonly format?: 'json' | 'parquet';
  /**
   * The Glue table of the conversion schema (required with `parquet`).
   * @default none
   */
  readonly table?: { readonly databaseName: string; readonly tableName: string };
  /** Buffer size in MiB: 1-128, at least 64 with Parquet conversion. */
  readonly sizeMiB: number;
  /** Buffer interval in seconds: 0-900. */
  readonly intervalSeconds: number;
  /**
   * The platform key: objects are written SSE-KMS with it, direct-PUT records are encrypted at rest
   * with it, and it decrypts the source stream.
   * @default S3-managed encryption, AWS-owned key for direct PUT
   */
  readonly key?: kms.IKey;
}

/** Firehose's log stream for delivery errors, in the delivery stream's own log group. */
const LOG_STREAM = 'DestinationDelivery';

export class FirehoseDeliveryStream extends Construct {
  readonly deliveryStream: firehose.CfnDeliveryStream;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: FirehoseDeliveryStreamProps) {
    super(scope, id);
    const where = `FirehoseDeliveryStream '${props.deliveryStreamName}'`;
    const format = props.format ?? 'json';
    const limits = FIREHOSE_BUFFERING;
    const minSize = format === 'parquet' ? limits.minSizeMiBWithConversion : limits.minSizeMiB;
    if (!Number.isInteger(props.sizeMiB) || props.sizeMiB < minSize || props.sizeMiB > limits.maxSizeMiB) {
      throw new Error(`${where}: sizeMiB must be an integer from ${minSize} to ${limits.maxSizeMiB}${format === 'parquet' ? ' with Parquet conversion' : ''}, got ${props.sizeMiB}`);
    }
    if (!Number.isInteger(props.intervalSeconds) || props.intervalSeconds < limits.minIntervalSeconds || props.intervalSeconds > limits.maxIntervalSeconds) {
      throw new Error(`${where}: intervalSeconds must be an integer from ${limits.minIntervalSeconds} to ${limits.maxIntervalSeconds}, got ${props.intervalSeconds}`);
    }
    if (format === 'parquet' && !props.table) throw new Error(`${where}: Parquet conversion needs the Glue table of the record schema`);
    if (!props.errorOutputPrefix.includes('!{firehose:error-output-type}')) throw new Error(`${where}: the error prefix must contain !{firehose:error-output-type}`);
    const stack = Stack.of(this);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/kinesisfirehose/${props.deliveryStreamName}`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logStream = new logs.LogStream(this, 'LogStream', { logGroup: this.logGroup, logStreamName: LOG_STREAM, removalPolicy: RemovalPolicy.DESTROY });

    const bucketArn = stack.formatArn({ service: 's3', region: '', account: '', resource: props.bucketName });
    // Objects and error records: everything under the prefixes' static folders.
    const staticPart = (p: string) => (p.includes('!{') ? p.slice(0, p.lastIndexOf('/', p.indexOf('!{')) + 1) : p);
    const objectArns = [...new Set([staticPart(props.prefix), staticPart(props.errorOutputPrefix)])].map((p) => `${bucketArn}/${p}*`);

    this.role = new iam.Role(this, 'Role', {
      description: `ara-gen delivery stream ${props.deliveryStreamName}: writes s3://${props.bucketName}/${staticPart(props.prefix)}`,
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', { conditions: { StringEquals: { 'sts:ExternalId': stack.account } } }),
    });
    const statements = [
      new iam.PolicyStatement({
        sid: 'Bucket',
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [bucketArn],
      }),
      new iam.PolicyStatement({ sid: 'Objects', actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'], resources: objectArns }),
      new iam.PolicyStatement({
        sid: 'Logs',
        actions: ['logs:PutLogEvents'],
        resources: [
          stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${this.logGroup.logGroupName}:log-stream:${LOG_STREAM}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        ],
      }),
    ];
    if (props.sourceStream) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'ReadStream',
          actions: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards'],
          resources: [props.sourceStream.streamArn],
        }),
      );
    }
    if (props.key) {
      statements.push(new iam.PolicyStatement({ sid: 'Key', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [props.key.keyArn] }));
    }
    if (props.table) {
      const glueArn = (resource: string, name?: string) => stack.formatArn({ service: 'glue', resource, resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
      statements.push(
        new iam.PolicyStatement({
          sid: 'Schema',
          actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
          resources: [glueArn('catalog'), glueArn('database', props.table.databaseName), glueArn('table', `${props.table.databaseName}/${props.table.tableName}`)],
        }),
      );
    }
    const policy = new iam.Policy(this, 'Policy', { statements });
    policy.attachToRole(this.role);

    const conversion: firehose.CfnDeliveryStream.DataFormatConversionConfigurationProperty | undefined =
      format === 'parquet'
        ? {
            enabled: true,
            inputFormatConfiguration: { deserializer: { hiveJsonSerDe: { timestampFormats: [TIMESTAMP_PATTERN] } } },
            outputFormatConfiguration: { serializer: { parquetSerDe: { compression: 'SNAPPY' } } },
            schemaConfiguration: {
              catalogId: stack.account,
              region: stack.region,
              databaseName: props.table!.databaseName,
              tableName: props.table!.tableName,
              roleArn: this.role.roleArn,
              versionId: 'LATEST',
            },
          }
        : undefined;

    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamName: props.deliveryStreamName,
      deliveryStreamType: props.sourceStream ? 'KinesisStreamAsSource' : 'DirectPut',
      ...(props.sourceStream ? { kinesisStreamSourceConfiguration: { kinesisStreamArn: props.sourceStream.streamArn, roleArn: this.role.roleArn } } : {}),
      ...(props.sourceStream
        ? {}
        : {
            deliveryStreamEncryptionConfigurationInput: props.key
              ? { keyType: 'CUSTOMER_MANAGED_CMK', keyArn: props.key.keyArn }
              : { keyType: 'AWS_OWNED_CMK' },
          }),
      extendedS3DestinationConfiguration: {
        bucketArn,
        roleArn: this.role.roleArn,
        prefix: props.prefix,
        errorOutputPrefix: props.errorOutputPrefix,
        bufferingHints: { sizeInMBs: props.sizeMiB, intervalInSeconds: props.intervalSeconds },
        // Parquet compresses its pages itself; JSON objects are gzipped.
        compressionFormat: format === 'parquet' ? 'UNCOMPRESSED' : 'GZIP',
        ...(props.key ? { encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: props.key.keyArn } } } : {}),
        cloudWatchLoggingOptions: { enabled: true, logGroupName: this.logGroup.logGroupName, logStreamName: LOG_STREAM },
        ...(conversion ? { dataFormatConversionConfiguration: conversion } : {}),
      },
    });
    // Firehose checks its role's permissions when it is created.
    this.deliveryStream.node.addDependency(policy, logStream);

    for (const arn of objectArns) {
      const flat = flattenCfnReference(stack.resolve(arn));
      acknowledge(policy, { id: `AwsSolutions-IAM5[Resource::${flat}]`, reason: wildcardExceptionFor(flat)?.reason ?? 'Objects under one prefix, named by Firehose at run time.' });
    }
    if (props.sourceStream) {
      acknowledge(this.deliveryStream, {
        id: 'AwsSolutions-KDF1',
        reason: "Reads a Kinesis stream: Firehose's server-side encryption applies to direct PUT only; the stream is encrypted with the platform key and objects are written SSE-KMS.",
      });
    }
  }
}
