/**
 * The semantic rules: everything the schema cannot say (references, AWS naming and limits,
 * schedules, sink settings...). Each environment's effective spec (blueprint ⊕ spec ⊕ overlay) is
 * checked, so an override that breaks a rule is caught; findings point at what the user wrote.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { SpecDocument } from '../document.js';
import { Findings } from '../findings.js';
import { bufferingRule } from './buffering.js';
import { contractRule, tokenRule } from './contract.js';
import { type Rule, SpecView, environmentsOf, isDict } from './spec-view.js';
import { catalogRule } from './catalog.js';
import { deliveryRule } from './delivery.js';
import { overrideRule, regionRule, removalPolicyRule } from './environments.js';
import { lifecycleRule } from './lifecycle.js';
import { nameRule } from './names.js';
import { platformRule } from './platform.js';
import { referenceRule } from './references.js';
import { replayerRule } from './replayers.js';
import { scheduleRule } from './schedules.js';
import { sinkDestinationRule } from './sink-destinations.js';
import { streamSinkRule } from './stream-sinks.js';
import { triggerRule } from './triggers.js';
import { dashboardRule, networkRule, warehouseRule } from './warehouse.js';
import { environmentAgnosticRule } from './environment-agnostic.js';
import { workflowPaceRule } from './workflow-pace.js';

export type { Rule } from './spec-view.js';

/** Every rule family, in reporting order. */
export const rules: readonly Rule[] = [
  platformRule,
  referenceRule,
  nameRule,
  lifecycleRule,
  scheduleRule,
  triggerRule,
  bufferingRule,
  sinkDestinationRule,
  replayerRule,
  deliveryRule,
  streamSinkRule,
  catalogRule,
  overrideRule,
  removalPolicyRule,
  regionRule,
  tokenRule,
  contractRule,
  networkRule,
  warehouseRule,
  dashboardRule,
  environmentAgnosticRule,
  workflowPaceRule,
];

/**
 * Semantic findings of a parsed spec, added to `findings` (which drops consequences of earlier
 * phases' findings and repeats across environments: findings.ts, rules 1, 4, 5; the rules
 * themselves ask it what is doubtful, rule 6). Returns the rule findings kept. Never throws, also
 * on data that failed the schema.
 */
export function checkRules(doc: SpecDocument, findings: Findings = new Findings()): Diagnostic[] {
  if (!isDict(doc.data)) return [];
  const envs = environmentsOf(doc.data);
  const doubtful = findings.doubtful();
  const sinks = new Map<SpecView, Diagnostic[]>();
  const views = (envs.length ? envs : [undefined]).map((env) => {
    const sink: Diagnostic[] = [];
    const view = new SpecView(doc, env, sink, doubtful);
    sinks.set(view, sink);
    return view;
  });
  for (const rule of rules) {
    const perView = !rule.checkAll && !rule.once;
    const runs: (() => void)[] = rule.checkAll ? [() => rule.checkAll!(views)] : (rule.once ? views.slice(0, 1) : views).map((view) => () => rule.check(view));
    for (const run of runs) {
      try {
        run();
      } catch (e) {
        // A rule bug must not hide the other findings, nor show the user a stack trace.
        findings.add('rules', doc.diagnostic({ code: 'ARA299', message: `internal error in rule '${rule.name}': ${(e as Error).message}`, path: [], hint: 'please report this at the ara-gen issue tracker' }));
      }
      for (const [view, sink] of sinks) {
        // A per-environment rule's finding is that environment's (rule 5); a once/checkAll rule's is the spec's.
        findings.addAll('rules', sink, perView && view.env !== undefined ? { env: view.env } : {});
        sink.length = 0;
      }
    }
  }
  return findings.list('rules');
}
