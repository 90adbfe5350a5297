/**
 * Where a replayed window lands in the lake, in one place for the handler that writes the objects
 * and the construct that scopes the IAM policy to them:
 *
 *   <prefix>ingestion_start=<ts>/ingestion_end=<ts>/part-00000.csv
 *
 * The spec's prefix already names the table (`target: { layer: raw, prefix: customer/ }`), so the
 * windows sit directly under it and a crawler over that prefix finds one table with the two
 * ingestion partitions. Only an empty prefix falls back to `<table>/`: windows of several tables
 * must never share a folder (a crawler would merge them into one table).
 *
 * `<ts>` is the window bound in the dataset's timestamp format (UTC, `2024-01-01T00:05:00`). The two
 * bounds are partition keys (REPLAY_PARTITION_KEYS): they live in the path only, never in the files.
 */
import { REPLAY_PARTITION_KEYS } from '../contract/datasets.js';
import { formatTimestamp } from './retail.js';

/** Empty, or ending with exactly one `/`. */
export function withTrailingSlash(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** The key prefix under which every window of `table` is written: the prefix, or `<table>/` when it is empty. */
export function windowKeyPrefix(prefix: string, table: string): string {
  const p = withTrailingSlash(prefix);
  return p === '' ? `${table}/` : p;
}

export function partKey(prefix: string, table: string, window: { start: Date; end: Date }, part: number): string {
  const start = formatTimestamp(window.start.getTime());
  const end = formatTimestamp(window.end.getTime());
  const [startKey, endKey] = REPLAY_PARTITION_KEYS;
  return `${windowKeyPrefix(prefix, table)}${startKey}=${start}/${endKey}=${end}/part-${String(part).padStart(5, '0')}.csv`;
}
