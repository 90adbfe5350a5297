/**
 * Derives the environment-override ("partial") definitions of schema/platform.schema.json from the
 * full ones. An `overrides:` entry changes some fields of an entry declared elsewhere, so its schema
 * is the full definition without `required`; everything else (types, bounds, enums, descriptions,
 * closed objects) stays the same. Hand-kept copies drifted; these are generated instead:
 *
 * - `definitions.overrides`: every top-level section except NOT_OVERRIDABLE, pointing at partials;
 * - `definitions.partial-<name>` for every definition an override can reach that has properties.
 *
 * A discriminated definition (`if`/`then` on `type`, `engine`, ...) whose chain can match no variant
 * (an override need not repeat the discriminator) is closed in its partial with the union of its
 * variants' properties, so an unknown key is still an error there.
 *
 * scripts/build.js rewrites the schema file with this on every build; test/unit/schema-partials.test.ts
 * fails when the committed file is stale or a partial differs from its full definition in anything
 * but `required`.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

export const PARTIAL_PREFIX = 'partial-';
/** Top-level keys that are not sections an environment can override. */
export const NOT_OVERRIDABLE: readonly string[] = ['version', 'name', 'description', 'platform', 'environments'];
const GENERATED = 'Generated from the full definitions by src/compiler/schema-partials.ts (scripts/build.js): do not edit.';

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const REF = '#/definitions/';

/** `Partial <name> (environment override): <description of the full definition>` */
export function partialDescription(name: string, description: string | undefined): string {
  return `Partial ${name} (environment override)${description ? `: ${description}` : ''}`;
}

/** The overridable top-level sections, in the schema's order. */
function sections(schema: Obj): [string, Obj][] {
  const props = isObj(schema.properties) ? schema.properties : {};
  return Object.entries(props).filter((e): e is [string, Obj] => !NOT_OVERRIDABLE.includes(e[0]) && isObj(e[1]));
}

/** Names of the definitions that get a partial: merged into by an override, and with properties. */
export function partialNames(schema: Obj): string[] {
  const defs = (schema.definitions ?? {}) as Obj;
  const reached = new Set<string>();
  const queue = sections(schema).flatMap(([, s]) => [...mergeRefsOf(s)]);
  while (queue.length) {
    const name = queue.shift()!;
    if (reached.has(name) || name.startsWith(PARTIAL_PREFIX) || !isObj(defs[name])) continue;
    reached.add(name);
    queue.push(...mergeRefsOf(defs[name]));
  }
  // Definition order of the file, so the output is stable and reads like the full definitions.
  return Object.keys(defs).filter((n) => reached.has(n) && isObj(defs[n]) && isObj((defs[n] as Obj).properties));
}

/** The variants of an `if`/`then`/`else` chain, and whether some input matches none of them. */
function variantChain(def: Obj): { variants: string[]; open: boolean } {
  const variants: string[] = [];
  let node: Obj | undefined = def;
  while (node && 'if' in node) {
    const then: Json | undefined = node.then;
    // Only a chain of references is a choice between variants (an inline `then` is a constraint).
    if (!isObj(then) || typeof then.$ref !== 'string') return { variants: [], open: false };
    variants.push(then.$ref.slice(REF.length));
    const next: Json | undefined = node.else;
    if (next === undefined) return { variants, open: true };
    if (isObj(next) && 'if' in next) node = next;
    else {
      if (isObj(next) && typeof next.$ref === 'string') variants.push(next.$ref.slice(REF.length));
      return { variants, open: false };
    }
  }
  return { variants, open: false };
}

/**
 * A schema node of a full definition as an override sees it. Only where an override merges into
 * the entry (the object itself, its `properties`, map values, `allOf`, `then`/`else`) is `required`
 * dropped and a `$ref` pointed at the partial definition. Lists replace (`items` stay full), and
 * conditions keep their meaning (`if` and `not` stay as written: `not: { required: [a, b] }`
 * forbids both keys, in an override too).
 */
function partialize(node: Json, partials: ReadonlySet<string>): Json {
  if (Array.isArray(node)) return node.map((v) => partialize(v, partials));
  if (!isObj(node)) return node;
  const out: Obj = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'required') continue;
    if (k === '$ref' && typeof v === 'string' && v.startsWith(REF) && partials.has(v.slice(REF.length))) {
      out[k] = `${REF}${PARTIAL_PREFIX}${v.slice(REF.length)}`;
    } else if (k === 'properties' && isObj(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, partialize(s, partials)]));
    } else if (k === 'additionalProperties' || k === 'allOf' || k === 'then' || k === 'else') {
      out[k] = partialize(v, partials);
    } else if ((k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) {
      // Alternatives that only said which key must be present say nothing in an override.
      const alternatives = v.map((a) => partialize(a, partials));
      if (alternatives.some((a) => !isObj(a) || Object.keys(a).length > 0)) out[k] = alternatives;
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** Definitions an override merges into from `node` (not through lists or conditions). */
function mergeRefsOf(node: Json, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) for (const v of node) mergeRefsOf(v, out);
  else if (isObj(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF)) out.add(v.slice(REF.length));
      else if (k === 'properties' && isObj(v)) for (const p of Object.values(v)) mergeRefsOf(p, out);
      else if (k === 'additionalProperties' || k === 'allOf' || k === 'anyOf' || k === 'oneOf' || k === 'then' || k === 'else') mergeRefsOf(v, out);
    }
  }
  return out;
}

function partialDefinition(name: string, defs: Obj, partials: ReadonlySet<string>): Obj {
  const full = defs[name] as Obj;
  const body = partialize(full, partials) as Obj;
  const chain = variantChain(full);
  const out: Obj = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === 'description') out[k] = partialDescription(name, typeof v === 'string' ? v : undefined);
    else if (k === '$comment' && chain.open) continue;
    else out[k] = v;
    if (k === 'properties' && chain.open) {
      // Close the shell with every variant's keys: an override need not name the discriminator.
      const union: Obj = { ...(v as Obj) };
      for (const variant of chain.variants) {
        const props = (partialize(defs[variant] ?? {}, partials) as Obj).properties;
        if (isObj(props)) for (const [p, s] of Object.entries(props)) if (!(p in union)) union[p] = s;
      }
      out[k] = union;
      out.additionalProperties = false;
    }
  }
  if (!('description' in out)) out.description = partialDescription(name, undefined);
  out.$comment = GENERATED;
  return out;
}

function overridesDefinition(schema: Obj, partials: ReadonlySet<string>): Obj {
  const properties: Obj = {};
  for (const [name, section] of sections(schema)) {
    const p = partialize(section, partials) as Obj;
    // A section that is one definition gets a description of its own role here.
    properties[name] = 'allOf' in section && !('type' in section) ? { ...p, description: `Override of '${name}' for this environment.` } : p;
  }
  return {
    type: 'object',
    description:
      'A partial copy of the top-level sections, deep-merged over the spec for this environment (maps merge; scalars and lists replace). Every named entry must exist in the spec or blueprint.',
    properties,
    additionalProperties: false,
    $comment: GENERATED,
  };
}

/**
 * The schema with `overrides` and every `partial-*` definition derived from the full definitions.
 * Hand-written definitions keep their order; the generated ones stay where they were (or go last).
 */
export function withDerivedPartials(schema: Obj): Obj {
  const defs = (schema.definitions ?? {}) as Obj;
  const source = Object.fromEntries(Object.entries(defs).filter(([n]) => n !== 'overrides' && !n.startsWith(PARTIAL_PREFIX)));
  const base = { ...schema, definitions: source };
  const names = partialNames(base);
  const partials = new Set(names);
  const generated: Obj = {};
  for (const n of names) generated[`${PARTIAL_PREFIX}${n}`] = partialDefinition(n, source, partials);
  generated.overrides = overridesDefinition(base, partials);
  // The generated block stays where it was in the file (after the full definitions it derives from).
  const out: Obj = {};
  let placed = false;
  for (const [n, d] of Object.entries(defs)) {
    if (n in source) out[n] = d;
    else if (!placed) (Object.assign(out, generated), (placed = true));
  }
  if (!placed) Object.assign(out, generated);
  return { ...schema, definitions: out };
}

/** The schema file's text: two-space JSON with a final newline, as committed. */
export function formatSchema(schema: Json): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
