/**
 * GlueWorkflow: a Glue workflow with its triggers. Conditional triggers only observe crawler and job
 * runs started inside the same workflow, so triggers connected by conditions must share one; a
 * lone scheduled trigger needs none (use GlueTrigger directly).
 */
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import { constructId } from '../naming.js';
import { GlueTrigger, type GlueTriggerProps } from './glue-trigger.js';

/** Omit over each member of a union (plain Omit keeps only the keys common to all members). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A trigger of the workflow; its id is the spec name (logical IDs never depend on positions). */
export type GlueWorkflowTriggerProps = DistributiveOmit<GlueTriggerProps, 'workflowName'> & { readonly id: string };

export interface GlueWorkflowProps {
  readonly workflowName: string;
  /**
   * The workflow's description.
   * @default - none
   */
  readonly description?: string;
  readonly triggers: readonly GlueWorkflowTriggerProps[];
}

export class GlueWorkflow extends Construct {
  readonly workflow: glue.CfnWorkflow;
  readonly triggers: Readonly<Record<string, GlueTrigger>>;

  constructor(scope: Construct, id: string, props: GlueWorkflowProps) {
    super(scope, id);
    this.workflow = new glue.CfnWorkflow(this, 'Workflow', {
      name: props.workflowName,
      description: props.description,
      // One run at a time: overlapping runs would crawl and convert the same files twice.
      maxConcurrentRuns: 1,
    });
    const triggers: Record<string, GlueTrigger> = {};
    for (const { id: triggerId, ...t } of props.triggers) {
      // The workflow name is taken from the resource so that triggers are created after it.
      const trigger = new GlueTrigger(this, constructId(triggerId), { ...t, workflowName: this.workflow.ref } as GlueTriggerProps);
      triggers[triggerId] = trigger;
    }
    this.triggers = triggers;
  }
}
