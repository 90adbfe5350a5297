/** What every output format shares: the input shape and the counts for the summary. */
import type { Diagnostic } from '../diagnostics.js';

/** One checked file and its findings (`text` enables code frames). */
export interface FormatInput {
  readonly file: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly text?: string;
}

export interface FormatOptions {
  /** ANSI colour (text format only). */
  readonly colour?: boolean;
  /** Append the summary line (text and github formats; default true). */
  readonly summary?: boolean;
}

export type Formatter = (results: readonly FormatInput[], options?: FormatOptions) => string;

export interface Summary {
  readonly files: number;
  readonly filesWithFindings: number;
  readonly errors: number;
  readonly warnings: number;
}

export function summarize(results: readonly FormatInput[]): Summary {
  let errors = 0;
  let warnings = 0;
  let filesWithFindings = 0;
  for (const r of results) {
    if (r.diagnostics.length) filesWithFindings++;
    for (const d of r.diagnostics) d.severity === 'error' ? errors++ : warnings++;
  }
  return { files: results.length, filesWithFindings, errors, warnings };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "2 errors in 1 file", "1 error, 1 warning in 2 files (5 checked)", "no problems in 3 files". */
export function summaryLine(s: Summary): string {
  if (!s.errors && !s.warnings) return `no problems in ${plural(s.files, 'file')}`;
  const counts = [s.errors ? plural(s.errors, 'error') : '', s.warnings ? plural(s.warnings, 'warning') : ''].filter(Boolean).join(', ');
  const checked = s.files > s.filesWithFindings ? ` (${s.files} checked)` : '';
  return `${counts} in ${plural(s.filesWithFindings, 'file')}${checked}`;
}
