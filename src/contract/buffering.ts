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
