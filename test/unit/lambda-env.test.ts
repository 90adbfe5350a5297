// What the Lambda handlers read from their environment: the embedded sink config (shape-checked,
// one sentence naming what is missing) and the dead-letter settings.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compileSinkConfigs } from '../../src/compiler/sink-config.js';
import { embeddedSinkConfig, sinkLambdaEnv } from '../../src/runtime/lambda/env.js';
import { flagshipSpec, loadModel } from '../helpers/models.js';

const test = suite('lambda env');

test('a compiled sink config is taken as it is', async () => {
  const config = JSON.parse(JSON.stringify(compileSinkConfigs(await loadModel(flagshipSpec))['web-sale-revenue']!));
  assert.equal(embeddedSinkConfig(config, 'stream sink'), config);
});

test('anything else is refused with one sentence naming what is missing', () => {
  assert.throws(() => embeddedSinkConfig({ version: 2, sink: 's', destination: {}, bufferingHints: {}, rateLimiting: {}, retry: {} }, 'stream sink'), (e: Error) => e.message === 'stream sink: SINK_CONFIG is not an ara-gen sink config (no version 1, destination.type); synthesize the platform again');
  assert.throws(() => embeddedSinkConfig([], 'sink replayer'), /^sink replayer: SINK_CONFIG is not an ara-gen sink config \(no version 1, sink, destination\.type, bufferingHints, rateLimiting, retry\)/);
});

test('dead-letter settings: prefix ends with a slash, margin defaults to 10 s, problems in one sentence', () => {
  const env = { SINK_CONFIG: '{"sink":"s"}', DEAD_LETTER_BUCKET: 'raw', DEAD_LETTER_PREFIX: '_dead-letters/s' };
  assert.equal(sinkLambdaEnv(env, 'stream sink'), { sinkConfig: { sink: 's' }, deadLetterBucket: 'raw', deadLetterPrefix: '_dead-letters/s/', stopMarginMs: 10_000 });
  assert.throws(() => sinkLambdaEnv({ ...env, SINK_CONFIG: '{' }, 'stream sink'), /^stream sink: SINK_CONFIG is not JSON/);
  assert.throws(() => sinkLambdaEnv({ ...env, DEAD_LETTER_BUCKET: '' }, 'stream sink'), /^stream sink: environment variable DEAD_LETTER_BUCKET is not set$/);
  assert.throws(() => sinkLambdaEnv({ ...env, STOP_MARGIN_MS: '-5' }, 'stream sink'), /STOP_MARGIN_MS must be an integer >= 0, got '-5'/);
});

test.run();
