/**
 * One finding per root cause. The loader's phases add their findings here, in this order:
 *
 *   read → parse → schema (the file) → environment-schema (each environment's effective spec,
 *   override-check.ts) → rules (rules/index.ts) → resolve (resolve.ts, only for a clean spec)
 *
 * A finding is kept unless one already here explains it. These are all the rules by which one
 * finding hides another across phases (pointers are JSON pointers, src/util/json-pointer.ts; "at or
 * below P" means P itself or a pointer that starts with `P/`):
 *
 * 1. ONCE: a finding equal to a kept one (code, pointer, position, message) is dropped. Environments
 *    share most of the spec, so their checks repeat findings.
 * 2. FILE_SCHEMA_HIDES_ENVIRONMENT: a schema error of the file at the document, `/environments`,
 *    `/environments/<env>` or `/environments/<env>/overrides` hides every environment-schema finding
 *    of <env> (nothing can be merged reliably); one in section S (`/S/...`, or
 *    `/environments/<env>/overrides/S/...`) hides <env>'s environment-schema findings in S.
 *    override-check.ts asks `uncheckedSections` first and skips that work.
 * 3. DIRECT_OVER_NEAREST: an environment-schema finding placed at an override only because it was
 *    the override written nearest to the problem (`direct: false`) is hidden by one placed directly
 *    at the same pointer (the variant an override switched to lacks keys: the switch is the cause).
 * 4. SCHEMA_HIDES_RULES: a rule finding at or below the pointer of a schema error (file or
 *    environment) is a consequence of it. A schema finding that puts a whole object in doubt (keys
 *    of another variant) carries the object's pointer for this reason (schema-check.ts).
 * 5. BROKEN_OVERRIDE_SECTION: a per-environment rule finding of <env> in section S (in the spec or
 *    in <env>'s overrides) is hidden when the environment-schema phase reported <env>'s overrides
 *    of S (or its overrides as a whole): that environment's effective S is invalid.
 * 6. DOUBTFUL: rules do not report what is *missing* at or below a doubtful pointer: the pointer of
 *    a schema error, or where a misspelt key was meant to be (`sinkz` → `/sinks`, a section whose
 *    header line is missing). Only a rule knows that a finding is about something missing, so this
 *    one is a question the rules ask (`isDoubtful`, through SpecView), not a filter here.
 *
 * Pruning that works on one phase's raw material stays in that phase: schema-check.ts reduces
 * ajv's errors (composition noise, a typo explaining a missing key) before they become findings,
 * and override-check.ts drops what blueprint ⊕ spec already breaks and what an entry only an
 * override declares lacks (ARA260's finding).
 */
import type { Diagnostic } from './diagnostics.js';
import { parsePointer, toPointer } from '../util/json-pointer.js';

export type Phase = 'read' | 'parse' | 'schema' | 'environment-schema' | 'rules' | 'resolve';

/** Where a finding of an environment's check came from. */
export interface FindingSource {
  /** The environment whose effective spec produced it (environment-schema; per-environment rules). */
  readonly env?: string;
  /** environment-schema: false when placed at the nearest override rather than where the value was written. */
  readonly direct?: boolean;
  /**
   * environment-schema: the top-level section of the effective spec the finding is about (its
   * pointer, at the override that caused it, may name a parent); default: the pointer's section.
   */
  readonly section?: string;
}

interface Kept {
  readonly phase: Phase;
  readonly diagnostic: Diagnostic;
  readonly source: FindingSource;
}

/** `P` or below `P`. */
export const atOrBelow = (pointer: string, p: string): boolean => pointer === p || pointer.startsWith(p + '/');

export class Findings {
  private readonly kept: Kept[] = [];
  private readonly keys = new Set<string>();
  private readonly meant: string[] = [];

  /** Findings already decided on (e.g. by an earlier check of the same document). */
  constructor(initial: readonly Diagnostic[] = [], phase: Phase = 'resolve') {
    for (const d of initial) this.add(phase, d);
  }

  /** Adds a finding unless one already here explains it (rules 1, 2, 4, 5; rule 3 applies in list()); true when kept. */
  add(phase: Phase, d: Diagnostic, source: FindingSource = {}): boolean {
    if (this.hidden(phase, d, source)) return false;
    this.keys.add(keyOf(d));
    this.kept.push({ phase, diagnostic: d, source });
    return true;
  }

  addAll(phase: Phase, ds: readonly Diagnostic[], source: FindingSource = {}): void {
    for (const d of ds) this.add(phase, d, source);
  }

  /** Where a misspelt key was meant to be, or a section whose content is unknown (rule 6). */
  markDoubtful(pointers: readonly string[]): void {
    this.meant.push(...pointers);
  }

  /** Rule 6: the doubtful pointers (schema errors' and the marked ones). */
  doubtful(): string[] {
    return [...this.schemaErrors(), ...this.meant];
  }

  /** Rule 2: the sections of `env`'s overrides whose environment-schema findings the file's schema errors hide (`*`: all). */
  uncheckedSections(env: string): Set<string> {
    const own = toPointer(['environments', env, 'overrides']);
    const out = new Set<string>();
    for (const k of this.kept) {
      if (k.phase !== 'schema' || k.diagnostic.severity !== 'error') continue;
      const p = k.diagnostic.path;
      if (p === '' || p === '/environments' || p === toPointer(['environments', env]) || p === own) return new Set(['*']);
      const section = parsePointer(p.startsWith(own + '/') ? p.slice(own.length) : p)[0];
      if (section !== undefined) out.add(section);
    }
    return out;
  }

  /** The findings of `phases` (all when omitted), in source order (line, column; otherwise as added). */
  list(...phases: Phase[]): Diagnostic[] {
    // Rule 3 is applied here, whichever of the two findings came first.
    const direct = new Set(this.kept.filter((k) => k.phase === 'environment-schema' && k.source.direct !== false).map((k) => k.diagnostic.path));
    const nearestOnly = (k: Kept) => k.phase === 'environment-schema' && k.source.direct === false && direct.has(k.diagnostic.path);
    return sortDiagnostics(this.kept.filter((k) => (!phases.length || phases.includes(k.phase)) && !nearestOnly(k)).map((k) => k.diagnostic));
  }

  private hidden(phase: Phase, d: Diagnostic, source: FindingSource): boolean {
    if (this.keys.has(keyOf(d))) return true; // 1
    if (phase === 'environment-schema' && source.env !== undefined) {
      const unchecked = this.uncheckedSections(source.env); // 2
      if (unchecked.has('*') || unchecked.has(source.section ?? sectionOf(d.path, source.env))) return true;
    }
    if (phase === 'rules') {
      if (this.schemaErrors().some((r) => atOrBelow(d.path, r))) return true; // 4
      if (source.env !== undefined) {
        const broken = this.brokenOverrideSections(source.env); // 5
        if (broken.has('*') || broken.has(sectionOf(d.path, source.env))) return true;
      }
    }
    return false;
  }

  private schemaErrors(): string[] {
    return this.kept.filter((k) => (k.phase === 'schema' || k.phase === 'environment-schema') && k.diagnostic.severity === 'error').map((k) => k.diagnostic.path);
  }

  /** Rule 5: sections of `env`'s overrides the environment-schema phase reported (`*`: the overrides as a whole). */
  private brokenOverrideSections(env: string): Set<string> {
    const out = new Set<string>();
    for (const k of this.kept) {
      if (k.phase !== 'environment-schema') continue;
      const [root, e, overrides, section] = parsePointer(k.diagnostic.path);
      if (root === 'environments' && e === env && overrides === 'overrides') out.add(section ?? '*');
    }
    return out;
  }
}

const keyOf = (d: Diagnostic) => `${d.code}\0${d.path}\0${d.start.line}:${d.start.col}\0${d.message}`;

/** The top-level section a pointer is in, seen through `env`'s overrides (`/environments/dev/overrides/sinks/x` → `sinks`). */
function sectionOf(pointer: string, env: string): string {
  const own = toPointer(['environments', env, 'overrides']);
  return parsePointer(pointer.startsWith(own + '/') ? pointer.slice(own.length) : pointer)[0] ?? '';
}

/** Source order (line, column), stable otherwise. */
export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.start.line - b.d.start.line || a.d.start.col - b.d.start.col || a.i - b.i)
    .map((x) => x.d);
}
