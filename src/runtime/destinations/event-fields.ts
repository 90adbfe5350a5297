/**
 * Reading a named field out of an input event, shared by the converters. A field name is first
 * looked up as-is (so `"order.id"` can be a flat key), then as a dotted path (`customer.id`).
 */

export type FieldLookup = { readonly found: true; readonly value: unknown } | { readonly found: false; readonly reason: string };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function readField(event: unknown, field: string): FieldLookup {
  if (!isPlainObject(event)) return { found: false, reason: `the event is ${describeType(event)}, not a JSON object` };
  if (Object.prototype.hasOwnProperty.call(event, field)) return { found: true, value: event[field] };
  const parts = field.split('.');
  let current: unknown = event;
  for (let i = 0; i < parts.length; i++) {
    if (!isPlainObject(current) || !Object.prototype.hasOwnProperty.call(current, parts[i])) {
      const at = parts.slice(0, i + 1).join('.');
      return { found: false, reason: `the event has no field "${at}"` };
    }
    current = current[parts[i]];
  }
  return { found: true, value: current };
}

/** Reads a field that must be a non-empty string or a finite number; returns it as a string. */
export function readKeyField(event: unknown, field: string, what: string): string | { readonly error: string } {
  const lookup = readField(event, field);
  if (!lookup.found) return { error: `${what} field "${field}" is missing: ${lookup.reason}` };
  const { value } = lookup;
  if (typeof value === 'string') {
    if (value.length === 0) return { error: `${what} field "${field}" is an empty string` };
    return value;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return { error: `${what} field "${field}" is ${describeType(value)}; expected a non-empty string or a number` };
}

/** Number of Unicode code points (what AWS means by "characters"); fast for ASCII. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
