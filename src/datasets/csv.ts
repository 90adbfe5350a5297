/**
 * CSV (RFC 4180: CRLF line ends, fields quoted when they contain a comma, quote, CR or LF, quotes
 * doubled) and NDJSON encoders for generated rows. The encoder is built once per column list so the
 * per-row work is a tight loop: only string-typed columns are ever checked for quoting.
 */

import type { Column } from '../contract/datasets.js';

export type { Column, ColumnType } from '../contract/datasets.js';

export type Row = Record<string, string | number>;

/** Constant columns appended to every line (e.g. ARA's `ingestion_start` / `ingestion_end`). */
export type ConstantColumns = Readonly<Record<string, string | number>>;

export const CRLF = '\r\n';

const NEEDS_QUOTES = /[",\r\n]/;

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/**
 * `String(n)`, faster for the values generated data is made of: integers, and doubles holding whole
 * cents (money), which V8's shortest-round-trip conversion spends most of the CSV time on. Output is
 * identical to `String(n)`: the fast path applies only when `n` is exactly the double nearest to c/100.
 */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return '' + n;
  const c = Math.round(n * 100);
  if (c / 100 !== n || c > 9e15 || c < -9e15) return String(n);
  const a = c < 0 ? -c : c;
  const f = a % 100;
  const w = (a - f) / 100;
  return (c < 0 ? '-' : '') + w + '.' + (f % 10 === 0 ? String(f / 10) : TWO_DIGITS[f]);
}

export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'number' ? formatNumber(value) : value;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface CsvEncoder {
  /** The header line, including its CRLF. */
  readonly header: string;
  /** One record, without line end. */
  record(row: Row): string;
  /** One record, including its CRLF. */
  line(row: Row): string;
}

export function csvEncoder(columns: readonly Column[], constants: ConstantColumns = {}): CsvEncoder {
  const names = columns.map((c) => c.name);
  const quoted = columns.map((c) => c.type === 'string');
  const constantNames = Object.keys(constants);
  const header = [...names, ...constantNames].map(csvField).join(',') + CRLF;
  const n = names.length;
  // Array.join builds one flat string; `+=` per field builds a rope of ~n pieces per line that must
  // be flattened again when the document is joined (measured twice as slow). Constant columns sit
  // pre-encoded at the end of the array.
  const parts: (string | number)[] = [...names.map(() => ''), ...constantNames.map((c) => csvField(constants[c]))];
  const record = (row: Row): string => {
    for (let i = 0; i < n; i++) {
      const v = row[names[i]!];
      parts[i] = v === undefined ? '' : quoted[i] ? csvField(v) : typeof v === 'number' ? formatNumber(v) : v;
    }
    return parts.join(',');
  };
  return { header, record, line: (row) => record(row) + CRLF };
}

/** The rows as one CSV document with a header line. */
export function toCsv(rows: readonly Row[], columns: readonly Column[], constants?: ConstantColumns): string {
  const enc = csvEncoder(columns, constants);
  if (rows.length === 0) return enc.header;
  const records = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) records[i] = enc.record(rows[i]!);
  return enc.header + records.join(CRLF) + CRLF;
}

/** One JSON object per line (LF), in column order when columns are given. */
export function toNdjson(rows: readonly Row[], columns?: readonly Column[]): string {
  let out = '';
  if (!columns) {
    for (const row of rows) out += JSON.stringify(row) + '\n';
    return out;
  }
  const names = columns.map((c) => c.name);
  for (const row of rows) {
    const ordered: Row = {};
    for (const name of names) if (row[name] !== undefined) ordered[name] = row[name]!;
    out += JSON.stringify(ordered) + '\n';
  }
  return out;
}
