/**
 * The validator checks buffering hints against each destination's hard limits before anything
 * runs; the engine enforces the destinations' own limits at run time. Both must state the same
 * numbers, or a spec that validates would be refused by `sink run` (or the other way round).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DESTINATION_LIMITS } from '../../src/compiler/rules/buffering.js';
import { DYNAMODB_DEFAULTS, DYNAMODB_LIMITS } from '../../src/runtime/destinations/dynamodb.js';
import { FILE_DEFAULTS, FILE_LIMITS } from '../../src/runtime/destinations/file.js';
import { FIREHOSE_DEFAULTS, FIREHOSE_LIMITS } from '../../src/runtime/destinations/firehose.js';
import { KINESIS_DEFAULTS, KINESIS_LIMITS } from '../../src/runtime/destinations/kinesis.js';
import { CLOUDWATCH_LOGS_DEFAULTS } from '../../src/runtime/destinations/cloudwatch-logs.js';
import { CLOUDWATCH_METRICS_DEFAULTS } from '../../src/runtime/destinations/cloudwatch-metrics.js';
import { REDIS_STREAM_DEFAULTS } from '../../src/runtime/destinations/redis-stream.js';
import { CLOUDWATCH_LOGS_LIMITS, CLOUDWATCH_METRICS_LIMITS, REDIS_STREAM_LIMITS } from '../../src/contract/limits.js';

const MiB = 1024 * 1024;
const runtime = {
  kinesis: { limits: KINESIS_LIMITS, defaults: KINESIS_DEFAULTS },
  firehose: { limits: FIREHOSE_LIMITS, defaults: FIREHOSE_DEFAULTS },
  dynamodb: { limits: DYNAMODB_LIMITS, defaults: DYNAMODB_DEFAULTS },
  file: { limits: FILE_LIMITS, defaults: FILE_DEFAULTS },
};
/** Destinations Flink has no sink for: defaults of their own, within the limits. */
const others = {
  'cloudwatch-logs': { limits: CLOUDWATCH_LOGS_LIMITS, defaults: CLOUDWATCH_LOGS_DEFAULTS },
  'cloudwatch-metrics': { limits: CLOUDWATCH_METRICS_LIMITS, defaults: CLOUDWATCH_METRICS_DEFAULTS },
  'redis-stream': { limits: REDIS_STREAM_LIMITS, defaults: REDIS_STREAM_DEFAULTS },
};

test('the service quotas (PutRecords, PutRecordBatch, BatchWriteItem)', () => {
  assert.equal(KINESIS_LIMITS, { maxBatchSize: 500, maxBatchBytes: 5 * MiB, maxRecordBytes: MiB });
  assert.equal(FIREHOSE_LIMITS, { maxBatchSize: 500, maxBatchBytes: 4 * MiB, maxRecordBytes: 1000 * 1024 });
  assert.equal(DYNAMODB_LIMITS, { maxBatchSize: 25, maxBatchBytes: 16 * MiB, maxRecordBytes: 400 * 1024 });
});

test('PutLogEvents and PutMetricData quotas', () => {
  assert.equal(CLOUDWATCH_LOGS_LIMITS, { maxBatchSize: 10_000, maxBatchBytes: 1_048_576, maxRecordBytes: 256 * 1024 });
  assert.equal(CLOUDWATCH_METRICS_LIMITS, { maxBatchSize: 1_000, maxBatchBytes: 1_000_000, maxRecordBytes: 1_000_000 });
});

test('the defaults of the other destinations stay within their limits and keep the validator rules', () => {
  for (const [type, { limits, defaults }] of Object.entries(others)) {
    assert.ok(defaults.maxBatchSize <= limits.maxBatchSize && defaults.maxBatchBytes <= limits.maxBatchBytes && defaults.maxRecordBytes <= limits.maxRecordBytes, type);
    assert.ok(defaults.maxBufferedRequests > defaults.maxBatchSize && defaults.maxBatchBytes >= defaults.maxRecordBytes, type);
  }
});

test('the validator and the runtime agree on every destination type and its limits', () => {
  assert.equal(Object.keys(DESTINATION_LIMITS).sort(), [...Object.keys(runtime), ...Object.keys(others)].sort());
  for (const [type, { limits }] of Object.entries({ ...runtime, ...others })) {
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
