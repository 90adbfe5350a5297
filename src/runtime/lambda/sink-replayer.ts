/**
 * The replayer-into-sink Lambda: on every EventBridge schedule tick it generates the window of the
 * retail table that just ended (the same generator and window rule as the batch replayer, so a retry
 * regenerates the same records) and sends each row as one JSON event through the runtime's sink job
 * with the sink's compiled config (the very `sinks/<sink>.json`, embedded as SINK_CONFIG). The job
 * closes the sink before returning and stops reading STOP_MARGIN_MS before the Lambda's timeout;
 * dead letters go to `s3://DEAD_LETTER_BUCKET/DEAD_LETTER_PREFIX<window>.ndjson`. The run's figures
 * are printed as one CloudWatch Embedded Metric Format line.
 *
 * An invocation whose records were not all delivered or dead-lettered (fatal destination error,
 * deadline) throws: Lambda retries it, and the window is sent again (at least once).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { formatTimestamp, generateWindow, tableColumns } from '../../datasets/retail.js';
import { windowEndingAt, type ScheduledEvent } from '../replayer/handler.js';
import { runSinkJob, type SinkJobResult } from '../sink-job.js';
import { emfLine } from './emf.js';
import { embeddedSinkConfig, type Env, integer, required, type SinkLambdaEnv, sinkLambdaEnv } from './env.js';
import { S3DeadLetterStore } from './s3-dead-letters.js';

/** What the Lambda runtime passes as context (only the remaining time is used). */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

export interface SinkReplayerConfig extends SinkLambdaEnv {
  readonly table: string;
  readonly seed: number;
  readonly recordsPerWindow: number;
  readonly frequencySeconds: number;
}

const WHO = 'sink replayer';

/** Reads the configuration the SinkReplayer construct sets; one clear sentence per problem. */
export function sinkReplayerConfigFromEnv(env: Env): SinkReplayerConfig {
  const table = required(env, 'TABLE', WHO);
  tableColumns(table);
  const common = sinkLambdaEnv(env, WHO);
  return {
    ...common,
    table,
    seed: integer(env, 'SEED', Number.MIN_SAFE_INTEGER, WHO),
    recordsPerWindow: integer(env, 'RECORDS_PER_WINDOW', 0, WHO),
    frequencySeconds: integer(env, 'FREQUENCY_SECONDS', 1, WHO),
  };
}

export interface SinkReplayerOptions {
  readonly env?: Env;
  /** Defaults to a client for the Lambda's own region, created on first use. */
  readonly s3?: S3Client;
  /** Destination endpoint override (tests); otherwise AWS_ENDPOINT_URL_* or the service's. */
  readonly endpoint?: string;
  readonly log?: (line: string) => void;
  readonly now?: () => number;
}

export interface SinkReplayResult {
  readonly sink: string;
  readonly table: string;
  readonly start: string;
  readonly end: string;
  readonly outcome: SinkJobResult['outcome'];
  readonly records: SinkJobResult['records'];
  readonly deadLetters: string | null;
}

export function createSinkReplayerHandler(options: SinkReplayerOptions = {}): (event: ScheduledEvent, context?: LambdaContext) => Promise<SinkReplayResult> {
  let s3 = options.s3;
  const log = options.log ?? ((line: string) => console.log(line));
  const now = options.now ?? Date.now;
  return async (event, context) => {
    const c = sinkReplayerConfigFromEnv(options.env ?? process.env);
    const config = embeddedSinkConfig(c.sinkConfig, WHO);
    const window = windowEndingAt(event?.time ? new Date(event.time) : new Date(now()), c.frequencySeconds);
    const rows = generateWindow(c.table, { seed: c.seed, start: window.start, end: window.end, recordsPerWindow: c.recordsPerWindow });
    s3 ??= new S3Client({});
    const start = formatTimestamp(window.start.getTime());
    const end = formatTimestamp(window.end.getTime());
    const deadLetters = new S3DeadLetterStore({
      s3,
      bucket: c.deadLetterBucket,
      key: `${c.deadLetterPrefix}${start.replace(/:/g, '')}-${end.replace(/:/g, '')}.ndjson`,
      kmsKeyArn: c.kmsKeyArn,
    });
    const remaining = context?.getRemainingTimeInMillis();
    const result = await runSinkJob({
      config,
      input: { lines: rows.map((r) => JSON.stringify(r)) },
      deadLetters,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(remaining !== undefined ? { deadline: now() + remaining - c.stopMarginMs } : {}),
    });
    log(emfLine(result, now()));
    const summary: SinkReplayResult = {
      sink: result.sink,
      table: c.table,
      start,
      end,
      outcome: result.outcome,
      records: result.records,
      deadLetters: result.records.deadLettered ? deadLetters.location : null,
    };
    if (result.outcome === 'fatal' || result.outcome === 'interrupted' || result.records.unacknowledged > 0) {
      throw new Error(
        `sink replayer: window ${start}..${end} of ${c.table} not fully sent through sink '${result.sink}' (${result.outcome}${result.fatal ? `: ${result.fatal.message}` : ''}); the retry sends it again`,
      );
    }
    return summary;
  };
}

/** The Lambda entry point (`index.handler` in the bundle). */
export const handler = createSinkReplayerHandler();
