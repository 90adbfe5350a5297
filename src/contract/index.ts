/**
 * The contract between the compiler and the runtime: the sink-config format and its types, the
 * sink settings (buffering hints, retry, rate limiting), each destination's hard limits, and the
 * defaults. Dependency-free (node: builtins at most; test/unit/architecture.test.ts checks it), so both
 * sides and any tool can import it cheaply.
 */
export * from './buffering.js';
export * from './datasets.js';
export * from './defaults.js';
export * from './limits.js';
export * from './rate-limiting.js';
export * from './retry.js';
export * from './sink-config.js';
export * from './streaming.js';
