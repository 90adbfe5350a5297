/**
 * Checkpoints of a file input (`sink run --input FILE --checkpoint DIR`): `DIR/checkpoint.json`.
 *
 * Exact and cheap: a checkpoint stores a source position, never records. `inputOffset` is the
 * start of the oldest input line not yet done (delivered or dead-lettered); `acked` lists the byte
 * ranges past it whose lines are all done. Resuming reads on from `inputOffset` and skips the
 * `acked` ranges, so every record is delivered at least once, and duplicates after a kill are at
 * most the records in flight at the kill plus those acknowledged since the last save. The file
 * holds a few hundred bytes whatever the buffer holds.
 *
 * Saves are atomic (temporary file, fsync, rename, fsync of the directory), so a SIGKILL at any
 * moment leaves the previous or the next checkpoint, never a torn one; the periodic saves run off
 * the hot path (asynchronous file I/O on a state captured synchronously).
 *
 * Every field is validated on load: a checkpoint that parses but is wrong (another input, another
 * config, an offset that is not a line start, another dead-letter file) is refused with one
 * sentence (CheckpointError), never half-used. The checkpoint names the dead-letter file it
 * covers only to check it is the one of this run: it never chooses a file to truncate.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

export const CHECKPOINT_VERSION = 2;
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
  /** Input lines done (delivered or dead-lettered): every line before inputOffset and in `acked`. */
  readonly read: number;
  readonly delivered: number;
  readonly deadLettered: number;
  /** Size of the dead-letter file covered by this checkpoint. */
  readonly deadLetterBytes: number;
}

export interface CheckpointState {
  readonly version: 2;
  /** The input was read to the end and every line is done. */
  readonly complete: boolean;
  readonly sink: string;
  readonly configSha256: string;
  readonly input: InputFingerprint;
  /** Byte offset of the oldest line not yet done (always the start of a line). */
  readonly inputOffset: number;
  /** Line number of the last line before inputOffset (physical lines, blank ones included). */
  readonly lineNumber: number;
  /** Byte ranges [start, end) past inputOffset whose lines are all done, sorted, disjoint. */
  readonly acked: readonly (readonly [number, number])[];
  /** The dead-letter file the run writes to (absolute path), or null when it keeps none. */
  readonly deadLetterFile: string | null;
  readonly totals: CheckpointTotals;
}

/** A checkpoint that cannot be used with this input/config, or that cannot be read or written. */
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

function readAt(path: string, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    let read = 0;
    while (read < length) {
      const n = readSync(fd, buf, read, length - read, position + read);
      if (n === 0) break;
      read += n;
    }
    return buf.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

export function fingerprintInput(path: string): InputFingerprint {
  const abs = resolve(path);
  const size = statSync(abs).size;
  const head = readAt(abs, 0, Math.min(size, HEAD_BYTES));
  return { path: abs, size, headSha256: createHash('sha256').update(head).digest('hex') };
}

/**
 * `mkdir -p` one level at a time: Node's recursive mkdirSync loops for ever on some special file
 * systems (a path under /proc), which hung `--checkpoint /proc/x` beyond the reach of SIGTERM.
 */
export function makeDirectories(path: string): void {
  const missing: string[] = [];
  let p = resolve(path);
  for (;;) {
    try {
      if (statSync(p).isDirectory()) break;
      throw Object.assign(new Error(`${p} is not a directory`), { code: 'ENOTDIR' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    missing.push(p);
    const up = resolve(p, '..');
    if (up === p) break;
    p = up;
  }
  for (let i = missing.length - 1; i >= 0; i--) mkdirSync(missing[i]!);
}

const HEX64 = /^[0-9a-f]{64}$/;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every field's type and range; the first problem in words, or undefined. */
function shapeProblem(s: unknown): string | undefined {
  if (!isObject(s)) return 'it is not a JSON object';
  if (s.version !== CHECKPOINT_VERSION) return `its version is ${JSON.stringify(s.version)}; this ara-gen writes version ${CHECKPOINT_VERSION}`;
  if (typeof s.complete !== 'boolean') return '"complete" is not true or false';
  if (typeof s.sink !== 'string' || s.sink === '') return '"sink" is not a sink name';
  if (typeof s.configSha256 !== 'string' || !HEX64.test(s.configSha256)) return '"configSha256" is not a SHA-256';
  const input = s.input;
  if (!isObject(input) || typeof input.path !== 'string' || !isAbsolute(input.path) || !isCount(input.size) || typeof input.headSha256 !== 'string' || !HEX64.test(input.headSha256)) {
    return '"input" is not { path: <absolute path>, size: <bytes>, headSha256: <SHA-256> }';
  }
  if (!isCount(s.inputOffset) || s.inputOffset > input.size) return `"inputOffset" ${JSON.stringify(s.inputOffset)} is not a byte offset within the input (0 to ${input.size})`;
  if (!isCount(s.lineNumber) || s.lineNumber > s.inputOffset) return `"lineNumber" ${JSON.stringify(s.lineNumber)} is not a line count up to inputOffset`;
  if (!Array.isArray(s.acked)) return '"acked" is not a list of byte ranges';
  let previous = s.inputOffset;
  for (const r of s.acked as unknown[]) {
    if (!Array.isArray(r) || r.length !== 2 || !isCount(r[0]) || !isCount(r[1]) || r[0] < previous || r[1] <= r[0] || r[1] > input.size) {
      return `"acked" holds ${JSON.stringify(r)}, not a sorted, disjoint byte range after inputOffset within the input`;
    }
    previous = r[1];
  }
  if (s.deadLetterFile !== null && (typeof s.deadLetterFile !== 'string' || !isAbsolute(s.deadLetterFile))) return '"deadLetterFile" is not an absolute path or null';
  const t = s.totals;
  if (!isObject(t) || !isCount(t.read) || !isCount(t.delivered) || !isCount(t.deadLettered) || !isCount(t.deadLetterBytes)) {
    return '"totals" is not { read, delivered, deadLettered, deadLetterBytes } (whole numbers of at least 0)';
  }
  if (t.delivered + t.deadLettered !== t.read) return `"totals" do not add up (${t.delivered} delivered + ${t.deadLettered} dead-lettered ≠ ${t.read} done)`;
  if (s.deadLetterFile === null && t.deadLetterBytes !== 0) return '"totals.deadLetterBytes" is not 0 without a dead-letter file';
  if (s.complete && (s.inputOffset !== input.size || (s.acked as unknown[]).length)) return '"complete" is true but the input is not done to its end';
  return undefined;
}

export interface CheckpointSaveStats {
  saves: number;
  totalMs: number;
  maxMs: number;
  lastBytes: number;
}

export class CheckpointStore {
  readonly dir: string;
  readonly file: string;
  /** Saves so far, their total and worst duration (ms), and the size of the last one. */
  readonly stats: CheckpointSaveStats = { saves: 0, totalMs: 0, maxMs: 0, lastBytes: 0 };
  private saving: Promise<void> | undefined;

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.file = join(this.dir, FILE);
  }

  /** The stored checkpoint, or undefined when the directory holds none yet. Validates every field's shape. */
  load(): CheckpointState | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      throw new CheckpointError(`cannot read checkpoint ${this.file}: ${(e as Error).message}`);
    }
    const fix = 'remove it or use another --checkpoint directory';
    let state: unknown;
    try {
      state = JSON.parse(text);
    } catch (e) {
      throw new CheckpointError(`checkpoint ${this.file} is not valid JSON (${(e as Error).message})`, fix);
    }
    const problem = shapeProblem(state);
    if (problem) throw new CheckpointError(`checkpoint ${this.file} is not usable: ${problem}`, fix);
    return state as CheckpointState;
  }

  /** Atomically replaces the checkpoint, synchronously (final saves). */
  save(state: CheckpointState): void {
    const started = performance.now();
    const text = JSON.stringify(state);
    try {
      makeDirectories(this.dir);
      const tmp = `${this.file}.tmp`;
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.file);
      this.syncDir();
    } catch (e) {
      throw new CheckpointError(`cannot write checkpoint ${this.file}: ${(e as Error).message}`, 'check that the --checkpoint directory can be written');
    }
    this.record(started, text.length);
  }

  /**
   * Saves off the hot path: the state is captured by the caller (synchronously, consistent), the
   * file I/O is asynchronous. A save that starts while another runs is skipped (false).
   */
  saveInBackground(state: CheckpointState, onError: (e: CheckpointError) => void): boolean {
    if (this.saving) return false;
    const started = performance.now();
    const text = JSON.stringify(state);
    const tmp = `${this.file}.tmp`;
    this.saving = (async () => {
      makeDirectories(this.dir);
      const handle = await open(tmp, 'w', 0o600);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.file);
      this.syncDir();
      this.record(started, text.length);
    })()
      .catch((e: unknown) => onError(new CheckpointError(`cannot write checkpoint ${this.file}: ${(e as Error).message}`, 'check that the --checkpoint directory can be written')))
      .finally(() => (this.saving = undefined));
    return true;
  }

  /** Waits for a background save to finish. */
  async idle(): Promise<void> {
    await this.saving;
  }

  private syncDir(): void {
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
  }

  private record(started: number, bytes: number): void {
    const ms = performance.now() - started;
    const s = this.stats;
    s.saves++;
    s.totalMs += ms;
    s.maxMs = Math.max(s.maxMs, ms);
    s.lastBytes = bytes;
  }
}

/** Whether `offset` is the start of a line of the file (0, or just after a line feed). */
function isLineStart(path: string, offset: number): boolean {
  if (offset === 0) return true;
  const b = readAt(path, offset - 1, 1);
  return b.length === 1 && b[0] === 0x0a;
}

/**
 * Refuses a checkpoint that belongs to another sink, config, input or dead-letter file, or whose
 * positions are not line boundaries of this input (with what differs and the fix).
 */
export function checkResumable(state: CheckpointState, dir: string, sink: string, configSha256: string, input: InputFingerprint, deadLetterFile: string | null): void {
  const where = resolve(dir);
  const fix = `use a new --checkpoint directory for this input, or remove ${where} to start over`;
  if (state.sink !== sink || state.configSha256 !== configSha256) {
    throw new CheckpointError(`checkpoint in ${where} was written for another sink config (sink '${state.sink}', a different config file content)`, fix);
  }
  if (state.input.headSha256 !== input.headSha256 || state.input.size !== input.size) {
    const what =
      state.input.headSha256 !== input.headSha256 ? 'its first bytes differ' : `its size is ${input.size} bytes, the checkpoint recorded ${state.input.size}`;
    throw new CheckpointError(`checkpoint in ${where} belongs to input ${state.input.path}, and ${input.path} is not the same file (${what})`, fix);
  }
  for (const offset of [state.inputOffset, ...state.acked.flat()]) {
    if (offset < input.size && !isLineStart(input.path, offset)) {
      throw new CheckpointError(`checkpoint in ${where} is not usable: byte ${offset} is not the start of a line of ${input.path}`, fix);
    }
  }
  // Letters already written belong to the file the checkpoint names; without any, a new file is fine.
  if (state.deadLetterFile !== deadLetterFile && state.totals.deadLetterBytes > 0) {
    const was = state.deadLetterFile ?? 'none';
    throw new CheckpointError(
      `checkpoint in ${where} covers the dead-letter file ${was}, not ${deadLetterFile ?? 'none'}`,
      'pass the same --dead-letter file as the run that wrote the checkpoint',
    );
  }
}
