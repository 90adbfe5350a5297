// KPL aggregation format: what KplAggregator writes must deaggregate with the reference consumer
// library (aws-kinesis-agg) to the exact user records, within the configured size bounds.
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kinesisEntrySize, type KinesisEntry } from '../../src/runtime/destinations/kinesis.js';
import { deaggregate, type Deaggregated } from '../servers/deaggregate.js';
import { KplAggregator, KPL_MAGIC, isAggregated, varintSize, type UserRecord } from '../../src/runtime/destinations/kpl-aggregation.js';

function userRecords(n: number, keyOf: (i: number) => string, size = 40): UserRecord[] {
  return Array.from({ length: n }, (_, i) => ({ data: Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(size + (i % 13)) })), partitionKey: keyOf(i) }));
}

function aggregateAll(aggregator: KplAggregator, records: readonly UserRecord[]): KinesisEntry[] {
  const entries: KinesisEntry[] = [];
  for (const r of records) {
    const done = aggregator.add(r);
    if (done) entries.push(done);
  }
  const last = aggregator.drain();
  if (last) entries.push(last);
  return entries;
}

test('varint sizes follow protobuf encoding', () => {
  assert.is(varintSize(0), 1);
  assert.is(varintSize(127), 1);
  assert.is(varintSize(128), 2);
  assert.is(varintSize(16_383), 2);
  assert.is(varintSize(16_384), 3);
  assert.is(varintSize(2 ** 32), 5);
});

test('aggregates deaggregate (aws-kinesis-agg, checksum verified) to the exact user records, in order', () => {
  const records = userRecords(1000, (i) => `customer-${i % 17}`);
  const entries = aggregateAll(new KplAggregator({ maxBytes: 20_000 }), records);
  assert.ok(entries.length > 1, 'several aggregates');
  const back: Deaggregated[] = [];
  let userRecordCount = 0;
  for (const e of entries) {
    assert.ok(isAggregated(e.data), 'magic bytes');
    assert.equal([...e.data.subarray(0, 4)], [...KPL_MAGIC]);
    // The trailer is the MD5 of the protobuf between magic and trailer.
    const md5 = createHash('md5').update(e.data.subarray(4, e.data.length - 16)).digest();
    assert.equal(Buffer.from(e.data.subarray(e.data.length - 16)), md5);
    assert.ok(kinesisEntrySize(e) <= 20_000, `aggregate of ${kinesisEntrySize(e)} bytes exceeds maxBytes`);
    const inner = deaggregate(e.data, e.partitionKey);
    assert.is(inner.length, e.userRecords);
    assert.is(e.partitionKey, inner[0].partitionKey, 'outer key = first record key');
    userRecordCount += e.userRecords ?? 0;
    back.push(...inner);
  }
  assert.is(userRecordCount, 1000);
  assert.is(back.length, 1000);
  for (let i = 0; i < 1000; i++) {
    assert.is(back[i].partitionKey, records[i].partitionKey);
    assert.ok(back[i].data.equals(Buffer.from(records[i].data)), `record ${i} data`);
  }
});

test('aggregates are filled close to maxBytes: the size tracking matches the encoding', () => {
  const entries = aggregateAll(new KplAggregator({ maxBytes: 10_000 }), userRecords(2000, (i) => `k${i % 5}`, 100));
  // Every aggregate but the last would have overflowed with one more ~120-byte record.
  for (const e of entries.slice(0, -1)) {
    const size = kinesisEntrySize(e);
    assert.ok(size <= 10_000 && size > 10_000 - 200, `aggregate size ${size}`);
  }
});

test('explicit hash keys survive aggregation; the outer explicit hash key is the first record\'s', () => {
  const records: UserRecord[] = Array.from({ length: 50 }, (_, i) => ({
    data: Buffer.from(`r${i}`),
    partitionKey: `pk-${i % 3}`,
    explicitHashKey: String(BigInt(i % 4) * 2n ** 120n),
  }));
  const entries = aggregateAll(new KplAggregator({ maxBytes: 1024 * 1024 }), records);
  assert.is(entries.length, 1);
  assert.is(entries[0].explicitHashKey, records[0].explicitHashKey);
  const back = deaggregate(entries[0].data, entries[0].partitionKey);
  assert.equal(back.map((r) => [r.partitionKey, r.explicitHashKey, r.data.toString()]), records.map((r) => [r.partitionKey, r.explicitHashKey, Buffer.from(r.data).toString()]));
});

test('maxRecords bounds the user records per aggregate', () => {
  const entries = aggregateAll(new KplAggregator({ maxBytes: 1024 * 1024, maxRecords: 7 }), userRecords(30, () => 'k'));
  assert.equal(entries.map((e) => e.userRecords), [7, 7, 7, 7, 2]);
});

test('a lone record, or one too large to aggregate, passes through as a plain record', () => {
  const aggregator = new KplAggregator({ maxBytes: 1000 });
  const small = { data: Buffer.from('small'), partitionKey: 'a' };
  const big = { data: Buffer.alloc(5000, 1), partitionKey: 'b' };
  assert.is(aggregator.add(small), undefined);
  const first = aggregator.add(big);
  assert.ok(first && !isAggregated(first.data));
  assert.is(first!.userRecords, 1);
  assert.is(Buffer.from(first!.data).toString(), 'small');
  assert.is(aggregator.pending().length, 1);
  const second = aggregator.drain()!;
  assert.is(second.partitionKey, 'b');
  assert.is(second.data.byteLength, 5000);
  assert.is(aggregator.drain(), undefined);
});

test('pending() lists the user records not yet emitted, for checkpoints', () => {
  const aggregator = new KplAggregator({ maxBytes: 1024 * 1024 });
  const records = userRecords(5, (i) => `k${i}`);
  for (const r of records) assert.is(aggregator.add(r), undefined);
  assert.equal(aggregator.pending().map((r) => r.partitionKey), ['k0', 'k1', 'k2', 'k3', 'k4']);
  aggregator.drain();
  assert.equal(aggregator.pending(), []);
});

test('invalid sizes are rejected with the rule', () => {
  assert.throws(() => new KplAggregator({ maxBytes: 2 * 1024 * 1024 }), /maxBytes must be an integer between 1 and 1048576/);
  assert.throws(() => new KplAggregator({ maxBytes: 1000, maxRecords: 0 }), /maxRecords must be a positive integer/);
});

test.run();
