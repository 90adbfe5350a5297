/**
 * The dead-letter file: one NDJSON line per record that could not be delivered,
 * `{"reason": "...", "input": "<the input line as given>", "sink": "<name>", "at": <line number>}`.
 * Deterministic (no timestamps). Opened lazily, so a run without dead letters creates no file.
 * Each line is written synchronously: dead letters are rare, and a line is in the page cache
 * before the checkpoint that skips its input is written (it survives a SIGKILL).
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface DeadLetter {
  /** Why the record was not delivered, in words (e.g. `invalid JSON: Unexpected token...`). */
  readonly reason: string;
  /** The original input line (without its line break), or the entry's text for engine dead letters. */
  readonly input: string;
  /** The producer's exact bytes, base64, when `input` cannot hold them (a line that is not valid UTF-8). */
  readonly inputBase64?: string;
  readonly sink: string;
  /** 1-based input line number; null when the record cannot be traced to one line (engine retries exhausted). */
  readonly at: number | null;
}

/** Where the engine puts a dead letter: synchronous, so a letter is stored before its input counts as done. */
export interface DeadLetterSink {
  write(letter: DeadLetter): void;
}

/**
 * A dead-letter store for the sink job: a local file (DeadLetterWriter) for `sink run`, an S3
 * prefix in Lambda, memory in tests. `write` is synchronous (buffer if needed); `close` persists.
 */
export interface DeadLetterStore extends DeadLetterSink {
  /** Where the letters go, for messages (a path, an s3:// URL). */
  readonly location: string;
  /** Letters written by this store so far. */
  readonly letters: number;
  /**
   * Bytes stored so far, when the store can resume after them (a checkpoint records it; on resume
   * the store keeps that much and drops the rest). Absent: the store cannot resume.
   */
  readonly bytes?: number;
  close(): void | Promise<void>;
}

export interface DeadLetterWriterOptions {
  /**
   * Resume mode: keep the first `keepBytes` bytes of an existing file (what the checkpoint
   * covers) and append after them. Without it, an existing file is replaced on the first write.
   */
  readonly keepBytes?: number;
}

export class DeadLetterWriter implements DeadLetterStore {
  private fd: number | undefined;
  private written: number;
  private count = 0;

  constructor(
    readonly path: string,
    private readonly options: DeadLetterWriterOptions = {},
  ) {
    this.written = options.keepBytes ?? 0;
    // Resuming: cut what the previous run wrote after its last checkpoint (those lines will be
    // produced again from the re-read input), so no dead letter is listed twice.
    if (options.keepBytes !== undefined) this.open();
  }

  get location(): string {
    return this.path;
  }

  /** Dead letters written by this writer (not counting kept ones). */
  get letters(): number {
    return this.count;
  }

  /** Size of the file in bytes (what a checkpoint records). */
  get bytes(): number {
    return this.written;
  }

  write(letter: DeadLetter): void {
    if (this.fd === undefined) this.open();
    const fields: Record<string, unknown> = { reason: letter.reason, input: letter.input };
    if (letter.inputBase64 !== undefined) fields.inputBase64 = letter.inputBase64;
    fields.sink = letter.sink;
    fields.at = letter.at;
    const line = JSON.stringify(fields) + '\n';
    this.written += writeSync(this.fd!, line);
    this.count++;
  }

  /** fsync and close; safe to call twice. */
  close(): void {
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const keep = this.options.keepBytes;
    if (keep === undefined) {
      this.fd = openSync(this.path, 'w', 0o640);
      return;
    }
    // 'a' creates the file when missing; truncate to the checkpointed size, then append. Never
    // extend: if the file was removed or shortened meanwhile, keep what is there.
    this.fd = openSync(this.path, 'a', 0o640);
    const size = fstatSync(this.fd).size;
    this.written = Math.min(keep, size);
    ftruncateSync(this.fd, this.written);
  }
}

/** Collects dead letters in memory (library users, tests). */
export class MemoryDeadLetters implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];
  readonly location = 'memory';
  write(letter: DeadLetter): void {
    this.letters.push(letter);
  }
  close(): void {}
}
