/**
 * Generates the TypeScript shape of a spec (src/compiler/rules/spec-types.ts) from the full
 * definitions of schema/platform.schema.json, so the rules' typed view (rules/spec-view.ts) cannot
 * drift from the schema. The types are lenient on purpose: every field is optional and a
 * discriminated definition (`sink`, `trigger`, ...) is one interface with the union of its
 * variants' fields, because rules also run on specs that failed the schema. They say what a field
 * holds when it is right; SpecNode's accessors check that at run time and give undefined otherwise.
 *
 * scripts/build.js rewrites the file on every build; test/unit/spec-view.test.ts fails when the
 * committed file is stale.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const REF = '#/definitions/';
const UNKNOWN = 'unknown';

/** `kinesisSink` → `KinesisSinkSpec`; the document itself is `PlatformSpec`. */
export function specTypeName(definition: string): string {
  return `${definition.replace(/(^|[-_])([a-z])/g, (_, __, c: string) => c.toUpperCase())}Spec`;
}

/** The TypeScript source of every full definition's lenient type, and of the document (`PlatformSpec`). */
export function specTypesSource(schema: Obj): string {
  const defs = isObj(schema.definitions) ? schema.definitions : {};
  const names = Object.keys(defs).filter((n) => !n.startsWith('partial-') && n !== 'overrides');
  const gen = new Generator(defs);
  const out = [
    '/**',
    ' * The shape of a spec, generated from schema/platform.schema.json by src/compiler/schema-types.ts',
    " * (scripts/build.js): do not edit. Lenient: every field optional, a discriminated entry's variants",
    ' * merged; read values through SpecNode (rules/spec-view.ts), which checks their type at run time.',
    ' */',
    '/* eslint-disable */',
    '',
  ];
  out.push(gen.declaration('PlatformSpec', schema, 'The whole spec document.'), '');
  for (const n of names) out.push(gen.declaration(specTypeName(n), defs[n]!, undefined), '');
  // The overrides repeat the sections (partial-* definitions); rules read them through the merged view.
  out.push('/** An environment\'s overrides: partial sections, merged into the effective spec by SpecView. */', 'export type OverridesSpec = { readonly [section: string]: unknown };', '');
  return out.join('\n');
}

class Generator {
  constructor(private readonly defs: Obj) {}

  declaration(name: string, s: Json, fallbackDoc: string | undefined): string {
    const doc = docComment((isObj(s) && typeof s.description === 'string' ? s.description : undefined) ?? fallbackDoc, '');
    const fields = this.fields(s);
    if (fields) return `${doc}export interface ${name} ${fields}`;
    return `${doc}export type ${name} = ${this.type(s, '')};`;
  }

  /** An object type's fields (`{ ... }`), or undefined when `s` declares no properties. */
  private fields(s: Json, indent = ''): string | undefined {
    const props = new Map<string, { types: Set<string>; doc?: string }>();
    this.collect(s, props, new Set());
    if (!props.size) return undefined;
    const lines = [...props].map(([k, { types, doc }]) => `${docComment(doc, indent + '  ')}${indent}  readonly ${propertyKey(k)}?: ${unionOf(types)};`);
    return `{\n${lines.join('\n')}\n${indent}}`;
  }

  /** Merges the properties of `s` and of every variant it can take (allOf, anyOf, oneOf, then, else). */
  private collect(s: Json, props: Map<string, { types: Set<string>; doc?: string }>, seen: Set<string>): void {
    if (!isObj(s)) return;
    if (typeof s.$ref === 'string') {
      const ref = s.$ref.slice(REF.length);
      if (seen.has(ref)) return;
      seen.add(ref);
      this.collect(this.defs[ref] ?? null, props, seen);
    }
    if (isObj(s.properties)) {
      for (const [k, v] of Object.entries(s.properties)) {
        const entry = props.get(k) ?? { types: new Set<string>() };
        if (isObj(v) && typeof v.description === 'string' && entry.doc === undefined) entry.doc = v.description;
        entry.types.add(this.type(v, '  '));
        props.set(k, entry);
      }
    }
    for (const key of ['allOf', 'anyOf', 'oneOf']) {
      const list = s[key];
      if (Array.isArray(list)) for (const m of list) this.collect(m, props, seen);
    }
    for (const key of ['then', 'else']) this.collect(s[key] ?? null, props, seen);
  }

  type(s: Json, indent: string): string {
    if (!isObj(s)) return UNKNOWN;
    if ('const' in s) return JSON.stringify(s.const);
    if (Array.isArray(s.enum)) return unionOf(new Set(s.enum.map((v) => JSON.stringify(v))));
    const types = new Set<string>();
    if (typeof s.$ref === 'string') types.add(specTypeName(s.$ref.slice(REF.length)));
    for (const key of ['allOf', 'anyOf', 'oneOf']) {
      const list = s[key];
      if (!Array.isArray(list)) continue;
      // allOf: [{ $ref }] is how a property documents a referenced definition; otherwise the
      // alternatives of a value (`size`: integer or string).
      const alternatives = list.filter((m) => !(isObj(m) && m.type === 'object' && !('$ref' in m)));
      for (const m of alternatives) types.add(this.type(m, indent));
    }
    const declared = Array.isArray(s.type) ? s.type : s.type === undefined ? [] : [s.type];
    for (const t of declared) {
      if (t === 'string') types.add('string');
      else if (t === 'integer' || t === 'number') types.add('number');
      else if (t === 'boolean') types.add('boolean');
      else if (t === 'null') types.add('null');
      else if (t === 'array') types.add(`readonly ${wrap(this.type(s.items ?? null, indent))}[]`);
      else if (t === 'object') types.add(this.objectType(s, indent));
    }
    if (!declared.length && !types.size && (isObj(s.properties) || isObj(s.then))) types.add(this.objectType(s, indent));
    return unionOf(types);
  }

  private objectType(s: Obj, indent: string): string {
    const fields = typeof s.$ref === 'string' ? undefined : this.fields(s, indent);
    if (fields) return fields;
    if (isObj(s.additionalProperties)) return `{ readonly [name: string]: ${this.type(s.additionalProperties, indent)} }`;
    return '{ readonly [key: string]: unknown }';
  }
}

/** `a | b`; `unknown` only when nothing else is known; a literal dropped beside its base type. */
function unionOf(types: Set<string>): string {
  // Members of unions already written out (`"aimd" | "none"` of two variants) count once.
  const list = [...types].flatMap((t) => (/[{(]/.test(t) ? [t] : t.split(' | '))).filter((t) => t !== UNKNOWN);
  if (!list.length) return UNKNOWN;
  const kept = list.filter((t) => !((t.startsWith('"') && list.includes('string')) || (/^-?\d/.test(t) && list.includes('number')) || ((t === 'true' || t === 'false') && list.includes('boolean'))));
  return [...new Set(kept)].join(' | ');
}

const wrap = (t: string) => (t.includes(' | ') ? `(${t})` : t);
const propertyKey = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));

function docComment(text: string | undefined, indent: string): string {
  if (!text) return '';
  return `${indent}/** ${text.replace(/\*\//g, '*\\/').replace(/\n/g, ' ')} */\n`;
}
