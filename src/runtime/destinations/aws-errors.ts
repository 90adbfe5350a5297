/**
 * How the AWS destinations (Kinesis, Firehose, DynamoDB) classify service errors into the engine's
 * categories (throttled, retryable, fatal), with the fix for each fatal one. The engine core holds
 * none of these names: it sees only the categories (src/runtime/destination.ts).
 */
import type { EntryFailure, FailureClass } from '../destination.js';
import { classifyError as classifyGeneric, classifyNetworkError } from '../engine/errors.js';

/** Service codes that mean "slow down": the only ones that shrink the congestion-control budget. */
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

/** Transient service failures: retried, the budget is left alone. */
const RETRYABLE = new Set([
  'InternalFailure',
  'InternalServerError',
  'InternalServerErrorException',
  'InternalError',
  'ServiceException',
  'RequestTimeout',
  'RequestTimeoutException',
  'PriorRequestNotComplete',
  'IDPCommunicationError',
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
]);

const FIXES: ReadonlyArray<[RegExp, string]> = [
  [/^ResourceNotFound/, 'check that the stream, delivery stream or table exists in this account and region (deploy the platform first, or fix the name and region in the sink config)'],
  [/^ResourceInUse/, 'wait until the resource is ACTIVE (it is being created, updated or deleted) and run the sink again'],
  [/^KMS|^InvalidKMS/, 'check that the KMS key of the destination is enabled and that the identity running the sink may use it (kms:GenerateDataKey, kms:Decrypt)'],
  [/^AccessDenied/, 'grant the identity running the sink permission to write to the destination (for example kinesis:PutRecords, firehose:PutRecordBatch or dynamodb:BatchWriteItem on its ARN)'],
  [/^(UnrecognizedClient|InvalidSignature|SignatureDoesNotMatch|IncompleteSignature|InvalidClientTokenId|MissingAuthenticationToken|ExpiredToken|CredentialsProviderError)/, 'configure valid AWS credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, refreshed if they expired)'],
  [/^(InvalidArgument|InvalidParameter|Validation|Serialization|ConditionalCheckFailed|ItemCollectionSizeLimit)/, 'check the records and the sink config (partition key, record format, key schema) against the destination'],
  [/^ECONNREFUSED$/, 'check that the endpoint (--endpoint, AWS_ENDPOINT_URL_* or the region) points at a running service'],
  [/^(ENOTFOUND|EAI_AGAIN)$/, 'check the endpoint host name (--endpoint, AWS_ENDPOINT_URL_*) and the region'],
];

/** Firehose reports per-record KMS errors as `KMS.AccessDeniedException` etc. */
function normalize(code: string): string {
  return code.startsWith('KMS.') ? `KMS${code.slice(4)}` : code;
}

function isKmsCode(code: string): boolean {
  return (code.startsWith('KMS') || code.startsWith('InvalidKMS')) && !THROTTLING.has(code);
}

export function awsFix(code: string): string | undefined {
  for (const [pattern, fix] of FIXES) if (pattern.test(code)) return fix;
  return undefined;
}

/** A per-record error code of a PutRecords/PutRecordBatch answer, as an entry failure. Unknown codes are retried. */
export function awsEntryFailure(index: number, code: string, message: string): EntryFailure {
  const c = normalize(code);
  if (THROTTLING.has(c)) return { index, code, message, kind: 'throttled' };
  if (FATAL.has(c) || isKmsCode(c)) return { index, code, message, kind: 'fatal', fix: awsFix(c) };
  return { index, code, message, kind: 'retryable' };
}

interface AwsErrorLike {
  name?: unknown;
  message?: unknown;
  $fault?: unknown;
  $retryable?: { throttling?: boolean } | undefined;
  $metadata?: { httpStatusCode?: number } | undefined;
}

/**
 * Classifies an error an AWS SDK v3 call rejected with. Order: known fatal names, throttling,
 * retryable names, network failures (by code, through wrapped causes), the SDK's own hints
 * (`$retryable`, HTTP status, `$fault`), then the generic classification.
 */
export function classifyAwsError(err: unknown): FailureClass {
  const e = (typeof err === 'object' && err !== null ? err : {}) as AwsErrorLike;
  const name = typeof e.name === 'string' ? normalize(e.name) : 'Error';
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (FATAL.has(name) || isKmsCode(name)) return { kind: 'fatal', code: name, message, fix: awsFix(name) };
  if (THROTTLING.has(name)) return { kind: 'throttled', code: name, message };
  if (RETRYABLE.has(name)) return { kind: 'retryable', code: name, message };
  const net = classifyNetworkError(err);
  if (net) return { ...net, fix: awsFix(net.code) ?? net.fix };
  if (e.$retryable) return { kind: e.$retryable.throttling ? 'throttled' : 'retryable', code: name, message };
  const status = e.$metadata?.httpStatusCode;
  if (status === 429 || status === 503) return { kind: 'throttled', code: name, message };
  if (status !== undefined && (status >= 500 || status === 408)) return { kind: 'retryable', code: name, message };
  if (e.$fault === 'server') return { kind: 'retryable', code: name, message };
  const generic = classifyGeneric(err);
  return generic.kind === 'fatal' ? { ...generic, fix: awsFix(generic.code) } : generic;
}
