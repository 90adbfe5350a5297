/**
 * Live counters and bounded-memory distributions (request latency, batch size) of a sink.
 * Distributions use HDR-style buckets: exact below 128, then 64 sub-buckets per power of two
 * (relative error < 1.6%), in a fixed 4,096-slot array whatever the number of samples.
 */
const SUB_BUCKETS = 64;
const SLOTS = 4096;

function bucketOf(value: number): number {
  const v = Math.max(0, Math.floor(value));
  if (v < 2 * SUB_BUCKETS) return v;
  const shift = 31 - Math.clz32(v >= 2 ** 31 ? 2 ** 31 - 1 : v) - 6;
  const index = SUB_BUCKETS * shift + (v >>> shift);
  return Math.min(index, SLOTS - 1);
}

function valueOf(bucket: number): number {
  if (bucket < 2 * SUB_BUCKETS) return bucket;
  const shift = Math.floor(bucket / SUB_BUCKETS) - 1;
  const mantissa = bucket - SUB_BUCKETS * shift;
  // Middle of the bucket's range.
  return mantissa * 2 ** shift + (2 ** shift - 1) / 2;
}

export class Histogram {
  private readonly counts = new Float64Array(SLOTS);
  private n = 0;
  private sum = 0;
  private lo = Infinity;
  private hi = -Infinity;

  /** `scale` multiplies recorded values before bucketing (e.g. 1000 for ms with µs resolution). */
  constructor(private readonly scale = 1) {}

  record(value: number): void {
    this.counts[bucketOf(value * this.scale)]!++;
    this.n++;
    this.sum += value;
    if (value < this.lo) this.lo = value;
    if (value > this.hi) this.hi = value;
  }

  get count(): number {
    return this.n;
  }
  get min(): number {
    return this.n ? this.lo : 0;
  }
  get max(): number {
    return this.n ? this.hi : 0;
  }
  get mean(): number {
    return this.n ? this.sum / this.n : 0;
  }

  /** Value at quantile q in [0,1], clamped to the exact observed min/max. */
  quantile(q: number): number {
    if (!this.n) return 0;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let b = 0; b < SLOTS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return Math.min(this.hi, Math.max(this.lo, valueOf(b) / this.scale));
    }
    return this.hi;
  }
}

/** Live counters; read them at any time (progress displays). */
export class SinkMetrics {
  recordsIn = 0;
  bytesIn = 0;
  recordsOut = 0;
  bytesOut = 0;
  /** Requests sent (first sends and retries). */
  requests = 0;
  /** Entries sent again after a failure. */
  retries = 0;
  /** Entries rejected by throttling (per-entry codes or whole throttled requests). */
  throttled = 0;
  /** Requests that failed as a whole (rejected, timed out). */
  failedRequests = 0;
  deadLetters = 0;
  inFlightRequests = 0;
  inFlightEntries = 0;
  /** Highest number of concurrent requests seen. */
  maxInFlight = 0;
  readonly batchSize = new Histogram(1);
  /** Request round trip in ms, microsecond resolution. */
  readonly latencyMs = new Histogram(1000);
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

export interface SinkStats {
  recordsIn: number;
  recordsOut: number;
  bytesIn: number;
  bytesOut: number;
  requests: number;
  retries: number;
  throttled: number;
  failedRequests: number;
  deadLetters: number;
  inFlightRequests: number;
  inFlightEntries: number;
  maxInFlight: number;
  /** Entries in the buffer, and blocked writes, when the stats were taken. */
  buffered: number;
  batchSize: { min: number; max: number; mean: number; p50: number; p95: number };
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Rate limiter: strategy name and current in-flight message budget (null when unlimited). */
  rateLimit: {
    strategy: string;
    budget: number | null;
    /** Partitions (Kinesis shards) that throttled alone and are paced at a rate of their own. */
    pacedPartitions: number;
  };
}

export function summarize(m: SinkMetrics, buffered: number, rateLimit: SinkStats['rateLimit']): SinkStats {
  return {
    recordsIn: m.recordsIn,
    recordsOut: m.recordsOut,
    bytesIn: m.bytesIn,
    bytesOut: m.bytesOut,
    requests: m.requests,
    retries: m.retries,
    throttled: m.throttled,
    failedRequests: m.failedRequests,
    deadLetters: m.deadLetters,
    inFlightRequests: m.inFlightRequests,
    inFlightEntries: m.inFlightEntries,
    maxInFlight: m.maxInFlight,
    buffered,
    batchSize: {
      min: m.batchSize.min,
      max: m.batchSize.max,
      mean: round(m.batchSize.mean, 2),
      p50: Math.round(m.batchSize.quantile(0.5)),
      p95: Math.round(m.batchSize.quantile(0.95)),
    },
    latencyMs: {
      p50: round(m.latencyMs.quantile(0.5)),
      p95: round(m.latencyMs.quantile(0.95)),
      p99: round(m.latencyMs.quantile(0.99)),
      max: round(m.latencyMs.max),
    },
    rateLimit,
  };
}
