import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AsyncSinkWriter, FatalSinkError, type AsyncSinkWriterOptions } from '../../src/runtime/engine/async-sink-writer.js';
import { FakeClock, settle } from '../../src/runtime/engine/clock.js';
import { MemoryDestination, awsError, entry, type MemEntry, type MemoryDestinationOptions } from '../helpers/memory-destination.js';

const test = suite('engine retry');

function setup(destOptions: MemoryDestinationOptions = {}, options: Partial<AsyncSinkWriterOptions<MemEntry>> = {}) {
  const clock = new FakeClock();
  const dest = new MemoryDestination(destOptions);
  const deadLetters: [string, string][] = [];
  const writer = new AsyncSinkWriter<MemEntry>({
    destination: dest,
    clock,
    random: () => 0.5,
    rateLimiting: { strategy: 'none' },
    onDeadLetter: (e, reason) => deadLetters.push([e.key, reason]),
    ...options,
    hints: { maxBatchSize: 4, maxInFlightRequests: 1, ...options.hints },
  });
  return { clock, dest, writer, deadLetters };
}

const keys = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `k${from + i}`);

test('each failed entry waits by its own attempt count while new data keeps flowing', async () => {
  const { clock, dest, writer } = setup({ manual: true }, { retry: { initialBackoffMs: 100 } });
  for (let i = 0; i < 8; i++) await writer.write(entry(i));
  assert.equal(dest.batches, [keys(4)]);
  dest.calls[0]!.resolve([
    { index: 3, code: 'ProvisionedThroughputExceededException', message: 'slow down' },
    { index: 1, code: 'InternalFailure', message: 'oops' },
  ]);
  await settle();
  assert.equal(dest.batches[1], keys(4, 4), 'new data goes out at once: the failed entries wait, nothing else does');
  dest.calls[1]!.resolve();
  await settle();
  await writer.write(entry(8));
  await writer.write(entry(9));
  await clock.tick(49);
  assert.is(dest.calls.length, 2, 'k1 and k3 wait for their backoff: 0.5 × 100 ms (full jitter) after attempt 1');
  await clock.tick(1);
  assert.equal(dest.batches[2], ['k1', 'k3', 'k8', 'k9'], 'due retries first, the batch filled with new data');
  dest.calls[2]!.resolve([{ index: 0, code: 'InternalFailure', message: 'again' }]);
  await settle();
  for (let i = 10; i < 14; i++) await writer.write(entry(i));
  assert.equal(dest.batches[3], keys(4, 10), 'new data still flows while k1 backs off again');
  dest.calls[3]!.resolve();
  await clock.tick(99);
  assert.is(dest.calls.length, 4, 'k1 waits 0.5 × 200 ms after its second attempt');
  await clock.tick(1);
  assert.equal(dest.batches[4], ['k1'], 'a due retry goes out without waiting for the buffer timer');
  dest.calls[4]!.resolve();
  await settle();
  const m = writer.metrics;
  assert.is(m.retries, 3);
  assert.is(m.throttled, 1);
  assert.is(m.recordsOut, 14);
  assert.equal(new Set(dest.delivered.map((e) => e.key)).size, 14);
  await writer.close();
});

test('only a whole throttled request pauses the writer (bounded); a failed request does not hold back new data', async () => {
  const { clock, dest, writer } = setup({ manual: true }, { retry: { initialBackoffMs: 100, maxBackoffMs: 400 } });
  for (let i = 0; i < 8; i++) await writer.write(entry(i));
  dest.calls[0]!.reject(awsError('InternalFailure', 500));
  await settle();
  assert.equal(dest.batches[1], keys(4, 4), 'after a 500, new data goes out at once');
  dest.calls[1]!.reject(awsError('ThrottlingException', 400));
  await settle();
  for (let i = 8; i < 12; i++) await writer.write(entry(i));
  assert.is(dest.calls.length, 2, 'a whole throttled request pauses every send, new data included');
  await clock.tick(49);
  assert.is(dest.calls.length, 2);
  await clock.tick(1);
  assert.equal(dest.batches[2], keys(4), 'after the pause, the due retries go first');
  // Throttled again and again: the pause grows, capped at maxBackoffMs.
  const gaps: number[] = [];
  for (let k = 0; k < 5; k++) {
    const before = clock.now();
    dest.open[0]!.reject(awsError('ThrottlingException', 400));
    await settle();
    const n = dest.calls.length;
    for (let t = 0; t < 1000 && dest.calls.length === n; t += 10) await clock.tick(10);
    gaps.push(clock.now() - before);
  }
  assert.ok(Math.max(...gaps) <= 400, `pauses ${gaps} stay within maxBackoffMs`);
  for (let k = 0; k < 20 && dest.open.length; k++) {
    dest.open[0]!.resolve();
    await clock.tick(500);
  }
  const f = writer.flush();
  for (let k = 0; k < 20 && dest.open.length; k++) {
    dest.open[0]!.resolve();
    await clock.tick(500);
  }
  await f;
  assert.equal(new Set(dest.delivered.map((e) => e.key)).size, 12);
  await writer.close();
});

test('a rejected request (retryable) requeues the whole batch', async () => {
  const { clock, dest, writer } = setup({ respond: (_b, i) => (i === 0 ? awsError('ServiceUnavailableException', 503) : undefined) });
  for (let i = 0; i < 4; i++) await writer.write(entry(i));
  await settle();
  assert.is(dest.calls.length, 1);
  assert.is(writer.bufferedEntries, 4);
  await clock.tick(50);
  assert.equal(dest.batches, [keys(4), keys(4)]);
  assert.is(writer.metrics.failedRequests, 1);
  assert.is(writer.metrics.throttled, 4, 'ServiceUnavailable counts as throttling');
  assert.is(writer.metrics.retries, 4);
  assert.equal(dest.delivered.map((e) => e.key), keys(4));
  await writer.close();
});

test('a request without an answer times out, is aborted and requeued', async () => {
  const { clock, dest, writer } = setup(
    { respond: (_b, i) => (i === 0 ? 'hang' : undefined) },
    { retry: { requestTimeoutMs: 1000, initialBackoffMs: 10 } },
  );
  for (let i = 0; i < 4; i++) await writer.write(entry(i));
  await clock.tick(999);
  assert.is(dest.calls.length, 1);
  assert.not.ok(dest.calls[0]!.signal.aborted);
  await clock.tick(1);
  assert.ok(dest.calls[0]!.signal.aborted, 'the destination is told to abort');
  await clock.tick(5);
  assert.equal(dest.batches, [keys(4), keys(4)]);
  assert.is(writer.metrics.failedRequests, 1);
  await writer.flush();
  assert.equal(dest.delivered.map((e) => e.key), keys(4));
  await writer.close();
});

test('backoff delays grow exponentially and are capped; no busy loop while backing off', async () => {
  const times: number[] = [];
  let clockRef: FakeClock;
  const { clock, dest, writer } = setup(
    {
      respond: (_b, i) => {
        times.push(clockRef.now());
        return i < 6 ? awsError('ThrottlingException', 400) : undefined;
      },
    },
    { random: () => 0.9999, retry: { initialBackoffMs: 100, maxBackoffMs: 800 } },
  );
  clockRef = clock;
  for (let i = 0; i < 4; i++) await writer.write(entry(i));
  await clock.tick(10_000);
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  assert.equal(gaps, [100, 200, 400, 800, 800, 800]);
  assert.is(dest.calls.length, 7);
  assert.is(dest.delivered.length, 4);
  assert.is(writer.metrics.throttled, 24);
  await writer.close();
});

test('a fatal error stops the sink with one sentence naming the destination, the code and the fix', async () => {
  const { dest, writer } = setup({
    description: 'Kinesis stream mystore-dev-web-sale',
    respond: () => awsError('AccessDeniedException', 400, { message: 'User arn:aws:iam::1:user/x is not authorized to perform kinesis:PutRecords' }),
  });
  for (let i = 0; i < 4; i++) await writer.write(entry(i));
  await settle();
  const expectFatal = async (p: Promise<unknown>): Promise<FatalSinkError> => {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.instance(e, FatalSinkError, 'should reject with FatalSinkError');
    return e as FatalSinkError;
  };
  const err = await expectFatal(writer.write(entry(9)));
  assert.is(err.destination, 'Kinesis stream mystore-dev-web-sale');
  assert.is(err.code, 'AccessDeniedException');
  assert.is(
    err.message,
    'Kinesis stream mystore-dev-web-sale failed with AccessDeniedException (User arn:aws:iam::1:user/x is not authorized to perform kinesis:PutRecords), ' +
      'which retrying cannot fix: grant the identity running the sink permission to write to the destination ' +
      '(for example kinesis:PutRecords, firehose:PutRecordBatch or dynamodb:BatchWriteItem on its ARN).',
  );
  assert.is(dest.calls.length, 1, 'not retried');
  await expectFatal(writer.flush());
  await expectFatal(writer.close());
  assert.ok(dest.closed, 'the destination is closed even after a fatal error');
  assert.is(writer.snapshot().entries.length, 4, 'unacknowledged entries are kept for the checkpoint');
});

test('a fatal per-entry code (KMS) stops the sink; pending writes are rejected', async () => {
  const { dest, writer } = setup({ manual: true }, { hints: { maxBufferedRequests: 5 } });
  for (let i = 0; i < 9; i++) await writer.write(entry(i));
  const blocked = writer.write(entry(9));
  let rejected: unknown;
  blocked.catch((e) => (rejected = e));
  dest.calls[0]!.resolve([{ index: 0, code: 'KMS.DisabledException', message: 'key disabled' }]);
  await settle();
  assert.instance(rejected, FatalSinkError);
  assert.is((rejected as FatalSinkError).code, 'KMS.DisabledException');
  assert.match((rejected as Error).message, /KMS key of the destination is enabled/);
});

test('an unreachable endpoint (refused, DNS) is retried a few times, then one fatal sentence; nothing is dead-lettered', async () => {
  const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  const { clock, dest, writer, deadLetters } = setup(
    { respond: () => refused() },
    { maxUnreachable: 3, unreachableTimeoutMs: 1000, random: () => 0, retry: { initialBackoffMs: 100, maxAttempts: 2 } },
  );
  for (let i = 0; i < 4; i++) await writer.write(entry(i));
  await clock.tick(500);
  assert.is(writer.fatalError, undefined, 'a restarting server gets unreachableTimeoutMs to come back');
  assert.ok(dest.calls.length >= 3, `${dest.calls.length} attempts`);
  await clock.tick(2000);
  assert.instance(writer.fatalError, FatalSinkError);
  assert.is(writer.fatalError!.code, 'ECONNREFUSED');
  assert.match(writer.fatalError!.message, /unreachable for \d+\.\d s, \d+ requests in a row.*check that the endpoint/);
  assert.equal(deadLetters, [], 'records are not dead-lettered because the endpoint is down (maxAttempts 2 notwithstanding)');
  assert.is(writer.snapshot().entries.length, 4, 'all kept for the checkpoint');
  await writer.close().catch(() => undefined);
});

test('dead letters: oversize entries at once, entries out of attempts with the last error', async () => {
  const { clock, dest, writer, deadLetters } = setup(
    { respond: (b) => ({ failures: b.flatMap((e, index) => (e.key === 'k1' ? [{ index, code: 'InternalFailure', message: 'boom' }] : [])) }) },
    { retry: { maxAttempts: 3 }, random: () => 0 },
  );
  await writer.write(entry(99, 101));
  assert.equal(deadLetters, [['k99', 'record of 101 bytes exceeds maxRecordBytes (100)']]);
  assert.is(dest.calls.length, 0, 'never sent');
  for (let i = 0; i < 4; i++) await writer.write(entry(i));
  await writer.flush();
  await clock.tick(0);
  assert.equal(deadLetters[1], ['k1', 'not delivered after 3 attempts; last error InternalFailure: boom']);
  assert.equal(dest.batches, [keys(4), ['k1'], ['k1']]);
  assert.equal(dest.delivered.map((e) => e.key), ['k0', 'k2', 'k3']);
  const s = writer.stats();
  assert.is(s.deadLetters, 2);
  assert.is(s.recordsIn, 5);
  assert.is(s.recordsOut, 3);
  await writer.close();
});

test('entries the destination rejects are dead-lettered at once: never retried, never fatal, no rate-limit back-off', async () => {
  const { dest, writer, deadLetters } = setup(
    { respond: (b) => ({ failures: b.flatMap((e, index) => (e.key === 'k2' || e.key === 'k5' ? [{ index, code: 'ValidationException', message: `bad key in ${e.key}`, rejected: true }] : [])) }) },
    { rateLimiting: { strategy: 'aimd', increaseRate: 1, decreaseFactor: 0.5, slowStart: false }, hints: { maxBatchSize: 4, maxInFlightRequests: 2 } },
  );
  for (let i = 0; i < 8; i++) await writer.write(entry(i));
  await writer.close();
  assert.equal(deadLetters, [
    ['k2', 'rejected by memory stream test-stream: ValidationException: bad key in k2'],
    ['k5', 'rejected by memory stream test-stream: ValidationException: bad key in k5'],
  ]);
  assert.equal(dest.batches, [keys(4), keys(4, 4)], 'no retry request');
  assert.equal(dest.delivered.map((e) => e.key), ['k0', 'k1', 'k3', 'k4', 'k6', 'k7']);
  assert.is(writer.fatalError, undefined, 'ValidationException is fatal for a whole request, not for a rejected entry');
  const s = writer.stats();
  assert.equal([s.deadLetters, s.recordsOut, s.retries, s.throttled], [2, 6, 0, 0]);
  assert.is(writer.rateLimiter.currentBudget(), 4 + 2, 'both requests counted as successes (+1 each; ceiling 4 × 2)');
});

test.run();
