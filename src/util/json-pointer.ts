/**
 * JSON pointers (RFC 6901), in one place: `~` is written `~0` and `/` is written `~1` inside a
 * segment. Findings, schema errors and override checks all address the spec by pointer; a key with
 * a `/` in it (a prefix, a tag) must never split into two segments.
 */

/** One segment as it appears in a pointer. */
export function escapeSegment(segment: string | number): string {
  const s = String(segment);
  // Most keys need no escaping: skip the two replacements (validation builds thousands of pointers).
  return s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s;
}

/** One segment of a pointer as the key it names. */
export function unescapeSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The pointer of a path (`['sinks', 'a/b']` → `/sinks/a~1b`); `[]` → `` (the document). */
export function toPointer(path: readonly (string | number)[]): string {
  return path.map((p) => `/${escapeSegment(p)}`).join('');
}

/** The path of a pointer (`/sinks/a~1b` → `['sinks', 'a/b']`). */
export function parsePointer(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map(unescapeSegment);
}

/** The pointer of `key` inside the value at `pointer`. */
export function childPointer(pointer: string, key: string | number): string {
  return `${pointer}/${escapeSegment(key)}`;
}

/** The value at `pointer` inside `data`, undefined when the path leaves the data. */
export function valueAtPointer(data: unknown, pointer: string): unknown {
  let v = data;
  for (const key of parsePointer(pointer)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}
