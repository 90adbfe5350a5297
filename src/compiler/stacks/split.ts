/**
 * Automatic stack splitting: CloudFormation rejects a stack over 500 resources or a template over
 * 1 MB, so a module whose stack would exceed either is built as numbered part stacks
 * (`<platform>-<env>-<module>`, `...-<module>-2`, `...-<module>-3`, ...).
 *
 * Entries are grouped into units that must share a stack (a Glue workflow with its triggers and
 * the crawlers and jobs they start; each other entry alone), and a unit's part is chosen by a jump
 * consistent hash (Lamping & Veach) of its key, never by position: adding or removing entries
 * never moves another entry, and growing from N to N+1 parts moves only the units that land in the
 * new part (moving a named resource between stacks fails a deploy, so this must stay rare).
 *
 * Every module stack goes through this one mechanism: a module lists its units and honours
 * `StackPart.has(kind, name)` when it creates an entry's constructs (see app.ts MODULES).
 */
import { hash32 } from '../../util/prng.js';

/** A stack's share of its module's entries. */
export interface StackPart {
  /** 0 for the module's first (unnumbered) stack. */
  readonly index: number;
  /** Number of parts of the module. */
  readonly count: number;
  /** Whether this part builds the entry `kind` (`crawler`, `job`, ...) named `name`. */
  has(kind: string, name: string): boolean;
}

/** Entries that must share one stack; `key` (its first member) decides the part. */
export interface SplitUnit {
  readonly key: string;
  readonly members: readonly { readonly kind: string; readonly name: string }[];
}

/** CloudFormation's hard limits per stack, and the margins parts are planned with. */
export const STACK_LIMITS = {
  resources: 500,
  templateBytes: 1_000_000,
  /** Plan parts to this many resources and bytes, leaving room for what later edits add. */
  plannedResources: 450,
  plannedTemplateBytes: 850_000,
} as const;

/** The whole module in one stack. */
export const WHOLE: StackPart = { index: 0, count: 1, has: () => true };

/** Jump consistent hash: a bucket in [0, buckets) that changes for ~1/(n+1) keys when n grows. */
export function jumpHash(key: number, buckets: number): number {
  let k = BigInt(key >>> 0) | (BigInt(hash32(String(key))) << 32n);
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = (k * 2862933555777941757n + 1n) & 0xffffffffffffffffn;
    j = Math.floor((b + 1) * (2 ** 31 / Number((k >> 33n) + 1n)));
  }
  return b;
}

/** The part (0-based) of a unit among `count` parts. */
export function partIndex(unitKey: string, count: number): number {
  return count <= 1 ? 0 : jumpHash(hash32(unitKey), count);
}

/** Part `index` of `count`: the units whose key hashes to it. */
export function stackPart(units: readonly SplitUnit[], index: number, count: number): StackPart {
  if (count <= 1) return WHOLE;
  const mine = new Set<string>();
  for (const u of units) if (partIndex(u.key, count) === index) for (const m of u.members) mine.add(`${m.kind}:${m.name}`);
  return { index, count, has: (kind, name) => mine.has(`${kind}:${name}`) };
}

/** Whether part `index` of `count` holds any unit (an empty part gets no stack). */
export function partHasUnits(units: readonly SplitUnit[], index: number, count: number): boolean {
  return count <= 1 ? units.length > 0 : units.some((u) => partIndex(u.key, count) === index);
}

/** `<base>` for the first part, `<base>-<n>` (n = index + 1) for the others. */
export function partName(base: string, index: number): string {
  return index === 0 ? base : `${base}-${index + 1}`;
}

/** Parts needed for `resources` and `templateBytes` measured over the whole module. */
export function partsNeeded(resources: number, templateBytes: number): number {
  return Math.max(1, Math.ceil(resources / STACK_LIMITS.plannedResources), Math.ceil(templateBytes / STACK_LIMITS.plannedTemplateBytes));
}

/**
 * Groups entries linked by `edges` (pairs of `kind:name`) into units. A unit's key is its member
 * of the earliest kind in `keyKinds` (then by name), e.g. a workflow before the jobs it runs: the
 * most stable name of the group, so adding a job to a workflow does not move the workflow.
 */
export function unitsOf(
  entries: readonly { kind: string; name: string }[],
  edges: readonly [string, string][],
  keyKinds: readonly string[] = [],
): SplitUnit[] {
  const id = (e: { kind: string; name: string }) => `${e.kind}:${e.name}`;
  const parent = new Map(entries.map((e) => [id(e), id(e)]));
  const find = (x: string): string => {
    while (parent.get(x) !== x) x = parent.get(x)!;
    return x;
  };
  for (const [a, b] of edges) if (parent.has(a) && parent.has(b)) parent.set(find(a), find(b));
  const groups = new Map<string, { kind: string; name: string }[]>();
  for (const e of entries) groups.set(find(id(e)), [...(groups.get(find(id(e))) ?? []), e]);
  const rank = (k: string) => (keyKinds.includes(k) ? keyKinds.indexOf(k) : keyKinds.length);
  return [...groups.values()].map((members) => {
    const first = [...members].sort((a, b) => rank(a.kind) - rank(b.kind) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))[0]!;
    return { key: id(first), members };
  });
}
