/**
 * kinesalite (an in-memory Kinesis) on an ephemeral loopback port, with helpers to create streams
 * and read back every record of every shard.
 */
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '../../src/runtime/destinations/aws-client.js';
import { closeServer, listenLoopback } from './aws-json.js';

const require = createRequire(import.meta.url);
const kinesalite = require('kinesalite') as (options: Record<string, unknown>) => Server;

/**
 * kinesalite does its sequence-number and hash-key arithmetic in bignumber.js, converting 50-digit
 * decimals to hex and back for every record put and read: in the sink tests that was a third of the
 * test process's CPU. The same arithmetic on native BigInt gives the same strings (same functions,
 * same outputs; any input these fast paths do not handle goes to kinesalite's own code).
 */
interface SequenceDb {
  parseSequence(seq: unknown): Record<string, unknown>;
  stringifySequence(obj: Record<string, unknown>): string;
  partitionKeyToHashKey(key: string): { comparedTo(other: unknown): number };
}
const seqDb = require('kinesalite/db/index.js') as SequenceDb & { araFast?: boolean };
if (!seqDb.araFast) {
  seqDb.araFast = true;
  const slowParse = seqDb.parseSequence;
  const slowStringify = seqDb.stringifySequence;
  const P124 = 1n << 124n;
  const P185 = 1n << 185n;
  const P185_NEXT = (P185 * 3n) / 2n;
  seqDb.parseSequence = (seq) => {
    if (typeof seq !== 'string' || !/^\d+$/.test(seq)) return slowParse(seq);
    const n = BigInt(seq);
    if (!(n > P185 && n < P185_NEXT)) return slowParse(seq);
    const hex = n.toString(16);
    if (hex[hex.length - 1] !== '2') return slowParse(seq); // versions 0 and 1: kinesalite's own code
    const seqIxHex = hex.slice(11, 27);
    let shardIxHex = hex.slice(38, 46);
    if (parseInt(seqIxHex[0]!, 16) > 7) return slowParse(seq); // it throws its own error
    if (parseInt(shardIxHex[0]!, 16) > 7) shardIxHex = '-' + shardIxHex;
    const shardCreateSecs = parseInt(hex.slice(1, 10), 16);
    if (shardCreateSecs >= 16025175000) return slowParse(seq);
    return {
      shardCreateTime: shardCreateSecs * 1000,
      seqIx: BigInt('0x' + seqIxHex).toString(),
      byte1: hex.slice(27, 29),
      seqTime: parseInt(hex.slice(29, 38), 16) * 1000,
      shardIx: parseInt(shardIxHex, 16),
      version: 2,
    };
  };
  const hex8 = (ix: unknown): string => ('0000000' + ((ix as number) || 0).toString(16)).slice(-8);
  seqDb.stringifySequence = (obj) => {
    if (obj.version != null && obj.version !== 2) return slowStringify(obj);
    try {
      const seqIx = obj.seqIx || 0;
      if (typeof seqIx === 'number' ? !Number.isSafeInteger(seqIx) : !/^\d+$/.test(String(seqIx))) return slowStringify(obj);
      const shardCreateTime = obj.shardCreateTime as number;
      const digits = [
        '2',
        ('00000000' + Math.floor(shardCreateTime / 1000).toString(16)).slice(-9),
        ((obj.shardIx as number) || 0).toString(16).slice(-1),
        ('0000000000000000' + BigInt(seqIx as number | string).toString(16)).slice(-16),
        (obj.byte1 as string) || '00',
        ('00000000' + Math.floor(((obj.seqTime as number) || shardCreateTime) / 1000).toString(16)).slice(-9),
        hex8(obj.shardIx),
        '2',
      ].join('');
      if (!/^[0-9a-f]+$/.test(digits)) return slowStringify(obj);
      return BigInt('0x' + digits).toString();
    } catch {
      return slowStringify(obj);
    }
  };
  const decimals = new Map<string, bigint>();
  const big = (v: unknown): bigint => {
    const key = String(v);
    let b = decimals.get(key);
    if (b === undefined) decimals.set(key, (b = BigInt(key)));
    return b;
  };
  seqDb.partitionKeyToHashKey = (key) => {
    const h = BigInt('0x' + createHash('md5').update(key, 'utf8').digest('hex'));
    return {
      comparedTo(other: unknown): number {
        const o = big(other);
        return h < o ? -1 : h > o ? 1 : 0;
      },
    };
  };
}

/** Dummy credentials: kinesalite and dynalite check that requests are signed, not by whom. */
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
export const TEST_REGION = 'us-east-1';

export interface StoredRecord {
  readonly data: Buffer;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly shardId: string;
}

export interface LocalKinesis {
  readonly endpoint: string;
  readonly port: number;
  /** A client for the test's own calls (create, read back). */
  readonly client: KinesisClient;
  createStream(name: string, shards?: number): Promise<void>;
  /** Every record of every shard, shard by shard in shard-id order, each in sequence order. */
  readAll(name: string): Promise<StoredRecord[]>;
  stop(): Promise<void>;
}

/** A Kinesis client for tests: loopback endpoint, dummy credentials, HTTP/1.1, no SDK retries. */
export function testKinesisClient(endpoint: string): KinesisClient {
  return new KinesisClient({ ...awsClientConfig('Kinesis', { endpoint, region: TEST_REGION }), credentials: TEST_CREDENTIALS });
}

export async function startKinesalite(): Promise<LocalKinesis> {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 });
  const { port, endpoint } = await listenLoopback(server);
  const client = testKinesisClient(endpoint);

  async function createStream(name: string, shards = 1): Promise<void> {
    await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    for (let i = 0; i < 200; i++) {
      const r = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      if (r.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`kinesalite: stream ${name} did not become ACTIVE`);
  }

  async function readAll(name: string): Promise<StoredRecord[]> {
    const shards = (await client.send(new ListShardsCommand({ StreamName: name }))).Shards ?? [];
    const out: StoredRecord[] = [];
    for (const shard of [...shards].sort((a, b) => (a.ShardId! < b.ShardId! ? -1 : 1))) {
      const shardId = shard.ShardId!;
      let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      while (iterator) {
        const r = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
        const records = r.Records ?? [];
        for (const rec of records) {
          out.push({ data: Buffer.from(rec.Data!), partitionKey: rec.PartitionKey!, sequenceNumber: rec.SequenceNumber!, shardId });
        }
        if (records.length === 0) break;
        iterator = r.NextShardIterator;
      }
    }
    return out;
  }

  return {
    endpoint,
    port,
    client,
    createStream,
    readAll,
    async stop() {
      client.destroy();
      await closeServer(server);
    },
  };
}
