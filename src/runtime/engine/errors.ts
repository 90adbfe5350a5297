/**
 * The engine's errors, and its generic classification of whole-request failures for destinations
 * that do not classify their own (Destination.classifyError). The core knows no service: only Node
 * network error codes and HTTP status codes. Service error codes (AWS and others) are classified by
 * each destination (see destinations/aws-errors.ts).
 */
import type { FailureClass } from '../destination.js';

/** Stops the sink: a failure that retrying cannot fix. */
export class FatalSinkError extends Error {
  readonly destination: string;
  readonly code: string;
  readonly fix: string;

  constructor(destination: string, code: string, detail: string, fix?: string) {
    const cause = detail && detail !== code ? ` (${detail.replace(/\.\s*$/, '')})` : '';
    const remedy = fix ?? DEFAULT_FIX;
    super(`${destination} failed with ${code}${cause}, which retrying cannot fix: ${remedy}.`);
    this.name = 'FatalSinkError';
    this.destination = destination;
    this.code = code;
    this.fix = remedy;
  }
}

/** Invalid buffering hints, rate limiting or retry policy. */
export class SinkConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SinkConfigError';
  }
}

const DEFAULT_FIX = 'check the destination and the sink config, then run the sink again';

/** Transient network failures: retried. */
const TRANSIENT = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_HTTP2_STREAM_ERROR',
  'RequestTimeout',
  'TimeoutError',
  'AbortError',
  'SocketHangUp',
]);

/** The endpoint cannot be reached at all: retried a few times, then fatal (see AsyncSinkWriterOptions.maxUnreachable). */
const UNREACHABLE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'check that the endpoint points at a running service (the endpoint URL, its port, or the region)',
  ENOTFOUND: 'check the endpoint host name (or the region): DNS does not know it',
  EAI_AGAIN: 'check the endpoint host name and the DNS resolver: the name could not be resolved',
  EHOSTUNREACH: 'check the network route to the endpoint',
  ENETUNREACH: 'check the network route to the endpoint',
  ENETDOWN: 'check the network connection',
};

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number } | undefined;
  cause?: unknown;
}

/** Node error code of an error or of the error it wraps (SDKs and fetch wrap socket errors). */
export function networkCode(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 4) return undefined;
  const e = err as ErrorLike;
  if (typeof e.code === 'string' && (TRANSIENT.has(e.code) || e.code in UNREACHABLE)) return e.code;
  if (typeof e.name === 'string' && TRANSIENT.has(e.name)) return e.name;
  if (typeof e.message === 'string' && /socket hang up/i.test(e.message)) return 'SocketHangUp';
  return e.cause && e.cause !== err ? networkCode(e.cause, depth + 1) : undefined;
}

/** Classification of a network failure, or undefined when `err` is not one. */
export function classifyNetworkError(err: unknown): FailureClass | undefined {
  const code = networkCode(err);
  if (!code) return undefined;
  const message = messageOf(err);
  const fix = UNREACHABLE[code];
  if (fix) return { kind: 'retryable', code, message, fix, unreachable: true };
  return { kind: 'retryable', code, message };
}

/**
 * Generic classification of a whole-request failure: network codes, then the HTTP status when the
 * error carries one (429 and 503 throttled; 408 and other 5xx retryable; other 4xx fatal).
 * Anything else is fatal: a bug in a destination must not loop for ever.
 */
export function classifyError(err: unknown): FailureClass {
  const net = classifyNetworkError(err);
  if (net) return net;
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorLike;
  const code = typeof e.name === 'string' && e.name !== 'Error' ? e.name : typeof e.code === 'string' ? e.code : 'Error';
  const message = messageOf(err);
  const status = e.$metadata?.httpStatusCode ?? httpStatusOf(err);
  if (status === 429 || status === 503) return { kind: 'throttled', code, message };
  if (status !== undefined && (status >= 500 || status === 408)) return { kind: 'retryable', code, message };
  return { kind: 'fatal', code, message };
}

function httpStatusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

function messageOf(err: unknown): string {
  const m = (err as { message?: unknown } | null)?.message;
  return typeof m === 'string' ? m : String(err);
}
