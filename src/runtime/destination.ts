/**
 * The contract between the async-sink engine and a destination. A destination is a thin shim:
 * how to send one batch request, and which entries of the response failed and why. Everything
 * else (buffering, batching, retries, backoff, rate limiting, checkpoints, metrics) is the engine's.
 */
import type { BufferingHints } from '../contract/buffering.js';
import type { DestinationLimits } from '../contract/limits.js';

export type { DestinationLimits };

/** One entry of a batch that the destination did not accept. */
export interface EntryFailure {
  /** Index of the entry in the batch passed to `submit`. */
  readonly index: number;
  /** Service error code, e.g. `ProvisionedThroughputExceededException`, `InternalFailure`. */
  readonly code: string;
  readonly message: string;
  /**
   * The destination will never accept this entry (e.g. a DynamoDB item without the table's key
   * attribute): the engine dead-letters it at once, whatever the code, without retrying, without
   * stopping the sink and without slowing the rate limiter.
   */
  readonly rejected?: boolean;
}

export interface BatchOutcome {
  /** Entries that failed; empty when the whole batch was accepted. */
  readonly failures: readonly EntryFailure[];
}

export interface Destination<E> {
  /** Human-readable name used in messages, e.g. `Kinesis stream mystore-dev-web-sale`. */
  readonly description: string;
  readonly limits: DestinationLimits;
  /** Buffering hints used where the config omits one (Flink's defaults for this destination). */
  readonly defaults: BufferingHints;
  /** Bytes this entry counts for against the request and record limits (what the service counts). */
  sizeOf(entry: E): number;
  /**
   * Sends one batch request. Resolves with the per-entry failures; rejects when the whole request
   * failed (the engine classifies the error: retryable versus fatal). Must honour `signal` (the
   * engine's per-request timeout).
   */
  submit(batch: readonly E[], signal: AbortSignal): Promise<BatchOutcome>;
  /** JSON form of an entry for snapshots and checkpoints, and back. */
  encodeEntry(entry: E): unknown;
  decodeEntry(json: unknown): E;
  close(): Promise<void>;
}

/** Converts one input event into a destination entry; throws ConversionError for unusable input. */
/**
 * `raw` is the event's JSON text as read (an NDJSON line), when there is one: converters that send
 * JSON send those bytes as given instead of serialising the parsed event again.
 */
export type ElementConverter<E> = (event: unknown, raw?: string) => E;

/** Input that cannot become an entry (missing partition key, wrong type...): goes to the dead-letter file. */
export class ConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConversionError';
  }
}
