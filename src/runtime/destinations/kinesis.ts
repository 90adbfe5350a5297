/**
 * Kinesis Data Streams destination: one PutRecords request per batch, per-record `ErrorCode`s
 * mapped to entry failures. Sizes count data + UTF-8 partition key, as Kinesis does.
 */
import { randomUUID } from 'node:crypto';
import type { KinesisClient, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { ConversionError, type BatchOutcome, type Destination, type DestinationLimits, type ElementConverter, type EntryFailure } from '../destination.js';
import { sdkClient, type AwsCredentials } from './aws-client.js';
import { awsEntryFailure, classifyAwsError } from './aws-errors.js';
import { codePointLength, isPlainObject, readKeyField } from './event-fields.js';
import { KINESIS_DEFAULTS } from '../../contract/defaults.js';
import { KINESIS_LIMITS } from '../../contract/limits.js';
import { hashCache, KinesisShardMap, listOpenShards } from './kinesis-shards.js';

export interface KinesisEntry {
  readonly data: Uint8Array;
  readonly partitionKey: string;
  /** Decimal 128-bit hash key that overrides the partition key's hash for shard selection. */
  readonly explicitHashKey?: string;
  /** User records packed in this entry (KPL aggregation); 1 when absent. */
  readonly userRecords?: number;
}


export { KINESIS_DEFAULTS, KINESIS_LIMITS };


export const MAX_PARTITION_KEY_CHARS = 256;
/** Records per second one shard accepts (PutRecords). */
export const KINESIS_SHARD_RECORDS_PER_SECOND = 1000;
const MAX_HASH_KEY = (1n << 128n) - 1n;

export interface KinesisDestinationOptions {
  readonly streamName: string;
  readonly region?: string;
  readonly endpoint?: string;
  /** Absent = the SDK's default credential chain. */
  readonly credentials?: AwsCredentials;
  /** A caller-owned client (not destroyed by close()). */
  readonly client?: KinesisClient;
  /** HTTP sockets; at least maxInFlightRequests. */
  readonly maxSockets?: number;
}

/** A Kinesis destination also knows its stream's shard map (loaded on first use: KPL aggregation). */
export interface KinesisDestination extends Destination<KinesisEntry> {
  readonly shardMap: KinesisShardMap;
}

/** Bytes Kinesis counts for an entry against the record and request limits. */
export function kinesisEntrySize(entry: KinesisEntry): number {
  return entry.data.byteLength + Buffer.byteLength(entry.partitionKey, 'utf8');
}

export function createKinesisDestination(options: KinesisDestinationOptions): KinesisDestination {
  const { streamName } = options;
  const aws = sdkClient('Kinesis', options, () => import('@aws-sdk/client-kinesis'), (m, config) => new m.KinesisClient(config));
  const shardMap = new KinesisShardMap({ load: async () => (await aws.sdk(), listOpenShards(aws.client(), streamName)) });
  const hashOf = hashCache();
  let mapRequested = false;

  return {
    description: `Kinesis stream ${streamName}`,
    shardMap,
    // Per-shard pacing: a shard takes 1,000 records/s (and 1 MiB/s).
    partitionRecordsPerSecond: KINESIS_SHARD_RECORDS_PER_SECOND,
    partitionOf(entry: KinesisEntry): string | undefined {
      if (!shardMap.ready) {
        // Asked for at the first throttle; without kinesis:ListShards entries stay unpaced.
        if (!mapRequested) shardMap.load().catch(() => undefined);
        mapRequested = true;
        return undefined;
      }
      return shardMap.shardFor(entry.explicitHashKey === undefined ? hashOf(entry.partitionKey) : BigInt(entry.explicitHashKey))?.shardId;
    },
    limits: KINESIS_LIMITS,
    defaults: KINESIS_DEFAULTS,
    sizeOf: kinesisEntrySize,

    async submit(batch: readonly KinesisEntry[], signal: AbortSignal): Promise<BatchOutcome> {
      const records: PutRecordsRequestEntry[] = new Array(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const e = batch[i];
        records[i] = e.explicitHashKey === undefined
          ? { Data: e.data, PartitionKey: e.partitionKey }
          : { Data: e.data, PartitionKey: e.partitionKey, ExplicitHashKey: e.explicitHashKey };
      }
      const { PutRecordsCommand } = await aws.sdk();
      const response = await aws.client().send(new PutRecordsCommand({ StreamName: streamName, Records: records }), { abortSignal: signal });
      if (shardMap.ready) checkShards(batch, response.Records, shardMap);
      if (!response.FailedRecordCount && response.Records?.length === batch.length) return { failures: [] };
      const failures: EntryFailure[] = [];
      for (let i = 0; i < batch.length; i++) {
        const result = response.Records?.[i];
        if (!result) {
          failures.push(awsEntryFailure(i, 'InternalFailure', `PutRecords returned no result for record ${i}`));
        } else if (result.ErrorCode) {
          failures.push(awsEntryFailure(i, result.ErrorCode, result.ErrorMessage ?? result.ErrorCode));
        }
      }
      return { failures };
    },

    classifyError: classifyAwsError,
    recordCount: (entry) => entry.userRecords ?? 1,
    describeEntry(entry: KinesisEntry): string {
      // A plain record is the producer's bytes; an aggregate is binary: its encoded JSON.
      if (entry.userRecords === undefined || (entry.userRecords === 1 && !isAggregate(entry.data))) return Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength).toString('utf8');
      return JSON.stringify(encodeKinesisEntry(entry));
    },

    encodeEntry: encodeKinesisEntry,

    decodeEntry(json: unknown): KinesisEntry {
      if (!isPlainObject(json) || typeof json.data !== 'string' || typeof json.partitionKey !== 'string') {
        throw new TypeError('not an encoded Kinesis entry: expected { data: <base64>, partitionKey: <string> }');
      }
      const entry: { -readonly [K in keyof KinesisEntry]: KinesisEntry[K] } = { data: Buffer.from(json.data, 'base64'), partitionKey: json.partitionKey };
      if (typeof json.explicitHashKey === 'string') entry.explicitHashKey = json.explicitHashKey;
      if (typeof json.userRecords === 'number') entry.userRecords = json.userRecords;
      return entry;
    },

    async close(): Promise<void> {
      aws.close();
    },
  };
}

/**
 * Resharding signal (as the KPL reads it): an aggregate pinned to a shard by its ExplicitHashKey
 * that Kinesis put on another shard means the map is out of date.
 */
function checkShards(batch: readonly KinesisEntry[], results: readonly { ShardId?: string }[] | undefined, shardMap: KinesisShardMap): void {
  if (!results) return;
  for (let i = 0; i < batch.length; i++) {
    const e = batch[i]!;
    const landed = results[i]?.ShardId;
    if (e.explicitHashKey === undefined || (e.userRecords ?? 1) < 2 || !landed) continue;
    if (shardMap.shardFor(BigInt(e.explicitHashKey))?.shardId !== landed) {
      shardMap.markStale();
      return;
    }
  }
}

export function encodeKinesisEntry(entry: KinesisEntry): unknown {
  const json: Record<string, unknown> = { data: Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength).toString('base64'), partitionKey: entry.partitionKey };
  if (entry.explicitHashKey !== undefined) json.explicitHashKey = entry.explicitHashKey;
  if (entry.userRecords !== undefined) json.userRecords = entry.userRecords;
  return json;
}

/** KPL aggregates start with the 4-byte magic F3 89 9A C2. */
function isAggregate(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0xf3 && data[1] === 0x89 && data[2] === 0x9a && data[3] === 0xc2;
}

export interface KinesisConverterOptions {
  /** Event field (name or dotted path) holding the partition key; absent = a random key per event. */
  readonly partitionKey?: string;
  /** Event field holding a decimal explicit hash key (0 .. 2^128-1). */
  readonly explicitHashKey?: string;
}

/** Checks a partition key against Kinesis' rules; returns the reason it is unusable, if it is. */
export function partitionKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'the partition key is empty';
  if (key.length > MAX_PARTITION_KEY_CHARS && codePointLength(key) > MAX_PARTITION_KEY_CHARS) {
    return `the partition key has ${codePointLength(key)} characters; Kinesis allows 1 to ${MAX_PARTITION_KEY_CHARS}`;
  }
  return undefined;
}

export function explicitHashKeyProblem(key: string): string | undefined {
  if (!/^\d{1,39}$/.test(key) || BigInt(key) > MAX_HASH_KEY) return `"${key.length > 50 ? `${key.slice(0, 50)}...` : key}" is not a decimal number between 0 and 2^128-1`;
  return undefined;
}

/** Event object → JSON bytes with its partition key (and explicit hash key). */
export function kinesisConverter(options: KinesisConverterOptions = {}): ElementConverter<KinesisEntry> {
  const { partitionKey: keyField, explicitHashKey: hashField } = options;
  return (event: unknown, raw?: string): KinesisEntry => {
    let partitionKey: string;
    if (keyField === undefined) {
      partitionKey = randomUUID();
    } else {
      const key = readKeyField(event, keyField, 'partition key');
      if (typeof key !== 'string') throw new ConversionError(key.error);
      const problem = partitionKeyProblem(key);
      if (problem) throw new ConversionError(`partition key field "${keyField}": ${problem}`);
      partitionKey = key;
    }
    const data = Buffer.from(raw ?? JSON.stringify(event), 'utf8');
    if (hashField === undefined) return { data, partitionKey };
    const hash = readKeyField(event, hashField, 'explicit hash key');
    if (typeof hash !== 'string') throw new ConversionError(hash.error);
    const problem = explicitHashKeyProblem(hash);
    if (problem) throw new ConversionError(`explicit hash key field "${hashField}": ${problem}`);
    return { data, partitionKey, explicitHashKey: hash };
  };
}
