/**
 * kinesalite (an in-memory Kinesis) on an ephemeral loopback port, with helpers to create streams
 * and read back every record of every shard.
 */
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
