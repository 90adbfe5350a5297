/**
 * Streaming NDJSON reader over a file or a byte stream (stdin) that knows the byte offset of every
 * line, so that a checkpoint can say exactly where to resume. Memory is bounded by one read chunk
 * plus the longest line kept (`maxLineBytes`); longer lines are skipped and reported.
 * Line breaks: LF or CRLF; a final line without a break counts; blank lines are skipped (but keep
 * their line number, so numbers match an editor's).
 */
import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';

export interface NdjsonLine {
  /** 1-based physical line number. */
  readonly line: number;
  /** Byte offset where the line starts. */
  readonly offset: number;
  /** Byte offset after the line break (where the next line starts). */
  readonly end: number;
  /** The line as given, without its line break (truncated with `…` when longer than maxLineBytes). */
  readonly text: string;
  /** The parsed event; undefined when `error` is set. */
  readonly value?: unknown;
  /** Why the line is unusable (invalid JSON or UTF-8, too long). */
  readonly error?: string;
  /** The line's exact bytes (base64) when they are not valid UTF-8 (`text` then holds U+FFFD). */
  readonly rawBase64?: string;
}

export interface NdjsonSourceOptions {
  /** A file to read; or `stream`. */
  readonly path?: string;
  /** Bytes to read when there is no path (e.g. process.stdin). */
  readonly stream?: AsyncIterable<Uint8Array | string>;
  /** Resume at this byte offset (must be the start of a line: a checkpoint's `inputOffset`). */
  readonly startOffset?: number;
  /** Line number of the line at startOffset minus one (a checkpoint's `lineNumber`). */
  readonly startLine?: number;
  /** Read size; default 256 KiB. */
  readonly chunkBytes?: number;
  /** Longest line kept; longer lines become an error line (default 16 MiB). */
  readonly maxLineBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const PREVIEW_BYTES = 1024;

/** Yields the lines of each chunk read, as an array (one await per chunk, not per line). */
export async function* readNdjson(options: NdjsonSourceOptions): AsyncGenerator<NdjsonLine[]> {
  for await (const lines of readNdjsonChunks(options)) {
    const all = [...lines];
    if (all.length) yield all;
  }
}

/**
 * Yields, for each chunk read, its lines one at a time: a line is decoded and parsed only when
 * taken, so a consumer that blocks (backpressure) holds one read buffer, not every parsed line
 * of the chunk (which would outlive the young generation and be copied by each scavenge). Take
 * every line of a chunk before asking for the next chunk.
 */
export async function* readNdjsonChunks(options: NdjsonSourceOptions): AsyncGenerator<Iterable<NdjsonLine>> {
  const splitter = new LineSplitter(options.startOffset ?? 0, options.startLine ?? 0, options.maxLineBytes ?? 16 * 1024 * 1024);
  for await (const chunk of readChunks(options)) yield splitter.lines(chunk);
  yield splitter.end();
}

async function* readChunks(options: NdjsonSourceOptions): AsyncGenerator<Buffer> {
  const start = options.startOffset ?? 0;
  if (options.path !== undefined) {
    const handle = await open(options.path, 'r');
    try {
      const size = options.chunkBytes ?? 256 * 1024;
      let position = start;
      for (;;) {
        // A fresh buffer per read: lines handed out may still reference the previous one.
        const buf = Buffer.allocUnsafe(size);
        const { bytesRead } = await handle.read(buf, 0, size, position);
        if (bytesRead === 0) return;
        position += bytesRead;
        yield bytesRead === size ? buf : buf.subarray(0, bytesRead);
      }
    } finally {
      await handle.close();
    }
  }
  if (!options.stream) throw new TypeError('readNdjson needs a path or a stream');
  let skip = start;
  for await (const piece of options.stream) {
    let buf = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    if (skip > 0) {
      const n = Math.min(skip, buf.length);
      skip -= n;
      buf = buf.subarray(n);
      if (!buf.length) continue;
    }
    yield buf;
  }
}

/** Splits bytes into lines, carrying a partial line between chunks. */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  /** The current line exceeded maxLineBytes: its bytes are being skipped up to the next break. */
  private overlong = false;
  private preview = '';
  /** Bytes of the overlong line dropped so far. */
  private skipped = 0;
  private position: number;
  private lineNumber: number;

  constructor(
    startOffset: number,
    startLine: number,
    private readonly maxLineBytes: number,
  ) {
    this.position = startOffset;
    this.lineNumber = startLine;
  }

  push(chunk: Buffer): NdjsonLine[] {
    return [...this.lines(chunk)];
  }

  /**
   * The lines of a chunk, each decoded and parsed when taken; the splitter moves on as they are
   * taken: take them all before the next chunk. An iterator object, not a generator: a generator
   * allocates a result object per line, this one hands out the same one each time (for-of and
   * spreading read it at once).
   */
  lines(chunk: Buffer): IterableIterator<NdjsonLine> {
    return new ChunkLines(this, chunk);
  }

  /** Flushes a final line that has no line break. */
  end(): NdjsonLine[] {
    const line = this.carryBytes > 0 || this.overlong ? this.emit(Buffer.alloc(0), 0, 0, 0) : undefined;
    return line ? [line] : [];
  }

  /** The line made of the carry plus chunk[from, to) (undefined when blank); `next` is where the following line starts in chunk. */
  emit(chunk: Buffer, from: number, to: number, next: number): NdjsonLine | undefined {
    const lineStart = this.position;
    const consumed = this.carryBytes + this.skipped + (next - from);
    this.position += consumed;
    const line = ++this.lineNumber;
    if (this.overlong || this.carryBytes + (to - from) > this.maxLineBytes) {
      const preview = this.overlong ? this.preview : previewOf(Buffer.concat([...this.carry, chunk.subarray(from, Math.min(to, from + PREVIEW_BYTES))]));
      this.reset();
      return { line, offset: lineStart, end: this.position, text: preview, error: `line is longer than ${this.maxLineBytes} bytes` };
    }
    let buf: Buffer;
    let s: number;
    let e: number;
    if (this.carryBytes > 0) {
      buf = Buffer.concat([...this.carry, chunk.subarray(from, to)]);
      s = 0;
      e = buf.length;
      this.reset();
    } else {
      buf = chunk;
      s = from;
      e = to;
    }
    if (e > s && buf[e - 1] === CR) e--;
    const text = buf.toString('utf8', s, e);
    if (isBlank(text)) return undefined;
    // Decoding replaced invalid bytes with U+FFFD: the producer's bytes must not be altered silently.
    if (text.includes('\uFFFD') && !isUtf8(buf.subarray(s, e))) {
      return { line, offset: lineStart, end: this.position, text, error: 'invalid UTF-8: the line is not valid UTF-8 text (its exact bytes are in inputBase64)', rawBase64: buf.toString('base64', s, e) };
    }
    try {
      return { line, offset: lineStart, end: this.position, text, value: JSON.parse(text) };
    } catch (err) {
      return { line, offset: lineStart, end: this.position, text, error: `invalid JSON: ${(err as Error).message}` };
    }
  }

  /** Holds the partial line at the end of a chunk until the next chunk completes it. */
  keep(piece: Buffer): void {
    if (this.overlong) {
      this.skipped += piece.length; // counted into the position when the line ends
      return;
    }
    this.carry.push(piece);
    this.carryBytes += piece.length;
    if (this.carryBytes > this.maxLineBytes) {
      // Stop holding the line in memory: remember a preview and how much was skipped.
      this.preview = previewOf(Buffer.concat(this.carry).subarray(0, PREVIEW_BYTES));
      this.overlong = true;
      this.skipped = this.carryBytes; // the bytes already held; carryBytes is reset below
      this.carry = [];
      this.carryBytes = 0;
    }
  }

  private reset(): void {
    this.carry = [];
    this.carryBytes = 0;
    this.overlong = false;
    this.preview = '';
    this.skipped = 0;
  }
}

/** The lines of one chunk (LineSplitter.lines). */
class ChunkLines implements IterableIterator<NdjsonLine> {
  private from = 0;
  private finished = false;
  private readonly result: { done: false; value: NdjsonLine } = { done: false, value: undefined as unknown as NdjsonLine };

  constructor(
    private readonly splitter: LineSplitter,
    private readonly chunk: Buffer,
  ) {}

  [Symbol.iterator](): IterableIterator<NdjsonLine> {
    return this;
  }

  next(): IteratorResult<NdjsonLine, undefined> {
    if (this.finished) return DONE;
    const chunk = this.chunk;
    for (let nl = chunk.indexOf(LF, this.from); nl !== -1; nl = chunk.indexOf(LF, this.from)) {
      const line = this.splitter.emit(chunk, this.from, nl, nl + 1);
      this.from = nl + 1;
      if (line) {
        this.result.value = line;
        return this.result;
      }
    }
    this.finished = true;
    if (this.from < chunk.length) this.splitter.keep(chunk.subarray(this.from));
    return DONE;
  }
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0xfeff) return false;
  }
  return true;
}

function previewOf(buf: Buffer): string {
  return buf.subarray(0, PREVIEW_BYTES).toString('utf8') + '…';
}
