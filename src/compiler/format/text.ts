/**
 * Human output: one block per finding (`file:line:col  error ARA123  message`, a code frame with a
 * caret under the column, `hint: ...`), then a summary line. Colour only when asked.
 */
import type { Diagnostic } from '../diagnostics.js';
import { paint } from '../../util/ansi.js';
import { escapeControls } from '../../util/printable.js';
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
  const out = [`${paint(escapeControls(where), 'bold', colour)}  ${sev} ${paint(d.code, 'dim', colour)}  ${escapeControls(clip(d.message))}`];
  if (lines) out.push(...codeFrame(d, lines, colour));
  if (d.hint) out.push(`  ${paint('hint:', 'cyan', colour)} ${escapeControls(clip(d.hint))}`);
  return out.join('\n');
}

/** Longest message or hint shown whole; spec text quoted in one (a 1 MB value) is cut in the middle. */
const MESSAGE_WIDTH = 1000;
const clip = (s: string): string => (s.length <= MESSAGE_WIDTH ? s : `${s.slice(0, MESSAGE_WIDTH - 200)} … (${s.length - MESSAGE_WIDTH + 1} characters left out) … ${s.slice(-199)}`);

/** Characters of a source line shown in a code frame; a longer line shows a window around the finding. */
export const FRAME_WIDTH = 160;
/** Characters kept before the finding's column when a long line is clipped. */
const FRAME_LEAD = 40;

/**
 * The line before (for context) and the finding's line, with a caret run under the range. Control
 * characters are shown as escapes; a line longer than FRAME_WIDTH (a minified JSON value, a 1 MB
 * line) is clipped to a window around the column, with '…' where text was left out.
 */
export function codeFrame(d: Diagnostic, lines: readonly string[], colour = false): string[] {
  const n = d.start.line;
  const line = lines[n - 1];
  if (line === undefined) return [];
  const width = String(n).length;
  const gutter = (num: number | '', mark: string) => `${mark} ${String(num).padStart(width)} | `;
  const col = Math.min(d.start.col, line.length + 1);
  const endCol = d.end && d.end.line === n && d.end.col > col ? Math.min(d.end.col, line.length + 1) : col + 1;
  // The window [from, to) of the line shown, in source characters.
  const from = line.length > FRAME_WIDTH ? Math.max(0, Math.min(col - 1 - FRAME_LEAD, line.length - FRAME_WIDTH)) : 0;
  const to = Math.min(line.length, from + FRAME_WIDTH);
  const shown = (text: string, a: number, b: number) => (a > 0 ? '…' : '') + escapeControls(text.slice(a, b)) + (b < text.length ? '…' : '');
  const frame: string[] = [];
  const prev = lines[n - 2];
  if (prev !== undefined && prev.trim() !== '') {
    // The same window when the line above reaches into it, else its start.
    const pf = from < prev.length ? from : 0;
    frame.push(paint(gutter(n - 1, ' '), 'dim', colour) + shown(prev, pf, Math.min(prev.length, pf + FRAME_WIDTH)));
  }
  frame.push(paint(gutter(n, '>'), 'bold', colour) + shown(line, from, to));
  // Keep tabs in the padding so the caret lines up however the terminal expands them; escapes
  // widen the text before the column, and so the padding.
  const pad = (from > 0 ? ' ' : '') + escapeControls(line.slice(from, col - 1)).replace(/[^\t]/g, ' ');
  const carets = Math.max(1, escapeControls(line.slice(col - 1, Math.min(endCol, to + 1) - 1)).length);
  frame.push(paint(gutter('', ' '), 'dim', colour) + pad + paint('^'.repeat(carets), d.severity === 'error' ? 'red' : 'yellow', colour));
  return frame;
}
