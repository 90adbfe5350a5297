// The runtime's KPL deaggregator against the reference library (aws-kinesis-agg): aggregates built
// by the reference open to the same user records; aggregates built by ara-gen's aggregator open the
// same way in both; non-aggregates and checksum mismatches pass through whole; a broken aggregate
// with a valid checksum is an error.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KplAggregator } from '../../src/runtime/destinations/kpl-aggregation.js';
import { deaggregate, KplFormatError } from '../../src/runtime/sources/kpl-deaggregate.js';
import { deaggregate as referenceDeaggregate } from '../servers/deaggregate.js';

const require = createRequire(import.meta.url);
const agg = require('aws-kinesis-agg') as {
  aggregate(records: { partitionKey: string; explicitHashKey?: string; data: Buffer }[], onEncoded: (r: { partitionKey: string; data: Buffer }, cb: () => void) => void, done: () => void, onError: (e: Error) => void): void;
};

const test = suite('kpl deaggregate');

/** Aggregates built by the reference library (it calls back asynchronously). */
function referenceAggregates(records: { partitionKey: string; explicitHashKey?: string; data: Buffer }[]): Promise<{ partitionKey: string; data: Buffer }[]> {
  return new Promise((resolve, reject) => {
    const out: { partitionKey: string; data: Buffer }[] = [];
    agg.aggregate(records, (r, cb) => (out.push(r), cb()), () => resolve(out), reject);
  });
}

const events = (n: number, seed = 0) =>
  Array.from({ length: n }, (_, i) => ({ partitionKey: `pk-${(i * 7 + seed) % 13}`, data: Buffer.from(JSON.stringify({ i, seed, text: 'é'.repeat(i % 5) })) }));

test('aggregates of the reference library open to the same user records, in order', async () => {
  const input = events(250, 3);
  const aggregates = await referenceAggregates(input);
  assert.ok(aggregates.length >= 1);
  const out = aggregates.flatMap((a) => {
    const d = deaggregate(a.data, a.partitionKey);
    assert.ok(d.aggregated);
    return d.records;
  });
  assert.equal(out.map((r) => [r.partitionKey, r.data.toString('utf8')]), input.map((r) => [r.partitionKey, r.data.toString('utf8')]));
});

test("ara-gen's aggregates (with explicit hash keys) open the same as with the reference library", () => {
  const a = new KplAggregator({ maxBytes: 1024 * 1024 });
  const input = events(40).map((e, i) => ({ ...e, ...(i % 3 === 0 ? { explicitHashKey: String(BigInt(i) * 10n ** 30n) } : {}) }));
  for (const r of input) assert.is(a.add(r), undefined);
  const entry = a.drain()!;
  const ours = deaggregate(entry.data, entry.partitionKey);
  const ref = referenceDeaggregate(entry.data, entry.partitionKey);
  assert.ok(ours.aggregated);
  assert.equal(ours.records.map((r) => [r.partitionKey, r.data.toString('base64')]), ref.map((r) => [r.partitionKey, r.data.toString('base64')]));
  // The reference reads an absent explicit_hash_key_index as 0 (protobuf default) and so gives
  // records without one the table's first key: explicit keys are compared with the input instead.
  assert.equal(ours.records.map((r) => r.explicitHashKey), input.map((r) => r.explicitHashKey));
  assert.equal(ref.filter((_, i) => input[i]!.explicitHashKey !== undefined).map((r) => r.explicitHashKey), input.filter((r) => r.explicitHashKey !== undefined).map((r) => r.explicitHashKey));
});

test('a plain record, and an aggregate whose checksum does not match, pass through whole', async () => {
  const plain = Buffer.from('{"a":1}');
  assert.equal(deaggregate(plain, 'k', 'h'), { aggregated: false, records: [{ partitionKey: 'k', explicitHashKey: 'h', data: plain }] });
  const [aggregate] = await referenceAggregates(events(5));
  const bad = Buffer.from(aggregate!.data);
  bad[bad.length - 1] ^= 0xff;
  const d = deaggregate(bad, 'k');
  assert.is(d.aggregated, false);
  assert.ok(d.records[0]!.data.equals(bad));
});

test('a broken aggregate with a valid checksum is a KplFormatError', () => {
  // Field 3 (records) claims 100 bytes, 2 follow.
  const body = Buffer.from([0x0a, 0x01, 0x6b, 0x1a, 0x64, 0x08, 0x00]);
  const data = Buffer.concat([Buffer.from([0xf3, 0x89, 0x9a, 0xc2]), body, createHash('md5').update(body).digest()]);
  assert.throws(() => deaggregate(data, 'k'), (e: unknown) => e instanceof KplFormatError && /runs past the end/.test((e as Error).message));
  // A record pointing at a partition key the table does not have.
  const rec = Buffer.from([0x08, 0x05, 0x1a, 0x01, 0x41]);
  const body2 = Buffer.concat([Buffer.from([0x0a, 0x01, 0x6b, 0x1a, rec.length]), rec]);
  const data2 = Buffer.concat([Buffer.from([0xf3, 0x89, 0x9a, 0xc2]), body2, createHash('md5').update(body2).digest()]);
  assert.throws(() => deaggregate(data2, 'k'), /partition key 5 of 1/);
});

test.run();
