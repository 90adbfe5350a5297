/**
 * ARA263 and ARA264: an environment-agnostic spec (no `environments:`) deploys to whatever account
 * and region the deploy credentials name, so what is bound to one account, region or set of
 * availability zones cannot be compiled from it. Each such section is a finding that names what
 * to add (an environment with an account and region, and the section's own per-environment part).
 */
import { FLINK_NEEDS_ENVIRONMENT } from '../flink-sql.js';
import type { Rule } from './spec-view.js';

/** The YAML an environment-agnostic spec adds to get a concrete deploy target. */
const ADD_ENVIRONMENT = "add 'environments: { dev: { account: \"123456789012\", region: eu-west-1 } }' (your account and region)";

/** Sink types whose Flink SQL table names the account and region (flink-sql.ts). */
const FLINK_TYPES = new Set(['kinesis', 'firehose', 'dynamodb']);

export const environmentAgnosticRule: Rule = {
  name: 'environment-agnostic',
  codes: ['ARA263', 'ARA264'],
  check(view) {
    if (!view.agnostic) return;
    const w = view.spec.node('warehouse');
    if (w.isObject && !view.isDoubtful(w.path)) {
      view.report({
        code: 'ARA263',
        message: 'the warehouse runs in a VPC of one account and region (availability zone ids or an existing VPC), which a spec without environments does not name',
        path: w.path,
        part: 'key',
        hint: "add 'environments: { dev: { account: \"123456789012\", region: eu-west-1, network: { availabilityZones: [euw1-az1, euw1-az2, euw1-az3] } } }' (your account, region and its zone ids), or 'network: { vpcId, subnetIds }' of an existing VPC",
      });
    }
    for (const [n, d] of view.spec.entries('dashboards')) {
      if (view.isDoubtful(d.path)) continue;
      const principal = d.str('principal');
      view.report({
        code: 'ARA263',
        message: `dashboard '${n}' is shared with a QuickSight principal${principal ? ` (${principal})` : ''}, which belongs to one account and region; a spec without environments can deploy to any`,
        path: principal !== undefined ? d.pathOf('principal') : d.path,
        part: principal !== undefined ? 'value' : 'key',
        hint: `${ADD_ENVIRONMENT}, in the account and region of the principal`,
      });
    }
    for (const [n, s] of view.spec.entries('sinks')) {
      const type = s.str('type');
      if (type === undefined || !FLINK_TYPES.has(type) || view.isDoubtful(s.path)) continue;
      view.report({
        code: 'ARA264',
        severity: 'warning',
        message: `sink '${n}' gets no Apache Flink SQL table (sinks/${n}.flink.sql): ${FLINK_NEEDS_ENVIRONMENT}; its sink config is written and takes the region from AWS_REGION at run time`,
        path: s.path,
        part: 'key',
        hint: `${ADD_ENVIRONMENT} to get the Flink SQL table`,
      });
    }
  },
};
