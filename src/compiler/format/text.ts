/**
 * Human output: one block per finding (`file:line:col  error ARA123  message`, a code frame with a
 * caret under the column, `hint: ...`), then a summary line. Colour only when asked.
 */
import type { Diagnostic } from '../diagnostics.js';
import { paint } from '../../util/ansi.js';
import { type FormatInput, type FormatOptions, summarize, summaryLine } from './summary.js';

export function formatText(results: readonly FormatInput[], options: FormatOptions = {}): string {
  const colour = options.colour ?? false;
  const blocks: string[] = [];
  for (const r of results) {
    const lines = r.text?.split(/\r?\n/);
    for (const d of r.diagnostics) blocks.push(block(d, lines, colour));
  }
  const body = blocks.length ? blocks.join('\n\n') + '\n' : '';
  if (options.summary === false) return body;
  return (body ? body + '\n' : '') + paint(summaryLine(summarize(results)), 'bold', colour) + '\n';
}

function block(d: Diagnostic, lines: string[] | undefined, colour: boolean): string {
  const where = `${d.file}:${d.start.line}:${d.start.col}`;
  const sev = d.severity === 'error' ? paint('error', 'red', colour) : paint('warning', 'yellow', colour);
  const out = [`${paint(where, 'bold', colour)}  ${sev} ${paint(d.code, 'dim', colour)}  ${d.message}`];
  if (lines) out.push(...codeFrame(d, lines, colour));
  if (d.hint) out.push(`  ${paint('hint:', 'cyan', colour)} ${d.hint}`);
  return out.join('\n');
}

/** The line before (for context) and the finding's line, with a caret run under the range. */
export function codeFrame(d: Diagnostic, lines: readonly string[], colour = false): string[] {
  const n = d.start.line;
  const line = lines[n - 1];
  if (line === undefined) return [];
  const width = String(n).length;
  const gutter = (num: number | '', mark: string) => `${mark} ${String(num).padStart(width)} | `;
  const frame: string[] = [];
  const prev = lines[n - 2];
  if (prev !== undefined && prev.trim() !== '') frame.push(paint(gutter(n - 1, ' '), 'dim', colour) + visible(prev));
  frame.push(paint(gutter(n, '>'), 'bold', colour) + visible(line));
  const col = Math.min(d.start.col, line.length + 1);
  const endCol = d.end && d.end.line === n && d.end.col > col ? Math.min(d.end.col, line.length + 1) : col + 1;
  // Keep tabs in the padding so the caret lines up however the terminal expands them.
  const pad = line.slice(0, col - 1).replace(/[^\t]/g, ' ');
  frame.push(paint(gutter('', ' '), 'dim', colour) + pad + paint('^'.repeat(Math.max(1, endCol - col)), d.severity === 'error' ? 'red' : 'yellow', colour));
  return frame;
}

/** Control characters (other than tab) would garble the terminal: show them as U+FFFD. */
const visible = (s: string) => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\ufffd');
