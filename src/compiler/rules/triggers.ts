/**
 * ARA230-ARA232: trigger graphs Glue can run. Conditions on crawlers only see SUCCEEDED/FAILED
 * (crawlers have no TIMEOUT/STOPPED state); a condition on something nothing starts never fires;
 * a chain that starts what it watches loops forever.
 */
import type { SpecPath } from '../document.js';
import { type ConditionSpec, type Rule, SpecNode, type TriggerSpec } from './spec-view.js';

/** What a trigger action and a condition share: the job or crawler, and (conditions) the state. */
type Endpoint = Pick<ConditionSpec, 'crawler' | 'job' | 'state'>;

export interface TriggerEdge {
  readonly kind: 'crawler' | 'job';
  readonly name: string;
  readonly state?: string;
  readonly path: SpecPath;
}

/** The conditions of a trigger's `when` (single, `all` or `any`). */
export function conditionsOf(trigger: SpecNode<TriggerSpec>): TriggerEdge[] {
  const when = trigger.node('when');
  const items = Array.isArray(when.raw('all'))
    ? when.items('all')
    : Array.isArray(when.raw('any'))
      ? when.items('any')
      : trigger.raw('when') === undefined
        ? []
        : [when];
  return items.flatMap((c) => edge(c.as<Endpoint>(), true));
}

export function actionsOf(trigger: SpecNode<TriggerSpec>): TriggerEdge[] {
  return trigger.items('actions').flatMap((a) => edge(a.as<Endpoint>(), false));
}

function edge(c: SpecNode<Endpoint>, withState: boolean): TriggerEdge[] {
  const state = withState ? (c.str('state') ?? 'SUCCEEDED') : undefined;
  const crawler = c.str('crawler');
  const job = c.str('job');
  if (crawler !== undefined) return [{ kind: 'crawler', name: crawler, state, path: c.path }];
  if (job !== undefined) return [{ kind: 'job', name: job, state, path: c.path }];
  return [];
}

const key = (e: { kind: string; name: string }): string => `${e.kind}:${e.name}`;

/**
 * Glue workflows derived from trigger chains (one source of truth for the rules and resolve()):
 * triggers linked by a `when` on something another trigger starts form one group. A Glue
 * workflow has exactly one start trigger and its conditional triggers react only to runs started
 * inside it, so a group is a workflow only with one start (non-conditional) trigger; `starts`
 * lists them (ARA233 reports groups with several).
 */
export interface TriggerGroup {
  /** The start trigger, else the first member in spec order. */
  readonly head: string;
  readonly members: string[];
  readonly starts: string[];
}

export function triggerGroups(triggersSection: unknown): TriggerGroup[] {
  const triggers = new SpecNode<{ triggers?: { readonly [name: string]: TriggerSpec } }>({ triggers: triggersSection }, []).entries('triggers');
  const names = triggers.map(([n]) => n);
  const parent = new Map(names.map((n) => [n, n]));
  const find = (n: string): string => {
    while (parent.get(n) !== n) n = parent.get(n)!;
    return n;
  };
  const startedBy = new Map<string, string[]>();
  for (const [n, t] of triggers) for (const a of actionsOf(t)) startedBy.set(key(a), [...(startedBy.get(key(a)) ?? []), n]);
  for (const [n, t] of triggers) {
    for (const c of conditionsOf(t)) for (const s of startedBy.get(key(c)) ?? []) parent.set(find(s), find(n));
  }
  const groups = new Map<string, string[]>();
  for (const n of names) groups.set(find(n), [...(groups.get(find(n)) ?? []), n]);
  const byName = new Map(triggers);
  const isStart = (n: string) => byName.get(n)?.raw('when') === undefined;
  return [...groups.values()].map((members) => {
    const starts = members.filter(isStart);
    return { head: starts[0] ?? members[0]!, members, starts };
  });
}

export const triggerRule: Rule = {
  name: 'triggers',
  codes: ['ARA230', 'ARA231', 'ARA232', 'ARA233', 'ARA234'],
  check(view) {
    const triggers = view.spec.entries('triggers');
    const crawlers = new Map(view.spec.entries('crawlers'));
    // What is ever started: trigger actions, plus crawlers with their own schedule.
    const started = new Set<string>(triggers.flatMap(([, t]) => actionsOf(t).map(key)));
    for (const [n, c] of crawlers) if (c.raw('schedule') !== undefined) started.add(`crawler:${n}`);
    const declared = new Set([...view.spec.keys('jobs').map((n) => `job:${n}`), ...view.spec.keys('crawlers').map((n) => `crawler:${n}`)]);
    // An action that names nothing usable (a typo in its key or its name: reported by the schema or
    // ARA201) may be the very start the warning would miss; the warning would then be a consequence.
    const doubtful = triggers.some(([, t]) => {
      if (view.isDoubtful(t.pathOf('actions'))) return true; // `actionz:`, `actions:` left empty
      const actions = t.items('actions');
      const edges = actionsOf(t);
      return edges.length < actions.length || edges.some((a) => !declared.has(key(a)));
    });

    for (const [n, t] of triggers) {
      for (const c of conditionsOf(t)) {
        if (c.kind === 'crawler' && c.state !== 'SUCCEEDED' && c.state !== 'FAILED') {
          view.report({
            code: 'ARA230',
            message: `trigger '${n}' waits for crawler '${c.name}' to reach ${c.state}, a state crawlers never report`,
            path: [...c.path, 'state'],
            hint: 'crawler conditions accept SUCCEEDED or FAILED',
          });
        }
        // ARA201 already reports conditions on undeclared jobs/crawlers.
        if (!doubtful && declared.has(key(c)) && !started.has(key(c))) {
          view.report({
            code: 'ARA231',
            severity: 'warning',
            message: `trigger '${n}' watches ${c.kind} '${c.name}', which no trigger starts, so it never fires`,
            path: [...c.path, c.kind],
            hint: `add ${c.kind} '${c.name}' to the actions of a scheduled trigger`,
          });
        }
      }
    }

    // ARA233: a Glue workflow has one start trigger; a chain joining two cannot be one workflow.
    for (const g of triggerGroups(view.data.triggers)) {
      if (g.starts.length < 2) continue;
      const conditional = g.members.find((m) => !g.starts.includes(m))!;
      view.report({
        code: 'ARA233',
        message: `trigger '${conditional}' joins the chains of ${g.starts.map((s) => `'${s}'`).join(' and ')} into one Glue workflow, but a workflow has exactly one start trigger`,
        path: ['triggers', conditional, 'when'],
        hint: `start what '${conditional}' watches from one scheduled trigger, or give each schedule its own conditional trigger`,
      });
    }
    // ARA234: Glue fires a conditional trigger only for runs its own workflow started; a crawler's
    // own schedule starts runs outside any workflow.
    for (const [n, t] of triggers) {
      for (const c of conditionsOf(t)) {
        if (c.kind !== 'crawler' || crawlers.get(c.name)?.raw('schedule') === undefined) continue;
        view.report({
          code: 'ARA234',
          severity: 'warning',
          message: `trigger '${n}' watches crawler '${c.name}', whose own schedule starts runs outside the workflow: Glue fires the trigger only for runs its workflow started`,
          path: [...c.path, 'crawler'],
          hint: `remove crawler '${c.name}''s schedule and start it from a scheduled trigger's actions`,
        });
      }
    }

    // Cycle: watched -> trigger -> action edges between jobs/crawlers.
    const next = new Map<string, { to: string; trigger: string; path: SpecPath }[]>();
    for (const [n, t] of triggers) {
      for (const c of conditionsOf(t)) {
        for (const a of actionsOf(t)) {
          const from = key(c);
          next.set(from, [...(next.get(from) ?? []), { to: key(a), trigger: n, path: a.path }]);
        }
      }
    }
    const reported = new Set<string>();
    for (const start of next.keys()) {
      // Depth-first search for a path back to `start`.
      const stack: { node: string; trail: string[] }[] = [{ node: start, trail: [] }];
      const seen = new Set<string>();
      while (stack.length) {
        const { node, trail } = stack.pop()!;
        for (const e of next.get(node) ?? []) {
          if (e.to === start) {
            const cycle = [...trail, e.trigger];
            const id = [...cycle].sort().join(',');
            if (!reported.has(id)) {
              reported.add(id);
              view.report({
                code: 'ARA232',
                message:
                  cycle.length === 1
                    ? `trigger '${cycle[0]}' starts ${start.replace(':', " '")}', which it watches: a cycle that restarts it forever`
                    : `triggers ${cycle.map((c) => `'${c}'`).join(' -> ')} form a cycle: ${start.replace(':', " '")}' restarts itself forever`,
                path: e.path,
                hint: 'break the chain: a conditional trigger must not start a job or crawler that leads back to what it watches',
              });
            }
          } else if (!seen.has(e.to)) {
            seen.add(e.to);
            stack.push({ node: e.to, trail: [...trail, e.trigger] });
          }
        }
      }
    }
  },
};
