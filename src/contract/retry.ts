/** How the async-sink engine retries failed entries and requests. */
export interface RetryPolicy {
  /** Attempts per entry before it goes to the dead-letter file; 0 = retry forever. */
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly requestTimeoutMs: number;
}
