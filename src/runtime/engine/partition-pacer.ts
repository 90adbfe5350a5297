/**
 * Per-partition pacing, as the KPL paces each Kinesis shard: a partition (a shard) that throttles
 * while the others accept gets a rate of its own, and only its entries wait for it; the common
 * congestion budget is left alone, so one hot shard does not slow the others.
 *
 * A pacer is a virtual-time token bucket: reserve(k) hands out the time by which k more records fit
 * in the partition's rate (entries then wait in the retry queue until that time). The rate is AIMD:
 * a throttle event (at most one per round trip, as for the common budget) cuts it in proportion to
 * the throttled share, at most by decreaseFactor; each request whose entries of the partition were
 * all accepted adds increaseRate records/s. A pacer whose rate is back at the partition's limit
 * retires: the partition is unpaced again.
 */
export interface PacerSettings {
  /** Where a pacer starts and the rate at which it retires (records/s). */
  readonly ceiling: number;
  readonly increaseRate: number;
  readonly decreaseFactor: number;
}

export class PartitionPacer {
  /** Records/s. */
  rate: number;
  /** Clock time (ms) at which the next record fits. */
  private nextFree = 0;
  /** Throttles of requests sent before this id belong to the last cut. */
  private recoveryId = -Infinity;

  constructor(
    private readonly settings: PacerSettings,
    now: number,
  ) {
    this.rate = settings.ceiling / 2;
    this.nextFree = now;
  }

  /** The time by which `k` more records fit; reserves them. */
  reserve(k: number, now: number): number {
    const start = Math.max(now, this.nextFree);
    this.nextFree = start + (k * 1000) / this.rate;
    return this.nextFree;
  }

  /** A throttle of this partition in request `id` (sent before `nextId`); `share` of its entries. */
  throttled(share: number, id: number, nextId: number): void {
    if (id < this.recoveryId) return;
    this.rate = Math.max(1, this.rate * Math.max(this.settings.decreaseFactor, 1 - Math.min(1, share)));
    this.recoveryId = nextId;
  }

  /** Entries of this partition were all accepted; true when the pacer can retire. */
  accepted(): boolean {
    this.rate = Math.min(this.settings.ceiling, this.rate + this.settings.increaseRate);
    return this.rate >= this.settings.ceiling;
  }
}
