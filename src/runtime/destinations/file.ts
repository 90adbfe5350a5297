/**
 * The `file` destination: appends each batch as NDJSON lines to a local file and acknowledges at
 * once. For dry runs and debugging, and the in-process destination of the `sink run` benchmark.
 * Writes are synchronous, one write(2) per batch on an O_APPEND descriptor, so concurrent batches
 * never interleave inside a line and a batch is in the page cache when it is acknowledged (it
 * survives a SIGKILL of the process; `close()` fsyncs for the rest).
 */
import { closeSync, fstatSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConversionError, type BatchOutcome, type Destination, type DestinationLimits, type ElementConverter } from '../destination.js';
import { FILE_DEFAULTS } from '../../contract/defaults.js';
import { FILE_LIMITS } from '../../contract/limits.js';

/** One NDJSON line, without its newline. */
export type FileEntry = string;

export { FILE_DEFAULTS, FILE_LIMITS };


export interface FileDestinationOptions {
  /** Relative paths are resolved against the working directory. `/dev/null` works (benchmarks). */
  readonly path: string;
}

/** Raised when the file cannot be opened or written: the sink stops (not worth retrying). */
export class FileDestinationError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'FileDestinationError';
  }
}

export function createFileDestination(options: FileDestinationOptions): Destination<FileEntry> {
  const path = resolve(options.path);
  const description = `file ${options.path}`;
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o640);
    if (fstatSync(fd).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'its directory does not exist' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    throw new FileDestinationError(`cannot open ${description} for appending: ${why}; fix the destination path in the sink config`, err.code ?? 'EIO');
  }
  let closed = false;
  return {
    description,
    limits: FILE_LIMITS,
    defaults: FILE_DEFAULTS,
    sizeOf: (entry) => Buffer.byteLength(entry) + 1,
    submit(batch: readonly FileEntry[]): Promise<BatchOutcome> {
      try {
        const text = batch.join('\n') + '\n';
        writeSync(fd, text);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        return Promise.reject(new FileDestinationError(`cannot write to ${description}: ${err.message}`, err.code ?? 'EIO'));
      }
      return Promise.resolve(noFailures);
    },
    describeEntry: (entry) => entry,
    encodeEntry: (entry) => entry,
    decodeEntry(json: unknown): FileEntry {
      if (typeof json !== 'string') throw new TypeError(`a ${description} entry must be a string; got ${typeof json}`);
      return json;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      try {
        fsyncSync(fd);
      } catch {
        /* character devices such as /dev/null cannot be fsynced */
      }
      closeSync(fd);
    },
  };
}

const noFailures: BatchOutcome = Object.freeze({ failures: Object.freeze([]) });

/** Events become one compact JSON line each (re-serialised: one event per line, always). */
export function fileConverter(): ElementConverter<FileEntry> {
  return (event: unknown, raw?: string) => {
    const line = raw ?? JSON.stringify(event);
    if (line === undefined) throw new ConversionError('the event has no JSON form');
    return line;
  };
}
