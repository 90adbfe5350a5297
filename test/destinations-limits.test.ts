/**
 * The validator checks buffering hints against each destination's hard limits before anything
 * runs; the engine enforces the destinations' own limits at run time. Both must state the same
 * numbers, or a spec that validates would be refused by `sink run` (or the other way round).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DESTINATION_LIMITS } from '../src/compiler/rules/buffering.js';
import { DYNAMODB_DEFAULTS, DYNAMODB_LIMITS } from '../src/runtime/destinations/dynamodb.js';
import { FILE_DEFAULTS, FILE_LIMITS } from '../src/runtime/destinations/file.js';
import { FIREHOSE_DEFAULTS, FIREHOSE_LIMITS } from '../src/runtime/destinations/firehose.js';
import { KINESIS_DEFAULTS, KINESIS_LIMITS } from '../src/runtime/destinations/kinesis.js';

const test = suite('destinations limits');

const MiB = 1024 * 1024;
const runtime = {
  kinesis: { limits: KINESIS_LIMITS, defaults: KINESIS_DEFAULTS },
  firehose: { limits: FIREHOSE_LIMITS, defaults: FIREHOSE_DEFAULTS },
  dynamodb: { limits: DYNAMODB_LIMITS, defaults: DYNAMODB_DEFAULTS },
  file: { limits: FILE_LIMITS, defaults: FILE_DEFAULTS },
};

test('the service quotas (PutRecords, PutRecordBatch, BatchWriteItem)', () => {
  assert.equal(KINESIS_LIMITS, { maxBatchSize: 500, maxBatchBytes: 5 * MiB, maxRecordBytes: MiB });
  assert.equal(FIREHOSE_LIMITS, { maxBatchSize: 500, maxBatchBytes: 4 * MiB, maxRecordBytes: 1000 * 1024 });
  assert.equal(DYNAMODB_LIMITS, { maxBatchSize: 25, maxBatchBytes: 16 * MiB, maxRecordBytes: 400 * 1024 });
});

test('the validator and the runtime agree on every destination type and its limits', () => {
  assert.equal(Object.keys(DESTINATION_LIMITS).sort(), Object.keys(runtime).sort());
  for (const [type, { limits }] of Object.entries(runtime)) {
    const { maxBatchSize, maxBatchBytes, maxRecordBytes } = DESTINATION_LIMITS[type as keyof typeof DESTINATION_LIMITS];
    assert.equal({ maxBatchSize, maxBatchBytes, maxRecordBytes }, limits, type);
  }
});

test('the defaults are Flink\'s: the hard limits, 10000 buffered, 5 s in the buffer, 50 in flight', () => {
  for (const [type, { limits, defaults }] of Object.entries(runtime)) {
    assert.equal(defaults, { ...limits, maxBufferedRequests: 10_000, maxTimeInBufferMs: 5_000, maxInFlightRequests: 50 }, type);
  }
});

test.run();
