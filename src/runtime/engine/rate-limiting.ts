/**
 * Rate limiting after FLIP-242: a strategy decides whether the next request may start and how
 * large it may be, and learns from each completed request. Congestion control bounds in-flight
 * requests (maxInFlightRequests) and in-flight messages (an adaptive budget, AIMD-scaled); the
 * budget also caps the batch size, so a throttled destination gets smaller and fewer requests.
 *
 * Beyond Flink: an optional slow-start phase (as in TCP). Flink starts at one batch in flight and
 * adds +10 messages per success, so reaching maxBatchSize × maxInFlightRequests takes thousands of
 * requests; in slow start every success adds the acknowledged batch (at least increaseRate), which
 * doubles the budget per round trip, from an initial window of up to SLOW_START_INITIAL_BATCHES
 * batches (TCP's initial window, RFC 3390, likewise starts above one segment). The first failure
 * ends slow start for good (the budget is scaled down as usual) and additive increase takes over.
 */
import type { BufferingHints } from '../../contract/buffering.js';
import { DEFAULT_RATE_LIMITING } from '../../contract/defaults.js';
import type { RateLimitingModel, RateLimitingSettings } from '../../contract/rate-limiting.js';
import { SinkConfigError } from './errors.js';

export interface RequestInfo {
  readonly batchSize: number;
}

export interface ResultInfo {
  readonly batchSize: number;
  /** Entries of the request that were not accepted (all of them when the request failed). */
  readonly failedEntries: number;
  /** Whether the failure was the destination pushing back. */
  readonly throttled: boolean;
  readonly latencyMs: number;
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
  scaleDown(current: number): number;
}

/** Additive increase, multiplicative decrease, between 1 and `rateThreshold`. */
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

  scaleDown(current: number): number {
    return Math.max(1, Math.round(current * this.decreaseFactor));
  }
}

export interface CongestionControlOptions {
  readonly maxInFlightRequests: number;
  /** Budget at start (Flink: maxBatchSize). */
  readonly initialMaxInFlightMessages: number;
  readonly scaling: ScalingStrategy;
  readonly name?: string;
  /**
   * Slow start: until the first request with a failure, a success grows the budget by the
   * acknowledged batch size (at least `minIncrease`) up to `ceiling`, instead of scaling.scaleUp.
   */
  readonly slowStart?: { readonly ceiling: number; readonly minIncrease: number };
}

export class CongestionControlStrategy implements RateLimitingStrategy {
  readonly name: string;
  private inFlightRequests = 0;
  private inFlightMessages = 0;
  private budget: number;
  private slowStarting: boolean;

  constructor(private readonly options: CongestionControlOptions) {
    this.name = options.name ?? 'congestion-control';
    this.budget = Math.max(1, options.initialMaxInFlightMessages);
    this.slowStarting = options.slowStart !== undefined;
  }

  /** Whether the strategy is still in slow start (no failed request yet). */
  get inSlowStart(): boolean {
    return this.slowStarting;
  }

  shouldBlock(req: RequestInfo): boolean {
    return (
      this.inFlightRequests >= this.options.maxInFlightRequests ||
      this.inFlightMessages + req.batchSize > this.budget
    );
  }

  maxBatchSize(): number {
    return this.budget;
  }

  registerInFlightRequest(req: RequestInfo): void {
    this.inFlightRequests++;
    this.inFlightMessages += req.batchSize;
  }

  registerCompletedRequest(result: ResultInfo): void {
    this.inFlightRequests = Math.max(0, this.inFlightRequests - 1);
    this.inFlightMessages = Math.max(0, this.inFlightMessages - result.batchSize);
    const slow = this.options.slowStart;
    if (result.failedEntries > 0) {
      this.slowStarting = false;
      this.budget = this.options.scaling.scaleDown(this.budget);
    } else if (this.slowStarting && slow) {
      this.budget = Math.min(slow.ceiling, this.budget + Math.max(result.batchSize, slow.minIncrease));
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
      if (typeof slowStart !== 'boolean') throw new SinkConfigError(`rateLimiting.slowStart = ${JSON.stringify(slowStart)} must be true or false.`);
      const ceiling = hints.maxBatchSize * hints.maxInFlightRequests;
      return new CongestionControlStrategy({
        name: 'aimd',
        maxInFlightRequests: hints.maxInFlightRequests,
        initialMaxInFlightMessages: slowStart ? hints.maxBatchSize * Math.min(hints.maxInFlightRequests, SLOW_START_INITIAL_BATCHES) : hints.maxBatchSize,
        scaling: new AimdScaling(model.increaseRate, model.decreaseFactor, ceiling),
        ...(slowStart && { slowStart: { ceiling, minIncrease: model.increaseRate } }),
      });
    }
    default: {
      const strategy = (model as { strategy?: unknown }).strategy;
      throw new SinkConfigError(`rateLimiting.strategy = ${JSON.stringify(strategy)} is not supported; use "aimd" or "none".`);
    }
  }
}
