/** Findings reported by the loader, the schema check and the semantic rules. */

export type Severity = 'error' | 'warning';

export interface SourcePosition {
  /** 1-based line and column. */
  readonly line: number;
  readonly col: number;
}

export interface Diagnostic {
  /** Stable code, e.g. `ARA101`; documented in docs/error-codes.md. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  /** The fix, where one can be suggested ("did you mean 'bufferingHints'?"). */
  readonly hint?: string;
  readonly file: string;
  /** JSON pointer into the spec (`/sinks/web-sale-events/bufferingHints`), empty for the document. */
  readonly path: string;
  readonly start: SourcePosition;
  readonly end?: SourcePosition;
}

/** Thrown by library entry points when a spec cannot be used; carries every finding. */
export class SpecError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => `${d.file}:${d.start.line}:${d.start.col}: ${d.code} ${d.message}`).join('\n'));
    this.name = 'SpecError';
  }
}
