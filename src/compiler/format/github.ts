/**
 * `--format github`: GitHub Actions workflow commands, which the runner turns into annotations on
 * the pull request (`::error file=...,line=...,col=...,title=ARA123::message`). The default when
 * GITHUB_ACTIONS=true.
 */
import { escapeControls } from '../../util/printable.js';
import { type FormatInput, type FormatOptions, summarize, summaryLine } from './summary.js';

/** Escaping of a command's message (data). */
export const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** Escaping of a property value: as data, plus the separators ':' and ','. */
export const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function formatGithub(results: readonly FormatInput[], options: FormatOptions = {}): string {
  const lines: string[] = [];
  for (const r of results) {
    for (const d of r.diagnostics) {
      const props = [
        `file=${escapeProperty(d.file)}`,
        `line=${d.start.line}`,
        `col=${d.start.col}`,
        ...(d.end ? [`endLine=${d.end.line}`, `endColumn=${d.end.col}`] : []),
        `title=${escapeProperty(d.code)}`,
      ];
      // Spec text in messages may hold control characters: escaped, as in the text format.
      const message = d.hint ? `${escapeControls(d.message)}\nhint: ${escapeControls(d.hint)}` : escapeControls(d.message);
      lines.push(`::${d.severity === 'error' ? 'error' : 'warning'} ${props.join(',')}::${escapeData(message)}`);
    }
  }
  if (options.summary !== false) lines.push(summaryLine(summarize(results)));
  return lines.length ? lines.join('\n') + '\n' : '';
}
