/** GlueTrigger: a SCHEDULED or CONDITIONAL Glue trigger starting crawlers and jobs. */
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';

export type GlueRunState = 'SUCCEEDED' | 'FAILED' | 'TIMEOUT' | 'STOPPED';

/** What a trigger starts or waits for: a crawler or job by physical name. */
export type GlueTarget = { readonly crawlerName: string } | { readonly jobName: string };
export type GlueCondition = GlueTarget & { readonly state: GlueRunState };

export type GlueTriggerProps = {
  readonly triggerName: string;
  readonly actions: readonly GlueTarget[];
  /**
   * Activates a scheduled or conditional trigger when it is created.
   * @default false
   */
  readonly startOnCreation?: boolean;
  /**
   * Workflow name; required for conditional triggers to see the runs they wait for.
   * @default - the trigger belongs to no workflow
   */
  readonly workflowName?: string;
  /**
   * The trigger's description.
   * @default - none
   */
  readonly description?: string;
} & (
  | { readonly type: 'scheduled'; /** Glue cron expression, `cron(...)`. */ readonly schedule: string }
  | {
      readonly type: 'conditional';
      readonly conditions: readonly GlueCondition[];
      /**
       * Whether all conditions (`AND`) or any one (`ANY`) fire the trigger.
       * @default 'AND'
       */
      readonly logical?: 'AND' | 'ANY';
    }
);

export class GlueTrigger extends Construct {
  readonly trigger: glue.CfnTrigger;

  constructor(scope: Construct, id: string, props: GlueTriggerProps) {
    super(scope, id);
    if (props.actions.length === 0) throw new Error(`GlueTrigger '${props.triggerName}': at least one action is required`);
    if (props.type === 'scheduled' && !/^cron\(.+\)$/.test(props.schedule)) {
      throw new Error(`GlueTrigger '${props.triggerName}': Glue schedules must be cron(...) expressions, got '${props.schedule}'`);
    }
    if (props.type === 'conditional' && props.conditions.length === 0) {
      throw new Error(`GlueTrigger '${props.triggerName}': a conditional trigger needs at least one condition`);
    }
    this.trigger = new glue.CfnTrigger(this, 'Trigger', {
      name: props.triggerName,
      description: props.description,
      workflowName: props.workflowName,
      type: props.type === 'scheduled' ? 'SCHEDULED' : 'CONDITIONAL',
      schedule: props.type === 'scheduled' ? props.schedule : undefined,
      startOnCreation: props.startOnCreation ?? false,
      actions: props.actions.map((a) => ('crawlerName' in a ? { crawlerName: a.crawlerName } : { jobName: a.jobName })),
      predicate:
        props.type === 'conditional'
          ? {
              logical: props.logical ?? 'AND',
              conditions: props.conditions.map((c) =>
                'crawlerName' in c
                  ? { logicalOperator: 'EQUALS', crawlerName: c.crawlerName, crawlState: c.state }
                  : { logicalOperator: 'EQUALS', jobName: c.jobName, state: c.state },
              ),
            }
          : undefined,
    });
  }
}
