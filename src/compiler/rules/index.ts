/**
 * The semantic rules: everything the schema cannot say (references, AWS naming and limits,
 * schedules, sink settings...). Each environment's effective spec (blueprint ⊕ spec ⊕ overlay) is
 * checked, so an override that breaks a rule is caught; findings point at what the user wrote.
 */
import type { Diagnostic } from '../diagnostics.js';
import { type SpecDocument, toPointer } from '../document.js';
import { parsePointer } from '../../util/json-pointer.js';
import { bufferingRule } from './buffering.js';
import { contractRule, tokenRule } from './contract.js';
import { type Rule, SpecView, entries, environmentsOf, isDict } from './spec-view.js';
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

/** Semantic findings of a parsed spec. Never throws, also on data that failed the schema. */
export interface RuleOptions {
  /**
   * JSON pointers of places whose content the schema already found wrong or missing: values it
   * rejected, and keys the user misspelt (`sinkz` with "did you mean 'sinks'" gives `/sinks`). Rules
   * do not report what is missing there: the schema finding is the root cause.
   */
  readonly doubtful?: readonly string[];
  /**
   * Source pointers of findings of an environment's effective spec (override-check.ts), under
   * `/environments/<env>/overrides`: that environment's effective view of the section is invalid,
   * so what the per-environment rules find in it there is a consequence (a trigger cycle through
   * a trigger an override made both scheduled and conditional).
   */
  readonly rejectedOverrides?: readonly string[];
}

export function checkRules(doc: SpecDocument, options: RuleOptions = {}): Diagnostic[] {
  if (!isDict(doc.data)) return [];
  const found: Diagnostic[] = [];
  const envs = environmentsOf(doc.data);
  const sinks = new Map<SpecView, Diagnostic[]>();
  const views = (envs.length ? envs : [undefined]).map((env) => {
    const sink: Diagnostic[] = [];
    const view = new SpecView(doc, env, sink, options.doubtful ?? []);
    sinks.set(view, sink);
    return view;
  });
  const invalid = invalidSections(options.rejectedOverrides ?? []);
  for (const rule of rules) {
    const perView = !rule.checkAll && !rule.once;
    const runs: (() => void)[] = rule.checkAll ? [() => rule.checkAll!(views)] : (rule.once ? views.slice(0, 1) : views).map((view) => () => rule.check(view));
    for (const run of runs) {
      try {
        run();
      } catch (e) {
        // A rule bug must not hide the other findings, nor show the user a stack trace.
        found.push(doc.diagnostic({ code: 'ARA299', message: `internal error in rule '${rule.name}': ${(e as Error).message}`, path: [], hint: 'please report this at the ara-gen issue tracker' }));
      }
      for (const [view, sink] of sinks) {
        const rejected = perView && view.env !== undefined ? invalid.get(view.env) : undefined;
        found.push(...(rejected ? sink.filter((d) => !inSections(d.path, view.env!, rejected)) : sink));
        sink.length = 0;
      }
    }
  }
  // Environments share most of the spec: report each finding once.
  const seen = new Set<string>();
  return found.filter((d) => {
    const k = `${d.code}\0${d.path}\0${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Per environment, the sections whose effective view failed the schema (`*`: the whole overrides). */
function invalidSections(pointers: readonly string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const p of pointers) {
    const [root, env, overrides, section] = parsePointer(p);
    if (root !== 'environments' || env === undefined || overrides !== 'overrides') continue;
    const set = out.get(env) ?? new Set<string>();
    set.add(section ?? '*');
    out.set(env, set);
  }
  return out;
}

/** True when the finding at `pointer` (in the spec, or in `env`'s overrides) is in one of `sections`. */
function inSections(pointer: string, env: string, sections: ReadonlySet<string>): boolean {
  if (sections.has('*')) return true;
  const own = toPointer(['environments', env, 'overrides']);
  const rest = pointer.startsWith(own + '/') ? pointer.slice(own.length) : pointer;
  const section = parsePointer(rest)[0] ?? '';
  return sections.has(section);
}
