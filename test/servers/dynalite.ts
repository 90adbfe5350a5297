/**
 * dynalite (an in-memory DynamoDB) on an ephemeral loopback port, with helpers to create tables
 * and scan every item back.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ScanCommand, type AttributeValue, type KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../src/runtime/destinations/aws-client.js';
import { type DynamoItem, unmarshallItem } from '../../src/runtime/destinations/dynamodb-item.js';
import { closeServer, listenLoopback } from './aws-json.js';
import { TEST_CREDENTIALS, TEST_REGION } from './kinesalite.js';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

export interface TableKey {
  readonly hash: string;
  readonly hashType?: 'S' | 'N';
  readonly range?: string;
  readonly rangeType?: 'S' | 'N';
}

export interface LocalDynamoDb {
  readonly endpoint: string;
  readonly port: number;
  readonly client: DynamoDBClient;
  createTable(name: string, key: TableKey): Promise<void>;
  /** Waits until a table created some other way is ACTIVE. */
  waitActive(name: string): Promise<void>;
  /** Every item of the table as plain JSON. */
  scanAll(name: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export function testDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ ...awsClientConfig('DynamoDB', { endpoint, region: TEST_REGION }), credentials: TEST_CREDENTIALS });
}

export async function startDynalite(): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const { port, endpoint } = await listenLoopback(server);
  const client = testDynamoDbClient(endpoint);

  async function createTable(name: string, key: TableKey): Promise<void> {
    const schema: KeySchemaElement[] = [{ AttributeName: key.hash, KeyType: 'HASH' }];
    const attributes = [{ AttributeName: key.hash, AttributeType: key.hashType ?? 'S' }];
    if (key.range) {
      schema.push({ AttributeName: key.range, KeyType: 'RANGE' });
      attributes.push({ AttributeName: key.range, AttributeType: key.rangeType ?? 'S' });
    }
    await client.send(new CreateTableCommand({ TableName: name, KeySchema: schema, AttributeDefinitions: attributes, BillingMode: 'PAY_PER_REQUEST' }));
    await waitActive(name);
  }

  async function waitActive(name: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const r = await client.send(new DescribeTableCommand({ TableName: name }));
      if (r.Table?.TableStatus === 'ACTIVE') return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`dynalite: table ${name} did not become ACTIVE`);
  }

  async function scanAll(name: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const r = await client.send(new ScanCommand({ TableName: name, ExclusiveStartKey: start }));
      for (const item of r.Items ?? []) items.push(unmarshallItem(item as DynamoItem));
      start = r.LastEvaluatedKey;
    } while (start);
    return items;
  }

  return {
    endpoint,
    port,
    client,
    createTable,
    waitActive,
    scanAll,
    async stop() {
      client.destroy();
      await closeServer(server);
    },
  };
}
