/**
 * The engine's buffer: a growable ring of entries with their size, attempt count and write
 * sequence number in parallel arrays (no wrapper object per entry: this is the hot path).
 * push/shift/unshift are O(1); bytes are tracked incrementally.
 */
export class RequestBuffer<E> {
  private entries: (E | undefined)[];
  private sizes: number[];
  private attempts: number[];
  private seqs: number[];
  private tags: number[];
  private head = 0;
  private count = 0;
  private mask: number;
  private totalBytes = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.entries = new Array(capacity);
    this.sizes = new Array(capacity).fill(0);
    this.attempts = new Array(capacity).fill(0);
    this.seqs = new Array(capacity).fill(0);
    this.tags = new Array(capacity).fill(-1);
    this.mask = capacity - 1;
  }

  get length(): number {
    return this.count;
  }

  /** Sum of the sizes of the buffered entries. */
  get bytes(): number {
    return this.totalBytes;
  }

  push(entry: E, size: number, attempts: number, seq: number, tag = -1): void {
    if (this.count > this.mask) this.grow();
    const i = (this.head + this.count) & this.mask;
    this.entries[i] = entry;
    this.sizes[i] = size;
    this.attempts[i] = attempts;
    this.seqs[i] = seq;
    this.tags[i] = tag;
    this.count++;
    this.totalBytes += size;
  }

  unshift(entry: E, size: number, attempts: number, seq: number, tag = -1): void {
    if (this.count > this.mask) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.entries[this.head] = entry;
    this.sizes[this.head] = size;
    this.attempts[this.head] = attempts;
    this.seqs[this.head] = seq;
    this.tags[this.head] = tag;
    this.count++;
    this.totalBytes += size;
  }

  /** Head entry's fields (callers check `length` first). */
  headSize(): number {
    return this.sizes[this.head]!;
  }
  headSeq(): number {
    return this.seqs[this.head]!;
  }
  headAttempts(): number {
    return this.attempts[this.head]!;
  }
  /** The caller's tag of the head entry (-1 when none was given). */
  headTag(): number {
    return this.tags[this.head]!;
  }
  /** Sequence number of the i-th entry from the head. */
  seqAt(i: number): number {
    return this.seqs[(this.head + i) & this.mask]!;
  }
  sizeAt(i: number): number {
    return this.sizes[(this.head + i) & this.mask]!;
  }

  /** Removes and returns the head entry (its fields must be read before). */
  shift(): E {
    const i = this.head;
    const entry = this.entries[i] as E;
    this.entries[i] = undefined; // release the reference for the GC
    this.totalBytes -= this.sizes[i]!;
    this.head = (i + 1) & this.mask;
    this.count--;
    return entry;
  }

  /** Entries from head to tail (snapshots). */
  toArray(): E[] {
    const out: E[] = new Array(this.count);
    for (let k = 0; k < this.count; k++) out[k] = this.entries[(this.head + k) & this.mask] as E;
    return out;
  }

  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const reorder = <T>(source: T[], fill: T): T[] => {
      const next: T[] = new Array(capacity).fill(fill);
      for (let k = 0; k < this.count; k++) next[k] = source[(this.head + k) & this.mask]!;
      return next;
    };
    this.entries = reorder(this.entries, undefined);
    this.sizes = reorder(this.sizes, 0);
    this.attempts = reorder(this.attempts, 0);
    this.seqs = reorder(this.seqs, 0);
    this.tags = reorder(this.tags, -1);
    this.head = 0;
    this.mask = capacity - 1;
  }
}
