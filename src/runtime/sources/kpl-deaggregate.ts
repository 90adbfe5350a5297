/**
 * KPL deaggregation for consumers that receive Kinesis records as stored (Lambda's event source
 * mapping hands KPL aggregates over unopened). The format: 4 magic bytes `F3 89 9A C2`, a protobuf
 * `AggregatedRecord { repeated string partition_key_table = 1; repeated string
 * explicit_hash_key_table = 2; repeated Record records = 3; }` with `Record { uint64
 * partition_key_index = 1; uint64 explicit_hash_key_index = 2; bytes data = 3; repeated Tag tags =
 * 4; }`, then the MD5 of the protobuf bytes. Like the KCL, a record without the magic or whose MD5
 * does not match is an ordinary record (producers may write any bytes); an aggregate whose
 * checksum matches but whose protobuf is broken is an error (KplFormatError).
 */
import { createHash } from 'node:crypto';

const MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);
const MD5_BYTES = 16;

export interface UserRecord {
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  readonly data: Buffer;
}

export interface Deaggregated {
  /** Whether the record was a KPL aggregate (false: `records` is the record itself). */
  readonly aggregated: boolean;
  readonly records: readonly UserRecord[];
}

export class KplFormatError extends Error {
  constructor(message: string) {
    super(`malformed KPL aggregate: ${message}`);
    this.name = 'KplFormatError';
  }
}

/** The user records of one Kinesis record (the record itself when it is not an aggregate). */
export function deaggregate(data: Uint8Array, partitionKey: string, explicitHashKey?: string): Deaggregated {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const plain: Deaggregated = { aggregated: false, records: [{ partitionKey, ...(explicitHashKey !== undefined ? { explicitHashKey } : {}), data: buf }] };
  if (buf.length < MAGIC.length + MD5_BYTES || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return plain;
  const body = buf.subarray(MAGIC.length, buf.length - MD5_BYTES);
  const digest = createHash('md5').update(body).digest();
  if (!digest.equals(buf.subarray(buf.length - MD5_BYTES))) return plain;
  return { aggregated: true, records: parseAggregate(body) };
}

function parseAggregate(body: Buffer): UserRecord[] {
  const keys: string[] = [];
  const hashKeys: string[] = [];
  const raw: { pk: number; ehk?: number; data: Buffer }[] = [];
  const r = new Reader(body);
  while (!r.done()) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === 2) keys.push(r.bytes().toString('utf8'));
    else if (field === 2 && wire === 2) hashKeys.push(r.bytes().toString('utf8'));
    else if (field === 3 && wire === 2) raw.push(parseRecord(r.bytes()));
    else r.skip(wire);
  }
  return raw.map((x, i) => {
    const pk = keys[x.pk];
    if (pk === undefined) throw new KplFormatError(`record ${i} names partition key ${x.pk} of ${keys.length}`);
    if (x.ehk === undefined) return { partitionKey: pk, data: x.data };
    const ehk = hashKeys[x.ehk];
    if (ehk === undefined) throw new KplFormatError(`record ${i} names explicit hash key ${x.ehk} of ${hashKeys.length}`);
    return { partitionKey: pk, explicitHashKey: ehk, data: x.data };
  });
}

function parseRecord(b: Buffer): { pk: number; ehk?: number; data: Buffer } {
  const r = new Reader(b);
  let pk: number | undefined;
  let ehk: number | undefined;
  let data: Buffer | undefined;
  while (!r.done()) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === 0) pk = r.varint();
    else if (field === 2 && wire === 0) ehk = r.varint();
    else if (field === 3 && wire === 2) data = r.bytes();
    else r.skip(wire);
  }
  if (pk === undefined || data === undefined) throw new KplFormatError('a record has no partition key index or no data');
  return { pk, ...(ehk !== undefined ? { ehk } : {}), data };
}

/** The protobuf wire format, as far as the aggregate needs it. */
class Reader {
  private at = 0;
  constructor(private readonly b: Buffer) {}

  done(): boolean {
    return this.at >= this.b.length;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.b.length) throw new KplFormatError('truncated varint');
      const byte = this.b[this.at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(value)) throw new KplFormatError('varint out of range');
        return value;
      }
      scale *= 128;
    }
    throw new KplFormatError('varint longer than 10 bytes');
  }

  tag(): [number, number] {
    const t = this.varint();
    return [Math.floor(t / 8), t % 8];
  }

  bytes(): Buffer {
    const n = this.varint();
    if (this.at + n > this.b.length) throw new KplFormatError('a field runs past the end of the aggregate');
    const out = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) this.bytes();
    else if (wire === 1) this.advance(8);
    else if (wire === 5) this.advance(4);
    else throw new KplFormatError(`unsupported wire type ${wire}`);
  }

  private advance(n: number): void {
    if (this.at + n > this.b.length) throw new KplFormatError('truncated field');
    this.at += n;
  }
}
