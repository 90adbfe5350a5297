/**
 * SinkReplayer: the replayer whose target is a sink, as a Lambda on an EventBridge schedule that runs
 * the runtime's sink job (src/runtime/lambda/sink-replayer.ts) with the sink's compiled config
 * embedded. Same generator and schedule semantics as the BatchReplayer.
 *
 * Least privilege: its role may write to its one destination (sink-destination-access.ts), put
 * dead letters under its own `_dead-letters/<sink>/` prefix of the raw layer, use the platform key
 * and write its own log group.
 */
import { Duration, RemovalPolicy, Stack } from '../cdk-core.js';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { REPLAYER_RUNTIME, replayerSizing } from './batch-replayer.js';
import { bundleHandler } from './bundle.js';
import { acknowledgeSinkWildcards, destinationGrant, type SinkDestinationAccess } from './sink-destination-access.js';

/** Where the sink writes, and what its role may call there. */
export type SinkReplayerDestination = SinkDestinationAccess;

export interface SinkReplayerProps {
  readonly replayerName: string;
  /** A table of the retail dataset. */
  readonly table: string;
  readonly frequencySeconds: number;
  readonly seed: number;
  readonly recordsPerWindow: number;
  readonly functionName: string;
  /** The sink's compiled config (`sinks/<sink>.json`), embedded as SINK_CONFIG. */
  readonly sinkConfig: { readonly sink: string };
  readonly destination: SinkReplayerDestination;
  /** Physical name of the bucket holding the dead letters (the raw layer). */
  readonly deadLetterBucketName: string;
  /**
   * The platform key (dead letters SSE-KMS; a KMS-encrypted destination).
   * @default no key permissions (S3-managed encryption)
   */
  readonly key?: kms.IKey;
  /**
   * Reading stops this long before the Lambda times out, so the sink drains and closes in time.
   * @default 10 seconds
   */
  readonly stopMargin?: Duration;
}

export class SinkReplayer extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly rule: events.Rule;
  /** Prefix of the dead letters in the raw layer: `_dead-letters/<sink>/`. */
  readonly deadLetterPrefix: string;

  constructor(scope: Construct, id: string, props: SinkReplayerProps) {
    super(scope, id);
    const f = props.frequencySeconds;
    if (!Number.isInteger(f) || f < 60 || f % 60 !== 0) {
      throw new Error(`SinkReplayer '${props.replayerName}': frequency must be a whole number of minutes (EventBridge rates), got ${f} s`);
    }
    const stack = Stack.of(this);
    const sink = props.sinkConfig.sink;
    this.deadLetterPrefix = `_dead-letters/${sink}/`;
    const stopMargin = props.stopMargin ?? Duration.seconds(10);
    // One window per tick: the run may take the whole period (at most Lambda's 15 minutes).
    const timeoutSeconds = Math.min(900, Math.max(60, f));
    const memoryMiB = replayerSizing(props.table, props.recordsPerWindow).memoryMiB;

    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      description: `ara-gen replayer ${props.replayerName}: sends ${props.table} windows through sink ${sink}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const grant = destinationGrant(this, props.destination);
    const deadLettersArn = stack.formatArn({ service: 's3', region: '', account: '', resource: props.deadLetterBucketName, resourceName: `${this.deadLetterPrefix}*` });
    const statements = [
      ...grant.statements,
      new iam.PolicyStatement({ sid: 'DeadLetters', actions: ['s3:PutObject'], resources: [deadLettersArn] }),
      new iam.PolicyStatement({ sid: 'Logs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    ];
    if (props.key) statements.push(new iam.PolicyStatement({ sid: 'Key', actions: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'], resources: [props.key.keyArn] }));
    const policy = new iam.Policy(this, 'Policy', { statements });
    policy.attachToRole(this.role);

    this.function = new lambda.Function(this, 'Function', {
      functionName: props.functionName,
      description: `ara-gen replayer ${props.replayerName}: retail/${props.table} through sink ${sink} every ${f / 60} min`,
      runtime: REPLAYER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundleHandler('sink-replayer')),
      role: this.role,
      logGroup,
      memorySize: memoryMiB,
      timeout: Duration.seconds(timeoutSeconds),
      // Windows derive from the event time, so a retry sends the same records again (at least once).
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      environment: {
        SINK_CONFIG: JSON.stringify(props.sinkConfig),
        TABLE: props.table,
        SEED: String(props.seed),
        RECORDS_PER_WINDOW: String(props.recordsPerWindow),
        FREQUENCY_SECONDS: String(f),
        DEAD_LETTER_BUCKET: props.deadLetterBucketName,
        DEAD_LETTER_PREFIX: this.deadLetterPrefix,
        STOP_MARGIN_MS: String(stopMargin.toMilliseconds()),
        ...(props.key ? { KMS_KEY_ARN: props.key.keyArn } : {}),
      },
    });
    this.function.node.addDependency(policy);

    this.rule = new events.Rule(this, 'Schedule', {
      ruleName: props.functionName,
      description: `ara-gen replayer ${props.replayerName}: one ${props.table} window every ${f / 60} min into sink ${sink}`,
      schedule: events.Schedule.rate(Duration.seconds(f)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
    });

    acknowledgeSinkWildcards(policy, deadLettersArn, this.deadLetterPrefix, grant, 'one object per window, named at run time');
  }
}
