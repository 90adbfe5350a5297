/**
 * A team's own CDK app that drops the MyStore platform spec in and builds on it: `Platform` turns
 * examples/mystore.yaml into its module stacks (foundations, batch) inside this app, and the team's
 * `ReportsStack` reads the platform's `clean` layer bucket and its catalog database by typed
 * properties; the CDK adds the cross-stack references and the deploy order.
 */
import { App, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { Platform } from 'ara-gen';

interface ReportsStackProps extends StackProps {
  /** The platform bucket the reports read. */
  readonly source: s3.IBucket;
  /** The Glue database of the tables they query. */
  readonly databaseName: string;
}

/** A nightly report job of the team's own, reading what the platform stores. */
class ReportsStack extends Stack {
  constructor(scope: Construct, id: string, props: ReportsStackProps) {
    super(scope, id, props);
    const report = new lambda.Function(this, 'NightlyReport', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ ok: true });'),
      timeout: Duration.minutes(5),
      environment: { SOURCE_BUCKET: props.source.bucketName, DATABASE: props.databaseName },
    });
    // Also grants decrypt on the platform's KMS key, which encrypts the bucket.
    props.source.grantRead(report);
    new events.Rule(this, 'Nightly', { schedule: events.Schedule.cron({ hour: '2', minute: '0' }), targets: [new targets.LambdaFunction(report)] });
  }
}

const app = new App();
// Relative to the directory the app runs in (the CDK CLI runs it beside cdk.json).
const platform = new Platform(app, 'MyStore', { spec: '../mystore.yaml', environment: 'dev' });
new ReportsStack(app, 'Reports', {
  env: platform.env,
  source: platform.bucket('clean'),
  databaseName: platform.databaseName('clean'),
});
app.synth();
