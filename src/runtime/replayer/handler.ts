/**
 * The BatchReplayer Lambda: on every EventBridge schedule tick, generate the window of the retail
 * table that just ended and write it as CSV (with a header) into the lake:
 *
 *   s3://<BUCKET>/<PREFIX>ingestion_start=<ts>/ingestion_end=<ts>/part-00000.csv   (src/datasets/replay-layout.ts)
 *
 * PREFIX names the table's folder (`customer/`); an empty PREFIX means `<TABLE>/`.
 *
 * The window is derived from the event's `time` (aligned down to FREQUENCY_SECONDS), never from the
 * clock at execution: a retried or replayed event regenerates the same window, so it rewrites the
 * same keys with the same bytes (idempotent). The window bounds `ingestion_start` / `ingestion_end`
 * are partition keys, in the path only: a column both in the files and in the path would make the
 * crawled table unreadable for Athena. A window larger than 100 MiB is split into parts, each with
 * a header.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { csvEncoder, formatTimestamp, generateWindow, tableColumns } from '../../datasets/retail.js';
import { withTrailingSlash, partKey } from '../../datasets/replay-layout.js';

export { withTrailingSlash, partKey, windowKeyPrefix } from '../../datasets/replay-layout.js';

/** ARA's BatchReplayer writes files of at most 100 MiB. */
export const MAX_PART_BYTES = 100 * 1024 * 1024;

export interface ReplayerConfig {
  readonly bucket: string;
  /** Key prefix inside the bucket: empty or ending with `/`. */
  readonly prefix: string;
  readonly table: string;
  readonly seed: number;
  readonly recordsPerWindow: number;
  readonly frequencySeconds: number;
  /** When set, objects are written with SSE-KMS under this key (bucket key on). */
  readonly kmsKeyArn?: string;
  readonly maxPartBytes: number;
}

export interface TimeWindow {
  /** Inclusive. */
  readonly start: Date;
  /** Exclusive. */
  readonly end: Date;
}

export interface CsvPart {
  readonly key: string;
  readonly body: Buffer;
  readonly rows: number;
}

export interface ReplayResult {
  readonly table: string;
  readonly start: string;
  readonly end: string;
  readonly objects: readonly { readonly key: string; readonly bytes: number; readonly rows: number }[];
}

/** The EventBridge scheduled event; only `time` matters. */
export interface ScheduledEvent {
  readonly time?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const v = env[name];
  if (v === undefined || v === '') throw new Error(`replayer: environment variable ${name} is not set`);
  return v;
}

function integer(env: Env, name: string, min: number, fallback?: number): number {
  const raw = env[name];
  if ((raw === undefined || raw === '') && fallback !== undefined) return fallback;
  const v = Number(required(env, name));
  if (!Number.isSafeInteger(v) || v < min) throw new Error(`replayer: environment variable ${name} must be an integer >= ${min}, got '${raw}'`);
  return v;
}

/** Reads the configuration the BatchReplayer construct sets; throws one clear sentence per problem. */
export function configFromEnv(env: Env): ReplayerConfig {
  const table = required(env, 'TABLE');
  tableColumns(table); // unknown table: fail at the first invocation with a did-you-mean
  return {
    bucket: required(env, 'BUCKET'),
    prefix: withTrailingSlash(env['PREFIX'] ?? ''),
    table,
    seed: integer(env, 'SEED', Number.MIN_SAFE_INTEGER),
    recordsPerWindow: integer(env, 'RECORDS_PER_WINDOW', 0),
    frequencySeconds: integer(env, 'FREQUENCY_SECONDS', 1),
    kmsKeyArn: env['KMS_KEY_ARN'] || undefined,
    maxPartBytes: integer(env, 'MAX_PART_BYTES', 1024, MAX_PART_BYTES),
  };
}

/** The `frequencySeconds`-aligned interval that ends at or just before `time`. */
export function windowEndingAt(time: Date, frequencySeconds: number): TimeWindow {
  const ms = time.getTime();
  if (!Number.isFinite(ms)) throw new Error('replayer: the event time is not a valid date');
  const step = frequencySeconds * 1000;
  const end = Math.floor(ms / step) * step;
  return { start: new Date(end - step), end: new Date(end) };
}

/** The window's CSV objects, split so that no part exceeds `maxPartBytes` (header included). */
export function renderWindow(config: ReplayerConfig, window: TimeWindow): CsvPart[] {
  const rows = generateWindow(config.table, {
    seed: config.seed,
    start: window.start,
    end: window.end,
    recordsPerWindow: config.recordsPerWindow,
  });
  const enc = csvEncoder(tableColumns(config.table));
  const headerBytes = Buffer.byteLength(enc.header);
  const parts: CsvPart[] = [];
  let lines: string[] = [enc.header];
  let bytes = headerBytes;
  const flush = (): void => {
    parts.push({ key: partKey(config.prefix, config.table, window, parts.length), body: Buffer.from(lines.join('')), rows: lines.length - 1 });
    lines = [enc.header];
    bytes = headerBytes;
  };
  for (const row of rows) {
    const line = enc.line(row);
    const size = Buffer.byteLength(line);
    if (headerBytes + size > config.maxPartBytes) throw new Error(`replayer: one ${config.table} record (${size} bytes) does not fit in a part of ${config.maxPartBytes} bytes`);
    if (bytes + size > config.maxPartBytes) flush();
    lines.push(line);
    bytes += size;
  }
  // An empty window still gets its (header-only) object: downstream jobs see the window was replayed.
  if (lines.length > 1 || parts.length === 0) flush();
  return parts;
}

export async function replayWindow(s3: S3Client, config: ReplayerConfig, window: TimeWindow): Promise<ReplayResult> {
  const parts = renderWindow(config, window);
  for (const part of parts) {
    await s3.send(
      new PutObjectCommand({
        Bucket: config.bucket,
        Key: part.key,
        Body: part.body,
        ContentType: 'text/csv; charset=utf-8',
        ...(config.kmsKeyArn ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: config.kmsKeyArn, BucketKeyEnabled: true } : {}),
      }),
    );
  }
  return {
    table: config.table,
    start: formatTimestamp(window.start.getTime()),
    end: formatTimestamp(window.end.getTime()),
    objects: parts.map((p) => ({ key: p.key, bytes: p.body.length, rows: p.rows })),
  };
}

export interface HandlerOptions {
  /** Defaults to a client for the Lambda's own region and credentials, created on first use. */
  readonly s3?: S3Client;
  readonly env?: Env;
  readonly log?: (line: string) => void;
}

export function createHandler(options: HandlerOptions = {}): (event: ScheduledEvent) => Promise<ReplayResult> {
  let s3 = options.s3;
  const log = options.log ?? ((line: string) => console.log(line));
  return async (event) => {
    const config = configFromEnv(options.env ?? process.env);
    // A manual test invocation without `time` replays the window that ended last.
    const time = event?.time ? new Date(event.time) : new Date();
    const window = windowEndingAt(time, config.frequencySeconds);
    s3 ??= new S3Client({});
    const result = await replayWindow(s3, config, window);
    const rows = result.objects.reduce((n, o) => n + o.rows, 0);
    log(JSON.stringify({ message: 'window replayed', table: result.table, start: result.start, end: result.end, rows, objects: result.objects.map((o) => o.key) }));
    return result;
  };
}

/** The Lambda entry point (`index.handler` in the bundle). */
export const handler = createHandler();
