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
  // Parallel arrays from `head`: one slot per line begun and not yet behind the watermark.
  private offsets: number[] = [];
  private ends: number[] = [];
  private lines: number[] = [];
  private done: boolean[] = [];
  private head = 0;
  /** Id of offsets[0]. */
  private base = 0;
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
    this.offsets.push(offset);
    this.ends.push(end);
    this.lines.push(line);
    this.done.push(false);
    this.open++;
    return this.nextId++;
  }

  /** Marks a line done; false when it was already (a duplicate delivery) or is unknown. */
  finish(id: number): boolean {
    const i = id - this.base;
    if (i < this.head || i >= this.done.length || this.done[i]) return false;
    this.done[i] = true;
    this.open--;
    if (i === this.head) this.advance();
    return true;
  }

  /** The position a checkpoint stores (cheap: one pass over the unfinished window). */
  position(): InputPosition {
    const acked: [number, number][] = [];
    let runStart = -1;
    let runEnd = -1;
    for (let i = this.head; i < this.done.length; i++) {
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
    if (this.head < this.done.length) return { inputOffset: this.offsets[this.head]!, lineNumber: this.lines[this.head]! - 1, acked };
    return { inputOffset: this.lowOffset, lineNumber: this.lowLine, acked };
  }

  private advance(): void {
    while (this.head < this.done.length && this.done[this.head]) {
      this.lowOffset = this.ends[this.head]!;
      this.lowLine = this.lines[this.head]!;
      this.head++;
    }
    // Compact now and then: amortised O(1) per line.
    if (this.head > 4096 && this.head * 2 > this.done.length) {
      this.offsets = this.offsets.slice(this.head);
      this.ends = this.ends.slice(this.head);
      this.lines = this.lines.slice(this.head);
      this.done = this.done.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
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
