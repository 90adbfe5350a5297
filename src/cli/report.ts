/**
 * Printing findings in the chosen format, shared by `validate` and `print`. Formatters are imported
 * only when used, so the common case (text) loads no JSON/SARIF code. Findings are the result of a
 * check (stdout by default); the human summary line is commentary (stderr).
 */
import { type FormatInput, summarize, summaryLine } from '../compiler/format/summary.js';
import { colourEnabled, paint } from './io.js';

export const FORMATS = ['text', 'json', 'github', 'sarif'] as const;
export type ReportFormat = (typeof FORMATS)[number];

/** `--format` if given, else `github` inside GitHub Actions, else `text`. */
export function defaultFormat(given: unknown): ReportFormat {
  if (typeof given === 'string') return given as ReportFormat;
  return process.env.GITHUB_ACTIONS === 'true' ? 'github' : 'text';
}

async function render(results: readonly FormatInput[], format: ReportFormat, colour: boolean): Promise<string> {
  switch (format) {
    case 'json':
      return (await import('../compiler/format/json.js')).formatJson(results);
    case 'github':
      return (await import('../compiler/format/github.js')).formatGithub(results, { summary: false });
    case 'sarif':
      return (await import('../compiler/format/sarif.js')).formatSarif(results);
    default:
      return (await import('../compiler/format/text.js')).formatText(results, { colour, summary: false });
  }
}

/** Writes the findings to `stream` and (text/github, unless quiet) the summary line to stderr. */
export async function writeReport(
  results: readonly FormatInput[],
  format: ReportFormat,
  stream: NodeJS.WriteStream,
  options: { quiet?: boolean } = {},
): Promise<void> {
  const clean = results.every((r) => r.diagnostics.length === 0);
  // Text and github print nothing for a clean run: skip loading their formatter.
  const body = clean && (format === 'text' || format === 'github') ? '' : await render(results, format, colourEnabled(stream));
  if (body) stream.write(body);
  if ((format === 'text' || format === 'github') && !options.quiet) {
    const s = summarize(results);
    const colour = colourEnabled(process.stderr);
    const line = summaryLine(s);
    process.stderr.write((body && stream === process.stderr ? '\n' : '') + paint(line, s.errors ? 'red' : s.warnings ? 'yellow' : 'green', colour) + '\n');
  }
}
