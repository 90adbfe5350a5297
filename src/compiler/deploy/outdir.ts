/**
 * Output directory hygiene for `synth`: re-synthesizing must not leave stale files behind (a stack
 * or sink removed from the spec must disappear from the assembly), but a mistyped `-o` must never
 * wipe a directory of the user's own files. We only replace a directory whose every entry is
 * something a cloud assembly (or ara-gen's sinks/) consists of; otherwise we refuse and say why.
 *
 * A synth is staged: it writes into a fresh sibling directory (same filesystem, so the final
 * rename is atomic) and only a successful synth swaps it in. A failed synth, for any reason,
 * leaves the previous assembly exactly as it was. Every filesystem error becomes an OutdirError:
 * one sentence, exit 2.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export class OutdirError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message);
    this.name = 'OutdirError';
  }
}

/** Entries a cloud assembly written by the CDK (plus ara-gen's `sinks/`) is made of. */
const ASSEMBLY_ENTRY = [
  /^manifest\.json$/,
  /^tree\.json$/,
  /^validation-report\.json$/,
  /^cdk\.out$/,
  /\.template\.json$/,
  /\.assets\.json$/,
  /\.metadata\.json$/,
  /^asset\.[0-9a-f]{8,}(\.[A-Za-z0-9.]+)?$/,
  /-NagReport\.(csv|json)$/,
  /^(read|synth|write)(\.\d+)*\.lock$/,
  /^assembly-[A-Za-z0-9-]+$/,
  /^sinks$/,
];

/** Files that make a directory recognisably a cloud assembly. */
const MARKERS = ['manifest.json', 'cdk.out'];

/**
 * Checks that `dir` may receive a fresh assembly: it does not exist (and no ancestor is a file), or
 * it is a directory holding only a cloud assembly. Throws OutdirError otherwise. Changes nothing.
 */
export function checkOutdir(dir: string): void {
  const abs = resolve(dir);
  const blocker = fileAncestor(abs);
  if (blocker !== undefined && blocker !== abs) {
    throw new OutdirError(`output path '${dir}' is under '${blocker}', which is a file, not a directory`, 'choose another output directory with -o DIR');
  }
  if (!existsSync(abs)) return;
  if (!statSync(abs).isDirectory()) {
    throw new OutdirError(`output path '${dir}' exists and is not a directory`, 'choose another output directory with -o DIR');
  }
  const entries = guard(dir, 'read', () => readdirSync(abs).sort());
  if (entries.length === 0) return;
  const foreign = entries.filter((e) => !ASSEMBLY_ENTRY.some((re) => re.test(e)));
  const sinksForeign = entries.includes('sinks') ? foreignInSinks(join(abs, 'sinks')) : [];
  const looksLikeAssembly = MARKERS.some((m) => entries.includes(m));
  if (!looksLikeAssembly || foreign.length || sinksForeign.length) {
    const examples = [...foreign, ...sinksForeign.map((f) => `sinks/${f}`)].slice(0, 3).map((f) => `'${f}'`).join(', ');
    throw new OutdirError(
      looksLikeAssembly
        ? `refusing to clean '${dir}': besides a cloud assembly it holds other files (${examples})`
        : `refusing to write into '${dir}': it is not empty and does not look like a cloud assembly${examples ? ` (it holds ${examples})` : ''}`,
      'choose a new or empty directory with -o DIR, or move those files away; ara-gen only replaces directories that hold a cloud assembly',
    );
  }
}

/**
 * Checks `dir` (checkOutdir) and creates an empty staging directory beside it, where the synth
 * writes. Pass the result to commitOutdir on success, discardStaged on failure.
 */
export function stageOutdir(dir: string): string {
  checkOutdir(dir);
  const abs = resolve(dir);
  const parent = dirname(abs);
  guard(dir, 'create', () => mkdirSync(parent, { recursive: true }));
  return guard(dir, 'write to', () => mkdtempSync(join(parent, `.${basename(abs)}.ara-gen-`)));
}

/** Replaces `dir` (an assembly, or nothing) with the staged directory. */
export function commitOutdir(staged: string, dir: string): void {
  const abs = resolve(dir);
  checkOutdir(dir); // still ours: nothing foreign appeared while we synthesized
  let old: string | undefined;
  if (existsSync(abs)) {
    old = `${staged}.old`;
    guard(dir, 'replace', () => renameSync(abs, old!));
  }
  try {
    guard(dir, 'replace', () => renameSync(staged, abs));
  } catch (e) {
    if (old) renameSync(old, abs); // put the previous assembly back
    throw e;
  }
  if (old) rmSync(old, { recursive: true, force: true });
}

/** Removes a staging directory after a failed synth (the previous assembly is untouched). */
export function discardStaged(staged: string): void {
  rmSync(staged, { recursive: true, force: true });
}

/** The nearest existing ancestor of `abs` (itself included) when it is not a directory. */
function fileAncestor(abs: string): string | undefined {
  for (let p = abs; ; p = dirname(p)) {
    if (existsSync(p)) return statSync(p).isDirectory() ? undefined : p;
    if (dirname(p) === p) return undefined;
  }
}

/** Runs a filesystem step; its error becomes one OutdirError sentence naming the directory. */
function guard<T>(dir: string, verb: string, step: () => T): T {
  try {
    return step();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (!err.code) throw e;
    const why: Record<string, string> = {
      EACCES: 'permission denied',
      EPERM: 'operation not permitted',
      EROFS: 'read-only file system',
      ENOTDIR: 'a part of the path is a file, not a directory',
      ENOSPC: 'no space left on the device',
      EEXIST: 'it already exists',
    };
    throw new OutdirError(`cannot ${verb} output directory '${dir}': ${why[err.code] ?? err.code}`, 'choose a writable output directory with -o DIR');
  }
}

function foreignInSinks(dir: string): string[] {
  if (!statSync(dir).isDirectory()) return ['(sinks is not a directory)'];
  return readdirSync(dir).filter((f) => !f.endsWith('.json') && !f.endsWith('.flink.sql')).sort();
}
