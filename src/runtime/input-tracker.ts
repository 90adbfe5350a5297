/**
 * Which input lines are done (delivered or dead-lettered), for exact checkpoints of a file input.
 * Lines are begun in file order and finish in any order; the tracker keeps the unfinished window:
 * the oldest line not done (its offset is where a restart reads from) and, past it, the byte
 * ranges whose lines are all done (a restart skips them). Memory and the cost of a checkpoint are
 * bounded by the lines in the pipeline (buffered, waiting for a retry, in flight), not by the input.
 */
export interface InputPosition {
  /** Start of the oldest line not done; the end of the last line begun when all are done. */
  readonly inputOffset: number;
  /** Line number of the last line before inputOffset. */
  readonly lineNumber: number;
  /** Byte ranges [start, end) past inputOffset whose lines are all done. */
  readonly acked: [number, number][];
}

export class InputTracker {
  // A ring of typed arrays indexed by id & mask, one slot per line of the window [head, nextId):
  // the lines begun and not yet behind the watermark. Typed arrays live outside the JS heap, so a
  // line costs the garbage collector nothing (JS arrays of numbers were copied by every scavenge
  // that ran while they grew or were compacted).
  private offsets = new Float64Array(1024);
  private ends = new Float64Array(1024);
  private lines = new Float64Array(1024);
  private done = new Uint8Array(1024);
  private mask = 1023;
  /** Id of the oldest line not behind the watermark. */
  private head = 0;
  private nextId = 0;
  private lowOffset: number;
  private lowLine: number;
  /** Lines begun and not done. */
  private open = 0;

  constructor(startOffset = 0, startLine = 0) {
    this.lowOffset = startOffset;
    this.lowLine = startLine;
  }

  /** Lines begun and not yet done. */
  get pending(): number {
    return this.open;
  }

  /** Registers a line handed to the pipeline; returns its id (the tag the sink reports back). */
  begin(offset: number, end: number, line: number): number {
    if (this.nextId - this.head > this.mask) this.grow();
    const id = this.nextId++;
    const i = id & this.mask;
    this.offsets[i] = offset;
    this.ends[i] = end;
    this.lines[i] = line;
    this.done[i] = 0;
    this.open++;
    return id;
  }

  /** Marks a line done; false when it was already (a duplicate delivery) or is unknown. */
  finish(id: number): boolean {
    if (!(id >= this.head && id < this.nextId) || this.done[id & this.mask]) return false;
    this.done[id & this.mask] = 1;
    this.open--;
    if (id === this.head) this.advance();
    return true;
  }

  /** The position a checkpoint stores (cheap: one pass over the unfinished window). */
  position(): InputPosition {
    const acked: [number, number][] = [];
    let runStart = -1;
    let runEnd = -1;
    for (let id = this.head; id < this.nextId; id++) {
      const i = id & this.mask;
      if (this.done[i]) {
        if (runStart < 0) runStart = this.offsets[i]!;
        runEnd = this.ends[i]!;
      } else if (runStart >= 0) {
        acked.push([runStart, runEnd]);
        runStart = -1;
      }
    }
    // A trailing run is behind the last open line, never behind the watermark (advance() took those).
    if (runStart >= 0) acked.push([runStart, runEnd]);
    if (this.head < this.nextId) {
      const i = this.head & this.mask;
      return { inputOffset: this.offsets[i]!, lineNumber: this.lines[i]! - 1, acked };
    }
    return { inputOffset: this.lowOffset, lineNumber: this.lowLine, acked };
  }

  private advance(): void {
    while (this.head < this.nextId && this.done[this.head & this.mask]) {
      const i = this.head & this.mask;
      this.lowOffset = this.ends[i]!;
      this.lowLine = this.lines[i]!;
      this.head++;
    }
  }

  /** Doubles the ring, keeping every id of the window at id & mask. */
  private grow(): void {
    const mask = this.mask * 2 + 1;
    const move = <T extends Float64Array | Uint8Array>(from: T, to: T): T => {
      for (let id = this.head; id < this.nextId; id++) to[id & mask] = from[id & this.mask]!;
      return to;
    };
    this.offsets = move(this.offsets, new Float64Array(mask + 1));
    this.ends = move(this.ends, new Float64Array(mask + 1));
    this.lines = move(this.lines, new Float64Array(mask + 1));
    this.done = move(this.done, new Uint8Array(mask + 1));
    this.mask = mask;
  }
}

/** Skips the lines of a checkpoint's acked ranges while reading on from its offset. */
export class AckedRanges {
  private i = 0;
  constructor(private readonly ranges: readonly (readonly [number, number])[]) {}

  /** Whether the line starting at `offset` is inside an acked range (offsets must come in order). */
  covers(offset: number): boolean {
    const r = this.ranges;
    while (this.i < r.length && r[this.i]![1] <= offset) this.i++;
    return this.i < r.length && r[this.i]![0] <= offset;
  }
}
