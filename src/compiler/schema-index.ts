/**
 * Read-only navigation of a JSON Schema along an instance path, used to explain findings: which keys
 * are allowed here (did-you-mean candidates), the description and examples of a field. Follows
 * local `$ref`s and composition; `if` is evaluated against the data (the subset of keywords used in
 * discriminators: const, enum, type, required, properties, anyOf/allOf/oneOf, not), so a sink with
 * `type: kinesis` offers the kinesis variant's keys, not every variant's.
 */
import { unescapeSegment } from '../util/json-pointer.js';

export type JsonSchema = { readonly [k: string]: unknown } | boolean;
type SchemaObject = { readonly [k: string]: unknown };

const isObject = (v: unknown): v is SchemaObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export class SchemaIndex {
  constructor(readonly root: JsonSchema) {}

  /** The schema nodes that apply at `path` in `data`. */
  at(data: unknown, path: readonly string[]): SchemaInfo {
    let value = data;
    let nodes = this.expand(this.root, value);
    for (const seg of path) {
      const children = nodes.flatMap((n) => this.child(n, seg));
      value = isObject(value) || Array.isArray(value) ? (value as Record<string, unknown>)[seg] : undefined;
      nodes = children.flatMap((n) => this.expand(n, value));
    }
    return new SchemaInfo(this, nodes);
  }

  resolve(node: unknown, depth = 0): SchemaObject | undefined {
    if (!isObject(node)) return undefined;
    const ref = node.$ref;
    if (typeof ref !== 'string' || depth > 32) return node;
    if (!ref.startsWith('#')) return undefined;
    let cur: unknown = this.root;
    for (const seg of ref.slice(1).split('/').filter(Boolean)) {
      cur = isObject(cur) ? cur[unescapeSegment(seg)] : undefined;
    }
    return this.resolve(cur, depth + 1);
  }

  /** The node and every subschema that applies to the same value (refs, allOf/anyOf/oneOf, if/then/else). */
  expand(raw: unknown, data: unknown, depth = 0): SchemaObject[] {
    const node = this.resolve(raw);
    if (!node || depth > 32) return [];
    const out = [node];
    for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = node[k];
      if (Array.isArray(list)) for (const s of list) out.push(...this.expand(s, data, depth + 1));
    }
    if (node.if !== undefined) {
      const branch = this.matches(node.if, data) ? node.then : node.else;
      if (branch !== undefined) out.push(...this.expand(branch, data, depth + 1));
    }
    return out;
  }

  /** Subschemas for the child `seg` of a value described by `node`. */
  child(node: SchemaObject, seg: string): unknown[] {
    const props = node.properties;
    if (isObject(props) && seg in props) return [props[seg]];
    const out: unknown[] = [];
    const patterns = node.patternProperties;
    if (isObject(patterns)) {
      for (const [re, s] of Object.entries(patterns)) if (new RegExp(re, 'u').test(seg)) out.push(s);
    }
    if (!out.length && isObject(node.additionalProperties)) out.push(node.additionalProperties);
    if (/^\d+$/.test(seg)) {
      if (Array.isArray(node.items)) out.push(node.items[Number(seg)] ?? node.additionalItems);
      else if (node.items !== undefined) out.push(node.items);
    }
    return out;
  }

  /** Whether `data` satisfies `schema`, for the keywords discriminators use; others count as satisfied. */
  matches(raw: unknown, data: unknown, depth = 0): boolean {
    if (raw === true || raw === undefined) return true;
    if (raw === false) return false;
    const s = this.resolve(raw);
    if (!s || depth > 32) return true;
    if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(data)) return false;
    if (Array.isArray(s.enum) && !s.enum.some((v) => JSON.stringify(v) === JSON.stringify(data))) return false;
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [String(s.type)];
      if (!types.some((t) => typeMatches(t, data))) return false;
    }
    if (isObject(data)) {
      if (Array.isArray(s.required) && !s.required.every((k) => typeof k === 'string' && k in data)) return false;
      if (isObject(s.properties)) {
        for (const [k, sub] of Object.entries(s.properties)) {
          if (k in data && !this.matches(sub, data[k], depth + 1)) return false;
        }
      }
    }
    if (Array.isArray(s.allOf) && !s.allOf.every((x) => this.matches(x, data, depth + 1))) return false;
    if (Array.isArray(s.anyOf) && !s.anyOf.some((x) => this.matches(x, data, depth + 1))) return false;
    if (Array.isArray(s.oneOf) && !s.oneOf.some((x) => this.matches(x, data, depth + 1))) return false;
    if (s.not !== undefined && this.matches(s.not, data, depth + 1)) return false;
    return true;
  }
}

/**
 * For an unknown `key` of `value` at a discriminated place: the variant the value selected and the
 * variant that does declare `key` (so the message can say "'stream' belongs to type 'kinesis'").
 */
export function variantConflict(index: SchemaIndex, info: SchemaInfo, value: unknown, key: string): VariantConflict | undefined {
  const visited = new Set<SchemaObject>();
  for (const wrapper of info.nodes) {
    if (wrapper.if === undefined || wrapper.then === undefined || visited.has(wrapper)) continue;
    const branches: { cond?: unknown; schema: unknown }[] = [];
    let cur: SchemaObject | undefined = wrapper;
    while (cur && cur.if !== undefined && !visited.has(cur)) {
      visited.add(cur);
      if (cur.then !== undefined) branches.push({ cond: cur.if, schema: cur.then });
      const next = index.resolve(cur.else);
      if (next && next.if !== undefined && next.properties === undefined) cur = next;
      else {
        if (cur.else !== undefined) branches.push({ schema: cur.else });
        cur = undefined;
      }
    }
    const activeAt = branches.findIndex((b) => b.cond === undefined || index.matches(b.cond, value));
    if (activeAt < 0) continue;
    const variants = branches.map((b) => describeVariant(index, b.schema, b.cond, value));
    const active = variants[activeAt]!;
    if (active.keys.includes(key)) continue;
    const owner = variants.find((v, i) => i !== activeAt && v.keys.includes(key));
    if (owner) return { active, owner, ...(typeof wrapper.description === 'string' ? { description: wrapper.description.replace(/`/g, "'") } : {}) };
  }
  return undefined;
}

function describeVariant(index: SchemaIndex, schema: unknown, cond: unknown, value: unknown): Variant {
  const info = new SchemaInfo(index, index.expand(schema, value));
  let discriminator: Variant['discriminator'];
  for (const n of info.nodes) {
    if (!isObject(n.properties)) continue;
    for (const [k, sub] of Object.entries(n.properties)) {
      const r = index.resolve(sub);
      if (r && 'const' in r && discriminator === undefined) discriminator = { key: k, value: r.const };
    }
  }
  // A presence discriminator: `if: { required: [k] }`, or `anyOf` of those (a trigger's `when`).
  const c = index.resolve(cond);
  const required = (x: SchemaObject | undefined): string[] => (x && Array.isArray(x.required) ? x.required.filter((k): k is string => typeof k === 'string') : []);
  const candidates = c ? [...required(c), ...(Array.isArray(c.anyOf) ? c.anyOf.flatMap((a) => required(index.resolve(a))) : [])] : [];
  const presence = isObject(value) ? candidates.find((k) => k in value) : undefined;
  return { ...(discriminator ? { discriminator } : {}), ...(presence ? { presence } : {}), keys: info.properties() };
}

function typeMatches(t: string, v: unknown): boolean {
  switch (t) {
    case 'object':
      return isObject(v);
    case 'array':
      return Array.isArray(v);
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'null':
      return v === null;
    default:
      return typeof v === t;
  }
}

/** One variant of a discriminated object (an `if`/`then`/`else` chain). */
export interface Variant {
  /** The discriminating key and its value (`type: kinesis`), when the variant has one. */
  readonly discriminator?: { readonly key: string; readonly value: unknown };
  /** The key whose presence selects this variant (`sink` for a replayer's `{ sink }` target). */
  readonly presence?: string;
  readonly keys: readonly string[];
}

/** The variant a value selected and another variant that declares `key`, with the wrapper's description. */
export interface VariantConflict {
  readonly active: Variant;
  readonly owner: Variant;
  readonly description?: string;
}

/** What the schema says about one place in the document. */
export class SchemaInfo {
  constructor(
    private readonly index: SchemaIndex,
    readonly nodes: readonly SchemaObject[],
  ) {}

  /**
   * Keys declared at this place (union over applicable subschemas, declaration order). The keys an
   * open discriminator wrapper declares (a trigger's `schedule` and `when`) only count when no variant
   * applies: otherwise the chosen variant's keys are what is allowed.
   */
  properties(): string[] {
    const wrapper = (n: SchemaObject) => n.if !== undefined && n.additionalProperties === undefined;
    const concrete = this.nodes.filter((n) => !wrapper(n) && isObject(n.properties));
    const keys = new Set<string>();
    for (const n of concrete.length ? concrete : this.nodes) if (isObject(n.properties)) for (const k of Object.keys(n.properties)) keys.add(k);
    return [...keys];
  }

  /** Every key declared here, including those of a discriminator wrapper (`when` of a scheduled trigger): did-you-mean candidates. */
  allProperties(): string[] {
    const keys = new Set(this.properties());
    for (const n of this.nodes) if (isObject(n.properties)) for (const k of Object.keys(n.properties)) keys.add(k);
    return [...keys];
  }

  property(key: string): SchemaInfo | undefined {
    const nodes = this.nodes.flatMap((n) => (isObject(n.properties) && key in n.properties ? this.index.expand(n.properties[key], undefined) : []));
    return nodes.length ? new SchemaInfo(this.index, nodes) : undefined;
  }

  /** The field's description (markdown backticks as quotes). */
  hint(): string | undefined {
    const d = this.nodes.find((n) => typeof n.description === 'string')?.description as string | undefined;
    return d?.replace(/`/g, "'");
  }

  hintText(): string | undefined {
    return this.hint()?.replace(/\.$/, '');
  }

  examples(): unknown[] {
    const n = this.nodes.find((x) => Array.isArray(x.examples));
    return n ? (n.examples as unknown[]).slice(0, 3) : [];
  }

  /** Description of the rule for entry names at this place, if the schema has one. */
  propertyNames(): string | undefined {
    for (const n of this.nodes) {
      const s = this.index.resolve(n.propertyNames);
      if (s && typeof s.description === 'string') return s.description.replace(/`/g, "'");
    }
    return undefined;
  }
}
