/**
 * The stream-fed sink Lambda (`sinks.<name>.source: { stream }`): Lambda's event source mapping
 * invokes it with a batch of Kinesis records; it opens KPL aggregates (Lambda does not), sends every
 * user record as one event through the runtime's sink job with the sink's compiled config (the very
 * `sinks/<sink>.json`, embedded as SINK_CONFIG), and answers with the records to retry.
 *
 * - Delivered: nothing to report.
 * - Rejected for good (invalid JSON, oversize, refused by the destination, a broken aggregate):
 *   written to `s3://DEAD_LETTER_BUCKET/DEAD_LETTER_PREFIX<shard>/<first>-<last>.ndjson` and
 *   counted as done, so one bad record never blocks its shard.
 * - Not delivered for a retryable reason (attempts exhausted, the deadline, a fatal destination
 *   error such as access denied): its Kinesis record's sequence number goes into
 *   `batchItemFailures` (ReportBatchItemFailures); Lambda checkpoints before the lowest one and
 *   sends the rest again (at least once). An aggregate fails when any of its user records does.
 *
 * A dead-letter upload that fails throws: Lambda retries the whole batch, nothing is lost.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { DeadLetter, DeadLetterStore } from '../dead-letter.js';
import { runSinkJob, type SinkJobResult } from '../sink-job.js';
import { deaggregate, KplFormatError } from '../sources/kpl-deaggregate.js';
import { emfLine } from './emf.js';
import { embeddedSinkConfig, type Env, sinkLambdaEnv } from './env.js';
import { S3DeadLetterStore } from './s3-dead-letters.js';
import type { LambdaContext } from './sink-replayer.js';

/** One record of a Lambda Kinesis event, as Lambda sends it. */
export interface KinesisEventRecord {
  readonly kinesis: {
    /** Base64 of the record's bytes (a KPL aggregate stays aggregated). */
    readonly data: string;
    readonly partitionKey: string;
    readonly sequenceNumber: string;
    readonly explicitHashKey?: string;
    readonly approximateArrivalTimestamp?: number;
  };
  /** `<shardId>:<sequenceNumber>`. */
  readonly eventID?: string;
  readonly eventSourceARN?: string;
}

export interface KinesisStreamEvent {
  readonly Records: readonly KinesisEventRecord[];
}

/** ReportBatchItemFailures' answer. */
export interface StreamSinkResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

export interface StreamSinkOptions {
  readonly env?: Env;
  /** Defaults to a client for the Lambda's own region, created on first use. */
  readonly s3?: S3Client;
  /** Destination endpoint override (tests); otherwise AWS_ENDPOINT_URL_* or the service's. */
  readonly endpoint?: string;
  readonly log?: (line: string) => void;
  readonly now?: () => number;
  /** Called with each batch's job result (tests, benchmarks). */
  readonly onResult?: (result: SinkJobResult) => void;
}

const WHO = 'stream sink';

/** The engine's text for an entry whose attempts ran out (engine/async-sink-writer.ts): retryable. */
const EXHAUSTED = /^not delivered after \d+ attempts?;/;

/** Dead letters of retryable causes are held back (Lambda retries them); the rest go to S3. */
class ClassifyingStore implements DeadLetterStore {
  /** Whether the letter written last was a retryable one (its records settle right after it). */
  lastRetryable = false;
  constructor(private readonly s3: S3DeadLetterStore) {}
  get location(): string {
    return this.s3.location;
  }
  get letters(): number {
    return this.s3.letters;
  }
  write(letter: DeadLetter): void {
    this.lastRetryable = EXHAUSTED.test(letter.reason);
    if (!this.lastRetryable) this.s3.write(letter);
  }
  close(): Promise<void> {
    return this.s3.close();
  }
}

const fileSafe = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_');

export function createStreamSinkHandler(options: StreamSinkOptions = {}): (event: KinesisStreamEvent, context?: LambdaContext) => Promise<StreamSinkResponse> {
  let s3 = options.s3;
  const log = options.log ?? ((line: string) => console.log(line));
  const now = options.now ?? Date.now;
  return async (event, context) => {
    const c = sinkLambdaEnv(options.env ?? process.env, WHO);
    const config = embeddedSinkConfig(c.sinkConfig, WHO);
    const records = event?.Records ?? [];
    if (records.length === 0) return { batchItemFailures: [] };
    s3 ??= new S3Client({});
    const first = records[0]!;
    const last = records[records.length - 1]!;
    const shard = first.eventID?.split(':')[0] ?? 'shard';
    const deadLetterStore = new S3DeadLetterStore({
      s3,
      bucket: c.deadLetterBucket,
      key: `${c.deadLetterPrefix}${fileSafe(shard)}/${first.kinesis.sequenceNumber}-${last.kinesis.sequenceNumber}.ndjson`,
      ...(c.kmsKeyArn ? { kmsKeyArn: c.kmsKeyArn } : {}),
    });
    const store = new ClassifyingStore(deadLetterStore);

    // One line per user record; recordOf[line - 1] = index of its Kinesis record.
    const lines: Buffer[] = [];
    const recordOf: number[] = [];
    records.forEach((r, i) => {
      const raw = Buffer.from(r.kinesis.data, 'base64');
      try {
        for (const u of deaggregate(raw, r.kinesis.partitionKey, r.kinesis.explicitHashKey).records) {
          lines.push(u.data);
          recordOf.push(i);
        }
      } catch (e) {
        if (!(e instanceof KplFormatError)) throw e;
        // Poison: it will never open. Kept whole (base64) beside the other dead letters.
        store.write({ reason: e.message, input: r.kinesis.data, sink: config.sink, at: null });
      }
    });

    /** 0 = unsettled, 1 = done (delivered or dead-lettered for good), 2 = to retry. */
    const state = new Uint8Array(lines.length);
    const remaining = context?.getRemainingTimeInMillis();
    const budget = remaining !== undefined ? remaining - c.stopMarginMs : undefined;
    const result = await runSinkJob({
      config,
      input: { lines },
      deadLetters: store,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      // Reading is immediate (the lines are in memory): most of the time is for the drain.
      ...(budget !== undefined ? { deadline: now() + budget, drainTimeoutMs: Math.max(0, Math.min(25_000, Math.floor(budget / 2))) } : {}),
      onRecordsSettled: (settled, outcome) => {
        const mark = outcome === 'dead-lettered' && store.lastRetryable ? 2 : 1;
        for (const l of settled) state[l - 1] = mark;
      },
    });
    options.onResult?.(result);
    log(emfLine(result, now()));

    const failed = new Set<number>();
    state.forEach((s, l) => {
      if (s !== 1) failed.add(recordOf[l]!);
    });
    return { batchItemFailures: [...failed].sort((a, b) => a - b).map((i) => ({ itemIdentifier: records[i]!.kinesis.sequenceNumber })) };
  };
}

/** The Lambda entry point (`index.handler` in the bundle). */
export const handler = createStreamSinkHandler();
