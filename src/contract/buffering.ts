/**
 * Flink-style buffering hints: how the async-sink engine batches and buffers entries. The compiler
 * resolves them from the spec, the sink config carries them, the engine obeys them.
 */

/** Buffering hints resolved to numbers (destination defaults filled in). */
export interface BufferingHints {
  readonly maxBatchSize: number;
  readonly maxBatchBytes: number;
  readonly maxRecordBytes: number;
  readonly maxBufferedRequests: number;
  readonly maxTimeInBufferMs: number;
  readonly maxInFlightRequests: number;
}

/** Every hint name, in the order messages and documents list them. */
export const HINT_NAMES: readonly (keyof BufferingHints)[] = [
  'maxBatchSize',
  'maxBatchBytes',
  'maxRecordBytes',
  'maxBufferedRequests',
  'maxTimeInBufferMs',
  'maxInFlightRequests',
];

export type HintName = keyof BufferingHints;

/** Hints measured in bytes (the spec writes them with units: `5MiB`). */
export const SIZE_HINTS: readonly HintName[] = ['maxBatchBytes', 'maxRecordBytes'];

/** The hints a destination's hard request limits bound, and the unit of each limit. */
const LIMIT_UNITS = { maxBatchSize: 'entries per request', maxBatchBytes: 'per request', maxRecordBytes: 'per record' } as const;

/** A buffering hint that breaks Flink's rules or the destination's hard limit. */
export type HintProblem =
  | { readonly rule: 'positive-integer'; readonly hint: HintName; readonly value: unknown }
  | { readonly rule: 'buffer-holds-batch'; readonly hint: 'maxBufferedRequests'; readonly buffered: number; readonly batch: number }
  | { readonly rule: 'batch-fits-record'; readonly hint: 'maxBatchBytes'; readonly batchBytes: number; readonly recordBytes: number }
  | { readonly rule: 'hard-limit'; readonly hint: keyof typeof LIMIT_UNITS; readonly value: number; readonly limit: number };

/**
 * The rules every set of buffering hints must follow, in one place for the engine (which refuses a
 * config) and the validator (which reports the spec line): each hint a positive integer; the buffer
 * holds more than one batch (maxBufferedRequests > maxBatchSize); a batch fits the largest record
 * (maxBatchBytes >= maxRecordBytes); no hint above the destination's hard limit. Hints absent from
 * `hints` are not checked.
 */
export function hintProblems(hints: Readonly<Partial<Record<HintName, unknown>>>, limits: { readonly maxBatchSize: number; readonly maxBatchBytes: number; readonly maxRecordBytes: number }): HintProblem[] {
  const out: HintProblem[] = [];
  const ok: Partial<Record<HintName, number>> = {};
  for (const hint of HINT_NAMES) {
    const value = hints[hint];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) out.push({ rule: 'positive-integer', hint, value });
    else ok[hint] = value;
  }
  const { maxBufferedRequests: buffered, maxBatchSize: batch, maxBatchBytes: batchBytes, maxRecordBytes: recordBytes } = ok;
  if (buffered !== undefined && batch !== undefined && buffered <= batch) out.push({ rule: 'buffer-holds-batch', hint: 'maxBufferedRequests', buffered, batch });
  if (batchBytes !== undefined && recordBytes !== undefined && batchBytes < recordBytes) out.push({ rule: 'batch-fits-record', hint: 'maxBatchBytes', batchBytes, recordBytes });
  for (const hint of Object.keys(LIMIT_UNITS) as (keyof typeof LIMIT_UNITS)[]) {
    const value = ok[hint];
    if (value !== undefined && value > limits[hint]) out.push({ rule: 'hard-limit', hint, value, limit: limits[hint] });
  }
  return out;
}

export interface HintWording {
  /** The destination, for limit messages: `Kinesis PutRecords`, `Kinesis stream mystore-dev-web-sale`. */
  readonly destination: string;
  /** A value as a message shows it (`5 MiB`, `5242880 bytes`). */
  readonly show: (hint: HintName, value: number) => string;
  /** A value as the reader would write it (`5MiB` in a spec, `5242880` in a config). */
  readonly literal: (hint: HintName, value: number) => string;
}

/** What is wrong and how to fix it, in the same words wherever a hint is checked. */
export function describeHintProblem(p: HintProblem, w: HintWording): { readonly message: string; readonly fix: string } {
  switch (p.rule) {
    case 'positive-integer':
      return { message: `${p.hint} is ${JSON.stringify(p.value)}: every buffering hint must be a positive integer`, fix: `set ${p.hint} to a whole number of at least 1` };
    case 'buffer-holds-batch':
      return {
        message: `maxBufferedRequests (${p.buffered}) must be greater than maxBatchSize (${p.batch}): the buffer must hold more than one batch`,
        fix: `raise maxBufferedRequests above ${p.batch} or lower maxBatchSize`,
      };
    case 'batch-fits-record':
      return {
        message: `maxBatchBytes (${w.show('maxBatchBytes', p.batchBytes)}) must be at least maxRecordBytes (${w.show('maxRecordBytes', p.recordBytes)}): a batch must fit the largest record`,
        fix: `raise maxBatchBytes to at least ${w.literal('maxBatchBytes', p.recordBytes)} or lower maxRecordBytes`,
      };
    case 'hard-limit':
      return {
        message: `${p.hint} ${w.show(p.hint, p.value)} exceeds the limit of ${w.destination} (${w.show(p.hint, p.limit)} ${LIMIT_UNITS[p.hint]})`,
        fix: `set ${p.hint} to ${w.literal(p.hint, p.limit)} or less`,
      };
  }
}
