import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Backoff, backoffCeiling, seededRandom } from '../../src/runtime/engine/backoff.js';
import { classifyError } from '../../src/runtime/engine/errors.js';
import { awsEntryFailure, classifyAwsError } from '../../src/runtime/destinations/aws-errors.js';
import { Histogram } from '../../src/runtime/engine/metrics.js';
import { RequestBuffer } from '../../src/runtime/engine/request-buffer.js';
import { awsError } from '../helpers/memory-destination.js';

const cls = (err: unknown, classify = classifyAwsError) => {
  const c = classify(err);
  return `${c.kind}${c.unreachable ? '+unreachable' : ''} ${c.code}`;
};

test('AWS SDK errors: throttling (incl. HTTP 429/503) shrinks; internal failures and other 5xx are only retried', () => {
  assert.is(cls(awsError('ProvisionedThroughputExceededException', 400)), 'throttled ProvisionedThroughputExceededException');
  assert.is(cls(awsError('ThrottlingException', 400)), 'throttled ThrottlingException');
  assert.is(cls(awsError('LimitExceededException', 400)), 'throttled LimitExceededException');
  assert.is(cls(awsError('ServiceUnavailableException', 503)), 'throttled ServiceUnavailableException');
  assert.is(cls(awsError('SlowDown', 503)), 'throttled SlowDown');
  assert.is(cls(awsError('InternalFailure', 500)), 'retryable InternalFailure');
  assert.is(cls(awsError('SomethingNew', 502)), 'retryable SomethingNew');
  assert.is(cls(awsError('SomethingNew', 503)), 'throttled SomethingNew');
  assert.is(cls(awsError('SomethingNew', 429)), 'throttled SomethingNew');
  assert.is(cls(awsError('Odd', 400, { $retryable: { throttling: true } })), 'throttled Odd');
});

test('AWS SDK errors: missing resources, access, arguments, KMS and credentials are fatal, each with its fix', () => {
  for (const name of [
    'ResourceNotFoundException',
    'AccessDeniedException',
    'InvalidArgumentException',
    'ValidationException',
    'KMSAccessDeniedException',
    'KMSDisabledException',
    'KMSNotFoundException',
    'KMSInvalidStateException',
    'KMSOptInRequired',
    'UnrecognizedClientException',
    'InvalidSignatureException',
    'ExpiredTokenException',
    'CredentialsProviderError',
  ]) {
    assert.is(cls(awsError(name, 400)), `fatal ${name}`);
    assert.ok(classifyAwsError(awsError(name, 400)).fix, `${name} has a fix`);
  }
  assert.is(cls(awsError('KMSThrottlingException', 400)), 'throttled KMSThrottlingException');
  assert.is(cls(awsError('UnknownClientThing', 400)), 'fatal UnknownClientThing', 'an unknown 4xx will not heal');
});

test('network errors (generic, no service codes): resets, timeouts, hang-ups and aborts are retryable; DNS and refused are unreachable; unknown errors are fatal', () => {
  const node = (code: string, message = code) => Object.assign(new Error(message), { code });
  for (const classify of [classifyError, classifyAwsError]) {
    assert.is(cls(node('ECONNRESET'), classify), 'retryable ECONNRESET');
    assert.is(cls(node('EPIPE'), classify), 'retryable EPIPE');
    assert.is(cls(node('ETIMEDOUT'), classify), 'retryable ETIMEDOUT');
    assert.is(cls(node('ECONNREFUSED'), classify), 'retryable+unreachable ECONNREFUSED');
    assert.is(cls(node('ENOTFOUND'), classify), 'retryable+unreachable ENOTFOUND');
    assert.is(cls(node('EAI_AGAIN'), classify), 'retryable+unreachable EAI_AGAIN');
    assert.is(cls(new Error('socket hang up'), classify), 'retryable SocketHangUp');
    assert.is(cls(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }), classify), 'retryable AbortError');
    assert.is(cls(Object.assign(new Error('x'), { name: 'TimeoutError' }), classify), 'retryable TimeoutError');
    assert.is(cls(new Error('fetch failed', { cause: node('ECONNRESET') }), classify), 'retryable ECONNRESET', 'classified by cause');
    assert.is(cls(new TypeError('x is not a function'), classify), 'fatal TypeError');
  }
  assert.is(cls('a string', classifyError), 'fatal Error');
  assert.is(classifyError(node('EPIPE', 'write EPIPE')).message, 'write EPIPE');
  assert.match(classifyAwsError(node('ENOTFOUND')).fix!, /AWS_ENDPOINT_URL/);
  // Generic HTTP status codes, without any service name.
  assert.is(cls(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 429 } }), classifyError), 'throttled Error');
  assert.is(cls(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 500 } }), classifyError), 'retryable Error');
});

test('the engine core holds no service error codes: destinations classify their own errors', () => {
  const dir = join('src', 'runtime', 'engine');
  const aws = /ProvisionedThroughput|ThrottlingException|InternalFailure|AccessDenied|ResourceNotFound|KMS|ValidationException|\$retryable|\$fault/;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    assert.not.match(text, aws, `${file} names a service error`);
  }
});

test('per-entry AWS codes', () => {
  const kind = (code: string) => awsEntryFailure(0, code, code).kind;
  assert.is(kind('ProvisionedThroughputExceededException'), 'throttled');
  assert.is(kind('InternalFailure'), 'retryable');
  assert.is(kind('ServiceUnavailableException'), 'throttled');
  assert.is(kind('KMS.AccessDeniedException'), 'fatal');
  assert.is(kind('KMSNotFoundException'), 'fatal');
  assert.is(kind('AccessDeniedException'), 'fatal');
  assert.is(kind('NeverSeenBefore'), 'retryable', 'unknown codes are retried');
});

test('backoff: exponential ceiling, capped; full jitter below it; reset after success', () => {
  assert.equal([1, 2, 3, 4, 5, 6, 60].map((n) => backoffCeiling(n, 50, 1000)), [50, 100, 200, 400, 800, 1000, 1000]);
  const none = new Backoff({ initialMs: 50, maxMs: 300, jitter: 'none' });
  assert.equal([1, 2, 3, 4, 5].map(() => none.next()), [50, 100, 200, 300, 300]);
  none.reset();
  assert.is(none.next(), 50);
  const random = seededRandom(42);
  const full = new Backoff({ initialMs: 100, maxMs: 1000, random });
  for (let n = 1; n <= 8; n++) {
    const d = full.next();
    assert.ok(d >= 0 && d <= backoffCeiling(n, 100, 1000), `attempt ${n}: ${d}`);
  }
  const equal = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 'equal', random: () => 0 });
  assert.equal([1, 2, 3].map(() => equal.next()), [50, 100, 200]);
  const decorrelated = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 'decorrelated', random: () => 0.999 });
  const ds = [1, 2, 3, 4].map(() => decorrelated.next());
  assert.equal(ds, [300, 899, 1000, 1000]);
  // The same seed gives the same delays (reproducible tests).
  const a = new Backoff({ initialMs: 10, maxMs: 10000, random: seededRandom(7) });
  const b = new Backoff({ initialMs: 10, maxMs: 10000, random: seededRandom(7) });
  assert.equal([1, 2, 3, 4].map(() => a.next()), [1, 2, 3, 4].map(() => b.next()));
});

test('histogram: exact below 128, < 1.6% error above, bounded memory', () => {
  const h = new Histogram(1);
  for (let v = 1; v <= 100; v++) h.record(v);
  assert.is(h.quantile(0.5), 50);
  assert.is(h.quantile(0.95), 95);
  assert.is(h.mean, 50.5);
  const big = new Histogram(1000);
  for (let i = 0; i < 100_000; i++) big.record((i % 1000) + 0.5); // 0.5 .. 999.5 ms
  for (const [q, v] of [[0.5, 500], [0.99, 990]] as const) {
    const got = big.quantile(q);
    assert.ok(Math.abs(got - v) / v < 0.016, `q${q}: ${got} vs ${v}`);
  }
  assert.is(big.max, 999.5);
  assert.is(big.count, 100_000);
});

test('request buffer: FIFO with unshift at the head, bytes tracked, grows past its capacity', () => {
  const b = new RequestBuffer<string>(16);
  for (let i = 0; i < 40; i++) b.push(`e${i}`, i, 0, i);
  assert.is(b.length, 40);
  assert.is(b.bytes, (39 * 40) / 2);
  assert.is(b.shift(), 'e0');
  assert.is(b.shift(), 'e1');
  b.unshift('r1', 5, 1, 1);
  assert.is(b.headSeq(), 1);
  assert.is(b.headAttempts(), 1);
  assert.is(b.sizeAt(1), 2);
  assert.equal(b.toArray().slice(0, 3), ['r1', 'e2', 'e3']);
  while (b.length > 1) b.shift();
  assert.is(b.bytes, 39);
  assert.is(b.shift(), 'e39');
  assert.is(b.bytes, 0);
});

test.run();
