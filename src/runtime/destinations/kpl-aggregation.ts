/**
 * Kinesis Producer Library (KPL) aggregation: many user records packed into one Kinesis record so
 * that a shard carries far more than 1,000 user records/s. Format (amazon-kinesis-producer,
 * aggregation-format.md): magic `F3 89 9A C2`, a protobuf `AggregatedRecord`, then the 16-byte MD5
 * of the protobuf bytes. Consumers deaggregate with the KCL or the `aws-kinesis-agg` package.
 *
 *   message AggregatedRecord { repeated string partition_key_table = 1;
 *                              repeated string explicit_hash_key_table = 2; repeated Record records = 3; }
 *   message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
 *                    required bytes data = 3; repeated Tag tags = 4; }
 *
 * The encoder is hand-written (varints and length-delimited fields only) and sizes are tracked
 * incrementally, so adding a record is O(1) and the aggregate is serialised once, into a buffer
 * of exactly the right size.
 *
 * Shards: an aggregate goes to the shard of its outer key, so every user record in it travels to
 * that shard. ShardedKplAggregator (below) therefore keeps one aggregate per shard of the stream's
 * shard map (kinesis-shards.ts) and gives each finished aggregate its first record's hash key as
 * ExplicitHashKey: each user record lands on the shard its own key hashes to, as with the KPL, and
 * a key's records stay in order within their shard's aggregates.
 */
import { createHash } from 'node:crypto';
import type { KinesisEntry } from './kinesis.js';
import { hashCache, type KinesisShardMap } from './kinesis-shards.js';

export interface UserRecord {
  readonly data: Uint8Array;
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
}

export interface KplAggregatorOptions {
  /** Upper bound of an aggregate's size as Kinesis counts it (record bytes + outer partition key); ≤ 1 MiB. */
  readonly maxBytes: number;
  /** Upper bound of user records per aggregate (default: unbounded). */
  readonly maxRecords?: number;
}

export const KPL_MAGIC = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);
const MD5_BYTES = 16;
const MAX_KINESIS_RECORD_BYTES = 1024 * 1024;

// Field tags: (field number << 3) | wire type (0 = varint, 2 = length-delimited).
const TAG_PARTITION_KEY_TABLE = (1 << 3) | 2;
const TAG_EXPLICIT_HASH_KEY_TABLE = (2 << 3) | 2;
const TAG_RECORDS = (3 << 3) | 2;
const TAG_RECORD_PK_INDEX = (1 << 3) | 0;
const TAG_RECORD_EHK_INDEX = (2 << 3) | 0;
const TAG_RECORD_DATA = (3 << 3) | 2;

/** Bytes of `n` as a protobuf varint (n < 2^53). */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, offset: number, n: number): number {
  while (n >= 0x80) {
    buf[offset++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[offset++] = n;
  return offset;
}

/** Size of a length-delimited field (one-byte tag) with a payload of `len` bytes. */
function delimitedSize(len: number): number {
  return 1 + varintSize(len) + len;
}

interface PendingRecord {
  readonly record: UserRecord;
  readonly pkIndex: number;
  readonly ehkIndex: number | undefined;
  /** Size of the serialised Record message (without its enclosing tag and length). */
  readonly bodySize: number;
}

class KeyTable {
  readonly keys: string[] = [];
  private readonly index = new Map<string, number>();
  /** Bytes of this table's fields in the AggregatedRecord. */
  bytes = 0;

  /** The key's index and the bytes adding it would cost (0 when it is already in the table). */
  lookup(key: string): { index: number; cost: number } {
    const existing = this.index.get(key);
    if (existing !== undefined) return { index: existing, cost: 0 };
    return { index: this.keys.length, cost: delimitedSize(Buffer.byteLength(key, 'utf8')) };
  }

  add(key: string, cost: number): void {
    if (cost === 0) return;
    this.index.set(key, this.keys.length);
    this.keys.push(key);
    this.bytes += cost;
  }

  clear(): void {
    this.keys.length = 0;
    this.index.clear();
    this.bytes = 0;
  }
}

/**
 * Packs user records into aggregates. `add()` returns a finished aggregate when the new record does
 * not fit into the current one (the new record then starts the next aggregate); `drain()` returns
 * whatever is pending. An aggregate holding a single record is emitted as that plain record (as the
 * KPL does), which is also how a record too large to aggregate passes through.
 */
export class KplAggregator {
  readonly maxBytes: number;
  readonly maxRecords: number;
  private readonly records: PendingRecord[] = [];
  private readonly partitionKeys = new KeyTable();
  private readonly hashKeys = new KeyTable();
  /** Bytes of the `records` fields of the AggregatedRecord. */
  private recordBytes = 0;

  constructor(options: KplAggregatorOptions) {
    const { maxBytes, maxRecords = Number.MAX_SAFE_INTEGER } = options;
    if (!Number.isInteger(maxBytes) || maxBytes <= 0 || maxBytes > MAX_KINESIS_RECORD_BYTES) {
      throw new RangeError(`KPL aggregation: maxBytes must be an integer between 1 and ${MAX_KINESIS_RECORD_BYTES} (1 MiB, the Kinesis record limit), got ${maxBytes}`);
    }
    if (!Number.isInteger(maxRecords) || maxRecords <= 0) {
      throw new RangeError(`KPL aggregation: maxRecords must be a positive integer, got ${maxRecords}`);
    }
    this.maxBytes = maxBytes;
    this.maxRecords = maxRecords;
  }

  /** Number of user records in the current aggregate. */
  get size(): number {
    return this.records.length;
  }

  add(record: UserRecord): KinesisEntry | undefined {
    let finished: KinesisEntry | undefined;
    if (this.records.length > 0 && (this.records.length >= this.maxRecords || this.sizeWith(record) > this.maxBytes)) {
      finished = this.drain();
    }
    this.append(record);
    return finished;
  }

  drain(): KinesisEntry | undefined {
    const n = this.records.length;
    if (n === 0) return undefined;
    const entry = n === 1 ? plainEntry(this.records[0].record) : this.encode();
    this.records.length = 0;
    this.partitionKeys.clear();
    this.hashKeys.clear();
    this.recordBytes = 0;
    return entry;
  }

  /** User records not yet emitted (for checkpoints: re-add them after a restart). */
  pending(): UserRecord[] {
    return this.records.map((p) => p.record);
  }

  /** What the aggregate would count for Kinesis (record bytes + outer partition key) with `record` added. */
  private sizeWith(record: UserRecord): number {
    const pk = this.partitionKeys.lookup(record.partitionKey);
    const ehk = record.explicitHashKey === undefined ? undefined : this.hashKeys.lookup(record.explicitHashKey);
    const body = recordBodySize(record.data.byteLength, pk.index, ehk?.index);
    const protobuf = this.partitionKeys.bytes + pk.cost + this.hashKeys.bytes + (ehk?.cost ?? 0) + this.recordBytes + delimitedSize(body);
    const outerKey = this.records.length > 0 ? this.records[0].record.partitionKey : record.partitionKey;
    return KPL_MAGIC.length + protobuf + MD5_BYTES + Buffer.byteLength(outerKey, 'utf8');
  }

  private append(record: UserRecord): void {
    const pk = this.partitionKeys.lookup(record.partitionKey);
    this.partitionKeys.add(record.partitionKey, pk.cost);
    let ehkIndex: number | undefined;
    if (record.explicitHashKey !== undefined) {
      const ehk = this.hashKeys.lookup(record.explicitHashKey);
      this.hashKeys.add(record.explicitHashKey, ehk.cost);
      ehkIndex = ehk.index;
    }
    const bodySize = recordBodySize(record.data.byteLength, pk.index, ehkIndex);
    this.recordBytes += delimitedSize(bodySize);
    this.records.push({ record, pkIndex: pk.index, ehkIndex, bodySize });
  }

  private encode(): KinesisEntry {
    const protobufSize = this.partitionKeys.bytes + this.hashKeys.bytes + this.recordBytes;
    const buf = Buffer.allocUnsafe(KPL_MAGIC.length + protobufSize + MD5_BYTES);
    buf.set(KPL_MAGIC, 0);
    let o = KPL_MAGIC.length;
    o = writeStrings(buf, o, TAG_PARTITION_KEY_TABLE, this.partitionKeys.keys);
    o = writeStrings(buf, o, TAG_EXPLICIT_HASH_KEY_TABLE, this.hashKeys.keys);
    for (const p of this.records) {
      buf[o++] = TAG_RECORDS;
      o = writeVarint(buf, o, p.bodySize);
      buf[o++] = TAG_RECORD_PK_INDEX;
      o = writeVarint(buf, o, p.pkIndex);
      if (p.ehkIndex !== undefined) {
        buf[o++] = TAG_RECORD_EHK_INDEX;
        o = writeVarint(buf, o, p.ehkIndex);
      }
      buf[o++] = TAG_RECORD_DATA;
      o = writeVarint(buf, o, p.record.data.byteLength);
      buf.set(p.record.data, o);
      o += p.record.data.byteLength;
    }
    const digest = createHash('md5').update(buf.subarray(KPL_MAGIC.length, o)).digest();
    digest.copy(buf, o);
    const first = this.records[0].record;
    const entry: { -readonly [K in keyof KinesisEntry]: KinesisEntry[K] } = { data: buf, partitionKey: first.partitionKey, userRecords: this.records.length };
    if (first.explicitHashKey !== undefined) entry.explicitHashKey = first.explicitHashKey;
    return entry;
  }
}

function recordBodySize(dataBytes: number, pkIndex: number, ehkIndex: number | undefined): number {
  return 1 + varintSize(pkIndex) + (ehkIndex === undefined ? 0 : 1 + varintSize(ehkIndex)) + delimitedSize(dataBytes);
}

function writeStrings(buf: Buffer, offset: number, tag: number, values: readonly string[]): number {
  for (const value of values) {
    const len = Buffer.byteLength(value, 'utf8');
    buf[offset++] = tag;
    offset = writeVarint(buf, offset, len);
    offset += buf.write(value, offset, 'utf8');
  }
  return offset;
}

function plainEntry(record: UserRecord): KinesisEntry {
  const entry: { -readonly [K in keyof KinesisEntry]: KinesisEntry[K] } = { data: record.data, partitionKey: record.partitionKey, userRecords: 1 };
  if (record.explicitHashKey !== undefined) entry.explicitHashKey = record.explicitHashKey;
  return entry;
}

/** True when `data` starts with the KPL magic bytes (an aggregated record). */
export function isAggregated(data: Uint8Array): boolean {
  return data.byteLength >= KPL_MAGIC.length + MD5_BYTES && KPL_MAGIC.every((b, i) => data[i] === b);
}

/** A finished aggregate (or lone record) and the caller's tags of the user records it carries. */
export interface TaggedEntry {
  readonly entry: KinesisEntry;
  readonly tags: number[];
}

interface ShardBucket {
  readonly aggregator: KplAggregator;
  tags: number[];
  /** Decimal hash key of the bucket's first pending record: the aggregate's ExplicitHashKey. */
  firstHashKey: string | undefined;
}

/**
 * One KplAggregator per shard of the stream: each user record joins the aggregate of the shard its
 * hash key (its explicit hash key, else the MD5 of its partition key) falls in. Without a shard map
 * (or before it is loaded) every record shares one aggregate, as plain KplAggregator does.
 */
export class ShardedKplAggregator {
  private readonly buckets = new Map<string, ShardBucket>();
  private readonly hashOf = hashCache();
  private count = 0;

  constructor(
    private readonly options: KplAggregatorOptions,
    private readonly shardMap?: KinesisShardMap,
  ) {
    new KplAggregator(options); // validates the options once, with its messages
  }

  /** User records pending in all aggregates. */
  get size(): number {
    return this.count;
  }

  /** Adds a record; returns the aggregate its shard finished to make room, if any. */
  add(record: UserRecord, tag: number): TaggedEntry | undefined {
    let shardId = '';
    let hashKey: bigint | undefined;
    if (this.shardMap?.ready) {
      hashKey = record.explicitHashKey === undefined ? this.hashOf(record.partitionKey) : BigInt(record.explicitHashKey);
      shardId = this.shardMap.shardFor(hashKey)?.shardId ?? '';
    }
    let bucket = this.buckets.get(shardId);
    if (!bucket) {
      bucket = { aggregator: new KplAggregator(this.options), tags: [], firstHashKey: undefined };
      this.buckets.set(shardId, bucket);
    }
    const finished = bucket.aggregator.add(record);
    let out: TaggedEntry | undefined;
    if (finished) {
      out = this.finish(bucket, finished);
      this.count -= out.tags.length;
    }
    if (bucket.aggregator.size === 1) bucket.firstHashKey = hashKey === undefined || record.explicitHashKey !== undefined ? undefined : hashKey.toString();
    bucket.tags.push(tag);
    this.count++;
    return out;
  }

  /** Every pending aggregate, finished now. */
  drain(): TaggedEntry[] {
    const out: TaggedEntry[] = [];
    for (const bucket of this.buckets.values()) {
      const entry = bucket.aggregator.drain();
      if (entry) out.push(this.finish(bucket, entry));
    }
    this.count = 0;
    return out;
  }

  /** User records not yet emitted (checkpoints). */
  pending(): UserRecord[] {
    const out: UserRecord[] = [];
    for (const bucket of this.buckets.values()) out.push(...bucket.aggregator.pending());
    return out;
  }

  private finish(bucket: ShardBucket, entry: KinesisEntry): TaggedEntry {
    const tags = bucket.tags;
    bucket.tags = [];
    const hashKey = bucket.firstHashKey;
    bucket.firstHashKey = undefined;
    // A lone record keeps its own routing; an aggregate is pinned to its first record's shard.
    if (hashKey === undefined || entry.explicitHashKey !== undefined || (entry.userRecords ?? 1) < 2) return { entry, tags };
    return { entry: { ...entry, explicitHashKey: hashKey }, tags };
  }

}
