/**
 * The sink job: the at-least-once loop that `ara-gen sink run`, library users and the Lambda
 * handlers share. It reads NDJSON input (a file, a byte stream, or lines handed over in memory),
 * sends every record through a Sink, dead-letters what cannot be delivered into a pluggable store,
 * keeps exact checkpoints of a file input (resume after a crash), stops on request with a
 * deadline-bounded drain, and returns the run's figures. It never touches the process: no signal
 * handlers, no exit codes, no printing (the CLI adapts those).
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { SinkConfig } from '../contract/sink-config.js';
import {
  checkResumable,
  CheckpointError,
  type CheckpointState,
  CheckpointStore,
  type CheckpointTotals,
  configFingerprint,
  fingerprintInput,
  type InputFingerprint,
  makeDirectories,
} from './checkpoint.js';
import type { DeadLetterStore } from './dead-letter.js';
import type { Destination, ElementConverter } from './destination.js';
import type { Clock } from './engine/clock.js';
import { ACCEPTED } from './engine/async-sink-writer.js';
import { FatalSinkError } from './engine/errors.js';
import type { SinkStats } from './engine/metrics.js';
import { AckedRanges, InputTracker } from './input-tracker.js';
import { LineSplitter, readNdjsonChunks, type NdjsonLine } from './ndjson-source.js';
import { createSink, type DeadLetterReason, type Sink } from './sink.js';

/** Where the records come from. Only a file can be checkpointed (it can be read again). */
export type SinkJobInput =
  | { readonly path: string }
  | { readonly stream: AsyncIterable<Uint8Array | string> }
  /** One event per item (e.g. the records of a Lambda event), as NDJSON lines or their bytes. */
  | { readonly lines: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array> };

export interface SinkJobOptions {
  readonly config: SinkConfig;
  readonly input: SinkJobInput;
  /** Endpoint URL override (wins over AWS_ENDPOINT_URL_*). */
  readonly endpoint?: string;
  /** Where undeliverable records go; without one they are only counted. */
  readonly deadLetters?: DeadLetterStore;
  /** Exact checkpoints (file input only): resume from it, save progress to it. */
  readonly checkpoint?: CheckpointStore;
  /** Longest time between checkpoint saves while something changes (default 200 ms). */
  readonly checkpointIntervalMs?: number;
  /** Stop reading when this signal aborts, drain within drainTimeoutMs, checkpoint. */
  readonly signal?: AbortSignal;
  /** Upper bound of the drain after a stop (default 25 s: inside the 30 s grace of ECS and Kubernetes). */
  readonly drainTimeoutMs?: number;
  /**
   * Time (Date.now() milliseconds) by which the job must have returned, e.g. a Lambda's
   * `Date.now() + context.getRemainingTimeInMillis()` minus a margin. Reading stops
   * drainTimeoutMs before it, and the drain ends at it.
   */
  readonly deadline?: number;
  /**
   * Told which input records are done, by 1-based line (for `lines` input: the item's position),
   * as they settle: the Lambda handler of a stream-fed sink reports the others back to Lambda.
   */
  readonly onRecordsSettled?: (lines: readonly number[], outcome: 'delivered' | 'dead-lettered') => void;
  /** Tests and custom destinations. */
  readonly destination?: Destination<unknown>;
  readonly converter?: ElementConverter<unknown>;
  readonly clock?: Clock;
  readonly random?: () => number;
}

export type SinkJobOutcome = 'ok' | 'dead-letters' | 'fatal' | 'interrupted';

export interface SinkJobTotals {
  /** Input records handled (all runs of a checkpoint): delivered + deadLettered + unacknowledged. */
  readonly read: number;
  readonly delivered: number;
  readonly deadLettered: number;
  /** Read but neither delivered nor dead-lettered (kept by the checkpoint, or lost without one). */
  readonly unacknowledged: number;
}

export interface SinkJobProgress extends SinkJobTotals {
  readonly elapsedMs: number;
  /** Records delivered by this run per second, over the run so far. */
  readonly deliveredPerSecond: number;
  readonly draining: boolean;
}

export interface SinkJobResult {
  readonly sink: string;
  readonly destination: string;
  /** Absolute input path, `-` for a stream, `lines` for in-memory lines. */
  readonly input: string;
  readonly outcome: SinkJobOutcome;
  /** Set when outcome is 'fatal'. */
  readonly fatal?: FatalSinkError;
  readonly records: SinkJobTotals;
  readonly deadLetters: Readonly<Record<DeadLetterReason, number>> & { readonly location: string | null };
  /** Whether the input was read to its end and every record is done. */
  readonly complete: boolean;
  /** After a stop: whether the drain finished before its deadline. */
  readonly drained: boolean;
  /** Input bytes consumed by this run. */
  readonly bytesRead: number;
  /** This run's engine figures (entries; KPL aggregates with kpl). */
  readonly engine: SinkStats;
  readonly durationMs: number;
  /** Records of this run delivered per second. */
  readonly recordsPerSecond: number;
  readonly resumed: { readonly fromOffset: number; readonly fromLine: number; readonly skippedRanges: number } | null;
  readonly checkpoint: { readonly dir: string; readonly saves: number; readonly totalMs: number; readonly maxMs: number; readonly lastBytes: number } | null;
}

/** A request the job cannot run: one sentence and a hint (the CLI exits 2 before reading). */
export class SinkJobUsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'SinkJobUsageError';
  }
}

/** A running job: its result, live progress, and how to stop it. */
export interface SinkJob {
  readonly done: Promise<SinkJobResult>;
  progress(): SinkJobProgress;
  /** Stop reading, drain within drainTimeoutMs, checkpoint (as `signal` does). */
  stop(): void;
  /** Give up draining now: unacknowledged records stay in the checkpoint. */
  abort(): void;
}

/** A name made safe for a default file name: letters, digits, `.`, `_`, `-`; no leading dot. */
export function safeFileName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return s.slice(0, 200) || 'sink';
}

/** `./<sink>.dead-letter.ndjson`, with the sink name made safe (never outside the working directory). */
export function defaultDeadLetterPath(sink: string, cwd = process.cwd()): string {
  return resolve(cwd, `${safeFileName(sink)}.dead-letter.ndjson`);
}

export interface SinkJobPaths {
  /** The input file (absent for stdin or in-memory lines). */
  readonly input?: string;
  readonly deadLetter?: string;
  readonly checkpointDir?: string;
  readonly stats?: string;
  /** A `file` destination's path. */
  readonly destinationFile?: string;
}

const PATH_NAMES: Record<keyof SinkJobPaths, string> = {
  input: 'the input',
  deadLetter: 'the dead-letter file',
  checkpointDir: 'the checkpoint',
  stats: 'the statistics file',
  destinationFile: 'the file destination',
};

/**
 * Checks, before anything is read or sent, that no output path resolves to the input or to
 * another output, and that every output can be written. Throws SinkJobUsageError.
 */
export function checkSinkJobPaths(paths: SinkJobPaths): void {
  const resolved = Object.entries(paths)
    .filter(([, p]) => p !== undefined)
    .map(([k, p]) => ({ key: k as keyof SinkJobPaths, path: realish(p as string) }));
  const checkpointFile = paths.checkpointDir ? realish(resolve(paths.checkpointDir, 'checkpoint.json')) : undefined;
  for (let i = 0; i < resolved.length; i++) {
    for (let j = i + 1; j < resolved.length; j++) {
      const a = resolved[i]!;
      const b = resolved[j]!;
      const clash = a.path === b.path || (checkpointFile !== undefined && ((a.key === 'checkpointDir' && b.path === checkpointFile) || (b.key === 'checkpointDir' && a.path === checkpointFile)));
      if (clash) {
        throw new SinkJobUsageError(`${PATH_NAMES[b.key]} and ${PATH_NAMES[a.key]} are the same file (${b.path})`, 'give each output its own path, different from the input');
      }
    }
  }
  for (const { key, path } of resolved) {
    if (key === 'input') continue;
    const problem = key === 'checkpointDir' ? dirProblem(path) : fileProblem(path);
    if (problem) throw new SinkJobUsageError(`${PATH_NAMES[key]} ${path} cannot be written: ${problem}`, 'pass a writable path');
  }
}

/** The real path when the file (or its directory) exists, so links and `..` compare equal. */
function realish(p: string): string {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    try {
      return resolve(realpathSync(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'its directory does not exist';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'permission denied';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    default:
      return (e as Error).message;
  }
}

function fileProblem(path: string): string | undefined {
  try {
    const st = statSync(path);
    if (st.isDirectory()) return 'it is a directory';
    if (!st.isFile() && !st.isCharacterDevice() && !st.isFIFO()) return 'it is not a regular file';
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return errnoText(e);
  }
  try {
    if (!statSync(dirname(path)).isDirectory()) return 'its parent is not a directory';
    accessSync(dirname(path), constants.W_OK);
    if (Buffer.byteLength(basename(path)) > 255) return 'the file name is too long';
    return undefined;
  } catch (e) {
    return errnoText(e);
  }
}

function dirProblem(path: string): string | undefined {
  try {
    const st = statSync(path);
    if (!st.isDirectory()) return 'it exists and is not a directory';
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return errnoText(e);
  }
  // Created now (it would be on the first save): a path where no directory can be made fails here.
  try {
    makeDirectories(path);
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (e) {
    return errnoText(e);
  }
}

/** Lines of an in-memory input, parsed and checked like NDJSON lines of a file. */
async function* linesOf(items: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>): AsyncGenerator<NdjsonLine[]> {
  let at = 0;
  const splitter = new LineSplitter(0, 0, 16 * 1024 * 1024);
  for await (const item of items as AsyncIterable<string | Uint8Array>) {
    at++;
    const buf = typeof item === 'string' ? Buffer.from(item.replace(/\r?\n$/, ''), 'utf8') : Buffer.from(item.buffer, item.byteOffset, item.byteLength);
    // One item is one record, whatever line breaks it holds: the splitter sees it as one line.
    const out = splitter.push(Buffer.concat([buf.includes(0x0a) ? Buffer.from(buf.toString('utf8').replace(/\r?\n/g, ' ')) : buf, Buffer.from('\n')]));
    for (const l of out) yield [{ ...l, line: at }];
  }
}

const NO_TOTALS: CheckpointTotals = { read: 0, delivered: 0, deadLettered: 0, deadLetterBytes: 0 };

/** Starts a sink job; see SinkJobOptions. Throws CheckpointError / SinkJobUsageError before reading. */
export function startSinkJob(options: SinkJobOptions): SinkJob {
  const { config } = options;
  const input = options.input;
  const filePath = 'path' in input ? resolve(input.path) : undefined;
  const store = options.checkpoint;
  if (store && !filePath) throw new SinkJobUsageError('a checkpoint needs a file input: a stream cannot be read again after a restart', 'save the input to a file and pass it with --input');
  const drainTimeoutMs = options.drainTimeoutMs ?? 25_000;
  const deadLetters = options.deadLetters;
  const deadLetterFile = deadLetters?.bytes !== undefined ? resolve(deadLetters.location) : null;

  // ---- resume -----------------------------------------------------------------------------------
  const configSha256 = configFingerprint(config);
  let fingerprint: InputFingerprint | undefined;
  let resumeFrom: CheckpointState | undefined;
  if (store && filePath) {
    fingerprint = fingerprintInput(filePath);
    resumeFrom = store.load();
    if (resumeFrom) checkResumable(resumeFrom, store.dir, config.sink, configSha256, fingerprint, deadLetterFile);
  }
  const base = resumeFrom?.totals ?? NO_TOTALS;
  const startOffset = resumeFrom?.inputOffset ?? 0;
  const startLine = resumeFrom?.lineNumber ?? 0;
  const skip = new AckedRanges(resumeFrom?.acked ?? []);
  const tracker = new InputTracker(startOffset, startLine);

  let delivered = 0;
  let deadLettered = 0;
  let readThisRun = 0;
  const report = options.onRecordsSettled;
  /** Tag → input line, kept only while a caller wants to hear about settled lines. */
  const lineOfTag = report ? new Map<number, number>() : undefined;
  const onSettled = (tags: readonly number[], outcome: 'delivered' | 'dead-lettered'): void => {
    const lines: number[] = [];
    for (const t of tags) {
      if (t < 0 || !tracker.finish(t)) continue;
      if (outcome === 'delivered') delivered++;
      else deadLettered++;
      if (lineOfTag) {
        lines.push(lineOfTag.get(t)!);
        lineOfTag.delete(t);
      }
    }
    if (report && lines.length) report(lines, outcome);
  };
  const sink: Sink = createSink(config, {
    endpoint: options.endpoint,
    deadLetter: deadLetters,
    destination: options.destination,
    converter: options.converter,
    clock: options.clock,
    random: options.random,
    onSettled,
  });

  const started = performance.now();
  let stopping = false;
  /** The drain did not finish in time (or abort() was called): the sink was stopped. */
  let expired = false;
  let drainTimer: NodeJS.Timeout | undefined;
  let lastPosition = startOffset;

  const totals = (): SinkJobTotals => ({
    read: base.read + readThisRun,
    delivered: base.delivered + delivered,
    deadLettered: base.deadLettered + deadLettered,
    unacknowledged: readThisRun - delivered - deadLettered,
  });
  const capture = (complete: boolean): CheckpointState => {
    const p = tracker.position();
    return {
      version: 2,
      complete,
      sink: config.sink,
      configSha256,
      input: fingerprint!,
      inputOffset: complete ? fingerprint!.size : p.inputOffset,
      lineNumber: p.lineNumber,
      acked: complete ? [] : p.acked,
      deadLetterFile,
      // Only done lines are counted: exactly those the position covers.
      totals: { read: base.read + delivered + deadLettered, delivered: base.delivered + delivered, deadLettered: base.deadLettered + deadLettered, deadLetterBytes: deadLetters?.bytes ?? 0 },
    };
  };

  let checkpointError: CheckpointError | undefined;
  let lastSaved = '';
  const saveKey = (): string => `${delivered}:${deadLettered}:${readThisRun}`;
  const timer = store
    ? setInterval(() => {
        if (saveKey() === lastSaved) return;
        const key = saveKey();
        if (store.saveInBackground(capture(false), (e) => (checkpointError ??= e))) lastSaved = key;
      }, options.checkpointIntervalMs ?? 200)
    : undefined;
  timer?.unref();

  const expire = (): void => {
    if (expired) return;
    expired = true;
    // Pending writes and the close reject at once; what is unacknowledged stays unacknowledged.
    sink.abort(`stopped: the drain did not finish within ${drainTimeoutMs} ms`);
  };
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // The drain is bounded from the stop on, even if reading is blocked on a full buffer.
    const limit = options.deadline !== undefined ? Math.min(drainTimeoutMs, options.deadline - Date.now()) : drainTimeoutMs;
    drainTimer = setTimeout(expire, Math.max(0, limit));
  };
  const stopListeners: (() => void)[] = [];
  if (options.signal) {
    if (options.signal.aborted) stop();
    const onAbort = (): void => stop();
    options.signal.addEventListener('abort', onAbort, { once: true });
    stopListeners.push(() => options.signal!.removeEventListener('abort', onAbort));
  }
  let deadlineTimer: NodeJS.Timeout | undefined;
  if (options.deadline !== undefined) {
    deadlineTimer = setTimeout(stop, Math.max(0, options.deadline - Date.now() - drainTimeoutMs));
    deadlineTimer.unref();
  }

  const source: AsyncIterable<Iterable<NdjsonLine>> = filePath
    ? readNdjsonChunks({ path: filePath, startOffset, startLine })
    : 'stream' in input
      ? readNdjsonChunks({ stream: input.stream })
      : linesOf((input as { lines: Iterable<string | Uint8Array> }).lines);

  const done = (async (): Promise<SinkJobResult> => {
    let fatal: FatalSinkError | undefined;
    let reachedEnd = false;
    const onFatal = (e: unknown): void => {
      if (!(e instanceof FatalSinkError)) throw e;
      // The stop of an expired drain is not the destination's failure.
      if (!expired) fatal ??= e;
    };
    try {
      try {
        outer: for await (const lines of source) {
          for (const line of lines) {
            if (stopping) break outer;
            lastPosition = line.end;
            if (skip.covers(line.offset)) {
              tracker.finish(tracker.begin(line.offset, line.end, line.line));
              continue;
            }
            const tag = tracker.begin(line.offset, line.end, line.line);
            lineOfTag?.set(tag, line.line);
            readThisRun++;
            if (line.error !== undefined) sink.rejectInput(line.error, line.text, line.line, tag, line.rawBase64);
            else {
              // Most writes go straight into the buffer: no await (a microtask) per record then.
              const written = sink.writeEvent(line.value, line.text, line.line, tag);
              if (written !== ACCEPTED) await written;
            }
            if (checkpointError) throw checkpointError;
          }
        }
        if (!stopping) reachedEnd = true;
      } catch (e) {
        // A stream ended by the caller's stop (stdin destroyed on SIGTERM) is a stop, not a failure.
        if (!(stopping && (e as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE')) onFatal(e);
      }
      // Drain: everything read is delivered or dead-lettered (bounded after a stop).
      await sink.close().catch(onFatal);
    } catch (e) {
      // Not the destination's failure (a checkpoint that cannot be written, a bug): stop sending
      // at once so that nothing keeps the process alive, then report it.
      expire();
      await sink.close().catch(() => undefined);
      await deadLetters?.close();
      throw e;
    } finally {
      if (timer) clearInterval(timer);
      if (drainTimer) clearTimeout(drainTimer);
      if (deadlineTimer) clearTimeout(deadlineTimer);
      for (const off of stopListeners) off();
    }
    const drained = !expired;
    const aborted = expired;
    const complete = reachedEnd && !fatal && !aborted && tracker.pending === 0;
    if (store) {
      await store.idle();
      store.save(capture(complete));
    }
    await deadLetters?.close();
    if (checkpointError) throw checkpointError;

    const t = totals();
    const durationMs = Math.round(performance.now() - started);
    const stats = sink.stats();
    const outcome: SinkJobOutcome = fatal ? 'fatal' : stopping || aborted ? 'interrupted' : t.deadLettered > 0 ? 'dead-letters' : 'ok';
    return {
      sink: config.sink,
      destination: sink.destination.description,
      input: filePath ?? ('stream' in input ? '-' : 'lines'),
      outcome,
      ...(fatal && { fatal }),
      records: t,
      deadLetters: { ...stats.deadLetters, location: t.deadLettered > 0 || (deadLetters?.letters ?? 0) > 0 ? (deadLetters?.location ?? null) : null },
      complete,
      drained,
      bytesRead: lastPosition - startOffset,
      engine: stats.engine,
      durationMs,
      recordsPerSecond: durationMs > 0 ? Math.round((delivered / durationMs) * 1000) : delivered,
      resumed: resumeFrom ? { fromOffset: resumeFrom.inputOffset, fromLine: resumeFrom.lineNumber, skippedRanges: resumeFrom.acked.length } : null,
      checkpoint: store ? { dir: store.dir, ...store.stats, totalMs: round(store.stats.totalMs), maxMs: round(store.stats.maxMs) } : null,
    };
  })();

  return {
    done,
    progress(): SinkJobProgress {
      const elapsedMs = performance.now() - started;
      return { ...totals(), elapsedMs, deliveredPerSecond: elapsedMs > 0 ? Math.round((delivered / elapsedMs) * 1000) : 0, draining: stopping };
    },
    stop,
    abort(): void {
      stop();
      expire();
    },
  };
}

/** Runs a sink job to its end; see startSinkJob. */
export function runSinkJob(options: SinkJobOptions): Promise<SinkJobResult> {
  return startSinkJob(options).done;
}

const round = (x: number): number => Math.round(x * 100) / 100;
