/**
 * Rate limiting after FLIP-242: a strategy decides whether the next request may start and learns
 * from each completed request. Congestion control bounds requests in flight (maxInFlightRequests)
 * and records in flight (an adaptive budget).
 *
 * What differs from Flink, and why:
 * - Loss is not congestion. Only throttling (the destination classifies it: per-record throttles,
 *   HTTP 429/503, whole-request throttles) shrinks the budget. Flink shrinks it on any failed
 *   entry, so a destination that randomly fails 5% of its records for internal reasons (which real
 *   streaming services do) drives the budget, and the batch size with it, to the floor.
 * - At most once per round trip, in proportion: a congestion event is one cut, as in TCP NewReno.
 *   Throttled answers to requests sent before the last cut belong to the event already answered
 *   and are ignored. The cut is the throttled share of the request (if 10% were throttled, we sent
 *   ~10% too much), at most `decreaseFactor` (a whole throttled request halves the budget with 0.5).
 * - A cut never leaves more in flight than the destination took in one round trip: when a throttled
 *   request's answer comes, the records acknowledged while it was in flight (its own included) are
 *   what the destination absorbs per round trip, the bandwidth-delay product. A proportional cut
 *   alone undershoots a large overshoot (the first answers after an idle spell pass on the
 *   bucket's burst: a budget of 2,000 against a 2,000 records/s cap at 50 ms sees 20% throttled and
 *   took 5+ round trips of growing latency to come down); then no fast recovery, only additive
 *   increase, because the estimate is already what the destination delivers.
 * - Batches stay full: the budget caps records in flight, not the batch size, unless the budget
 *   itself is below one batch (only sustained throttling gets it there).
 * - Fast recovery: after a cut, successes grow the budget by each acknowledged batch (doubling per
 *   round trip, as in slow start) until it is half-way back to where it was before the cut; then
 *   additive increase (+increaseRate per successful request) probes further. A transient burst of
 *   throttling is recovered from in a few round trips.
 * - Slow start, as in TCP: from up to SLOW_START_INITIAL_BATCHES batches, each success adds the
 *   acknowledged batch (at least increaseRate) until the first throttle.
 */
import type { BufferingHints } from '../../contract/buffering.js';
import { DEFAULT_RATE_LIMITING } from '../../contract/defaults.js';
import type { RateLimitingModel, RateLimitingSettings } from '../../contract/rate-limiting.js';
import { SinkConfigError } from './errors.js';

export interface RequestInfo {
  readonly batchSize: number;
  /** The writer's request number (increasing in send order): lets a strategy tell round trips apart. */
  readonly id?: number;
}

export interface ResultInfo {
  readonly batchSize: number;
  /** Entries of the request that were not accepted (all of them when the request failed). */
  readonly failedEntries: number;
  /** Entries the destination throttled (all of them for a throttled request). Absent: `throttled ? failedEntries : 0`. */
  readonly throttledEntries?: number;
  /** Whether the destination pushed back (some entries or the whole request throttled). */
  readonly throttled: boolean;
  readonly latencyMs: number;
  /** The request's id as given to registerInFlightRequest. */
  readonly id?: number;
}

export interface RateLimitingStrategy {
  readonly name: string;
  /** Whether a request of this size must wait for in-flight requests to complete. */
  shouldBlock(req: RequestInfo): boolean;
  /** Largest batch the strategy allows now. */
  maxBatchSize(): number;
  registerInFlightRequest(req: RequestInfo): void;
  registerCompletedRequest(result: ResultInfo): void;
  /** Current in-flight message budget (Infinity when unlimited). */
  currentBudget(): number;
}

/** How the message budget reacts to outcomes (FLIP-242's ScalingStrategy). */
export interface ScalingStrategy {
  scaleUp(current: number): number;
  /** `throttledShare` in (0, 1]: the share of the request that was throttled (1 when absent). */
  scaleDown(current: number, throttledShare?: number): number;
}

/** Additive increase, multiplicative decrease (proportional to the throttled share), between 1 and `rateThreshold`. */
export class AimdScaling implements ScalingStrategy {
  constructor(
    readonly increaseRate: number,
    readonly decreaseFactor: number,
    readonly rateThreshold: number,
  ) {
    if (!Number.isInteger(increaseRate) || increaseRate <= 0)
      throw new SinkConfigError(`rateLimiting.increaseRate = ${increaseRate} must be a positive integer; set it to e.g. 10.`);
    if (!(decreaseFactor > 0 && decreaseFactor < 1))
      throw new SinkConfigError(`rateLimiting.decreaseFactor = ${decreaseFactor} must be between 0 and 1 (exclusive); set it to e.g. 0.5.`);
    if (!(rateThreshold >= 1)) throw new SinkConfigError(`AIMD rate threshold ${rateThreshold} must be at least 1.`);
  }

  scaleUp(current: number): number {
    return Math.min(current + this.increaseRate, this.rateThreshold);
  }

  scaleDown(current: number, throttledShare = 1): number {
    const share = Math.min(1, Math.max(0, throttledShare));
    return Math.max(1, Math.round(current * Math.max(this.decreaseFactor, 1 - share)));
  }
}

export interface CongestionControlOptions {
  readonly maxInFlightRequests: number;
  /** Budget at start (Flink: maxBatchSize). */
  readonly initialMaxInFlightMessages: number;
  readonly scaling: ScalingStrategy;
  readonly name?: string;
  /**
   * Slow start: until the first throttle, a success grows the budget by the acknowledged batch
   * size (at least `minIncrease`) up to `ceiling`, instead of scaling.scaleUp. The same growth is
   * used for fast recovery after a cut.
   */
  readonly slowStart?: { readonly ceiling: number; readonly minIncrease: number };
  /** Whether to begin in slow start (default true when `slowStart` is given); false = Flink's start, fast recovery only. */
  readonly startInSlowStart?: boolean;
}

export class CongestionControlStrategy implements RateLimitingStrategy {
  readonly name: string;
  private inFlightRequests = 0;
  private inFlightMessages = 0;
  private budget: number;
  private slowStarting: boolean;
  /** Highest request id registered so far. */
  private lastSentId = -1;
  /** Requests with an id below this were sent before the last cut: their throttles are the same event. */
  private recoveryId = -Infinity;
  /** Fast recovery grows the budget quickly up to here (0 = not recovering). */
  private recoveryTarget = 0;
  /** Cuts so far (one per congestion event). */
  decreases = 0;
  /** Records acknowledged so far, and that count when each in-flight request was sent (by id). */
  private acknowledgedTotal = 0;
  private readonly acknowledgedAtSend = new Map<number, number>();

  constructor(private readonly options: CongestionControlOptions) {
    this.name = options.name ?? 'congestion-control';
    this.budget = Math.max(1, options.initialMaxInFlightMessages);
    this.slowStarting = options.slowStart !== undefined && options.startInSlowStart !== false;
  }

  /** Whether the strategy is still in slow start (no throttle yet). */
  get inSlowStart(): boolean {
    return this.slowStarting;
  }

  shouldBlock(req: RequestInfo): boolean {
    return this.inFlightRequests >= this.options.maxInFlightRequests || this.inFlightMessages + req.batchSize > this.budget;
  }

  maxBatchSize(): number {
    return Math.max(1, Math.floor(this.budget));
  }

  registerInFlightRequest(req: RequestInfo): void {
    this.inFlightRequests++;
    this.inFlightMessages += req.batchSize;
    if (req.id !== undefined) {
      if (req.id > this.lastSentId) this.lastSentId = req.id;
      this.acknowledgedAtSend.set(req.id, this.acknowledgedTotal);
    }
  }

  registerCompletedRequest(result: ResultInfo): void {
    this.inFlightRequests = Math.max(0, this.inFlightRequests - 1);
    this.inFlightMessages = Math.max(0, this.inFlightMessages - result.batchSize);
    const throttled = result.throttledEntries ?? (result.throttled ? result.failedEntries : 0);
    const acknowledged = result.batchSize - result.failedEntries;
    this.acknowledgedTotal += acknowledged;
    let perRoundTrip = 0;
    if (result.id !== undefined) {
      const atSend = this.acknowledgedAtSend.get(result.id);
      this.acknowledgedAtSend.delete(result.id);
      if (atSend !== undefined) perRoundTrip = this.acknowledgedTotal - atSend;
    }
    if (throttled > 0 || result.throttled) {
      // One cut per congestion event: answers to requests sent before the last cut are ignored.
      if (result.id !== undefined && result.id < this.recoveryId) return;
      const before = this.budget;
      const share = result.batchSize > 0 ? Math.max(throttled, result.throttled ? 1 : 0) / result.batchSize : 1;
      const proportional = this.options.scaling.scaleDown(this.budget, share);
      if (perRoundTrip > 0 && perRoundTrip < proportional) {
        // What the destination took in one round trip: no fast recovery above it.
        this.budget = Math.max(1, perRoundTrip);
        this.recoveryTarget = 0;
      } else {
        this.budget = proportional;
        this.recoveryTarget = (before + this.budget) / 2;
      }
      this.recoveryId = this.lastSentId + 1;
      this.slowStarting = false;
      this.decreases++;
      return;
    }
    const slow = this.options.slowStart;
    if (slow && (this.slowStarting || this.budget < this.recoveryTarget)) {
      const cap = this.slowStarting ? slow.ceiling : Math.min(slow.ceiling, this.recoveryTarget);
      this.budget = Math.min(cap, this.budget + Math.max(acknowledged, slow.minIncrease));
      if (!this.slowStarting && this.budget >= this.recoveryTarget) this.recoveryTarget = 0;
    } else {
      this.budget = this.options.scaling.scaleUp(this.budget);
    }
  }

  currentBudget(): number {
    return this.budget;
  }
}

/** `strategy: none`: only the maxInFlightRequests hint bounds concurrency; batches are not capped. */
export class NoRateLimiting implements RateLimitingStrategy {
  readonly name = 'none';
  private inFlightRequests = 0;

  constructor(private readonly maxInFlightRequests: number) {}

  shouldBlock(): boolean {
    return this.inFlightRequests >= this.maxInFlightRequests;
  }
  maxBatchSize(): number {
    return Number.POSITIVE_INFINITY;
  }
  registerInFlightRequest(): void {
    this.inFlightRequests++;
  }
  registerCompletedRequest(): void {
    this.inFlightRequests = Math.max(0, this.inFlightRequests - 1);
  }
  currentBudget(): number {
    return Number.POSITIVE_INFINITY;
  }
}

export { DEFAULT_RATE_LIMITING, type RateLimitingSettings };

/** Batches in flight at the start of slow start (capped by maxInFlightRequests). */
export const SLOW_START_INITIAL_BATCHES = 4;

/**
 * Strategy for a rate-limiting setting: AIMD congestion control with ceiling maxBatchSize ×
 * maxInFlightRequests (FLIP-242's), with slow start from up to 4 batches unless `slowStart: false`
 * (then it starts at maxBatchSize messages, as Flink does); or none.
 */
export function createRateLimitingStrategy(model: RateLimitingSettings, hints: BufferingHints): RateLimitingStrategy {
  switch (model.strategy) {
    case 'none':
      return new NoRateLimiting(hints.maxInFlightRequests);
    case 'aimd': {
      const slowStart = (model as { slowStart?: unknown }).slowStart ?? true;
      // The growth of slow start also serves fast recovery, with or without slow start at the beginning.
      if (typeof slowStart !== 'boolean') throw new SinkConfigError(`rateLimiting.slowStart = ${JSON.stringify(slowStart)} must be true or false.`);
      const ceiling = hints.maxBatchSize * hints.maxInFlightRequests;
      return new CongestionControlStrategy({
        name: 'aimd',
        maxInFlightRequests: hints.maxInFlightRequests,
        initialMaxInFlightMessages: slowStart ? hints.maxBatchSize * Math.min(hints.maxInFlightRequests, SLOW_START_INITIAL_BATCHES) : hints.maxBatchSize,
        scaling: new AimdScaling(model.increaseRate, model.decreaseFactor, ceiling),
        slowStart: { ceiling, minIncrease: model.increaseRate },
        startInSlowStart: slowStart,
      });
    }
    default: {
      const strategy = (model as { strategy?: unknown }).strategy;
      throw new SinkConfigError(`rateLimiting.strategy = ${JSON.stringify(strategy)} is not supported; use "aimd" or "none".`);
    }
  }
}
