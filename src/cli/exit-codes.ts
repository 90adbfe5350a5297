/** Documented process exit codes (README "Exit codes"). */
export const ExitCode = {
  Ok: 0,
  /** Validation findings, or records that went to the dead-letter file. */
  Findings: 1,
  /** Usage or configuration error: bad flags, unreadable files, missing credentials. */
  Usage: 2,
  /** Deploy/destroy failed, or a sink stopped on a fatal destination error. */
  Failed: 3,
  /** A defect in ara-gen itself. */
  Internal: 70,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
