/**
 * The effective spec of one environment (blueprint `spec` ⊕ user spec ⊕ environment overlay) with
 * provenance, so that rules check what will be deployed yet point at the line the user wrote.
 * Shared by the semantic rules and resolve(). Every accessor tolerates data of the wrong shape
 * (rules also run on specs that failed the schema).
 */
import type { Diagnostic } from '../diagnostics.js';
import { type SpecDocument, type SpecPath, toPointer } from '../document.js';
import { type NameContext, PSEUDO_ACCOUNT, PSEUDO_REGION } from '../naming.js';
import { type Blueprint, EMPTY_BLUEPRINT, findBlueprint } from './blueprint.js';
import type { PlatformSpec } from './spec-types.js';
import { atOrBelow } from '../findings.js';

export type * from './spec-types.js';

export type Dict = Record<string, unknown>;

export const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
export const dict = (v: unknown): Dict => (isDict(v) ? v : {});
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** `[name, entry]` of a map section, skipping entries that are not objects. */
/** The environment of a spec that declares no `environments:`: its stacks are environment-agnostic. */
export const IMPLICIT_ENVIRONMENT = 'default';

/** True when the spec (its raw data) declares no `environments:` at all. */
export function isEnvironmentAgnostic(data: unknown): boolean {
  return isDict(data) && data.environments === undefined;
}

/** The spec's environments in order; the implicit `default` one when it declares none. */
export function environmentsOf(data: unknown): string[] {
  return isEnvironmentAgnostic(data) ? [IMPLICIT_ENVIRONMENT] : Object.keys(dict(dict(data).environments));
}

export function entries(v: unknown): [string, Dict][] {
  return Object.entries(dict(v)).filter((e): e is [string, Dict] => isDict(e[1]));
}

/** Deep merge for blueprint and overlays: maps merge, scalars and lists replace. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isDict(base) || !isDict(over)) return over;
  const out: Dict = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/** The map sections of a spec: maps of named entries (a layer, a job, a sink...). */
export const MAP_SECTIONS: readonly (readonly string[])[] = [
  ['storage', 'layers'],
  ['catalog', 'databases'],
  ['athena', 'workgroups'],
  ['replayers'],
  ['crawlers'],
  ['jobs'],
  ['triggers'],
  ['streams'],
  ['sinks'],
  ['deliveryStreams'],
  ['dashboards'],
];

/**
 * The blueprint's `spec` under the user's spec. Maps merge and scalars and lists replace, except
 * that a map section the spec declares holds exactly the spec's entries: the blueprint adds no
 * entries of its own there (a spec declaring the layers `landing` and `curated` gets two layers,
 * not the blueprint's three as well). An entry the spec names that the blueprint also declares
 * (`raw: {}`) still gets the blueprint's values for the fields it leaves out.
 */
export function applyBlueprint(blueprintSpec: unknown, spec: unknown): unknown {
  const merge = (base: unknown, over: unknown, at: readonly string[]): unknown => {
    if (over === undefined) return base;
    if (!isDict(base) || !isDict(over)) return over;
    const section = MAP_SECTIONS.some((m) => m.length === at.length && m.every((k, i) => k === at[i]));
    const out: Dict = section ? {} : { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = section ? deepMerge(base[k], v) : merge(base[k], v, [...at, k]);
    return out;
  };
  return merge(blueprintSpec, spec, []);
}

/** A node an environment's overlay wrote: its path in the effective spec, and where the user wrote it. */
export interface OverlayWrite {
  readonly path: SpecPath;
  readonly from: SpecPath;
}

/** Where overlay-written nodes came from, by pointer (for lookups) and in write order (for scans). */
class Origins {
  readonly byPointer = new Map<string, SpecPath>();
  readonly writes: OverlayWrite[] = [];
  set(path: SpecPath, from: SpecPath): void {
    this.byPointer.set(toPointer(path), from);
    this.writes.push({ path, from });
  }
}

/** Merges `over` into `base` in place, recording where each merged node was written. */
function overlay(base: Dict, over: Dict, at: SpecPath, from: SpecPath, origins: Origins): void {
  for (const [k, v] of Object.entries(over)) {
    const path = [...at, k];
    const src = [...from, k];
    if (isDict(v) && isDict(base[k])) {
      // A merged map stays declared where it was; only what the overlay writes points at it.
      const copy = { ...(base[k] as Dict) };
      base[k] = copy;
      overlay(copy, v, path, src, origins);
    } else {
      origins.set(path, src);
      base[k] = isDict(v) ? deepMerge({}, v) : v;
      if (isDict(v)) recordAll(v, path, src, origins);
    }
  }
}

function recordAll(v: Dict, at: SpecPath, from: SpecPath, origins: Origins): void {
  for (const [k, c] of Object.entries(v)) {
    origins.set([...at, k], [...from, k]);
    if (isDict(c)) recordAll(c, [...at, k], [...from, k], origins);
  }
}


// ---- the typed, lenient view ------------------------------------------------------------------

/** Keys of `T` whose declared type includes `V`. */
type KeysWith<T, V> = { [K in keyof T]-?: [Extract<NonNullable<T[K]>, V>] extends [never] ? never : K }[keyof T] & string;
/** What a field of `T` holds when it is right. */
type FieldOf<T, K extends keyof T> = NonNullable<T[K]>;
/** The value type of a map field (`sinks` → SinkSpec). */
type MapValue<F> = F extends { readonly [name: string]: infer V } ? V : unknown;
/** The item type of a list field (`targets` → LayerLocationSpec). */
type ItemOf<F> = F extends readonly (infer I)[] ? I : unknown;

/**
 * A node of the spec with the shape the schema gives it (`T`, generated from the schema into
 * spec-types.ts), read leniently: rules also run on specs the schema rejected, so every accessor
 * checks the value's type at run time and gives `undefined` (or an empty list) for a value that is
 * missing or of the wrong type, never throws. Each node knows its path, for findings.
 *
 *   for (const [name, sink] of view.spec.entries('sinks')) {
 *     if (sink.str('type') === 'cloudwatch-metrics' && sink.str('namespace')?.startsWith('AWS/'))
 *       view.report({ code: 'ARA248', message: '...', path: sink.pathOf('namespace') });
 *   }
 */
export class SpecNode<T = unknown> {
  constructor(
    /** The value as written (blueprint ⊕ spec ⊕ overlay), of any type. */
    readonly value: unknown,
    /** Path in the effective spec (report() maps it back to where the user wrote it). */
    readonly path: SpecPath,
  ) {}

  /** JSON pointer of this node. */
  get pointer(): string {
    return toPointer(this.path);
  }

  /** True when the node is a mapping (the shape `T` describes). */
  get isObject(): boolean {
    return isDict(this.value);
  }

  /** Path of a field (also of one that is absent: a finding about a missing key points there). */
  pathOf(...keys: (string | number)[]): SpecPath {
    return [...this.path, ...keys];
  }

  /** True when the field is present, whatever its type. */
  has(key: keyof T & string): boolean {
    return isDict(this.value) && Object.prototype.hasOwnProperty.call(this.value, key);
  }

  /** The field as written, of any type (for messages, or values of several types such as sizes). */
  raw(key: keyof T & string): unknown {
    return isDict(this.value) ? this.value[key] : undefined;
  }

  /** A string field; undefined when absent or not a string. */
  str<K extends KeysWith<T, string>>(key: K): Extract<FieldOf<T, K>, string> | undefined {
    const v = this.raw(key);
    return typeof v === 'string' ? (v as Extract<FieldOf<T, K>, string>) : undefined;
  }

  /** A finite number field; undefined when absent or not a number. */
  num(key: KeysWith<T, number>): number | undefined {
    return num(this.raw(key));
  }

  /** A boolean field; undefined when absent or not a boolean. */
  bool(key: KeysWith<T, boolean>): boolean | undefined {
    const v = this.raw(key);
    return typeof v === 'boolean' ? v : undefined;
  }

  /** A mapping field as a node (its value may be missing or of another type: check `isObject` if it matters). */
  node<K extends KeysWith<T, object>>(key: K): SpecNode<Extract<FieldOf<T, K>, object>> {
    return new SpecNode(this.raw(key), this.pathOf(key));
  }

  /** `[name, entry]` of a map field (`sinks`, `layers`), skipping entries that are not mappings. */
  entries<K extends KeysWith<T, object>>(key: K): [string, SpecNode<MapValue<FieldOf<T, K>>>][] {
    const at = this.pathOf(key);
    return Object.entries(dict(this.raw(key)))
      .filter(([, v]) => isDict(v))
      .map(([n, v]) => [n, new SpecNode<MapValue<FieldOf<T, K>>>(v, [...at, n])]);
  }

  /** Names declared in a map field, whatever their values. */
  keys(key: KeysWith<T, object>): string[] {
    return Object.keys(dict(this.raw(key)));
  }

  /** The items of a list field as nodes (any type each; empty when the field is not a list). */
  items<K extends KeysWith<T, readonly unknown[]>>(key: K): SpecNode<ItemOf<FieldOf<T, K>>>[] {
    const at = this.pathOf(key);
    return list(this.raw(key)).map((v, i) => new SpecNode<ItemOf<FieldOf<T, K>>>(v, [...at, i]));
  }

  /** The same node read with another shape (what several shapes share, e.g. a trigger action and a condition). */
  as<U>(): SpecNode<U> {
    return new SpecNode<U>(this.value, this.path);
  }

  /** This node as a string (a list item), or undefined. */
  asStr(): (T extends string ? T : string) | undefined {
    return typeof this.value === 'string' ? (this.value as T extends string ? T : string) : undefined;
  }
}

export interface FindingInput {
  readonly code: string;
  readonly message: string;
  /** Path in the effective spec; mapped back to where the user wrote it. */
  readonly path: SpecPath;
  readonly hint?: string;
  readonly part?: 'key' | 'value';
  readonly severity?: 'error' | 'warning';
}

export class SpecView {
  /** The effective spec, untyped. Prefer `spec`. */
  readonly data: Dict;
  /** The effective spec, typed and lenient (see SpecNode). */
  readonly spec: SpecNode<PlatformSpec>;
  /** The spec as the user wrote it (no blueprint, no environment overlay), e.g. for `environments`. */
  readonly written: SpecNode<PlatformSpec>;
  readonly blueprint: Blueprint;
  /** Selected environment name, undefined when the spec declares none. */
  readonly env: string | undefined;
  private readonly origins = new Origins();
  private readonly userData: Dict;

  constructor(
    readonly doc: SpecDocument,
    env: string | undefined,
    private readonly sink: Diagnostic[],
    private readonly doubtful: readonly string[] = [],
  ) {
    this.userData = dict(doc.data);
    this.env = env;
    this.blueprint = findBlueprint(str(this.userData.platform) ?? 'aws-native') ?? EMPTY_BLUEPRINT;
    let data = applyBlueprint(this.blueprint.spec, this.userData) as Dict;
    if (env !== undefined) {
      data = deepMerge({}, data) as Dict;
      const e = dict(dict(this.userData.environments)[env]);
      const envPath = ['environments', env];
      if (isDict(e.overrides)) overlay(data, e.overrides, [], [...envPath, 'overrides'], this.origins);
      if (isDict(e.tags)) overlay(data, { tags: e.tags }, [], envPath, this.origins);
      if (e.removalPolicy !== undefined) {
        // The shortcut for `overrides.storage.removalPolicy`; applied last, so it wins.
        data.storage = { ...dict(data.storage), removalPolicy: e.removalPolicy };
        this.origins.set(['storage', 'removalPolicy'], [...envPath, 'removalPolicy']);
      }
    }
    this.data = data;
    this.spec = new SpecNode<PlatformSpec>(data, []);
    this.written = new SpecNode<PlatformSpec>(this.userData, []);
  }

  /** Where the user wrote the value at `path` (the override, else the spec; a missing node maps to its parent). */
  origin(path: SpecPath): SpecPath {
    // The overlay replaced a node at or above `path` (origins only hold replaced nodes): the value
    // comes from the override, even where the spec also has one (a list the override replaces).
    for (let n = path.length; n >= 0; n--) {
      const o = this.origins.byPointer.get(toPointer(path.slice(0, n)));
      if (o) return [...o, ...path.slice(n)];
    }
    return path;
  }

  /**
   * The nodes this environment's overlay (`overrides`, `tags`, `removalPolicy`) wrote at or under
   * `under` (effective-spec path), in the order written.
   */
  overlaid(under: SpecPath = []): OverlayWrite[] {
    return this.origins.writes.filter((w) => under.every((k, i) => String(w.path[i]) === String(k)) && w.path.length >= under.length);
  }

  /** True when the schema already rejected `path` or a parent, or the user misspelt its key: its content is unknown (findings.ts, rule 6). */
  isDoubtful(path: SpecPath): boolean {
    // The usual case, a spec without schema errors: no pointer to build (rules ask for every node).
    if (!this.doubtful.length) return false;
    const p = toPointer(path);
    return this.doubtful.some((m) => atOrBelow(p, m));
  }

  /** True when the node at `path`, or anything inside it, is doubtful. */
  hasDoubtfulWithin(path: SpecPath): boolean {
    if (!this.doubtful.length) return false;
    const p = toPointer(path);
    return this.isDoubtful(path) || this.doubtful.some((m) => atOrBelow(m, p));
  }

  /** True when the user wrote (spec or overlay) the node at `path`, as opposed to the blueprint. */
  isUserSet(path: SpecPath): boolean {
    return this.origins.byPointer.has(toPointer(path)) || this.hasUserValue(path);
  }

  private hasUserValue(path: SpecPath): boolean {
    let v: unknown = this.userData;
    for (const k of path) {
      if (Array.isArray(v) && typeof k === 'number') v = v[k];
      else if (isDict(v) && Object.prototype.hasOwnProperty.call(v, k)) v = v[k as string];
      else return false;
    }
    return true;
  }

  report(f: FindingInput): void {
    const where = this.origin(f.path);
    // A finding caused by this environment's overlay says so (the same line serves every environment otherwise).
    const fromOverlay = where[0] === 'environments' && where[1] === this.env;
    const message = fromOverlay && !f.message.includes(`environment '${this.env}'`) ? `${f.message} (environment '${this.env}')` : f.message;
    this.sink.push(this.doc.diagnostic({ code: f.code, message, path: where, hint: f.hint, part: f.part, severity: f.severity ?? 'error' }));
  }

  /** True when the spec declares no `environments:` (one implicit environment, environment-agnostic stacks). */
  get agnostic(): boolean {
    return isEnvironmentAgnostic(this.userData);
  }

  /** Names for the physical-name functions of naming.ts; undefined when the environment is unusable. */
  nameContext(): NameContext | undefined {
    const platform = str(this.data.name);
    if (!platform || this.env === undefined) return undefined;
    if (this.agnostic) return this.env === IMPLICIT_ENVIRONMENT ? { platform, env: this.env, account: PSEUDO_ACCOUNT, region: PSEUDO_REGION } : undefined;
    const e = dict(dict(this.userData.environments)[this.env]);
    const account = str(e.account);
    const region = str(e.region);
    if (!account || !region) return undefined;
    return { platform, env: this.env, account, region };
  }

  /** Blueprint default at a dotted path (`sink.kinesis.bufferingHints`). */
  defaults(path: string): unknown {
    let v: unknown = this.blueprint.defaults;
    for (const k of path.split('.')) v = dict(v)[k];
    return v;
  }
}

/** "did you mean" plus the declared names, for unresolved references. */
export function listNames(names: readonly string[]): string {
  return names.length ? `declared: ${names.map((n) => `'${n}'`).join(', ')}` : 'none is declared';
}

/** A family of semantic rules: checks one environment's effective spec. */
export interface Rule {
  readonly name: string;
  /** Codes this rule may report (documented in docs/error-codes.md). */
  readonly codes: readonly string[];
  /** Rules about the document itself (not about an environment's result) run once. */
  readonly once?: boolean;
  check(view: SpecView): void;
  /**
   * Instead of `check` per environment: sees every environment's view at once, for rules whose
   * findings would otherwise repeat per environment with only the environment's name changed.
   */
  checkAll?(views: readonly SpecView[]): void;
}
