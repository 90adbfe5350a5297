import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SinkConfig } from '../../src/runtime/sink-config-file.js';
import { DeadLetterWriter, MemoryDeadLetters } from '../../src/runtime/dead-letter.js';
import type { BatchOutcome, Destination } from '../../src/runtime/destination.js';
import { createKinesisDestination, type KinesisEntry } from '../../src/runtime/destinations/kinesis.js';
import { LineSplitter, readNdjson, type NdjsonLine } from '../../src/runtime/ndjson-source.js';
import { FakeClock } from '../../src/runtime/engine/clock.js';
import { createSink } from '../../src/runtime/sink.js';
import { deaggregate } from '../servers/deaggregate.js';

let dir = '';

// ---- NDJSON source -----------------------------------------------------------------------------

const source = suite('sink pipeline: NDJSON source');
source.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ara-sink-pipeline-'));
});
source.after(() => rmSync(dir, { recursive: true, force: true }));

const TEXT = '{"a":1}\r\n\n{"b":"é€"}\n  \nnot json\n{"c":[1,2]}';

function split(bytes: Buffer, chunk: number, maxLineBytes = 1 << 20): NdjsonLine[] {
  const s = new LineSplitter(0, 0, maxLineBytes);
  const out: NdjsonLine[] = [];
  for (let i = 0; i < bytes.length; i += chunk) out.push(...s.push(bytes.subarray(i, i + chunk)));
  out.push(...s.end());
  return out;
}

source('lines, offsets and line numbers are the same whatever the chunk size', () => {
  const bytes = Buffer.from(TEXT, 'utf8');
  const expected = [
    { line: 1, offset: 0, end: 9, text: '{"a":1}', value: { a: 1 } },
    { line: 3, offset: 10, end: 24, text: '{"b":"é€"}', value: { b: 'é€' } }, // é and € are 2 and 3 bytes
    { line: 5, offset: 27, end: 36, text: 'not json' },
    { line: 6, offset: 36, end: 47, text: '{"c":[1,2]}', value: { c: [1, 2] } },
  ];
  for (const chunk of [1, 2, 3, 7, 64]) {
    const lines = split(bytes, chunk);
    assert.equal(
      lines.map(({ line, offset, end, text, value }) => (value === undefined ? { line, offset, end, text } : { line, offset, end, text, value })),
      expected,
      `chunk ${chunk}`,
    );
    assert.match(lines[2]!.error!, /^invalid JSON: /);
  }
  assert.is(bytes.length, 47);
});

source('a line longer than maxLineBytes is reported, not kept, and the next line is intact', () => {
  const long = `{"pad":"${'x'.repeat(200)}"}`;
  const bytes = Buffer.from(`${long}\n{"ok":true}\n`);
  for (const chunk of [5, 64, 1000]) {
    const lines = split(bytes, chunk, 50);
    assert.is(lines.length, 2);
    assert.is(lines[0]!.error, 'line is longer than 50 bytes');
    assert.ok(lines[0]!.text.startsWith('{"pad":"xxx') && lines[0]!.text.endsWith('…'));
    assert.equal({ line: lines[1]!.line, offset: lines[1]!.offset, value: lines[1]!.value }, { line: 2, offset: long.length + 1, value: { ok: true } });
  }
});

source('readNdjson resumes at a byte offset with the right line numbers; stdin-like streams too', async () => {
  const file = join(dir, 'in.ndjson');
  writeFileSync(file, TEXT);
  const all: NdjsonLine[] = [];
  for await (const lines of readNdjson({ path: file, chunkBytes: 4 })) all.push(...lines);
  assert.equal(all.map((l) => l.line), [1, 3, 5, 6]);
  const resumed: NdjsonLine[] = [];
  for await (const lines of readNdjson({ path: file, startOffset: all[1]!.end, startLine: all[1]!.line })) resumed.push(...lines);
  assert.equal(resumed.map((l) => [l.line, l.offset]), [[5, 27], [6, 36]]);
  async function* pieces() {
    yield Buffer.from(TEXT.slice(0, 5));
    yield TEXT.slice(5);
  }
  const streamed: NdjsonLine[] = [];
  for await (const lines of readNdjson({ stream: pieces() })) streamed.push(...lines);
  assert.equal(streamed.map((l) => l.end), [9, 24, 36, 47]);
});

source.run();

// ---- dead letters --------------------------------------------------------------------------------

const dead = suite('sink pipeline: dead-letter file');
dead.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ara-sink-dead-'));
});
dead.after(() => rmSync(dir, { recursive: true, force: true }));

dead('lazy, one JSON line per letter; resume keeps exactly the checkpointed bytes', () => {
  const file = join(dir, 'sub', 'dl.ndjson');
  const w = new DeadLetterWriter(file);
  w.write({ reason: 'r1', input: 'a', sink: 's', at: 1 });
  const kept = w.bytes;
  w.write({ reason: 'r2', input: 'b', sink: 's', at: 2 });
  w.close();
  assert.is(readFileSync(file, 'utf8'), '{"reason":"r1","input":"a","sink":"s","at":1}\n{"reason":"r2","input":"b","sink":"s","at":2}\n');
  const resumed = new DeadLetterWriter(file, { keepBytes: kept });
  resumed.write({ reason: 'r3', input: 'c', sink: 's', at: 3 });
  resumed.close();
  assert.equal(readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).at), [1, 3]);
  const fresh = new DeadLetterWriter(join(dir, 'never.ndjson'));
  fresh.close();
  assert.throws(() => readFileSync(join(dir, 'never.ndjson')), /ENOENT/);
});

dead.run();

// ---- the sink: conversion, KPL, snapshot/restore ----------------------------------------------------

const sink = suite('sink pipeline: Sink');

const kplConfig: SinkConfig = {
  version: 1,
  sink: 'clicks',
  platform: 'p',
  environment: 'dev',
  destination: { type: 'kinesis', streamName: 'clicks', region: 'us-east-1' },
  bufferingHints: { maxBatchSize: 10, maxBatchBytes: 1024 * 1024, maxRecordBytes: 1024, maxBufferedRequests: 100, maxTimeInBufferMs: 60_000, maxInFlightRequests: 2 },
  rateLimiting: { strategy: 'none' },
  retry: { maxAttempts: 0, initialBackoffMs: 1, maxBackoffMs: 10, requestTimeoutMs: 60_000 },
  partitionKey: 'user',
  aggregation: 'kpl',
};

/** A Kinesis-shaped destination whose requests wait until the test answers them. */
function heldKinesis(): { destination: Destination<unknown>; held: { batch: KinesisEntry[]; answer: (o: BatchOutcome) => void }[]; delivered: KinesisEntry[] } {
  const real = createKinesisDestination({ streamName: 'clicks', region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
  const held: { batch: KinesisEntry[]; answer: (o: BatchOutcome) => void }[] = [];
  const delivered: KinesisEntry[] = [];
  // No stream behind it: without the shard map (and shard pacing) the sink aggregates as one group.
  const { shardMap: _map, partitionOf: _partition, ...plain } = real;
  const destination: Destination<KinesisEntry> = {
    ...plain,
    submit: (batch) =>
      new Promise<BatchOutcome>((resolve) => {
        held.push({ batch: [...batch], answer: (o) => (delivered.push(...batch.filter((_, i) => !o.failures.some((f) => f.index === i))), resolve(o)) });
      }),
  };
  return { destination: destination as Destination<unknown>, held, delivered };
}

const userRecords = (entries: readonly KinesisEntry[]): { user: string; n: number }[] =>
  entries.flatMap((e) => deaggregate(e.data, e.partitionKey)).map((u) => JSON.parse(u.data.toString('utf8')) as { user: string; n: number });

sink('KPL: snapshot holds in-flight aggregates and unaggregated records; restore delivers all of them', async () => {
  const first = heldKinesis();
  const letters = new MemoryDeadLetters();
  // A fake clock: `a` is abandoned mid-flight ("crashed"), so none of its timers may keep running.
  const a = createSink(kplConfig, { destination: first.destination, deadLetter: letters, clock: new FakeClock() });
  // ~60-byte records, 1 KiB aggregates: ~15 per aggregate.
  for (let n = 0; n < 100; n++) await a.write({ user: `u${n % 3}`, n, pad: 'p'.repeat(30) }, { at: n + 1 });
  await a.write({ n: 100 }, { raw: '{"n":100}', at: 101 }); // no partition key
  assert.equal(letters.letters.map((l) => [l.at, l.input]), [[101, '{"n":100}']]);
  const snap = a.snapshot();
  assert.ok(snap.pending.length > 0, 'records still in the aggregator');
  const inSnapshot = userRecords(snap.entries.map((e) => first.destination.decodeEntry(e) as KinesisEntry)).length + snap.pending.length;
  assert.is(inSnapshot, 100, 'every accepted record is in the snapshot (nothing acknowledged yet)');
  assert.equal(a.counts(), { accepted: 100, restored: 0, delivered: 0, deadLettered: 1 });

  // "Crash": a is abandoned; b restores and drains.
  const second = heldKinesis();
  const b = createSink(kplConfig, { destination: second.destination });
  b.restore(JSON.parse(JSON.stringify(snap)));
  const closing = b.close();
  for (let i = 0; i < 50 && (second.held.length > 0 || i < 3); i++) {
    while (second.held.length) second.held.shift()!.answer({ failures: [] });
    await new Promise((r) => setImmediate(r));
  }
  await closing;
  const got = userRecords(second.delivered).map((u) => u.n).sort((x, y) => x - y);
  assert.equal(got, Array.from({ length: 100 }, (_, i) => i));
  assert.equal(b.counts(), { accepted: 0, restored: 100, delivered: 100, deadLettered: 0 });
  assert.is(b.unacknowledged(), 0);
});

sink('oversize records are dead-lettered with the original line, before the engine', async () => {
  const held = heldKinesis();
  const letters = new MemoryDeadLetters();
  const s = createSink({ ...kplConfig, aggregation: 'none' }, { destination: held.destination, deadLetter: letters });
  const raw = JSON.stringify({ user: 'u', pad: 'q'.repeat(2000) });
  await s.write(JSON.parse(raw), { raw, at: 7 });
  assert.equal(letters.letters, [{ reason: `record is ${raw.length + 1} bytes; maxRecordBytes is 1024`, input: raw, sink: 'clicks', at: 7 }]);
  assert.is(s.stats().deadLetters.oversize, 1);
  assert.is(s.stats().engine.recordsIn, 0);
});

sink.run();
