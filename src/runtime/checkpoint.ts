/**
 * Checkpoints of `sink run --checkpoint DIR`: `DIR/checkpoint.json`, replaced atomically (write a
 * temporary file, fsync, rename, fsync the directory), so a SIGKILL at any moment leaves either the
 * previous or the next checkpoint, never a torn one.
 *
 * Invariant: every input line before `inputOffset` is acknowledged, dead-lettered (and its
 * dead-letter line is within `deadLetterBytes` of the dead-letter file), or inside `snapshot`.
 * Restarting from a checkpoint re-queues the snapshot and reads on from `inputOffset`, so every
 * record is delivered at least once. Duplicates after a kill are at most the snapshot's records
 * (unacknowledged when it was taken) plus the records accepted after it; `Checkpointer` saves at
 * least every `everyRecords` records, which bounds the second term.
 *
 * The checkpoint names its input (absolute path, size, SHA-256 of the first 4 KiB) and its config
 * (SHA-256 of the canonical JSON): resuming with another input or config is refused.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SinkSnapshot } from './sink.js';

export const CHECKPOINT_VERSION = 1;
const FILE = 'checkpoint.json';
const HEAD_BYTES = 4096;

export interface InputFingerprint {
  /** Absolute path of the input file when the checkpoint was started. */
  readonly path: string;
  /** Size in bytes at the start of the first run. */
  readonly size: number;
  /** SHA-256 (hex) of the first min(size, 4 KiB) bytes. */
  readonly headSha256: string;
}

export interface CheckpointTotals {
  /** Non-blank input lines handled before inputOffset. */
  readonly read: number;
  /** User records acknowledged by the destination (all runs up to this checkpoint). */
  readonly delivered: number;
  readonly deadLettered: number;
  /** Size of the dead-letter file covered by this checkpoint. */
  readonly deadLetterBytes: number;
}

export interface CheckpointState {
  readonly version: 1;
  /** The input was read to the end and everything was delivered or dead-lettered. */
  readonly complete: boolean;
  readonly sink: string;
  readonly configSha256: string;
  readonly input: InputFingerprint;
  /** Byte offset of the first input line not yet handled (always the start of a line). */
  readonly inputOffset: number;
  /** Line number of the last line before inputOffset (physical lines, blank ones included). */
  readonly lineNumber: number;
  /** The dead-letter file the run writes to (absolute path). */
  readonly deadLetterFile: string;
  readonly totals: CheckpointTotals;
  readonly snapshot: SinkSnapshot;
}

/** A checkpoint that cannot be used with this input/config, or that cannot be read. */
export class CheckpointError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** SHA-256 of a config's canonical JSON (key order as compiled). */
export function configFingerprint(config: unknown): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex');
}

export function fingerprintInput(path: string): InputFingerprint {
  const abs = resolve(path);
  const size = statSync(abs).size;
  const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
  const fd = openSync(abs, 'r');
  try {
    let read = 0;
    while (read < head.length) {
      const n = readSync(fd, head, read, head.length - read, read);
      if (n === 0) break;
      read += n;
    }
  } finally {
    closeSync(fd);
  }
  return { path: abs, size, headSha256: createHash('sha256').update(head).digest('hex') };
}

export class CheckpointStore {
  readonly dir: string;
  readonly file: string;
  /** Saves so far, their total and worst duration (ms), and the size of the last one. */
  saves = 0;
  totalMs = 0;
  maxMs = 0;
  lastBytes = 0;

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.file = join(this.dir, FILE);
  }

  /** The stored checkpoint, or undefined when the directory holds none yet. */
  load(): CheckpointState | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      throw new CheckpointError(`cannot read checkpoint ${this.file}: ${(e as Error).message}`);
    }
    let state: CheckpointState;
    try {
      state = JSON.parse(text) as CheckpointState;
    } catch (e) {
      throw new CheckpointError(`checkpoint ${this.file} is not valid JSON (${(e as Error).message})`, 'it was not written by ara-gen; remove it or use another --checkpoint directory');
    }
    if (state?.version !== CHECKPOINT_VERSION || typeof state.inputOffset !== 'number' || !state.snapshot || !state.input) {
      throw new CheckpointError(`checkpoint ${this.file} has an unknown format (version ${JSON.stringify(state?.version)}; this ara-gen writes version ${CHECKPOINT_VERSION})`, 'remove it or use another --checkpoint directory');
    }
    return state;
  }

  /** Atomically replaces the checkpoint. */
  save(state: CheckpointState): void {
    const started = performance.now();
    mkdirSync(this.dir, { recursive: true });
    const text = JSON.stringify(state);
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    // The rename itself must reach the disk for the new checkpoint to survive a power loss.
    try {
      const dfd = openSync(this.dir, 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch {
      /* some file systems cannot fsync a directory; the rename is still atomic */
    }
    const ms = performance.now() - started;
    this.saves++;
    this.totalMs += ms;
    this.maxMs = Math.max(this.maxMs, ms);
    this.lastBytes = text.length;
  }
}

/** Refuses a checkpoint that belongs to another input or config (with what differs and the fix). */
export function checkResumable(state: CheckpointState, dir: string, configSha256: string, input: InputFingerprint): void {
  const fix = `use a new --checkpoint directory for this input, or remove ${resolve(dir)} to start over`;
  if (state.configSha256 !== configSha256) {
    throw new CheckpointError(`checkpoint in ${resolve(dir)} was written for another sink config (sink '${state.sink}', a different config file content)`, fix);
  }
  if (state.input.headSha256 !== input.headSha256 || state.input.size !== input.size) {
    const what =
      state.input.headSha256 !== input.headSha256
        ? 'its first bytes differ'
        : `its size is ${input.size} bytes, the checkpoint recorded ${state.input.size}`;
    throw new CheckpointError(`checkpoint in ${resolve(dir)} belongs to input ${state.input.path}, and ${input.path} is not the same file (${what})`, fix);
  }
  if (state.inputOffset > input.size) {
    throw new CheckpointError(`checkpoint in ${resolve(dir)} resumes at byte ${state.inputOffset}, beyond the end of ${input.path} (${input.size} bytes)`, fix);
  }
}

export interface CheckpointerOptions {
  /** Longest time between saves while something changes (default 200 ms). */
  readonly intervalMs?: number;
  /** Save after this many records were handled since the last save (bounds duplicates after a kill). */
  readonly everyRecords: number;
}

/**
 * Decides when to save: every `intervalMs` when the state changed, and whenever `everyRecords`
 * records were handled since the last save. `capture` must return a consistent state (it is
 * called synchronously, between the pump's steps). Saves are synchronous: while one runs, nothing
 * else moves, which is what keeps the captured state consistent.
 */
export class Checkpointer {
  private timer: NodeJS.Timeout | undefined;
  private sinceSave = 0;
  private lastKey = '';
  private readonly intervalMs: number;

  constructor(
    readonly store: CheckpointStore,
    private readonly capture: () => CheckpointState,
    /** Cheap summary of the state: a save is skipped when it did not change. */
    private readonly changeKey: () => string,
    private readonly options: CheckpointerOptions,
  ) {
    this.intervalMs = options.intervalMs ?? 200;
  }

  start(): void {
    this.timer = setInterval(() => this.saveIfChanged(), this.intervalMs);
    this.timer.unref();
  }

  /** Call after each handled input record. */
  recordHandled(): void {
    if (++this.sinceSave >= this.options.everyRecords) this.saveNow();
  }

  saveIfChanged(): void {
    if (this.changeKey() !== this.lastKey) this.saveNow();
  }

  saveNow(): void {
    this.lastKey = this.changeKey();
    this.sinceSave = 0;
    this.store.save(this.capture());
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
