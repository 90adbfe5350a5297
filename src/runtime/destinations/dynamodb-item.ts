/**
 * JSON events ↔ DynamoDB items: the marshaller for JSON types (string → S, number → N,
 * boolean → BOOL, null → NULL, array → L, object → M) and DynamoDB's item-size arithmetic, which
 * the engine uses for the 400 KB item and 16 MB request limits. No dependency: the SDK's
 * util-dynamodb is not installed and JSON needs only this subset.
 */

export type JsonAttributeValue =
  | { readonly S: string }
  | { readonly N: string }
  | { readonly BOOL: boolean }
  | { readonly NULL: true }
  | { readonly L: readonly JsonAttributeValue[] }
  | { readonly M: Readonly<Record<string, JsonAttributeValue>> };

export type DynamoItem = Readonly<Record<string, JsonAttributeValue>>;

export function marshallValue(value: unknown): JsonAttributeValue {
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${value} is not a finite number`);
      return { N: String(value) };
    case 'boolean':
      return { BOOL: value };
    case 'object': {
      if (value === null) return { NULL: true };
      if (Array.isArray(value)) return { L: value.map(marshallValue) };
      return { M: marshallItem(value as Record<string, unknown>) };
    }
    default:
      throw new TypeError(`a ${typeof value} has no DynamoDB representation`);
  }
}

export function marshallItem(object: Record<string, unknown>): DynamoItem {
  const item: Record<string, JsonAttributeValue> = {};
  for (const key of Object.keys(object)) {
    const v = object[key];
    if (v !== undefined) item[key] = marshallValue(v);
  }
  return item;
}

export function unmarshallValue(value: JsonAttributeValue): unknown {
  if ('S' in value) return value.S;
  if ('N' in value) return Number(value.N);
  if ('BOOL' in value) return value.BOOL;
  if ('NULL' in value) return null;
  if ('L' in value) return value.L.map(unmarshallValue);
  return unmarshallItem(value.M);
}

export function unmarshallItem(item: DynamoItem): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(item)) out[key] = unmarshallValue(item[key]);
  return out;
}

/** Bytes DynamoDB stores for a number: about one byte per two significant digits, plus one. */
function numberSize(n: string): number {
  const digits = n.replace(/^[-+]?/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.min(21, Math.ceil(Math.max(digits.length, 1) / 2) + 1);
}

function valueSize(value: JsonAttributeValue): number {
  if ('S' in value) return Buffer.byteLength(value.S, 'utf8');
  if ('N' in value) return numberSize(value.N);
  if ('BOOL' in value || 'NULL' in value) return 1;
  // Lists and maps: 3 bytes of overhead plus 1 byte per element.
  if ('L' in value) return value.L.reduce((sum, v) => sum + 1 + valueSize(v), 3);
  let sum = 3;
  for (const k of Object.keys(value.M)) sum += 1 + Buffer.byteLength(k, 'utf8') + valueSize(value.M[k]);
  return sum;
}

/** An item's size as DynamoDB counts it against the 400 KB limit (attribute names + values). */
export function itemSize(item: DynamoItem): number {
  let sum = 0;
  for (const k of Object.keys(item)) sum += Buffer.byteLength(k, 'utf8') + valueSize(item[k]);
  return sum;
}
