/**
 * BatchReplayer: ARA's BatchReplayer for ara-gen. A Node.js Lambda, run by an EventBridge schedule
 * every `frequencySeconds`, generates the retail table's window that just ended and writes it as CSV
 * under `s3://<bucket>/<prefix>ingestion_start=…/ingestion_end=…/` (`<table>/` when the prefix is
 * empty; see src/datasets/replay-layout.ts). The handler is bundled with esbuild at synth time from the
 * compiled sources — no network, no Docker — into a content-addressed directory, so two synths on
 * any machine produce the same asset hash.
 *
 * Least privilege: the function's own role may only put objects under that window prefix of that
 * one bucket, use the platform key to encrypt them, and write to its own log group.
 */
import { Duration, RemovalPolicy, Stack, Token } from '../cdk-core.js';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import { bundleHandler } from './bundle.js';
import { csvEncoder, datasetTables, generateWindow, tableColumns } from '../../datasets/retail.js';
import { withTrailingSlash, windowKeyPrefix } from '../../datasets/replay-layout.js';
import { acknowledge } from '../nag.js';
import { wildcardExceptionFor } from './glue-data-access-role.js';

export interface BatchReplayerProps {
  /** The spec's replayer name (used in descriptions). */
  readonly replayerName: string;
  /** Only the `retail` group exists; `table` is one of its tables (datasetTables()). */
  readonly dataset: { readonly group: string; readonly table: string };
  /** Window length and schedule rate; EventBridge rates are whole minutes. */
  readonly frequencySeconds: number;
  readonly seed: number;
  readonly recordsPerWindow: number;
  /**
   * Reserved concurrency of the function. None by default: reserving fails in new accounts whose
   * concurrency quota is 10 (AWS keeps 10 unreserved), and windows are idempotent, so a slow window
   * overlapping the next one rewrites nothing twice.
   * @default - no reservation
   */
  readonly reservedConcurrency?: number;
  readonly bucket: s3.IBucket;
  /** Key prefix inside the bucket, naming the table's folder (`customer/`); empty = `<table>/`. */
  readonly prefix: string;
  /**
   * The bucket's KMS key: objects are written SSE-KMS with it (bucket key on).
   * @default - the bucket's default encryption (SSE-S3 for an S3-managed bucket)
   */
  readonly encryptionKey?: kms.IKey;
  readonly functionName: string;
}

/** The latest Node.js runtime the CDK offers (cdk-nag AwsSolutions-L1). */
export const REPLAYER_RUNTIME = lambda.Runtime.NODEJS_24_X;

const MAX_MEMORY_MIB = 10_240;
const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/** Lambda memory and timeout for one window, from the measured CSV size of the table's rows. */
export function replayerSizing(table: string, recordsPerWindow: number): { memoryMiB: number; timeoutSeconds: number } {
  const sample = generateWindow(table, { seed: 0, start: new Date(0), end: new Date(60_000), recordsPerWindow: 200 });
  const enc = csvEncoder(tableColumns(table));
  const rowBytes = Math.ceil(sample.reduce((n, r) => n + enc.line(r).length, 0) / sample.length);
  // Per row at peak: the row object (~700 B), its CSV line, the joined part and the request body.
  const needed = 192 + (recordsPerWindow * (700 + 3 * rowBytes)) / 1024 / 1024;
  const memoryMiB = Math.max(256, Math.ceil(needed / 64) * 64);
  if (memoryMiB > MAX_MEMORY_MIB) {
    throw new Error(
      `BatchReplayer: ${recordsPerWindow} ${table} records per window need about ${memoryMiB} MiB, more than a Lambda function has (${MAX_MEMORY_MIB} MiB): lower recordsPerWindow or shorten the frequency`,
    );
  }
  // ~100k rows/s on one vCPU (1769 MiB); smaller functions get a proportional CPU share.
  const cpuShare = Math.min(1, memoryMiB / 1769);
  const timeoutSeconds = Math.min(900, 30 + Math.ceil(recordsPerWindow / (100_000 * cpuShare)));
  return { memoryMiB, timeoutSeconds };
}

/**
 * Bundles the compiled replayer handler (`<build>/src/runtime/replayer/handler.js`) into a
 * content-addressed directory (bundle.ts). The handler only uses S3 PutObject, stable across the SDK
 * versions Lambda runtimes ship.
 */
export function bundleReplayerHandler(): string {
  return bundleHandler('replayer');
}

/**
 * The bucket's physical name when it is known at synth time (named or imported-by-name buckets), or
 * when it is an `Fn::Sub` of pseudo parameters only (an environment-agnostic name, physical-name.ts):
 * such a name resolves in any stack, so it needs no cross-stack export and the cdk-nag
 * acknowledgement can name the resource as the template will.
 */
function literalBucketName(bucket: s3.IBucket): string | undefined {
  if (!Token.isUnresolved(bucket.bucketName)) return bucket.bucketName;
  const cfn = bucket.node.defaultChild;
  if (!(cfn instanceof s3.CfnBucket) || typeof cfn.bucketName !== 'string') return undefined;
  return !Token.isUnresolved(cfn.bucketName) || isPseudoParameterSub(Stack.of(cfn).resolve(cfn.bucketName)) ? cfn.bucketName : undefined;
}

/** `{ "Fn::Sub": "text with ${AWS::AccountId}/${AWS::Region}..." }` and nothing that names a resource. */
function isPseudoParameterSub(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const sub = (v as Record<string, unknown>)['Fn::Sub'];
  return Object.keys(v).length === 1 && typeof sub === 'string' && [...sub.matchAll(/\$\{([^}]*)\}/g)].every((m) => m[1]!.startsWith('AWS::'));
}

export class BatchReplayer extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly rule: events.Rule;
  /** Where the windows land: the prefix, or `<table>/` when it is empty. */
  readonly keyPrefix: string;

  constructor(scope: Construct, id: string, props: BatchReplayerProps) {
    super(scope, id);
    const { table, group } = props.dataset;
    if (group !== 'retail') throw new Error(`BatchReplayer '${props.replayerName}': unknown dataset group '${group}' (available: retail)`);
    if (!datasetTables().includes(table)) tableColumns(table); // throws with did-you-mean
    const f = props.frequencySeconds;
    if (!Number.isInteger(f) || f < 60 || f % 60 !== 0) {
      throw new Error(`BatchReplayer '${props.replayerName}': frequency must be a whole number of minutes (EventBridge rates), got ${f} s`);
    }
    if (!Number.isSafeInteger(props.recordsPerWindow) || props.recordsPerWindow < 0) {
      throw new Error(`BatchReplayer '${props.replayerName}': recordsPerWindow must be a non-negative integer, got ${props.recordsPerWindow}`);
    }
    const prefix = withTrailingSlash(props.prefix);
    this.keyPrefix = windowKeyPrefix(prefix, table);
    const stack = Stack.of(this);
    const sizing = replayerSizing(table, props.recordsPerWindow);

    // Name the bucket literally when possible: the policy then reads as the bucket it grants, and the
    // cdk-nag acknowledgement below names the exact resource whatever stack the bucket lives in.
    const bucketName = literalBucketName(props.bucket);
    const objectsArn = bucketName
      ? stack.formatArn({ service: 's3', region: '', account: '', resource: bucketName, resourceName: `${this.keyPrefix}*` })
      : props.bucket.arnForObjects(`${this.keyPrefix}*`);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new iam.Role(this, 'Role', {
      description: `ara-gen replayer ${props.replayerName}: writes ${table} windows under ${this.keyPrefix}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const statements = [
      new iam.PolicyStatement({ sid: 'WriteWindows', actions: ['s3:PutObject'], resources: [objectsArn] }),
      new iam.PolicyStatement({ sid: 'Logs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
    ];
    if (props.encryptionKey) {
      statements.push(
        new iam.PolicyStatement({ sid: 'EncryptWindows', actions: ['kms:GenerateDataKey', 'kms:Encrypt'], resources: [props.encryptionKey.keyArn] }),
      );
    }
    const policy = new iam.Policy(this, 'Policy', { statements });
    policy.attachToRole(this.role);

    this.function = new lambda.Function(this, 'Function', {
      functionName: props.functionName,
      description: `ara-gen replayer ${props.replayerName}: retail/${table} every ${f / 60} min`,
      runtime: REPLAYER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundleReplayerHandler()),
      role: this.role,
      logGroup: this.logGroup,
      memorySize: sizing.memoryMiB,
      timeout: Duration.seconds(sizing.timeoutSeconds),
      reservedConcurrentExecutions: props.reservedConcurrency,
      // Windows derive from the event time, so a retry rewrites the same objects (idempotent).
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      environment: {
        BUCKET: bucketName ?? props.bucket.bucketName,
        PREFIX: prefix,
        TABLE: table,
        SEED: String(props.seed),
        RECORDS_PER_WINDOW: String(props.recordsPerWindow),
        FREQUENCY_SECONDS: String(f),
        ...(props.encryptionKey ? { KMS_KEY_ARN: props.encryptionKey.keyArn } : {}),
      },
    });
    // The role's policy must exist before the function can run (and before the schedule fires).
    this.function.node.addDependency(policy);

    this.rule = new events.Rule(this, 'Schedule', {
      ruleName: props.functionName,
      description: `ara-gen replayer ${props.replayerName}: one ${table} window every ${f / 60} min`,
      schedule: events.Schedule.rate(Duration.seconds(f)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
    });

    const flat = flattenCfnReference(stack.resolve(objectsArn));
    acknowledge(policy, {
      id: `AwsSolutions-IAM5[Resource::${flat}]`,
      reason:
        wildcardExceptionFor(flat)?.reason ??
        `Objects under ${this.keyPrefix}: one key per replayed window, created at run time, so the table's prefix is the narrowest scope.`,
    });
  }
}
