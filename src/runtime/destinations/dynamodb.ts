/**
 * DynamoDB destination: BatchWriteItem PutRequests. DynamoDB rejects a whole batch that puts the
 * same key twice, so duplicates within a batch are collapsed (the last write wins, which is what
 * writing them one after another would leave; the superseded entries count as delivered).
 * `UnprocessedItems` are mapped back to the entries that produced them and reported as retryable
 * throttling failures. The key schema comes from the options or from DescribeTable at first send; items that break it
 * (a key attribute missing, of the wrong type or empty) are rejected per entry, so the engine
 * dead-letters them instead of failing the whole request.
 */
import type { AttributeValue, DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import { ConversionError, type BatchOutcome, type Destination, type DestinationLimits, type ElementConverter, type EntryFailure } from '../destination.js';
import { sdkClient, type AwsCredentials } from './aws-client.js';
import { classifyAwsError } from './aws-errors.js';
import { type DynamoItem, itemSize, marshallItem, unmarshallItem } from './dynamodb-item.js';
import { describeType, isPlainObject } from './event-fields.js';
import { DYNAMODB_DEFAULTS } from '../../contract/defaults.js';
import { DYNAMODB_LIMITS } from '../../contract/limits.js';

export interface DynamoDbEntry {
  readonly item: DynamoItem;
  /** Cached itemSize(item); computed when absent. */
  readonly bytes?: number;
}


export { DYNAMODB_DEFAULTS, DYNAMODB_LIMITS };


/** Code reported for items DynamoDB left unprocessed (throttled): retryable, slows the rate limiter. */
export const UNPROCESSED_CODE = 'ProvisionedThroughputExceededException';

/** A key attribute of the table (or of one of its indexes) and its scalar type. */
export interface KeyAttribute {
  readonly name: string;
  /** S, N or B; absent = any scalar type is accepted (the table will judge). */
  readonly type?: 'S' | 'N' | 'B';
}

export interface DynamoDbDestinationOptions {
  readonly tableName: string;
  /**
   * Partition key and sort key attributes (names, or names with types); discovered with
   * DescribeTable when absent (with the types of the index keys too).
   */
  readonly keyAttributes?: readonly (string | KeyAttribute)[];
  readonly region?: string;
  readonly endpoint?: string;
  /** Absent = the SDK's default credential chain. */
  readonly credentials?: AwsCredentials;
  /** A caller-owned client (not destroyed by close()). */
  readonly client?: DynamoDBClient;
  readonly maxSockets?: number;
}

/** What an item must satisfy to be written: the table's key attributes and typed index keys. */
interface KeySchema {
  readonly keys: readonly KeyAttribute[];
  /** Attributes that key an index: optional in an item, but typed and non-empty when present. */
  readonly indexed: readonly KeyAttribute[];
}

export function keyAttributesOf(list: readonly (string | KeyAttribute)[]): KeyAttribute[] {
  return list.map((k) => (typeof k === 'string' ? { name: k } : k));
}

const typeOf = (v: unknown): string | undefined => (v && typeof v === 'object' ? Object.keys(v)[0] : undefined);

/** Why DynamoDB would refuse this item under the schema, or undefined when it is acceptable. */
function keyProblem(item: Readonly<Record<string, unknown>>, schema: KeySchema): string | undefined {
  for (const k of schema.keys) {
    const v = item[k.name] as Record<string, unknown> | undefined;
    if (v === undefined) return `the item has no value for the key attribute "${k.name}"`;
    const problem = valueProblem(k, v, 'key');
    if (problem) return problem;
  }
  for (const k of schema.indexed) {
    const v = item[k.name] as Record<string, unknown> | undefined;
    if (v === undefined) continue;
    const problem = valueProblem(k, v, 'index key');
    if (problem) return problem;
  }
  return undefined;
}

function valueProblem(k: KeyAttribute, v: Record<string, unknown>, role: string): string | undefined {
  const t = typeOf(v);
  const expected = k.type ? [k.type] : ['S', 'N', 'B'];
  if (!t || !expected.includes(t)) {
    const want = k.type ? TYPE_WORDS[k.type] : 'a string, a number or binary';
    return `${role} attribute "${k.name}" is ${TYPE_WORDS[t ?? ''] ?? 'of an unknown type'}; the table expects ${want}`;
  }
  if ((t === 'S' && v.S === '') || (t === 'B' && (v.B as { length?: number } | undefined)?.length === 0)) return `${role} attribute "${k.name}" is empty; DynamoDB keys cannot be empty`;
  return undefined;
}

const TYPE_WORDS: Record<string, string> = { S: 'a string', N: 'a number', B: 'binary', BOOL: 'a boolean', NULL: 'null', L: 'a list', M: 'a map', SS: 'a string set', NS: 'a number set', BS: 'a binary set' };

/** Identity of an item under the key schema: equal signatures = the same DynamoDB item. */
function keySignature(item: Readonly<Record<string, unknown>>, keys: readonly KeyAttribute[]): string | undefined {
  let signature = '';
  for (const k of keys) {
    const value = item[k.name];
    if (value === undefined) return undefined;
    signature += `${JSON.stringify(value)}\u0000`;
  }
  return signature;
}

const isValidation = (err: unknown): boolean => (err as { name?: unknown } | null)?.name === 'ValidationException';

export function createDynamoDbDestination(options: DynamoDbDestinationOptions): Destination<DynamoDbEntry> {
  const { tableName } = options;
  const aws = sdkClient('DynamoDB', options, () => import('@aws-sdk/client-dynamodb'), (m, config) => new m.DynamoDBClient(config));
  let keySchema: Promise<KeySchema> | undefined = options.keyAttributes
    ? Promise.resolve({ keys: keyAttributesOf(options.keyAttributes), indexed: [] })
    : undefined;

  function schemaOf(signal: AbortSignal): Promise<KeySchema> {
    if (!keySchema) {
      const lookup = aws.sdk().then(({ DescribeTableCommand }) => aws.client().send(new DescribeTableCommand({ TableName: tableName }), { abortSignal: signal })).then((r) => {
        const types = new Map((r.Table?.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType as KeyAttribute['type']]));
        const names = (r.Table?.KeySchema ?? []).map((k) => k.AttributeName).filter((n): n is string => !!n);
        if (names.length === 0) throw new Error(`DescribeTable returned no key schema for table ${tableName}`);
        const keys = names.map((name) => ({ name, type: types.get(name) }));
        // The other attribute definitions key secondary indexes: a wrong type there fails the write too.
        const indexed = [...types].filter(([name]) => name && !names.includes(name)).map(([name, type]) => ({ name: name!, type }));
        return { keys, indexed };
      });
      keySchema = lookup;
      // A failed lookup (timeout, throttling) is retried with the next batch.
      lookup.catch(() => { if (keySchema === lookup) keySchema = undefined; });
    }
    return keySchema;
  }

  async function write(batch: readonly DynamoDbEntry[], indices: readonly number[], keys: readonly KeyAttribute[], signal: AbortSignal): Promise<EntryFailure[]> {
    const requests: WriteRequest[] = indices.map((i) => ({ PutRequest: { Item: batch[i]!.item as Record<string, AttributeValue> } }));
    const { BatchWriteItemCommand } = await aws.sdk();
    const response = await aws.client().send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }), { abortSignal: signal });
    const unprocessed = response.UnprocessedItems?.[tableName] ?? [];
    if (unprocessed.length === 0) return [];
    const bySignature = new Map<string, number>();
    for (const i of indices) bySignature.set(keySignature(batch[i]!.item, keys)!, i);
    const failures: EntryFailure[] = [];
    for (const request of unprocessed) {
      const item = request.PutRequest?.Item;
      const signature = item && keySignature(item, keys);
      const index = signature === undefined ? undefined : bySignature.get(signature);
      if (index !== undefined) failures.push({ index, code: UNPROCESSED_CODE, message: 'BatchWriteItem left the item unprocessed (throughput exceeded)', kind: 'throttled' });
    }
    return failures;
  }

  return {
    description: `DynamoDB table ${tableName}`,
    limits: DYNAMODB_LIMITS,
    defaults: DYNAMODB_DEFAULTS,
    sizeOf: (entry) => entry.bytes ?? itemSize(entry.item),

    async submit(batch: readonly DynamoDbEntry[], signal: AbortSignal): Promise<BatchOutcome> {
      const schema = await schemaOf(signal);
      const failures: EntryFailure[] = [];
      // Last occurrence of each key wins; earlier ones are superseded (delivered by the later write).
      const lastIndex = new Map<string, number>();
      for (let i = 0; i < batch.length; i++) {
        const problem = keyProblem(batch[i]!.item, schema);
        if (problem) failures.push({ index: i, code: 'ValidationException', message: `${problem} (table ${tableName})`, kind: 'rejected' });
        else lastIndex.set(keySignature(batch[i]!.item, schema.keys)!, i);
      }
      if (lastIndex.size > 0) {
        const indices = [...lastIndex.values()];
        try {
          failures.push(...(await write(batch, indices, schema.keys, signal)));
        } catch (err) {
          // One item the checks above could not foresee fails the whole request: find it by writing
          // the items one by one, so that only the bad ones are rejected.
          if (!isValidation(err)) throw err;
          for (const i of indices) {
            try {
              failures.push(...(await write(batch, [i], schema.keys, signal)));
            } catch (e) {
              if (!isValidation(e)) throw e;
              failures.push({ index: i, code: 'ValidationException', message: (e as Error).message, kind: 'rejected' });
            }
          }
        }
      }
      if (failures.length > 1) failures.sort((a, b) => a.index - b.index);
      return { failures };
    },

    classifyError: classifyAwsError,
    describeEntry(entry: DynamoDbEntry): string {
      // The event the item was marshalled from.
      try {
        return JSON.stringify(unmarshallItem(entry.item));
      } catch {
        return JSON.stringify({ item: entry.item });
      }
    },

    encodeEntry: (entry) => ({ item: entry.item }),

    decodeEntry(json: unknown): DynamoDbEntry {
      if (!isPlainObject(json) || !isPlainObject(json.item)) throw new TypeError('not an encoded DynamoDB entry: expected { item: { <attribute>: <AttributeValue> } }');
      const item = json.item as DynamoItem;
      return { item, bytes: itemSize(item) };
    },

    async close(): Promise<void> {
      aws.close();
    },
  };
}

export interface DynamoDbConverterOptions {
  /** Key attributes; when given, events lacking one (or of the wrong type) go to the dead-letter file at conversion. */
  readonly keyAttributes?: readonly (string | KeyAttribute)[];
}

const JSON_TYPE_WORDS: Record<string, string> = { S: 'a string', N: 'a number', B: 'binary' };

/** Event object → DynamoDB item (every top-level field an attribute). */
export function dynamoDbConverter(options: DynamoDbConverterOptions = {}): ElementConverter<DynamoDbEntry> {
  const keys = keyAttributesOf(options.keyAttributes ?? []);
  return (event: unknown): DynamoDbEntry => {
    if (!isPlainObject(event)) throw new ConversionError(`a DynamoDB item must be a JSON object; the event is ${describeType(event)}`);
    for (const { name, type } of keys) {
      const v = event[name];
      if (v === undefined || v === null) throw new ConversionError(`key attribute "${name}" is missing`);
      const t = typeof v === 'string' ? 'S' : typeof v === 'number' ? 'N' : undefined;
      if (!t) throw new ConversionError(`key attribute "${name}" is ${describeType(v)}; DynamoDB keys are strings or numbers`);
      if (type && type !== t) throw new ConversionError(`key attribute "${name}" is ${JSON_TYPE_WORDS[t]}; the table expects ${JSON_TYPE_WORDS[type]}`);
      if (v === '') throw new ConversionError(`key attribute "${name}" is an empty string`);
    }
    const item = marshallItem(event);
    return { item, bytes: itemSize(item) };
  };
}
