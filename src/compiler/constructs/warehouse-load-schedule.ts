/**
 * WarehouseLoadSchedule: the incremental load on a schedule, with nothing in between — an
 * EventBridge rule whose Redshift target calls the load procedure through the Redshift Data API
 * (the target addresses a Serverless workgroup or a cluster by ARN), and a dead-letter queue for
 * what fails: invocations EventBridge cannot deliver (target dead-letter config), and statements
 * that fail after the Data API accepted them (a second rule on the Data API's statement-status
 * events, matched by the statement's name). No polling Lambda, no Step Functions.
 *
 * The statement runs as the target role's own database user (`IAMR:<role>` on Serverless, the
 * named `dbUser` on a cluster), which a migration creates with EXECUTE on the procedure only.
 */
import { ArnFormat, Duration, Stack } from '../cdk-core.js';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import type { RedshiftWarehouse } from './redshift-warehouse.js';

export interface WarehouseLoadScheduleProps {
  readonly warehouse: RedshiftWarehouse;
  /** Rule, role and statement name, e.g. `mystore-dev-warehouse-load` (≤ 64 characters). */
  readonly name: string;
  /** Whole minutes (EventBridge rates). */
  readonly scheduleSeconds: number;
  /** The SQL the rule runs, e.g. `CALL "dw".sp_run_incremental_load()`. */
  readonly sql: string;
  /**
   * Cluster database user (provisioned only; Serverless runs as `IAMR:<name>`).
   * @default - none: the Data API runs as the rule role's own database user
   */
  readonly dbUser?: string;
}

/** Database user a role becomes on Redshift Serverless when it uses the Data API without a secret. */
export function iamRoleDatabaseUser(roleName: string): string {
  return `IAMR:${roleName}`;
}

export class WarehouseLoadSchedule extends Construct {
  readonly rule: events.Rule;
  readonly failures: events.Rule;
  readonly deadLetterQueue: sqs.Queue;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: WarehouseLoadScheduleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const w = props.warehouse;
    const s = props.scheduleSeconds;
    if (!Number.isInteger(s) || s < 60 || s % 60 !== 0) throw new Error(`WarehouseLoadSchedule: the load schedule must be whole minutes, got ${s} s`);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      queueName: `${props.name}-failures`,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, { id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue of the warehouse load.' });

    this.role = new iam.Role(this, 'Role', {
      roleName: props.name,
      description: `ara-gen ${props.name}: runs the warehouse load through the Redshift Data API`,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    });
    const statements = [new iam.PolicyStatement({ sid: 'RunLoad', actions: ['redshift-data:ExecuteStatement'], resources: [w.arn] })];
    if (w.engine === 'redshift-serverless') {
      statements.push(new iam.PolicyStatement({ sid: 'Credentials', actions: ['redshift-serverless:GetCredentials'], resources: [w.arn] }));
    } else {
      statements.push(
        new iam.PolicyStatement({
          sid: 'Credentials',
          actions: ['redshift:GetClusterCredentials'],
          resources: [
            stack.formatArn({ service: 'redshift', resource: 'dbuser', resourceName: `${w.identifier}/${props.dbUser}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
            stack.formatArn({ service: 'redshift', resource: 'dbname', resourceName: `${w.identifier}/${w.databaseName}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          ],
        }),
      );
    }
    const policy = new iam.Policy(this, 'Policy', { statements });
    policy.attachToRole(this.role);

    this.rule = new events.Rule(this, 'Schedule', {
      ruleName: props.name,
      description: `ara-gen ${props.name}: incremental warehouse load every ${s / 60} min`,
      schedule: events.Schedule.rate(Duration.seconds(s)),
    });
    this.rule.addTarget(
      new targets.RedshiftQuery(w.arn, {
        database: w.databaseName,
        sql: [props.sql],
        statementName: props.name,
        ...(props.dbUser ? { dbUser: props.dbUser } : {}),
        sendEventBridgeEvent: true,
        role: this.role,
        deadLetterQueue: this.deadLetterQueue,
      }),
    );
    this.rule.node.addDependency(policy);

    this.failures = new events.Rule(this, 'Failures', {
      ruleName: `${props.name}-failures`,
      description: `ara-gen ${props.name}: load statements that failed after they started`,
      eventPattern: {
        source: ['aws.redshift-data'],
        detailType: ['Redshift Data Statement Status Change'],
        detail: { state: ['FAILED', 'ABORTED'], statementName: [props.name] },
      },
      targets: [new targets.SqsQueue(this.deadLetterQueue)],
    });
  }
}
