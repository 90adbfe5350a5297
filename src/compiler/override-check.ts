/**
 * The schema check of each environment's effective spec (ARA110-ARA119 again, on blueprint ⊕ spec ⊕
 * that environment's overrides: what resolve() uses). The per-file check validates `overrides`
 * against partial copies of the sections, which cannot know the variant of the entry they change:
 * `keyAttributes` added to a kinesis sink, or `shards` to an on-demand stream, passes there and
 * would be silently ignored. Findings here are the ones the overrides introduce, positioned at the
 * override that did it and suffixed `(environment '<env>')`.
 */
import type { Diagnostic } from './diagnostics.js';
import { type SourceRange, type SpecDocument, type SpecPath, toPointer } from './document.js';
import { type Dict, SpecView, dict, entries, isDict } from './rules/spec-view.js';
import { entryDepth, inUndeclaredEntry } from './rules/environments.js';
import type { Findings } from './findings.js';
import { checkSchemaDetailed, parsePointer } from './schema-check.js';

/**
 * Adds to `findings` what the environments' effective specs break that blueprint ⊕ spec does not.
 * A section the file's schema check already rejected (in the spec, or in this environment's
 * overrides of it) is not checked again (findings.ts, rule 2); only environments with `overrides`
 * are checked (`tags` and `removalPolicy` are fully typed already).
 */
export function checkOverrideSchemas(doc: SpecDocument, findings: Findings): void {
  if (!isDict(doc.data)) return;
  const envs = entries(doc.data.environments).filter(([, e]) => isDict(e.overrides) && Object.keys(e.overrides).length > 0);
  let baseline: Baseline | undefined;
  for (const [env, e] of envs) {
    const unchecked = findings.uncheckedSections(env);
    if (unchecked.has('*') || Object.keys(dict(e.overrides)).every((s) => unchecked.has(s))) continue;
    const merged = new EffectiveDocument(doc, new SpecView(doc, env, []));
    const { diagnostics } = checkSchemaDetailed(merged);
    if (!diagnostics.length) continue;
    // What blueprint ⊕ spec already breaks is not this environment's doing (computed only when needed).
    const known = (baseline ??= baselineOf(doc));
    for (const d of diagnostics) {
      const p = merged.placed(d);
      // An entry only the override declares is ARA260's finding; what else it lacks is a consequence.
      if (p === undefined || known.keys.has(p.key) || inUndeclaredEntry(known.data, p.merged)) continue;
      findings.add('environment-schema', p.diagnostic, { env, direct: p.direct, section: p.section });
    }
  }
}

interface Baseline {
  /** Blueprint ⊕ spec. */
  readonly data: Dict;
  /** Identities (Placed.key) of its schema findings. */
  readonly keys: Set<string>;
}

function baselineOf(doc: SpecDocument): Baseline {
  const view = new SpecView(doc, undefined, []);
  const effective = new EffectiveDocument(doc, view);
  const { diagnostics } = checkSchemaDetailed(effective);
  return { data: view.data, keys: new Set(diagnostics.map((d) => effective.placed(d)?.key).filter((k): k is string => k !== undefined)) };
}

interface Placement {
  /** Where the user wrote what caused the finding. */
  readonly source: SpecPath;
  /** Placed where the offending value was written, or at an override the message names. */
  readonly direct: boolean;
  /** The message without the environment suffix. */
  readonly message: string;
}

interface Placed {
  /** With `path` in the source (what the user must change). */
  readonly diagnostic: Diagnostic;
  /** Path in the effective spec. */
  readonly merged: SpecPath;
  readonly direct: boolean;
  /** Top-level section of the effective spec the finding is in. */
  readonly section: string;
  /** Identity of the finding regardless of environment: code, effective path, message. */
  readonly key: string;
}

/**
 * An environment's effective spec as a SpecDocument, so the base check's error mapping (pruning,
 * variants, did-you-mean) runs on it unchanged; positions map back to what the user wrote.
 */
class EffectiveDocument implements SpecDocument {
  readonly file: string;
  readonly text: string;
  readonly data: unknown;
  /** Placements of the diagnostics built here, by code, position and message. */
  private readonly placements = new Map<string, Placement>();

  constructor(
    private readonly doc: SpecDocument,
    private readonly view: SpecView,
  ) {
    this.file = doc.file;
    this.text = doc.text;
    this.data = view.data;
  }

  locate(path: SpecPath, part?: 'key' | 'value'): SourceRange {
    const p = this.place(path, part, '');
    return this.doc.locate(p.path, p.part);
  }

  diagnostic(d: Parameters<SpecDocument['diagnostic']>[0]): Diagnostic {
    const env = this.view.env;
    const p = this.place(d.path, d.part, d.message);
    const message = env !== undefined && !d.message.includes(`environment '${env}'`) ? `${d.message} (environment '${env}')` : d.message;
    const built = this.doc.diagnostic({ ...d, message, path: p.path, ...(p.part ? { part: p.part } : {}) });
    this.placements.set(placementKey(built), { source: p.path, direct: p.direct, message: d.message });
    // `path` stays the effective-spec path until placed(): the schema check may widen it to the object.
    return { ...built, path: toPointer(d.path) };
  }

  /** `d` (built by diagnostic()) placed in the source; undefined for a diagnostic not built here. */
  placed(d: Diagnostic): Placed | undefined {
    const p = this.placements.get(placementKey(d));
    if (!p) return undefined;
    const merged = parsePointer(d.path);
    return { diagnostic: { ...d, path: toPointer(p.source) }, merged, direct: p.direct, section: merged[0] ?? '', key: `${d.code}\0${d.path}\0${p.message}` };
  }

  /**
   * Where to report a finding at `path` of the effective spec: where the overlay wrote it; else, for
   * a value of the spec that only an override made wrong (a kinesis sink's `type` once an override
   * adds `keyAttributes`), the override written nearest to it, preferring one the message names;
   * else the environment's `overrides` key.
   */
  private place(path: SpecPath, part: 'key' | 'value' | undefined, message: string): { path: SpecPath; part?: 'key' | 'value'; direct: boolean } {
    const env = this.view.env;
    const origin = this.view.origin(path);
    if (env === undefined || (origin[0] === 'environments' && origin[1] === env)) return { path: origin, ...(part ? { part } : {}), direct: true };
    // Up to the entry (`sinks.x`), not the whole section: a sibling entry's override is unrelated.
    for (let n = path.length; n >= Math.max(1, Math.min(path.length, entryDepth(path))); n--) {
      const writes = this.view.overlaid(path.slice(0, n)).filter((w) => w.from[0] === 'environments' && w.from[1] === env);
      if (!writes.length) continue;
      const named = writes.filter((w) => message.includes(`'${String(w.path[w.path.length - 1])}'`));
      const pool = named.length ? named : writes;
      const depth = Math.min(...pool.map((w) => w.path.length));
      return { path: pool.find((w) => w.path.length === depth)!.from, part: 'key', direct: named.length > 0 };
    }
    return { path: ['environments', env, 'overrides'], part: 'key', direct: false };
  }
}

const placementKey = (d: Diagnostic) => `${d.code}\0${d.start.line}:${d.start.col}\0${d.message}`;
