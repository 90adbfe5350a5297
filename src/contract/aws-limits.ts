/**
 * AWS limits and character rules that a spec must respect for `synth` and CloudFormation to
 * accept it. One source of truth: the validator's rules report them (with codes, see
 * docs/error-codes.md) and the constructs assert them. Dependency-free.
 */

/** S3 lifecycle: Standard-IA no earlier than 30 days after creation. */
export const MIN_INFREQUENT_ACCESS_DAYS = 30;
/** S3 lifecycle: Glacier no earlier than 90 days after creation... */
export const MIN_ARCHIVE_DAYS = 90;
/** ...and objects stay in Standard-IA at least 30 days before a later transition. */
export const MIN_DAYS_IN_INFREQUENT_ACCESS = 30;

/** S3 lifecycle `Days` and similar day counts are 32-bit integers in the service APIs. */
export const MAX_DAYS = 2_147_483_647;

/** Athena `BytesScannedCutoffPerQuery`: at least 10 MB; the spec's sizes are exact up to 2^53. */
export const MIN_BYTES_SCANNED_CUTOFF = 10_000_000;
export const MAX_SPEC_INTEGER = Number.MAX_SAFE_INTEGER;

/**
 * Characters of an S3 prefix that ara-gen writes into ARNs and IAM policies: S3's "safe"
 * characters plus `=` (Hive partitions). Not `*` or `?` (IAM wildcards: a prefix would widen the
 * grant), not `{`, `}`, `[`, `]` (CDK/handlebars syntax, invalid in ARNs), no controls or spaces.
 */
export const PREFIX_CHARS = /^[A-Za-z0-9!_.'()=/-]*$/;
export const PREFIX_CHARS_TEXT = "letters, digits and ! _ . ' ( ) = / -";

/** Glue column names (partition keys): lower case letters, digits and `_`, not starting with a digit. */
export const COLUMN_NAME = /^[a-z_][a-z0-9_]*$/;
export const MAX_COLUMN_NAME = 255;

/** Glue exclude patterns are globs: any printable character, no control characters. */
export const GLOB_CHARS = /^[^\u0000-\u001f\u007f]*$/;

/**
 * AWS tag keys and values: Unicode letters, digits, spaces and `_ . : / = + - @`
 * (the rule EC2, S3, Glue and CloudFormation stack tags share). Keys 1-128, values 0-256.
 */
export const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
export const MAX_TAG_KEY = 128;
export const MAX_TAG_VALUE = 256;

/**
 * CDK token markers: a string holding one is resolved by the CDK into a reference (`${Token[...]}`
 * string tokens, `#{Token[...]}` list tokens). Spec strings are data, never tokens.
 */
export const CDK_TOKEN = /\$\{Token\[|#\{Token\[/;

/** Glue job worker types by job command: G.025X exists only for streaming jobs. */
export const WORKER_TYPES_BY_COMMAND: Readonly<Record<string, readonly string[]>> = {
  glueetl: ['G.1X', 'G.2X', 'G.4X', 'G.8X'],
  gluestreaming: ['G.025X', 'G.1X', 'G.2X', 'G.4X', 'G.8X'],
};

/**
 * Lambda event source mappings on a Kinesis stream: records per batch, seconds of batching window,
 * concurrent batches per shard, and retries of a failing batch (-1 = until the records expire).
 */
export const KINESIS_EVENT_SOURCE = {
  batchSize: { min: 1, max: 10_000 },
  maxBatchingWindowSeconds: { min: 0, max: 300 },
  parallelizationFactor: { min: 1, max: 10 },
  maxRetryAttempts: { min: -1, max: 10_000 },
} as const;

/**
 * Lower bounds of one Glue run, in seconds: a crawler or a Spark ETL job takes about a minute just
 * to start (Glue 2.0+ bills jobs for at least 1 minute). Rule ARA236 sums them along a workflow's
 * longest chain: a run cannot finish sooner, so a workflow (one run at a time) started more often
 * than that skips runs.
 */
export const GLUE_MIN_RUN_SECONDS: Readonly<Record<'crawler' | 'job', number>> = { crawler: 60, job: 60 };
