/**
 * WarehouseMigrations: applies the rendered warehouse SQL at deploy time. A CDK `Provider` custom
 * resource whose on-event and is-complete handlers (src/runtime/warehouse/handler.ts, bundled at
 * synth time) run the migrations through the Redshift Data API with the Redshift-managed admin
 * secret; a changed migration list (new migrations, changed repeatables) updates the resource.
 *
 * Least privilege: the handlers may run statements on this one workgroup or cluster, read the
 * statements they started themselves (the Data API's statement-owner condition), and read the
 * admin secret; nothing else.
 */
import { CustomResource, Duration, RemovalPolicy, Stack, Token } from '../cdk-core.js';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { Migration } from '../../contract/warehouse-migration.js';
import { acknowledge } from '../nag.js';
import { bundleHandler } from './bundle.js';
import { REPLAYER_RUNTIME } from './batch-replayer.js';
import type { RedshiftWarehouse } from './redshift-warehouse.js';

export interface WarehouseMigrationsProps {
  readonly warehouse: RedshiftWarehouse;
  readonly migrations: readonly Migration[];
  /** Key encrypting the admin secret. */
  readonly key: kms.IKey;
  /** Name prefix of the handlers and their log groups, e.g. `mystore-dev-warehouse`. */
  readonly name: string;
  /** How long a deploy may wait for the migrations. @default 1 hour */
  readonly totalTimeout?: Duration;
}

export class WarehouseMigrations extends Construct {
  readonly resource: CustomResource;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: WarehouseMigrationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const w = props.warehouse;
    const logGroup = new logs.LogGroup(this, 'Logs', { logGroupName: `/aws/lambda/${props.name}-migrations`, retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.role = new iam.Role(this, 'Role', {
      description: `ara-gen ${props.name}: applies warehouse migrations through the Redshift Data API`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const policy = new iam.Policy(this, 'Policy', {
      statements: [
        new iam.PolicyStatement({ sid: 'RunStatements', actions: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'], resources: [w.arn] }),
        new iam.PolicyStatement({
          sid: 'OwnStatements',
          actions: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult', 'redshift-data:ListStatements'],
          // These actions take no resource; the condition limits them to statements this role started.
          resources: ['*'],
          conditions: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
        }),
        new iam.PolicyStatement({ sid: 'AdminSecret', actions: ['secretsmanager:GetSecretValue'], resources: [w.adminSecretResource()] }),
        new iam.PolicyStatement({
          sid: 'AdminSecretKey',
          actions: ['kms:Decrypt'],
          resources: [props.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
        }),
        new iam.PolicyStatement({ sid: 'Logs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
      ],
    });
    policy.attachToRole(this.role);
    acknowledge(policy, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'DescribeStatement, GetStatementResult and ListStatements support no resource-level permissions; the statement-owner condition limits them to this role\'s own statements.',
    });
    if (!w.adminSecret.arn) {
      // cdk-nag names an environment-agnostic stack's pseudo parameters the way it names the partition.
      const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
      const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
      acknowledge(policy, {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:${w.adminSecret.name}-??????]`,
        reason: 'The Redshift-managed admin secret of the namespace: its name is fixed, the 6 characters Secrets Manager appends are not known before it exists.',
      });
    }

    const code = lambda.Code.fromAsset(bundleHandler('warehouse-migrations'));
    const fn = (fid: string, handler: string, timeout: Duration) =>
      new lambda.Function(this, fid, {
        functionName: `${props.name}-migrations-${handler === 'index.onEvent' ? 'event' : 'complete'}`,
        description: `ara-gen ${props.name}: warehouse migrations (${handler})`,
        runtime: REPLAYER_RUNTIME,
        architecture: lambda.Architecture.ARM_64,
        handler,
        code,
        role: this.role,
        logGroup,
        memorySize: 256,
        timeout,
      });
    const onEvent = fn('OnEvent', 'index.onEvent', Duration.seconds(30));
    const isComplete = fn('IsComplete', 'index.isComplete', Duration.minutes(10));
    onEvent.node.addDependency(policy);
    isComplete.node.addDependency(policy);

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: Duration.seconds(15),
      totalTimeout: props.totalTimeout ?? Duration.hours(1),
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::WarehouseMigrations',
      properties: {
        Database: w.databaseName,
        SecretArn: w.adminSecret.arn ?? w.adminSecret.name,
        ...(w.engine === 'redshift-serverless' ? { WorkgroupName: w.identifier } : { ClusterIdentifier: w.identifier }),
        StatementPrefix: `ara-gen:${w.identifier}:`,
        Migrations: JSON.stringify(props.migrations),
      },
    });
    this.resource.node.addDependency(w.resource);

    // The Provider framework's own functions and state machine (CDK-managed code).
    // The framework's functions and state machine may invoke any version of the functions they chain.
    const invokes = this.node
      .findAll()
      .filter((c): c is lambda.Function => c instanceof lambda.Function)
      .map((f) => ({
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(f.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
        reason: 'The CDK Provider framework invokes any version of the functions it chains (the handler, its own waiter functions).',
      }));
    for (const c of provider.node.findAll()) {
      if (c === provider) continue;
      acknowledge(c, ...FRAMEWORK_ACKS, ...invokes);
    }
  }
}

const FRAMEWORK_ACKS = [
  { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'The CDK Provider framework functions log with the AWS-managed basic execution policy; they hold no data access.' },
  { id: 'AwsSolutions-L1', reason: 'The CDK Provider framework pins the runtime of its own functions.' },
  { id: 'AwsSolutions-SF1', reason: 'The CDK Provider framework state machine only polls the is-complete handler; its runs are visible in CloudFormation events.' },
  { id: 'AwsSolutions-SF2', reason: 'The CDK Provider framework state machine does not support X-Ray configuration.' },
];
