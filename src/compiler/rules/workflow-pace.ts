/**
 * ARA236 ⚠: a replayer that writes a window more often than its downstream Glue workflow can
 * finish a run. Workflows allow one run at a time (glue-workflow.ts), so a workflow whose start
 * trigger fires more often than a run lasts skips runs (Glue refuses them with
 * ConcurrentRunsExceededException). A run lasts at least the sum of GLUE_MIN_RUN_SECONDS along the
 * workflow's longest crawler/job chain. "Downstream" of a replayer: a workflow starting or watching
 * a crawler whose targets overlap the replayer's target prefix.
 */
import { GLUE_MIN_RUN_SECONDS } from '../../contract/aws-limits.js';
import { canonicalS3Prefix } from '../naming.js';
import { parseDuration } from '../units.js';
import { type Rule, SpecNode, type TriggerSpec, dict } from './spec-view.js';
import { actionsOf, conditionsOf, triggerGroups } from './triggers.js';
import { parseRate } from './schedules.js';

/** Values of one cron field within [min, max], or undefined for forms this check does not read (L, W, #, names). */
function cronField(field: string, min: number, max: number): number[] | undefined {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const from = m[1] === '*' ? min : Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : m[1] === '*' || m[3] !== undefined ? max : from;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (step < 1 || from < min || to > max) return undefined;
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/** Shortest interval in seconds between two firings of a schedule (over one day), or undefined when unknown. */
export function shortestInterval(schedule: string): number | undefined {
  const s = schedule.trim();
  const rate = /^rate\((.*)\)$/s.exec(s);
  if (rate) {
    const r = parseRate(rate[1]!);
    return typeof r === 'string' ? undefined : r.amount * (r.unit === 'minute' ? 60 : r.unit === 'hour' ? 3600 : 86400);
  }
  const cron = /^cron\((.*)\)$/s.exec(s);
  const fields = cron?.[1]!.trim().split(/\s+/);
  if (!fields || fields.length !== 6) return undefined;
  const minutes = cronField(fields[0]!, 0, 59);
  const hours = cronField(fields[1]!, 0, 23);
  if (!minutes || !hours || !minutes.length || !hours.length) return undefined;
  const times = hours.flatMap((h) => minutes.map((m) => h * 60 + m));
  // Across midnight too (day fields only make gaps longer, never shorter).
  const gaps = times.map((t, i) => (i + 1 < times.length ? times[i + 1]! - t : times[0]! + 1440 - t));
  return Math.min(...gaps) * 60;
}

const key = (kind: string, name: string): string => `${kind}:${name}`;

/** The shortest possible run of a trigger group started by `start`: the longest chain of minimum run times. */
function shortestRun(triggers: ReadonlyMap<string, SpecNode<TriggerSpec>>, members: readonly string[], start: string): { seconds: number; chain: string[] } {
  const watchers = new Map<string, string[]>();
  for (const n of members) for (const c of conditionsOf(triggers.get(n)!)) watchers.set(key(c.kind, c.name), [...(watchers.get(key(c.kind, c.name)) ?? []), n]);
  const visiting = new Set<string>();
  const longest = (kind: 'crawler' | 'job', name: string): { seconds: number; chain: string[] } => {
    const k = key(kind, name);
    // A cycle (ARA232) adds nothing here.
    if (visiting.has(k)) return { seconds: 0, chain: [] };
    visiting.add(k);
    let next = { seconds: 0, chain: [] as string[] };
    for (const w of watchers.get(k) ?? []) {
      for (const a of actionsOf(triggers.get(w)!)) {
        const r = longest(a.kind, a.name);
        if (r.seconds > next.seconds) next = r;
      }
    }
    visiting.delete(k);
    return { seconds: GLUE_MIN_RUN_SECONDS[kind] + next.seconds, chain: [`${kind} '${name}'`, ...next.chain] };
  };
  let best = { seconds: 0, chain: [] as string[] };
  for (const a of actionsOf(triggers.get(start)!)) {
    const r = longest(a.kind, a.name);
    if (r.seconds > best.seconds) best = r;
  }
  return best;
}

const overlaps = (a: string, b: string): boolean => a.startsWith(b) || b.startsWith(a);
const minutesText = (seconds: number): string => (seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`);

export const workflowPaceRule: Rule = {
  name: 'workflow-pace',
  codes: ['ARA236'],
  check(view) {
    const triggers = new Map(view.spec.entries('triggers'));
    for (const group of triggerGroups(view.data.triggers)) {
      // Only a workflow (conditional triggers in the group) with one scheduled start trigger.
      if (group.members.length < 2 || group.starts.length !== 1) continue;
      const start = group.starts[0]!;
      const schedule = triggers.get(start)?.str('schedule');
      const every = schedule === undefined ? undefined : shortestInterval(schedule);
      if (every === undefined) continue;
      const run = shortestRun(triggers, group.members, start);
      if (run.seconds <= every) continue;
      // Crawlers this workflow starts or watches, and the replayers writing under their targets.
      const crawlers = new Set(group.members.flatMap((n) => [...actionsOf(triggers.get(n)!), ...conditionsOf(triggers.get(n)!)]).filter((e) => e.kind === 'crawler').map((e) => e.name));
      const declaredCrawlers = new Map(view.spec.entries('crawlers'));
      const targets = [...crawlers].flatMap((c) => declaredCrawlers.get(c)?.items('targets') ?? []);
      for (const [n, r] of view.spec.entries('replayers')) {
        const target = r.node('target');
        const layer = target.str('layer');
        if (layer === undefined || view.isDoubtful(r.path)) continue;
        const prefix = canonicalS3Prefix(target.raw('prefix'));
        if (!targets.some((t) => t.str('layer') === layer && overlaps(canonicalS3Prefix(t.raw('prefix')), prefix))) continue;
        const freq = r.raw('frequency') ?? dict(view.defaults('replayer')).frequency;
        const seconds = parseDuration(freq, 's');
        if (!seconds.ok || seconds.value >= run.seconds) continue;
        view.report({
          code: 'ARA236',
          severity: 'warning',
          message:
            `replayer '${n}' writes a window every ${minutesText(seconds.value)}, but the Glue workflow it feeds (start trigger '${start}', every ${minutesText(every)}) ` +
            `allows one run at a time and a run takes at least ${minutesText(run.seconds)} (${run.chain.join(', then ')}): runs started meanwhile are skipped`,
          path: r.pathOf('frequency'),
          hint: `replay at most every ${minutesText(Math.ceil(run.seconds / 60) * 60)} and start the workflow ('${start}') no more often, e.g. frequency: ${Math.ceil(run.seconds / 60)}m`,
        });
      }
    }
  },
};
