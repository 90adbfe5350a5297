/**
 * ara-gen's directory in the user's own cache (`$XDG_CACHE_HOME/ara-gen/<name>`, else
 * `~/.cache/ara-gen/<name>`): cdk-nag verdicts (compiler/nag.ts) and compiled code
 * (util/compile-cache.ts). Private to the user by the callers (created 0700): both hold what a
 * run trusts. Undefined without a home directory: then there is no cache.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function userCacheDir(name: string): string | undefined {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : undefined);
  return base ? join(base, 'ara-gen', name) : undefined;
}
