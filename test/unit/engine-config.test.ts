import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AsyncSinkWriter, SinkConfigError } from '../../src/runtime/engine/async-sink-writer.js';
import { FakeClock } from '../../src/runtime/engine/clock.js';
import { MemoryDestination, type MemEntry } from '../helpers/memory-destination.js';

const test = suite('engine config');

const kinesisLike = () =>
  new MemoryDestination({
    description: 'Kinesis stream mystore-dev-web-sale',
    defaults: { maxBatchSize: 500, maxBatchBytes: 5242880, maxRecordBytes: 1048576, maxBufferedRequests: 10000, maxTimeInBufferMs: 5000, maxInFlightRequests: 50 },
    limits: { maxBatchSize: 500, maxBatchBytes: 5242880, maxRecordBytes: 1048576 },
  });

function rejects(options: Record<string, unknown>, message: string) {
  try {
    new AsyncSinkWriter<MemEntry>({ destination: kinesisLike(), clock: new FakeClock(), ...options });
    assert.unreachable(`accepted ${JSON.stringify(options)}`);
  } catch (e) {
    assert.instance(e, SinkConfigError);
    assert.is((e as Error).message, message);
  }
}

test('defaults come from the destination; given hints override them', () => {
  const w = new AsyncSinkWriter<MemEntry>({ destination: kinesisLike(), clock: new FakeClock(), hints: { maxBatchSize: 100, maxTimeInBufferMs: undefined } });
  assert.equal(w.hints, { maxBatchSize: 100, maxBatchBytes: 5242880, maxRecordBytes: 1048576, maxBufferedRequests: 10000, maxTimeInBufferMs: 5000, maxInFlightRequests: 50 });
  assert.equal(w.retry, { maxAttempts: 10, initialBackoffMs: 100, maxBackoffMs: 10000, requestTimeoutMs: 30000 });
  assert.is(w.rateLimiter.name, 'aimd');
});

test('every hint must be a positive integer', () => {
  rejects(
    { hints: { maxBatchSize: 0 } },
    'buffering hint maxBatchSize is 0: every buffering hint must be a positive integer; set maxBatchSize to a whole number of at least 1 (the default for Kinesis stream mystore-dev-web-sale is 500).',
  );
  rejects(
    { hints: { maxTimeInBufferMs: 2.5 } },
    'buffering hint maxTimeInBufferMs is 2.5: every buffering hint must be a positive integer; set maxTimeInBufferMs to a whole number of at least 1 (the default for Kinesis stream mystore-dev-web-sale is 5000).',
  );
  rejects({ hints: { maxInFlightRequests: '4' } }, 'buffering hint maxInFlightRequests is "4": every buffering hint must be a positive integer; set maxInFlightRequests to a whole number of at least 1 (the default for Kinesis stream mystore-dev-web-sale is 50).');
});

test('Flink rules: maxBufferedRequests > maxBatchSize, maxBatchBytes ≥ maxRecordBytes', () => {
  rejects(
    { hints: { maxBufferedRequests: 500 } },
    'buffering hint maxBufferedRequests (500) must be greater than maxBatchSize (500): the buffer must hold more than one batch; raise maxBufferedRequests above 500 or lower maxBatchSize.',
  );
  rejects(
    { hints: { maxBatchBytes: 1000, maxRecordBytes: 2000 } },
    'buffering hint maxBatchBytes (1000 bytes) must be at least maxRecordBytes (2000 bytes): a batch must fit the largest record; raise maxBatchBytes to at least 2000 or lower maxRecordBytes.',
  );
});

test("hints within the destination's hard limits", () => {
  rejects({ hints: { maxBatchSize: 600 } }, 'buffering hint maxBatchSize 600 exceeds the limit of Kinesis stream mystore-dev-web-sale (500 entries per request); set maxBatchSize to 500 or less.');
  rejects(
    { hints: { maxBatchBytes: 6000000 } },
    'buffering hint maxBatchBytes 6000000 bytes exceeds the limit of Kinesis stream mystore-dev-web-sale (5242880 bytes per request); set maxBatchBytes to 5242880 or less.',
  );
  rejects(
    { hints: { maxRecordBytes: 2000000, maxBatchBytes: 5000000 } },
    'buffering hint maxRecordBytes 2000000 bytes exceeds the limit of Kinesis stream mystore-dev-web-sale (1048576 bytes per record); set maxRecordBytes to 1048576 or less.',
  );
});

test('unknown hints and retry settings get a did-you-mean', () => {
  rejects({ hints: { maxBatchSzie: 10 } }, 'unknown buffering hint "maxBatchSzie"; did you mean "maxBatchSize"?');
  rejects({ retry: { maxAttempt: 3 } }, 'unknown retry setting "maxAttempt"; did you mean "maxAttempts"?');
});

test('retry policy and rate limiting are validated', () => {
  rejects({ retry: { maxAttempts: -1 } }, 'retry.maxAttempts = -1 is invalid: it must be a whole number of at least 0 (0 retries forever); set it to e.g. 10.');
  rejects({ retry: { requestTimeoutMs: 0 } }, 'retry.requestTimeoutMs = 0 is invalid: it must be a positive whole number of milliseconds; set it to e.g. 30000.');
  rejects(
    { retry: { initialBackoffMs: 1000, maxBackoffMs: 100 } },
    'retry.maxBackoffMs = 100 must be at least retry.initialBackoffMs = 1000; raise maxBackoffMs or lower initialBackoffMs.',
  );
  rejects({ rateLimiting: { strategy: 'aimd', increaseRate: 0, decreaseFactor: 0.5 } }, 'rateLimiting.increaseRate = 0 must be a positive integer; set it to e.g. 10.');
  rejects({ rateLimiting: { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0 } }, 'rateLimiting.decreaseFactor = 0 must be between 0 and 1 (exclusive); set it to e.g. 0.5.');
});

test.run();
