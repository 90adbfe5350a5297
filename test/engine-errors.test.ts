import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Backoff, backoffCeiling, seededRandom } from '../src/runtime/engine/backoff.js';
import { classifyEntryCode, classifyError } from '../src/runtime/engine/errors.js';
import { Histogram } from '../src/runtime/engine/metrics.js';
import { RequestBuffer } from '../src/runtime/engine/request-buffer.js';
import { awsError } from './helpers/memory-destination.js';

const test = suite('engine errors');

const cls = (err: unknown) => {
  const c = classifyError(err);
  return `${c.kind}${c.throttled ? '+throttled' : ''} ${c.code}`;
};

test('AWS SDK errors: throttling, internal failures and 5xx are retryable', () => {
  assert.is(cls(awsError('ProvisionedThroughputExceededException', 400)), 'retryable+throttled ProvisionedThroughputExceededException');
  assert.is(cls(awsError('ThrottlingException', 400)), 'retryable+throttled ThrottlingException');
  assert.is(cls(awsError('LimitExceededException', 400)), 'retryable+throttled LimitExceededException');
  assert.is(cls(awsError('ServiceUnavailableException', 503)), 'retryable+throttled ServiceUnavailableException');
  assert.is(cls(awsError('InternalFailure', 500)), 'retryable InternalFailure');
  assert.is(cls(awsError('SomethingNew', 502)), 'retryable SomethingNew');
  assert.is(cls(awsError('SomethingNew', 429)), 'retryable+throttled SomethingNew');
  assert.is(cls(awsError('Odd', 400, { $retryable: { throttling: true } })), 'retryable+throttled Odd');
});

test('AWS SDK errors: missing resources, access, arguments, KMS and credentials are fatal', () => {
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
  }
  assert.is(cls(awsError('KMSThrottlingException', 400)), 'retryable+throttled KMSThrottlingException');
  assert.is(cls(awsError('UnknownClientThing', 400)), 'fatal UnknownClientThing', 'an unknown 4xx will not heal');
});

test('network errors: resets, timeouts, hang-ups and aborts are retryable; unknown non-AWS errors are fatal', () => {
  const node = (code: string, message = code) => Object.assign(new Error(message), { code });
  assert.is(cls(node('ECONNRESET')), 'retryable ECONNRESET');
  assert.is(cls(node('EPIPE')), 'retryable EPIPE');
  assert.is(cls(node('ETIMEDOUT')), 'retryable ETIMEDOUT');
  assert.is(cls(node('ECONNREFUSED')), 'retryable ECONNREFUSED');
  assert.is(cls(new Error('socket hang up')), 'retryable SocketHangUp');
  assert.is(cls(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' })), 'retryable AbortError');
  assert.is(cls(Object.assign(new Error('x'), { name: 'TimeoutError' })), 'retryable TimeoutError');
  assert.is(cls(new Error('fetch failed', { cause: node('ECONNRESET') })), 'retryable ECONNRESET', 'classified by cause');
  assert.is(cls(node('ENOTFOUND')), 'fatal ENOTFOUND');
  assert.is(cls(new TypeError('x is not a function')), 'fatal TypeError');
  assert.is(cls('a string'), 'fatal Error');
  assert.is(classifyError(node('EPIPE', 'write EPIPE')).message, 'write EPIPE');
});

test('per-entry codes', () => {
  assert.equal(classifyEntryCode('ProvisionedThroughputExceededException'), { kind: 'retryable', throttled: true });
  assert.equal(classifyEntryCode('InternalFailure'), { kind: 'retryable', throttled: false });
  assert.equal(classifyEntryCode('ServiceUnavailableException'), { kind: 'retryable', throttled: true });
  assert.equal(classifyEntryCode('KMS.AccessDeniedException'), { kind: 'fatal', throttled: false });
  assert.equal(classifyEntryCode('KMSNotFoundException'), { kind: 'fatal', throttled: false });
  assert.equal(classifyEntryCode('AccessDeniedException'), { kind: 'fatal', throttled: false });
  assert.equal(classifyEntryCode('NeverSeenBefore'), { kind: 'retryable', throttled: false }, 'unknown codes are retried');
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
