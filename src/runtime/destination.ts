/**
 * The contract between the async-sink engine and a destination. A destination is a thin shim:
 * how to send one batch request, which entries of the response failed, and what each failure
 * means. The engine core knows no service: every error is classified by the destination into one
 * of four categories, and the engine acts on the category alone.
 *
 * - `throttled`: the destination is pushing back (e.g. Kinesis ProvisionedThroughputExceeded, HTTP
 *   429): retried, and the only signal that shrinks the congestion-control budget.
 * - `retryable`: a transient failure that is not congestion (an internal error, a reset connection):
 *   retried after the entry's own backoff, the budget is left alone.
 * - `fatal`: retrying cannot fix it (access denied, missing stream, bad credentials): the sink
 *   stops with one sentence naming the fix; unacknowledged entries stay in the snapshot.
 * - `rejected`: this entry will never be accepted (e.g. a DynamoDB item without its key): the
 *   entry is dead-lettered at once, without retries and without slowing or stopping the sink.
 */
import type { BufferingHints } from '../contract/buffering.js';
import type { DestinationLimits } from '../contract/limits.js';

export type { DestinationLimits };

export type FailureKind = 'retryable' | 'throttled' | 'fatal' | 'rejected';

/** What a failure means, as the destination that saw it classified it. */
export interface FailureClass {
  readonly kind: FailureKind;
  /** Service error name, Node error code, or another short identifier (messages, dead letters). */
  readonly code: string;
  readonly message: string;
  /** For `fatal`: what the user must do, as a clause ("grant ... kinesis:PutRecords on its ARN"). */
  readonly fix?: string;
  /**
   * The endpoint could not be reached at all (DNS failure, connection refused): the engine stops
   * the sink after a few such failures in a row instead of retrying for ever.
   */
  readonly unreachable?: boolean;
}

/** One entry of a batch that the destination did not accept. */
export interface EntryFailure {
  /** Index of the entry in the batch passed to `submit`. */
  readonly index: number;
  /** Service error code, e.g. `ProvisionedThroughputExceededException`, `InternalFailure`. */
  readonly code: string;
  readonly message: string;
  /** The category (see the module comment). Absent = `retryable`. */
  readonly kind?: FailureKind;
  /** For `fatal`: the fix, as in FailureClass. */
  readonly fix?: string;
  /** @deprecated Use `kind: 'rejected'`. */
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
   * Sends one batch request. Resolves with the per-entry failures (each classified); rejects when
   * the whole request failed (`classifyError` says what that means). Must honour `signal` (the
   * engine's per-request timeout, and aborts when the sink stops).
   */
  submit(batch: readonly E[], signal: AbortSignal): Promise<BatchOutcome>;
  /**
   * Classifies an error `submit` rejected with. Absent: the engine's generic classification
   * (Node network codes and HTTP status codes only; see engine/errors.ts).
   */
  classifyError?(error: unknown): FailureClass;
  /**
   * Per-partition pacing (Kinesis: the shard an entry lands on). When a request's throttles all
   * fall in one partition while other partitions in it were accepted, only that partition is
   * paced (a rate of its own, AIMD) and the common budget is left alone. Undefined = unknown
   * (the partition map is not loaded yet): such entries are never paced.
   */
  partitionOf?(entry: E): string | undefined;
  /** The most records/s one partition takes (Kinesis: 1,000 per shard): where pacing starts from and stops. */
  readonly partitionRecordsPerSecond?: number;
  /** User records this entry carries (a KPL aggregate carries many). Absent: 1. */
  recordCount?(entry: E): number;
  /**
   * The entry as a dead-letter line shows it: the producer's text where the entry carries it.
   * Absent: the JSON of encodeEntry.
   */
  describeEntry?(entry: E): string;
  /** JSON form of an entry for snapshots and checkpoints, and back. */
  encodeEntry(entry: E): unknown;
  decodeEntry(json: unknown): E;
  close(): Promise<void>;
}

/**
 * Converts one input event into a destination entry; throws ConversionError for unusable input.
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

/** The category of a per-entry failure (`rejected: true` of older destinations included). */
export function failureKind(f: EntryFailure): FailureKind {
  return f.kind ?? (f.rejected ? 'rejected' : 'retryable');
}
