/**
 * The loader for synchronous callers: a CDK construct's constructor cannot await (the Platform
 * construct takes a spec path). The same checks and findings as loadPlatform (load.ts), with the
 * file read synchronously and resolve() imported up front (load.ts loads it lazily so that
 * `validate` never pays for it).
 */
import { SpecError } from './diagnostics.js';
import { checkRead, resolvable, resolveChecked, unresolved, withEnvironments, type LoadResult } from './load.js';
import type { PlatformModel } from './model.js';
import { readSpecFileSync } from './parse.js';
import * as resolver from './resolve.js';

/** loadPlatform, synchronously. */
export function loadPlatformSync(file: string, options: { env?: string } = {}): LoadResult {
  const read = checkRead(file, readSpecFileSync(file));
  const checked = resolvable(read) ? withEnvironments(read, resolver) : read;
  return resolvable(checked) ? resolveChecked(checked, resolver.resolve, options) : unresolved(checked);
}

/** loadPlatformOrThrow, synchronously: the model, or a SpecError carrying every finding. */
export function loadPlatformSyncOrThrow(file: string, options: { env?: string } = {}): PlatformModel {
  const r = loadPlatformSync(file, options);
  if (!r.model) throw new SpecError(r.diagnostics);
  return r.model;
}
