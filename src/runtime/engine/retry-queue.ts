/**
 * Entries waiting for their retry. Each failed entry waits by its own attempt count (exponential
 * backoff with jitter), so entries of one failed response that share an attempt count share one
 * group and one due time. Groups are kept sorted by due time; a batch takes the due entries first
 * (oldest due first), then fills up with new data from the buffer. The number of groups is bounded
 * by the failed responses in one backoff period, so scans over groups stay short.
 */
interface RetryGroup<E> {
  readonly due: number;
  readonly entries: E[];
  readonly sizes: number[];
  readonly attempts: number[];
  readonly seqs: number[];
  readonly tags: number[];
  /** Next entry to take. */
  head: number;
}

export interface RetryItem<E> {
  readonly entry: E;
  readonly size: number;
  readonly attempts: number;
  readonly seq: number;
  readonly tag: number;
}

export class RetryQueue<E> {
  private groups: RetryGroup<E>[] = [];
  private total = 0;
  private totalBytes = 0;

  /** Entries waiting (due or not). */
  get length(): number {
    return this.total;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Adds entries that become due at `due`. */
  add(due: number, items: readonly RetryItem<E>[]): void {
    if (items.length === 0) return;
    const group: RetryGroup<E> = { due, entries: [], sizes: [], attempts: [], seqs: [], tags: [], head: 0 };
    for (const it of items) {
      group.entries.push(it.entry);
      group.sizes.push(it.size);
      group.attempts.push(it.attempts);
      group.seqs.push(it.seq);
      group.tags.push(it.tag);
      this.totalBytes += it.size;
    }
    this.total += items.length;
    // Insert after every group due at the same time or earlier (stable).
    let lo = 0;
    let hi = this.groups.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.groups[mid]!.due <= due) lo = mid + 1;
      else hi = mid;
    }
    this.groups.splice(lo, 0, group);
  }

  /** Due time of the earliest group (Infinity when empty). */
  nextDue(): number {
    return this.groups.length ? this.groups[0]!.due : Infinity;
  }

  /** Earliest due time later than `now` (Infinity when none). */
  nextDueAfter(now: number): number {
    for (const g of this.groups) if (g.due > now) return g.due;
    return Infinity;
  }

  /** How many due entries (and their bytes) a batch of at most maxN entries and maxBytes would take. */
  peekDue(now: number, maxN: number, maxBytes: number): { n: number; bytes: number } {
    let n = 0;
    let bytes = 0;
    for (const g of this.groups) {
      if (g.due > now) break;
      for (let i = g.head; i < g.entries.length; i++) {
        if (n >= maxN || bytes + g.sizes[i]! > maxBytes) return { n, bytes };
        n++;
        bytes += g.sizes[i]!;
      }
    }
    return { n, bytes };
  }

  /** Removes `n` due entries (as counted by peekDue) into the output arrays. */
  take(n: number, entries: E[], sizes: number[], attempts: number[], seqs: number[], tags: number[]): void {
    let k = 0;
    while (k < n) {
      const g = this.groups[0]!;
      while (k < n && g.head < g.entries.length) {
        const i = g.head++;
        entries.push(g.entries[i]!);
        sizes.push(g.sizes[i]!);
        attempts.push(g.attempts[i]!);
        seqs.push(g.seqs[i]!);
        tags.push(g.tags[i]!);
        this.totalBytes -= g.sizes[i]!;
        (g.entries as (E | undefined)[])[i] = undefined; // release for the GC
        k++;
      }
      if (g.head >= g.entries.length) this.groups.shift();
    }
    this.total -= n;
  }

  /** Lowest write sequence number waiting (Infinity when empty). */
  minSeq(): number {
    let min = Infinity;
    for (const g of this.groups) if (g.head < g.seqs.length && g.seqs[g.head]! < min) min = g.seqs[g.head]!;
    return min;
  }

  /** Every waiting entry, due first. */
  toArray(): E[] {
    const out: E[] = [];
    for (const g of this.groups) for (let i = g.head; i < g.entries.length; i++) out.push(g.entries[i]!);
    return out;
  }
}
