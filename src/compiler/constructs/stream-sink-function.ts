/**
 * StreamSinkFunction: a sink fed by a Kinesis stream (`sinks.<name>.source: { stream }`), as a
 * Lambda on an event source mapping that runs the runtime's sink job
 * (src/runtime/lambda/stream-sink.ts) with the sink's compiled config embedded. Throughput grows
 * with shards × parallelization factor, on Lambda's own pollers.
 *
 * The mapping reports batch item failures (the handler answers with the records to retry), may
 * bisect a failing batch, retries a bounded number of times, and then sends the batch's
 * description (shard, sequence numbers) to an on-failure SQS queue, KMS-encrypted with the platform
 * key and TLS-only. Records the destination rejects for good go to the `_dead-letters/<sink>/`
 * prefix of the raw layer instead, so one bad record never blocks a shard.
 *
 * Least privilege: read the one source stream (+ decrypt with the platform key), write to the one
 * destination (sink-destination-access.ts), put dead letters under the sink's own prefix, send to its
 * own queue, write its own log group.
 */
import { Duration, RemovalPolicy, Stack } from '../cdk-core.js';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { KINESIS_EVENT_SOURCE as LIMITS } from '../../contract/aws-limits.js';
import { SPEC_DEFAULTS } from '../../contract/defaults.js';
import { acknowledge } from '../nag.js';
import { REPLAYER_RUNTIME } from './batch-replayer.js';
import { bundleHandler } from './bundle.js';
import { acknowledgeSinkWildcards, destinationGrant, type SinkDestinationAccess } from './sink-destination-access.js';

export interface StreamSinkFunctionProps {
  readonly functionName: string;
  /** The sink's compiled config (`sinks/<sink>.json`), embedded as SINK_CONFIG. */
  readonly sinkConfig: { readonly sink: string };
  /** ARN of the Kinesis stream the sink reads. */
  readonly sourceStreamArn: string;
  readonly destination: SinkDestinationAccess;
  /** Physical name of the bucket holding the dead letters (the raw layer). */
  readonly deadLetterBucketName: string;
  /**
   * The platform key: decrypts the source stream, encrypts the queue and the dead letters, and a
   * KMS-encrypted destination.
   * @default no key permissions (unencrypted stream, SQS-managed queue encryption)
   */
  readonly key?: kms.IKey;
  /**
   * Records per invocation (1-10,000).
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * How long Lambda gathers records before invoking (0-300 s).
   * @default Duration.seconds(0)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Concurrent batches per shard (1-10).
   * @default 1
   */
  readonly parallelizationFactor?: number;
  /**
   * Split a failing batch in two and retry each half.
   * @default true
   */
  readonly bisectOnError?: boolean;
  /**
   * Retries of a failing batch before it goes to the on-failure queue (-1: until it expires).
   * @default 10
   */
  readonly maxRetryAttempts?: number;
  /**
   * Where a new mapping starts reading.
   * @default lambda.StartingPosition.TRIM_HORIZON
   */
  readonly startingPosition?: lambda.StartingPosition;
  /**
   * The Lambda's timeout; the sink job stops reading `stopMargin` before it.
   * @default Duration.minutes(2)
   */
  readonly timeout?: Duration;
  /**
   * Reading stops this long before the Lambda times out, so the sink drains and closes in time.
   * @default Duration.seconds(10)
   */
  readonly stopMargin?: Duration;
  /**
   * Memory of the Lambda (MiB).
   * @default 512
   */
  readonly memoryMiB?: number;
}

export class StreamSinkFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly mapping: lambda.EventSourceMapping;
  /** Where Lambda sends the description of a batch whose retries ran out. */
  readonly onFailureQueue: sqs.Queue;
  /** Prefix of the dead letters in the raw layer: `_dead-letters/<sink>/`. */
  readonly deadLetterPrefix: string;

  constructor(scope: Construct, id: string, props: StreamSinkFunctionProps) {
    super(scope, id);
    const d = SPEC_DEFAULTS.streamSource;
    const sink = props.sinkConfig.sink;
    const batchSize = props.batchSize ?? d.batchSize;
    const window = props.maxBatchingWindow ?? Duration.seconds(0);
    const parallelizationFactor = props.parallelizationFactor ?? d.parallelizationFactor;
    const retryAttempts = props.maxRetryAttempts ?? d.maxRetryAttempts;
    // The validator's rules (ARA285-ARA287) keep specs inside these; a library caller gets one sentence.
    const within = (what: string, v: number, b: { min: number; max: number }): void => {
      if (!Number.isInteger(v) || v < b.min || v > b.max) throw new Error(`StreamSinkFunction '${sink}': ${what} must be an integer from ${b.min} to ${b.max}, got ${v}`);
    };
    within('batchSize', batchSize, LIMITS.batchSize);
    within('maxBatchingWindow (seconds)', window.toSeconds(), LIMITS.maxBatchingWindowSeconds);
    within('parallelizationFactor', parallelizationFactor, LIMITS.parallelizationFactor);
    within('maxRetryAttempts', retryAttempts, LIMITS.maxRetryAttempts);

    const stack = Stack.of(this);
    this.deadLetterPrefix = `_dead-letters/${sink}/`;
    const stopMargin = props.stopMargin ?? Duration.seconds(10);
    const timeout = props.timeout ?? Duration.minutes(2);

    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.onFailureQueue = new sqs.Queue(this, 'OnFailure', {
      encryption: props.key ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED,
      ...(props.key ? { encryptionMasterKey: props.key } : {}),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.onFailureQueue, {
      id: 'AwsSolutions-SQS3',
      reason: `This queue is itself the on-failure destination (a dead-letter queue) of sink ${sink}'s event source mapping.`,
    });

    this.role = new iam.Role(this, 'Role', {
      description: `ara-gen sink ${sink}: reads its source stream and writes through the sink`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const grant = destinationGrant(this, props.destination);
    const deadLettersArn = stack.formatArn({ service: 's3', region: '', account: '', resource: props.deadLetterBucketName, resourceName: `${this.deadLetterPrefix}*` });
    const statements = [
      // What Lambda's poller calls with the function's role (no kinesis:ListStreams: it needs '*').
      new iam.PolicyStatement({
        sid: 'SourceStream',
        actions: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
        resources: [props.sourceStreamArn],
      }),
      ...grant.statements,
      new iam.PolicyStatement({ sid: 'DeadLetters', actions: ['s3:PutObject'], resources: [deadLettersArn] }),
      new iam.PolicyStatement({ sid: 'OnFailure', actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'], resources: [this.onFailureQueue.queueArn] }),
      new iam.PolicyStatement({ sid: 'Logs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    ];
    if (props.key) statements.push(new iam.PolicyStatement({ sid: 'Key', actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'], resources: [props.key.keyArn] }));
    const policy = new iam.Policy(this, 'Policy', { statements });
    policy.attachToRole(this.role);
    acknowledgeSinkWildcards(policy, deadLettersArn, this.deadLetterPrefix, grant, 'one object per failing batch, named by shard and sequence numbers at run time');

    this.function = new lambda.Function(this, 'Function', {
      functionName: props.functionName,
      description: `ara-gen sink ${sink}: fed by a Kinesis stream through an event source mapping`,
      runtime: REPLAYER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundleHandler('stream-sink')),
      role: this.role,
      logGroup,
      memorySize: props.memoryMiB ?? 512,
      timeout,
      environment: {
        SINK_CONFIG: JSON.stringify(props.sinkConfig),
        DEAD_LETTER_BUCKET: props.deadLetterBucketName,
        DEAD_LETTER_PREFIX: this.deadLetterPrefix,
        STOP_MARGIN_MS: String(stopMargin.toMilliseconds()),
        ...(props.key ? { KMS_KEY_ARN: props.key.keyArn } : {}),
      },
    });
    this.function.node.addDependency(policy);

    // The SqsDlq destination's own grant would add a second policy: the role's policy above has it.
    const onFailure: lambda.IEventSourceDlq = { bind: () => ({ destination: this.onFailureQueue.queueArn }) };
    this.mapping = new lambda.EventSourceMapping(this, 'Mapping', {
      target: this.function,
      eventSourceArn: props.sourceStreamArn,
      batchSize,
      maxBatchingWindow: window,
      parallelizationFactor,
      reportBatchItemFailures: true,
      bisectBatchOnError: props.bisectOnError ?? d.bisectOnError,
      retryAttempts,
      startingPosition: props.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
      onFailure,
    });
    // CloudFormation creates the mapping only if the role can already read the stream.
    this.mapping.node.addDependency(policy);
  }
}
