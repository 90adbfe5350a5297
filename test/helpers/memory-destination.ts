/**
 * An in-memory destination for engine tests: records every request, and answers either at once
 * (optionally through a scripted responder) or when the test says so (manual mode). Sizes count the
 * data and the partition key, as Kinesis does.
 */
import type { BufferingHints } from '../../src/contract/buffering.js';
import type { BatchOutcome, Destination, DestinationLimits, EntryFailure, FailureClass, FailureKind } from '../../src/runtime/destination.js';
import { awsEntryFailure, classifyAwsError } from '../../src/runtime/destinations/aws-errors.js';

export type { FailureKind };

export interface MemEntry {
  readonly key: string;
  readonly data: string;
}

export const entry = (i: number, bytes = 10, key = `k${i}`): MemEntry => ({ key, data: `${i}:`.padEnd(Math.max(0, bytes - key.length), 'x') });

/** What a scripted responder returns for one request: an outcome, an error (rejects), or 'hang'. */
export type Response = BatchOutcome | Error | 'hang' | undefined;

export interface Call {
  readonly batch: readonly MemEntry[];
  readonly signal: AbortSignal;
  settled: boolean;
  /** Manual mode: answer this request. */
  resolve(failures?: readonly EntryFailure[]): void;
  reject(err: Error): void;
}

export interface MemoryDestinationOptions {
  defaults?: Partial<BufferingHints>;
  limits?: Partial<DestinationLimits>;
  /** Answer each request only when the test calls `call.resolve` / `call.reject`. */
  manual?: boolean;
  respond?: (batch: readonly MemEntry[], callIndex: number) => Response;
  description?: string;
}

export const MEMORY_DEFAULTS: BufferingHints = {
  maxBatchSize: 10,
  maxBatchBytes: 1000,
  maxRecordBytes: 100,
  maxBufferedRequests: 50,
  maxTimeInBufferMs: 1000,
  maxInFlightRequests: 2,
};

export class MemoryDestination {
  readonly description: string;
  readonly limits: DestinationLimits;
  readonly defaults: BufferingHints;
  readonly calls: Call[] = [];
  /** Accepted entries in the order their requests were acknowledged. */
  readonly delivered: MemEntry[] = [];
  closed = false;
  private readonly manual: boolean;
  private readonly respond: MemoryDestinationOptions['respond'];

  constructor(options: MemoryDestinationOptions = {}) {
    this.description = options.description ?? 'memory stream test-stream';
    this.defaults = { ...MEMORY_DEFAULTS, ...options.defaults };
    this.limits = { maxBatchSize: 500, maxBatchBytes: 5 * 1024 * 1024, maxRecordBytes: 1024 * 1024, ...options.limits };
    this.manual = options.manual ?? false;
    this.respond = options.respond;
  }

  sizeOf(e: MemEntry): number {
    return Buffer.byteLength(e.data) + Buffer.byteLength(e.key);
  }

  /** Batches as lists of keys (compact assertions). */
  get batches(): string[][] {
    return this.calls.map((c) => c.batch.map((e) => e.key));
  }

  /** Calls not answered yet. */
  get open(): Call[] {
    return this.calls.filter((c) => !c.settled);
  }

  submit(batch: readonly MemEntry[], signal: AbortSignal): Promise<BatchOutcome> {
    return new Promise<BatchOutcome>((resolveP, rejectP) => {
      const call: Call = {
        batch: [...batch],
        signal,
        settled: false,
        resolve: (given = []) => {
          if (call.settled) return;
          call.settled = true;
          // Like an AWS destination, this one classifies its own codes (tests may give `kind`).
          const failures = given.map((f) => (f.kind || f.rejected ? f : { ...awsEntryFailure(f.index, f.code, f.message), ...f }));
          const failed = new Set(failures.map((f) => f.index));
          batch.forEach((e, i) => failed.has(i) || this.delivered.push(e));
          resolveP({ failures });
        },
        reject: (err) => {
          if (call.settled) return;
          call.settled = true;
          rejectP(err);
        },
      };
      const index = this.calls.push(call) - 1;
      signal.addEventListener('abort', () => call.reject(Object.assign(new Error('aborted'), { name: 'AbortError' })), { once: true });
      if (this.manual) return;
      const r = this.respond?.(batch, index);
      if (r === 'hang') return;
      if (r instanceof Error) call.reject(r);
      else call.resolve(r?.failures ?? []);
    });
  }

  classifyError(err: unknown): FailureClass {
    return classifyAwsError(err);
  }

  encodeEntry(e: MemEntry): unknown {
    return { k: e.key, d: e.data };
  }

  decodeEntry(json: unknown): MemEntry {
    const j = json as { k: string; d: string };
    return { key: j.k, data: j.d };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Typed view for the writer (the class satisfies the contract). */
export function asDestination(d: MemoryDestination): Destination<MemEntry> {
  return d;
}

/** An AWS SDK v3-shaped error. */
export function awsError(name: string, status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} (simulated)`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    ...extra,
  });
}
