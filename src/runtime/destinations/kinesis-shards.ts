/**
 * The shard map of a Kinesis stream, as the KPL keeps it: the open shards and their hash-key
 * ranges, learnt with `ListShards`. A record goes to the shard whose range holds its hash key: the
 * MD5 of its partition key read as a 128-bit big-endian number, or its explicit hash key.
 *
 * Resharding: when PutRecords puts a record on a shard other than the one the map predicts, the map
 * is stale (the KPL's signal too) and is reloaded in the background; it is also reloaded when older
 * than `maxAgeMs`. Until the reload lands the old map keeps being used: an aggregate always carries
 * its first record's own hash key as ExplicitHashKey, so it still lands on one shard, only perhaps
 * sharing it with records a fresher map would have grouped apart.
 */
import { createHash } from 'node:crypto';
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import { KINESIS_SHARD_MAP_MAX_AGE_MS } from '../../contract/defaults.js';
import { moduleExports } from './lazy-module.js';

export interface ShardRange {
  readonly shardId: string;
  /** Inclusive bounds of the shard's hash-key range. */
  readonly start: bigint;
  readonly end: bigint;
}

/** Hash key of a partition key: MD5 of its UTF-8 bytes as an unsigned 128-bit big-endian number. */
export function partitionKeyHash(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

/** Hashes of partition keys (keys repeat); bounded so that random keys cannot grow it. */
export function hashCache(max = 10_000): (partitionKey: string) => bigint {
  const hashes = new Map<string, bigint>();
  return (key) => {
    let h = hashes.get(key);
    if (h === undefined) {
      if (hashes.size >= max) hashes.clear();
      h = partitionKeyHash(key);
      hashes.set(key, h);
    }
    return h;
  };
}

/** The open shards of a stream (every page of ListShards), sorted by the start of their range. */
export async function listOpenShards(client: KinesisClient, streamName: string, signal?: AbortSignal): Promise<ShardRange[]> {
  const { ListShardsCommand } = await moduleExports(import('@aws-sdk/client-kinesis'));
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    // With NextToken the stream name must be omitted (the token names it).
    const page = await client.send(new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: streamName }), { abortSignal: signal });
    shards.push(...(page.Shards ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  // Closed shards (parents after a split or merge) have an ending sequence number and take no writes.
  return shards
    .filter((s) => s.ShardId && s.HashKeyRange?.StartingHashKey && s.HashKeyRange.EndingHashKey && !s.SequenceNumberRange?.EndingSequenceNumber)
    .map((s) => ({ shardId: s.ShardId!, start: BigInt(s.HashKeyRange!.StartingHashKey!), end: BigInt(s.HashKeyRange!.EndingHashKey!) }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

export interface ShardMapOptions {
  /** Loads the open shards (listOpenShards for a real stream). */
  readonly load: () => Promise<ShardRange[]>;
  /** Reload in the background when the map is older than this. Default KINESIS_SHARD_MAP_MAX_AGE_MS. */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
  /** Called when a background reload fails (the old map stays in use). */
  readonly onReloadError?: (err: unknown) => void;
}

export class KinesisShardMap {
  private shards: readonly ShardRange[] = [];
  private loadedAt = -Infinity;
  private loading: Promise<void> | undefined;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  /** Successful loads so far (the first load included). */
  loads = 0;

  constructor(private readonly options: ShardMapOptions) {
    this.maxAgeMs = options.maxAgeMs ?? KINESIS_SHARD_MAP_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  /** Whether a map was loaded at least once. */
  get ready(): boolean {
    return this.loads > 0;
  }

  /** The open shards, sorted by range. */
  get ranges(): readonly ShardRange[] {
    return this.shards;
  }

  /** Loads the map (one load at a time: concurrent callers share it). Rejects with the load's error. */
  load(): Promise<void> {
    if (!this.loading) {
      this.loading = this.options
        .load()
        .then((shards) => {
          if (shards.length === 0) throw new Error('ListShards returned no open shard');
          this.shards = shards;
          this.loadedAt = this.now();
          this.loads++;
        })
        .finally(() => {
          this.loading = undefined;
        });
    }
    return this.loading;
  }

  /** The map is out of date (a record landed elsewhere than predicted): reload in the background. */
  markStale(): void {
    if (this.loading) return;
    this.load().catch((err) => this.options.onReloadError?.(err));
  }

  /** The open shard whose range holds `hashKey`; undefined before the first load. */
  shardFor(hashKey: bigint): ShardRange | undefined {
    if (this.now() - this.loadedAt > this.maxAgeMs && this.ready) this.markStale();
    const shards = this.shards;
    let lo = 0;
    let hi = shards.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = shards[mid]!;
      if (hashKey < s.start) hi = mid - 1;
      else if (hashKey > s.end) lo = mid + 1;
      else return s;
    }
    return undefined;
  }
}
