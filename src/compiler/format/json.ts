/**
 * `--format json`: a stable, versioned shape for tools. Version 1:
 * `{ version: 1, files: [{ file, diagnostics: [{ code, severity, message, hint, path, line, column,
 * endLine, endColumn }] }], summary: { files, filesWithFindings, errors, warnings } }`.
 * Every field is always present (`hint` is null when there is none).
 */
import { type FormatInput, summarize } from './summary.js';

export const JSON_FORMAT_VERSION = 1;

export function formatJson(results: readonly FormatInput[]): string {
  const doc = {
    version: JSON_FORMAT_VERSION,
    files: results.map((r) => ({
      file: r.file,
      diagnostics: r.diagnostics.map((d) => ({
        code: d.code,
        severity: d.severity,
        message: d.message,
        hint: d.hint ?? null,
        path: d.path,
        line: d.start.line,
        column: d.start.col,
        endLine: d.end?.line ?? d.start.line,
        endColumn: d.end?.col ?? d.start.col,
      })),
    })),
    summary: summarize(results),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
