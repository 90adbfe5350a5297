/**
 * The public runtime API: `import { createSink, AsyncSinkWriter, createKinesisDestination } from 'ara-gen/runtime'`.
 * The engine (AsyncSinkWriter, rate limiting, clocks), the destinations and their converters, and
 * the pieces `ara-gen sink run` is made of (configs, sinks, NDJSON source, dead letters, checkpoints).
 */
export * from './engine/index.js';
export * from './destinations/index.js';
export { ConversionError, failureKind, type FailureClass, type FailureKind, type BatchOutcome, type Destination, type DestinationLimits, type ElementConverter, type EntryFailure } from './destination.js';
export { createFileDestination, fileConverter, FileDestinationError, FILE_DEFAULTS, FILE_LIMITS, type FileDestinationOptions, type FileEntry } from './destinations/file.js';
export {
  loadSinkConfig,
  parseSinkConfig,
  SinkConfigFileError,
  SINK_CONFIG_VERSION,
  type ConfigFinding,
  type SinkConfig,
  type SinkConfigDestination,
} from './sink-config-file.js';
export { createSink, Sink, type DeadLetterReason, type SinkInput, type SinkOptions, type SinkRunStats, type SinkSnapshot } from './sink.js';
export { DeadLetterWriter, MemoryDeadLetters, type DeadLetter, type DeadLetterSink, type DeadLetterStore, type DeadLetterWriterOptions } from './dead-letter.js';
export { readNdjson, readNdjsonChunks, LineSplitter, type NdjsonLine, type NdjsonSourceOptions } from './ndjson-source.js';
export {
  CheckpointError,
  CheckpointStore,
  checkResumable,
  configFingerprint,
  fingerprintInput,
  CHECKPOINT_VERSION,
  type CheckpointState,
  type CheckpointTotals,
  type CheckpointSaveStats,
  type InputFingerprint,
} from './checkpoint.js';
export { InputTracker, AckedRanges, type InputPosition } from './input-tracker.js';
export {
  startSinkJob,
  runSinkJob,
  checkSinkJobPaths,
  defaultDeadLetterPath,
  safeFileName,
  SinkJobUsageError,
  type SinkJob,
  type SinkJobInput,
  type SinkJobOptions,
  type SinkJobOutcome,
  type SinkJobPaths,
  type SinkJobProgress,
  type SinkJobResult,
  type SinkJobTotals,
} from './sink-job.js';
export type { BufferingHints, RateLimitingModel, RetryPolicy } from '../contract/index.js';
