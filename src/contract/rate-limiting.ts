/** Rate-limiting settings of a sink (FLIP-242 congestion control). */

/** As the compiler resolves it: every field filled in. */
export type RateLimitingModel =
  | { readonly strategy: 'none' }
  | {
      readonly strategy: 'aimd';
      readonly increaseRate: number;
      readonly decreaseFactor: number;
      /** TCP-like slow start until the first failed request (default true); false = Flink's start at one batch. */
      readonly slowStart: boolean;
    };

/** As a sink config or a library caller may write it: `slowStart` optional. */
export type RateLimitingSettings =
  | RateLimitingModel
  | { readonly strategy: 'aimd'; readonly increaseRate: number; readonly decreaseFactor: number; readonly slowStart?: boolean };
