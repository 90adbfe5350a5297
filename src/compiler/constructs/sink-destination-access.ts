/**
 * What the role of a Lambda that runs a sink may call on the sink's destination: the one shared
 * definition for the sink-target replayer and the stream-fed sink (least privilege, one resource).
 * Kinesis PutRecords (+ the describe calls the engine may make) on the stream, Firehose
 * PutRecordBatch on the delivery stream, DynamoDB BatchWriteItem/DescribeTable on the table,
 * CloudWatch Logs PutLogEvents on the log stream (CreateLogStream on the group when the sink creates
 * its stream), CloudWatch PutMetricData only in the sink's namespace.
 */
import { ArnFormat, Stack } from '../cdk-core.js';
import * as iam from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import { wildcardExceptionFor } from './glue-data-access-role.js';

/** Where a sink writes, with the names its grants need. */
export type SinkDestinationAccess =
  | { readonly kind: 'kinesis'; readonly streamArn: string }
  | { readonly kind: 'firehose'; readonly deliveryStreamArn: string }
  | { readonly kind: 'dynamodb'; readonly tableArn: string }
  | { readonly kind: 'cloudwatch-logs'; readonly logGroupName: string; readonly logStreamName: string; readonly createLogStream: boolean }
  | { readonly kind: 'cloudwatch-metrics'; readonly namespace: string };

export interface DestinationGrant {
  readonly statements: iam.PolicyStatement[];
  /**
   * A resource that had to be a wildcard, with the reason for cdk-nag (AwsSolutions-IAM5).
   * @default no wildcard (every statement names its one resource)
   */
  readonly wildcard?: { readonly resource: string; readonly reason: string };
}

/** A log stream name IAM would read as a pattern or a policy variable gets the group's streams. */
const IAM_SPECIAL = /[*?$]/;

export function destinationGrant(scope: Construct, d: SinkDestinationAccess): DestinationGrant {
  const stack = Stack.of(scope);
  switch (d.kind) {
    case 'kinesis':
      return { statements: [new iam.PolicyStatement({ sid: 'Destination', actions: ['kinesis:PutRecords', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards'], resources: [d.streamArn] })] };
    case 'firehose':
      return { statements: [new iam.PolicyStatement({ sid: 'Destination', actions: ['firehose:PutRecordBatch'], resources: [d.deliveryStreamArn] })] };
    case 'dynamodb':
      return { statements: [new iam.PolicyStatement({ sid: 'Destination', actions: ['dynamodb:BatchWriteItem', 'dynamodb:DescribeTable'], resources: [d.tableArn] })] };
    case 'cloudwatch-logs': {
      const group = (resourceName: string): string => stack.formatArn({ service: 'logs', resource: 'log-group', resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
      const exact = !IAM_SPECIAL.test(d.logStreamName);
      const streamArn = group(`${d.logGroupName}:log-stream:${exact ? d.logStreamName : '*'}`);
      const statements = [new iam.PolicyStatement({ sid: 'Destination', actions: ['logs:PutLogEvents'], resources: [streamArn] })];
      if (d.createLogStream) statements.push(new iam.PolicyStatement({ sid: 'DestinationStream', actions: ['logs:CreateLogStream'], resources: [group(d.logGroupName)] }));
      return exact
        ? { statements }
        : { statements, wildcard: { resource: streamArn, reason: `The log stream name '${d.logStreamName}' has characters IAM reads as a pattern: the grant covers the streams of log group ${d.logGroupName} only.` } };
    }
    case 'cloudwatch-metrics':
      // PutMetricData has no resource type: the namespace condition is what scopes it.
      return {
        statements: [new iam.PolicyStatement({ sid: 'Destination', actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': d.namespace } } })],
        wildcard: { resource: '*', reason: `cloudwatch:PutMetricData supports no resource-level permissions; the grant is limited to the namespace '${d.namespace}' by the cloudwatch:namespace condition.` },
      };
  }
}

/**
 * The cdk-nag acknowledgements of a sink Lambda's policy: the dead-letter objects under its own
 * prefix (named at run time) and a destination resource that had to be a wildcard.
 */
export function acknowledgeSinkWildcards(policy: iam.Policy, deadLettersArn: string, prefix: string, grant: DestinationGrant, naming: string): void {
  const flat = flattenCfnReference(Stack.of(policy).resolve(deadLettersArn));
  acknowledge(policy, {
    id: `AwsSolutions-IAM5[Resource::${flat}]`,
    reason: wildcardExceptionFor(flat)?.reason ?? `Dead letters under ${prefix}: ${naming}.`,
  });
  if (grant.wildcard) {
    const w = flattenCfnReference(Stack.of(policy).resolve(grant.wildcard.resource));
    acknowledge(policy, { id: `AwsSolutions-IAM5[Resource::${w}]`, reason: grant.wildcard.reason });
  }
}
