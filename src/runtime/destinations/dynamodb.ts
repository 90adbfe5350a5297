/**
 * DynamoDB destination: BatchWriteItem PutRequests. DynamoDB rejects a whole batch that puts the
 * same key twice, so duplicates within a batch are collapsed (the last write wins, which is what
 * writing them one after another would leave; the superseded entries count as delivered).
 * `UnprocessedItems` are mapped back to the entries that produced them and reported as retryable
 * throttling failures. The key schema comes from the options or from DescribeTable at first send.
 */
import { BatchWriteItemCommand, DescribeTableCommand, DynamoDBClient, type AttributeValue, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { BufferingHints } from '../../compiler/model.js';
import { ConversionError, type BatchOutcome, type Destination, type DestinationLimits, type ElementConverter, type EntryFailure } from '../destination.js';
import { awsClientConfig, type AwsCredentials } from './aws-client.js';
import { type DynamoItem, itemSize, marshallItem } from './dynamodb-item.js';
import { describeType, isPlainObject } from './event-fields.js';

export interface DynamoDbEntry {
  readonly item: DynamoItem;
  /** Cached itemSize(item); computed when absent. */
  readonly bytes?: number;
}

const MB = 1024 * 1024;

export const DYNAMODB_LIMITS: DestinationLimits = { maxBatchSize: 25, maxBatchBytes: 16 * MB, maxRecordBytes: 400 * 1024 };

export const DYNAMODB_DEFAULTS: BufferingHints = {
  maxBatchSize: 25,
  maxBatchBytes: 16 * MB,
  maxRecordBytes: 400 * 1024,
  maxBufferedRequests: 10_000,
  maxTimeInBufferMs: 5_000,
  maxInFlightRequests: 50,
};

/** Code reported for items DynamoDB left unprocessed (throttled): retryable, slows the rate limiter. */
export const UNPROCESSED_CODE = 'ProvisionedThroughputExceededException';

export interface DynamoDbDestinationOptions {
  readonly tableName: string;
  /** Partition key and sort key attribute names; discovered with DescribeTable when absent. */
  readonly keyAttributes?: readonly string[];
  readonly region?: string;
  readonly endpoint?: string;
  /** Absent = the SDK's default credential chain. */
  readonly credentials?: AwsCredentials;
  /** A caller-owned client (not destroyed by close()). */
  readonly client?: DynamoDBClient;
  readonly maxSockets?: number;
}

/** Identity of an item under the key schema: equal signatures = the same DynamoDB item. */
function keySignature(item: Readonly<Record<string, unknown>>, keyAttributes: readonly string[]): string | undefined {
  let signature = '';
  for (const name of keyAttributes) {
    const value = item[name];
    if (value === undefined) return undefined;
    signature += `${JSON.stringify(value)}\u0000`;
  }
  return signature;
}

export function createDynamoDbDestination(options: DynamoDbDestinationOptions): Destination<DynamoDbEntry> {
  const { tableName } = options;
  const ownsClient = !options.client;
  const client = options.client ?? new DynamoDBClient(awsClientConfig('DynamoDB', options));
  let keySchema: Promise<readonly string[]> | undefined = options.keyAttributes ? Promise.resolve(options.keyAttributes) : undefined;

  function keyAttributes(signal: AbortSignal): Promise<readonly string[]> {
    if (!keySchema) {
      const lookup = client.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal: signal }).then((r) => {
        const names = (r.Table?.KeySchema ?? []).map((k) => k.AttributeName).filter((n): n is string => !!n);
        if (names.length === 0) throw new Error(`DescribeTable returned no key schema for table ${tableName}`);
        return names;
      });
      keySchema = lookup;
      // A failed lookup (timeout, throttling) is retried with the next batch.
      lookup.catch(() => { if (keySchema === lookup) keySchema = undefined; });
    }
    return keySchema;
  }

  return {
    description: `DynamoDB table ${tableName}`,
    limits: DYNAMODB_LIMITS,
    defaults: DYNAMODB_DEFAULTS,
    sizeOf: (entry) => entry.bytes ?? itemSize(entry.item),

    async submit(batch: readonly DynamoDbEntry[], signal: AbortSignal): Promise<BatchOutcome> {
      const keys = await keyAttributes(signal);
      const failures: EntryFailure[] = [];
      // Last occurrence of each key wins; earlier ones are superseded (delivered by the later write).
      const lastIndex = new Map<string, number>();
      for (let i = 0; i < batch.length; i++) {
        const signature = keySignature(batch[i].item, keys);
        if (signature === undefined) {
          const missing = keys.filter((k) => batch[i].item[k] === undefined).join(', ');
          failures.push({ index: i, code: 'ValidationException', message: `the item has no value for the key attribute(s) ${missing} of table ${tableName}` });
        } else {
          lastIndex.set(signature, i);
        }
      }
      if (lastIndex.size === 0) return { failures };
      const requests: WriteRequest[] = [];
      for (const i of lastIndex.values()) requests.push({ PutRequest: { Item: batch[i].item as Record<string, AttributeValue> } });
      const response = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }), { abortSignal: signal });
      const unprocessed = response.UnprocessedItems?.[tableName] ?? [];
      for (const request of unprocessed) {
        const item = request.PutRequest?.Item;
        const signature = item && keySignature(item, keys);
        const index = signature === undefined ? undefined : lastIndex.get(signature);
        if (index !== undefined) failures.push({ index, code: UNPROCESSED_CODE, message: 'BatchWriteItem left the item unprocessed (throughput exceeded)' });
      }
      if (failures.length > 1) failures.sort((a, b) => a.index - b.index);
      return { failures };
    },

    encodeEntry: (entry) => ({ item: entry.item }),

    decodeEntry(json: unknown): DynamoDbEntry {
      if (!isPlainObject(json) || !isPlainObject(json.item)) throw new TypeError('not an encoded DynamoDB entry: expected { item: { <attribute>: <AttributeValue> } }');
      const item = json.item as DynamoItem;
      return { item, bytes: itemSize(item) };
    },

    async close(): Promise<void> {
      if (ownsClient) client.destroy();
    },
  };
}

export interface DynamoDbConverterOptions {
  /** Key attribute names; when given, events lacking one go to the dead-letter file at conversion. */
  readonly keyAttributes?: readonly string[];
}

/** Event object → DynamoDB item (every top-level field an attribute). */
export function dynamoDbConverter(options: DynamoDbConverterOptions = {}): ElementConverter<DynamoDbEntry> {
  const keys = options.keyAttributes ?? [];
  return (event: unknown): DynamoDbEntry => {
    if (!isPlainObject(event)) throw new ConversionError(`a DynamoDB item must be a JSON object; the event is ${describeType(event)}`);
    for (const key of keys) {
      const v = event[key];
      if (typeof v !== 'string' && typeof v !== 'number') {
        throw new ConversionError(v === undefined || v === null
          ? `key attribute "${key}" is missing`
          : `key attribute "${key}" is ${describeType(v)}; DynamoDB keys are strings or numbers`);
      }
      if (v === '') throw new ConversionError(`key attribute "${key}" is an empty string`);
    }
    const item = marshallItem(event);
    return { item, bytes: itemSize(item) };
  };
}
