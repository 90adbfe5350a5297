/**
 * Helpers shared by the destination integration tests: numbered events, feeding them through a
 * writer, and checking what came back.
 */
import type { ElementConverter } from '../../src/runtime/destination.js';
import type { AsyncSinkWriter } from '../../src/runtime/engine/async-sink-writer.js';
import type { StoredRecord } from './kinesalite.js';

export interface TestEvent {
  readonly id: number;
  readonly key: string;
  readonly pad: string;
}

/** Events `0..n-1` with `keys` partition keys and a deterministic payload size. */
export function makeEvents(n: number, keys = 7, padBytes = 60): TestEvent[] {
  return Array.from({ length: n }, (_, id) => ({ id, key: `k${id % keys}`, pad: 'p'.repeat(padBytes + ((id * 37) % 41)) }));
}

/** Writes every event through the converter, awaiting each write (backpressure). */
export async function writeAll<E>(writer: AsyncSinkWriter<E>, convert: ElementConverter<E>, events: readonly unknown[]): Promise<void> {
  for (const e of events) await writer.write(convert(e));
}

export function parseRecords(records: readonly StoredRecord[]): (TestEvent & { readonly partitionKey: string; readonly shardId: string })[] {
  return records.map((r) => ({ ...(JSON.parse(r.data.toString('utf8')) as TestEvent), partitionKey: r.partitionKey, shardId: r.shardId }));
}

/** Ids that occur more than once, and ids in 0..n-1 that never occur. */
export function accounting(ids: readonly number[], n: number): { missing: number[]; duplicates: number } {
  const seen = new Uint8Array(n);
  let duplicates = 0;
  for (const id of ids) {
    if (seen[id]) duplicates++;
    seen[id] = 1;
  }
  const missing: number[] = [];
  for (let i = 0; i < n; i++) if (!seen[i]) missing.push(i);
  return { missing, duplicates };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value (not undefined) or the timeout passes. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 20): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined || Date.now() > until) return value;
    await sleep(everyMs);
  }
}

let streams = 0;
/** A unique stream/table name per test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${++streams}`;
}
