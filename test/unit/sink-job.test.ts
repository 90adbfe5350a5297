// The library sink job (src/runtime/sink-job.ts) without servers: in-memory lines (what a Lambda
// handler passes), a pluggable dead-letter store, a bounded drain on stop, path guards.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SinkConfig } from '../../src/contract/sink-config.js';
import type { DeadLetter, DeadLetterStore } from '../../src/runtime/dead-letter.js';
import { checkSinkJobPaths, defaultDeadLetterPath, runSinkJob, safeFileName, SinkJobUsageError, startSinkJob } from '../../src/runtime/sink-job.js';
import { MemoryDestination, type MemEntry } from '../helpers/memory-destination.js';

const test = suite('sink job (library)');

const config: SinkConfig = {
  version: 1,
  sink: 'lib',
  platform: 'p',
  environment: 'dev',
  destination: { type: 'file', path: '/dev/null' },
  bufferingHints: { maxBatchSize: 10, maxBatchBytes: 1000, maxRecordBytes: 100, maxBufferedRequests: 50, maxTimeInBufferMs: 10, maxInFlightRequests: 2 },
  rateLimiting: { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5 },
  retry: { maxAttempts: 10, initialBackoffMs: 5, maxBackoffMs: 50, requestTimeoutMs: 30000 },
  aggregation: 'none',
};

class Letters implements DeadLetterStore {
  readonly location = 'memory://letters';
  readonly list: DeadLetter[] = [];
  closed = false;
  get letters(): number {
    return this.list.length;
  }
  write(l: DeadLetter): void {
    this.list.push(l);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const converter = (event: unknown): MemEntry => {
  const e = event as { id: number };
  return { key: `k${e.id}`, data: JSON.stringify(e) };
};

test('in-memory lines (a Lambda batch): delivered, bad ones dead-lettered into the store, figures exact', async () => {
  const dest = new MemoryDestination();
  const letters = new Letters();
  const lines = [...Array.from({ length: 25 }, (_, id) => JSON.stringify({ id })), 'not json', Buffer.from([0x7b, 0xff, 0x7d])];
  const r = await runSinkJob({ config, input: { lines }, destination: dest as never, converter: converter as never, deadLetters: letters });
  assert.is(r.outcome, 'dead-letters');
  assert.equal(r.records, { read: 27, delivered: 25, deadLettered: 2, unacknowledged: 0 });
  assert.is(dest.delivered.length, 25);
  assert.equal(letters.list.map((l) => l.at), [26, 27]);
  assert.match(letters.list[1]!.reason, /invalid UTF-8/);
  assert.is(letters.list[1]!.inputBase64, Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'));
  assert.ok(letters.closed, 'the store is closed (persisted) at the end');
  assert.is(r.deadLetters.location, 'memory://letters');
});

test('stop: the drain is bounded by drainTimeoutMs even when the destination never answers', async () => {
  const dest = new MemoryDestination({ respond: () => 'hang' });
  const controller = new AbortController();
  async function* endless() {
    for (let id = 0; ; id++) yield JSON.stringify({ id });
  }
  const job = startSinkJob({ config, input: { lines: endless() }, destination: dest as never, converter: converter as never, signal: controller.signal, drainTimeoutMs: 50 });
  // Stop once the destination has a request (a write is blocked on the full buffer by then).
  while (dest.calls.length < 2) await new Promise((resolve) => setImmediate(resolve));
  controller.abort();
  const r = await job.done;
  assert.is(r.outcome, 'interrupted');
  assert.is(r.drained, false);
  assert.ok(r.records.unacknowledged > 0);
  assert.is(r.records.read, r.records.delivered + r.records.deadLettered + r.records.unacknowledged);
  assert.ok(dest.calls.every((c) => c.signal.aborted), 'in-flight requests are aborted at the drain deadline');
});

test('a fatal destination error ends the job with outcome fatal and the fix', async () => {
  const dest = new MemoryDestination({ respond: () => Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }) });
  const r = await runSinkJob({ config, input: { lines: ['{"id":1}', '{"id":2}'] }, destination: dest as never, converter: converter as never });
  assert.is(r.outcome, 'fatal');
  assert.match(r.fatal!.message, /AccessDeniedException.*grant the identity/);
  assert.equal(r.records, { read: 2, delivered: 0, deadLettered: 0, unacknowledged: 2 });
});

test('path guards and safe default names', () => {
  assert.throws(() => checkSinkJobPaths({ input: '/tmp/a.ndjson', deadLetter: '/tmp/./a.ndjson' }), (e: Error) => e instanceof SinkJobUsageError && /the dead-letter file and the input are the same file/.test(e.message));
  assert.throws(() => checkSinkJobPaths({ stats: '/tmp/s.json', deadLetter: '/tmp/s.json' }), (e: Error) => e instanceof SinkJobUsageError);
  assert.not.throws(() => checkSinkJobPaths({ input: '/tmp/a.ndjson', deadLetter: '/tmp/b.ndjson' }));
  assert.is(safeFileName('../../etc/passwd'), '__.._etc_passwd');
  assert.is(safeFileName('web-sale-events'), 'web-sale-events');
  assert.is(defaultDeadLetterPath('../x', '/work/here'), '/work/here/__x.dead-letter.ndjson');
});

test.run();
