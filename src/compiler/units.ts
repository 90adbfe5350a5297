/**
 * Sizes and durations as users write them (`5MiB`, `512KiB`, `30s`, `5m`) converted to numbers.
 * Parsers return a result instead of throwing so that the semantic rules (which run even on a
 * spec that failed the schema) can skip or explain a bad value without try/catch noise.
 */

export type UnitResult = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly error: string };

/** Binary units are powers of 1024; decimal units (KB, MB...) are powers of 1000, as in the AWS docs. */
const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };

/** The schema's patterns, kept beside the parsers so both accept exactly the same strings. */
export const SIZE_PATTERN = '^[0-9]+(\\.[0-9]+)? ?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$';
export const DURATION_PATTERN = '^[0-9]+ ?(ms|s|m|h|d)$';

const SIZE_RE = /^([0-9]+(?:\.[0-9]+)?) ?([A-Za-z]+)$/;
const DURATION_RE = /^([0-9]+) ?([A-Za-z]+)$/;

const ok = (value: number): UnitResult => ({ ok: true, value });
const fail = (error: string): UnitResult => ({ ok: false, error });

function caseHint(unit: string, units: Readonly<Record<string, number>>): string {
  const match = Object.keys(units).find((u) => u.toLowerCase() === unit.toLowerCase());
  return match ? ` (units are case-sensitive: did you mean '${match}'?)` : '';
}

/** A size in bytes: a non-negative integer, or a number with a unit (`512KiB`, `5MiB`, `10GiB`, `1.5GB`). */
export function parseSize(input: unknown): UnitResult {
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 0) return fail(`size ${input} must be a whole, non-negative number of bytes`);
    return ok(input);
  }
  if (typeof input !== 'string') return fail(`a size must be a number of bytes or a string such as '5MiB', not ${typeof input}`);
  const m = SIZE_RE.exec(input.trim());
  if (!m) return fail(`'${input}' is not a size: write a number of bytes or a number with a unit, e.g. '512KiB', '5MiB', '10GiB'`);
  const unit = SIZE_UNITS[m[2]!];
  if (unit === undefined) {
    return fail(`unknown size unit '${m[2]}' in '${input}'${caseHint(m[2]!, SIZE_UNITS)}; use B, KiB, MiB, GiB, TiB (or KB, MB, GB, TB = powers of 1000)`);
  }
  const bytes = Number(m[1]) * unit;
  if (!Number.isInteger(bytes)) return fail(`'${input}' is not a whole number of bytes`);
  return ok(bytes);
}

/**
 * A duration in `unit` (`ms`, `s`, `m`, `h`, `d`). Numbers are taken to be in `bareUnit` already
 * (each field documents its bare unit); strings carry their own (`30s`, `5m`, `1h`, `250ms`).
 */
export function parseDuration(input: unknown, unit: keyof typeof DURATION_UNITS & string, bareUnit: string = unit): UnitResult {
  const target = DURATION_UNITS[unit]!;
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) return fail(`duration ${input} must be a non-negative number of ${bareUnit}`);
    const value = (input * DURATION_UNITS[bareUnit]!) / target;
    return Number.isInteger(value) ? ok(value) : fail(`duration ${input}${bareUnit} is not a whole number of ${unit}`);
  }
  if (typeof input !== 'string') return fail(`a duration must be a number or a string such as '30s', '5m', '1h', not ${typeof input}`);
  const m = DURATION_RE.exec(input.trim());
  if (!m) return fail(`'${input}' is not a duration: write a number with a unit, e.g. '30s', '5m', '1h', '250ms'`);
  const factor = DURATION_UNITS[m[2]!];
  if (factor === undefined) {
    return fail(`unknown duration unit '${m[2]}' in '${input}'${caseHint(m[2]!, DURATION_UNITS)}; use ms, s, m, h or d`);
  }
  const value = (Number(m[1]) * factor) / target;
  if (!Number.isInteger(value)) return fail(`'${input}' is not a whole number of ${unit === 'ms' ? 'milliseconds' : unit === 's' ? 'seconds' : unit}`);
  return ok(value);
}

/** Human form of a byte count for messages: `5 MiB`, `1000 KiB`, `400 KB`, `123 bytes`. */
export function formatBytes(bytes: number): string {
  for (const [u, f] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= f && bytes % f === 0) return `${bytes / f} ${u}`;
  }
  for (const [u, f] of [['GB', 1e9], ['MB', 1e6], ['KB', 1e3]] as const) {
    if (bytes >= f && bytes % f === 0) return `${bytes / f} ${u}`;
  }
  return `${bytes} bytes`;
}
