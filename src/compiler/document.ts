/**
 * A parsed spec file: the plain data plus a way back to source positions. Produced by the loader
 * (load.ts); read by the schema check, the semantic rules and resolve(). Nothing after resolve()
 * sees a SpecDocument.
 */
import { toPointer } from '../util/json-pointer.js';
import type { Diagnostic, SourcePosition } from './diagnostics.js';

export type SpecPath = readonly (string | number)[];

export interface SourceRange {
  readonly start: SourcePosition;
  readonly end: SourcePosition;
}

export interface SpecDocument {
  /** Path as given by the user (used in messages). */
  readonly file: string;
  readonly text: string;
  /** The document as plain JSON-compatible data (undefined for an empty document). */
  readonly data: unknown;
  /**
   * Source range of the node at `path`: `key` = the mapping key (for "unknown key" and
   * "missing key" findings), `value` = the value. Falls back to the nearest existing ancestor, so
   * a missing key points at its parent.
   */
  locate(path: SpecPath, part?: 'key' | 'value'): SourceRange;
  /** Builds a diagnostic positioned at `path` (pointer and line:col filled in). */
  diagnostic(d: {
    code: string;
    message: string;
    path: SpecPath;
    hint?: string;
    part?: 'key' | 'value';
    severity?: 'error' | 'warning';
  }): Diagnostic;
}

/** JSON pointer (RFC 6901) of a path (src/util/json-pointer.ts). */
export { toPointer };
