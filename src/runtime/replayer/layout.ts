/**
 * Where a replayed window lands in the lake (ARA's BatchReplayer layout), in one place for the
 * handler that writes the objects and the construct that scopes the IAM policy to them:
 *
 *   <prefix><table>/ingestion_start=<ts>/ingestion_end=<ts>/part-00000.csv
 *
 * `<ts>` is the window bound in the dataset's timestamp format (UTC, `2024-01-01T00:05:00`), the same
 * text as the `ingestion_start` / `ingestion_end` columns inside the files.
 */
import { formatTimestamp } from '../datasets/retail.js';

/** Empty, or ending with exactly one `/`. */
export function normalisePrefix(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** The key prefix under which every window of `table` is written. */
export function windowKeyPrefix(prefix: string, table: string): string {
  return `${normalisePrefix(prefix)}${table}/`;
}

export function partKey(prefix: string, table: string, window: { start: Date; end: Date }, part: number): string {
  const start = formatTimestamp(window.start.getTime());
  const end = formatTimestamp(window.end.getTime());
  return `${windowKeyPrefix(prefix, table)}ingestion_start=${start}/ingestion_end=${end}/part-${String(part).padStart(5, '0')}.csv`;
}
