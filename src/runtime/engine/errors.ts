/**
 * Error classification: which failures the engine retries (with backoff) and which stop the sink.
 * Flink retries access-denied, invalid-argument and KMS errors forever and treats every client-side
 * SDK error as fatal; we do the opposite on both counts: configuration and permission errors stop
 * the sink at once with a message saying how to fix them, and network faults (connection resets,
 * timeouts) are retried.
 */

export type ErrorKind = 'retryable' | 'fatal';

export interface ErrorClass {
  readonly kind: ErrorKind;
  /** The destination is pushing back (the rate limiter should slow down). */
  readonly throttled: boolean;
  /** Service error name, Node error code or `RequestTimeout`. */
  readonly code: string;
  readonly message: string;
}

/** Stops the sink: a failure that retrying cannot fix. */
export class FatalSinkError extends Error {
  readonly destination: string;
  readonly code: string;

  constructor(destination: string, code: string, detail: string) {
    const cause = detail && detail !== code ? ` (${detail.replace(/\.\s*$/, '')})` : '';
    super(`${destination} failed with ${code}${cause}, which retrying cannot fix: ${fixFor(code)}.`);
    this.name = 'FatalSinkError';
    this.destination = destination;
    this.code = code;
  }
}

/** Invalid buffering hints, rate limiting or retry policy. */
export class SinkConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SinkConfigError';
  }
}

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'LimitExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'BandwidthLimitExceeded',
  // Throttling by KMS, not a key problem.
  'KMSThrottlingException',
  'TransactionConflictException',
]);

const RETRYABLE = new Set([
  'InternalFailure',
  'InternalServerError',
  'InternalServerErrorException',
  'InternalError',
  'ServiceException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
  'PriorRequestNotComplete',
  'IDPCommunicationError',
  'ECONNRESET',
  'ECONNABORTED',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_HTTP2_STREAM_ERROR',
  'SocketHangUp',
]);

const FATAL = new Set([
  'ResourceNotFoundException',
  'ResourceInUseException',
  'AccessDeniedException',
  'AccessDenied',
  'InvalidArgumentException',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'ValidationException',
  'SerializationException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidClientTokenId',
  'MissingAuthenticationToken',
  'ExpiredTokenException',
  'ExpiredToken',
  'CredentialsProviderError',
  'InvalidKMSResourceException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSNotFoundException',
  'KMSInvalidStateException',
  'KMSOptInRequired',
  'ConditionalCheckFailedException',
  'ItemCollectionSizeLimitExceededException',
  'ENOTFOUND',
]);

/** Firehose reports per-record KMS errors as `KMS.AccessDeniedException` etc. */
function normalize(code: string): string {
  return code.startsWith('KMS.') ? `KMS${code.slice(4)}` : code;
}

function isKmsCode(code: string): boolean {
  return code.startsWith('KMS') && !THROTTLING.has(code);
}

/** Classifies a per-entry error code from a batch response. Unknown codes are retried. */
export function classifyEntryCode(code: string): { kind: ErrorKind; throttled: boolean } {
  const c = normalize(code);
  if (THROTTLING.has(c)) return { kind: 'retryable', throttled: true };
  if (FATAL.has(c) || isKmsCode(c)) return { kind: 'fatal', throttled: false };
  return { kind: 'retryable', throttled: false };
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $retryable?: { throttling?: boolean } | undefined;
  $metadata?: { httpStatusCode?: number } | undefined;
  cause?: unknown;
}

/**
 * Classifies a whole-request failure (a rejected `submit`). Order: known fatal names, throttling,
 * retryable names and Node network codes, then the SDK's own hints (`$retryable`, HTTP status,
 * `$fault`). Unknown non-AWS errors are fatal: a bug in a destination must not loop forever.
 * ECONNREFUSED is retryable here; the writer turns it fatal after repeated refusals with no success.
 */
export function classifyError(err: unknown): ErrorClass {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const name = typeof e.name === 'string' ? normalize(e.name) : 'Error';
  const nodeCode = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : String(err);
  const status = e.$metadata?.httpStatusCode;

  const make = (kind: ErrorKind, code: string, throttled = false): ErrorClass => ({ kind, throttled, code, message });

  if (FATAL.has(name) || (name.startsWith('KMS') && isKmsCode(name))) return make('fatal', name);
  if (THROTTLING.has(name)) return make('retryable', name, true);
  if (RETRYABLE.has(name)) return make('retryable', name);
  if (nodeCode) {
    if (FATAL.has(nodeCode)) return make('fatal', nodeCode);
    if (RETRYABLE.has(nodeCode)) return make('retryable', nodeCode);
  }
  if (/socket hang up/i.test(message)) return make('retryable', 'SocketHangUp');
  if (e.$retryable) return make('retryable', name, !!e.$retryable.throttling);
  if (status === 429) return make('retryable', name, true);
  if (status !== undefined && (status >= 500 || status === 408)) return make('retryable', name);
  if (e.$fault === 'server') return make('retryable', name);
  // A network error wrapped by the SDK or by fetch: classify by its cause.
  if (e.cause && e.cause !== err) {
    const inner = classifyError(e.cause);
    if (inner.kind === 'retryable') return { ...inner, message };
  }
  return make('fatal', nodeCode ?? name);
}

const FIXES: ReadonlyArray<[RegExp, string]> = [
  [/^ResourceNotFound/, 'check that the stream, delivery stream or table exists in this account and region (deploy the platform first, or fix the name and region in the sink config)'],
  [/^ResourceInUse/, 'wait until the resource is ACTIVE (it is being created, updated or deleted) and run the sink again'],
  [/^KMS|^InvalidKMS/, 'check that the KMS key of the destination is enabled and that the identity running the sink may use it (kms:GenerateDataKey, kms:Decrypt)'],
  [/^AccessDenied/, 'grant the identity running the sink permission to write to the destination (for example kinesis:PutRecords, firehose:PutRecordBatch or dynamodb:BatchWriteItem on its ARN)'],
  [/^(UnrecognizedClient|InvalidSignature|SignatureDoesNotMatch|IncompleteSignature|InvalidClientTokenId|MissingAuthenticationToken|ExpiredToken|CredentialsProviderError)/, 'configure valid AWS credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, refreshed if they expired)'],
  [/^(InvalidArgument|InvalidParameter|Validation|Serialization|ConditionalCheckFailed|ItemCollectionSizeLimit)/, 'check the records and the sink config (partition key, record format, key schema) against the destination'],
  [/^ECONNREFUSED$/, 'check that the endpoint (AWS_ENDPOINT_URL_* or the region) points at a running service'],
  [/^ENOTFOUND$/, 'check the endpoint host name and the region'],
  [/^DeadLetterFailed$/, 'check that the dead-letter file can be written (path, permissions, free space)'],
  [/^RequestTimeout$/, 'raise retry.requestTimeoutMs or check the endpoint'],
];

function fixFor(code: string): string {
  for (const [pattern, fix] of FIXES) if (pattern.test(code)) return fix;
  return 'check the destination and the sink config, then run the sink again (unacknowledged records are kept in the checkpoint)';
}
