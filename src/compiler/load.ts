/**
 * The loader: file → YAML document with positions (parse.ts) → schema check (of the file, then of
 * each environment's effective spec) → semantic rules → resolve(). Every problem on the way is a
 * positioned Diagnostic; nothing here throws on bad input.
 * `validate` imports only this chain (yaml, the precompiled validator, the rules), never the CDK.
 */
import { availableParallelism } from 'node:os';
import { type Diagnostic, SpecError } from './diagnostics.js';
import type { SpecDocument } from './document.js';
import type { PlatformModel } from './model.js';
import { checkOverrideSchemas } from './override-check.js';
import { LoaderCode, parseSpec, readSpecFile, type ReadResult } from './parse.js';
import { Findings } from './findings.js';
import { checkRules } from './rules/index.js';
import { checkSchemaDetailed } from './schema-check.js';

export { LoaderCode, decodeText, parseSpec, readSpecFile, type ReadResult } from './parse.js';

/** resolve()'s finding for an environment (`--env`) the spec does not declare. */
export const UNKNOWN_ENVIRONMENT = 'ARA290';

/**
 * Findings that mean the command was invoked wrongly rather than that the spec is wrong: a file that
 * cannot be read, an `--env` the spec does not declare. Commands exit 2 (usage) on them, not 1.
 */
export function isUsageProblem(d: Diagnostic): boolean {
  return d.code === LoaderCode.Unreadable || d.code === UNKNOWN_ENVIRONMENT;
}

export interface FileResult {
  readonly file: string;
  readonly diagnostics: Diagnostic[];
  /** The file's text when it could be read (for code frames). */
  readonly text?: string;
}

/** Parse → schema → semantic rules. */
export async function validateSpec(file: string, text?: string): Promise<FileResult> {
  const checked = await checkText(file, text);
  return { file, diagnostics: checked.diagnostics, ...(checked.text !== undefined ? { text: checked.text } : {}) };
}

export interface ValidateOptions {
  /**
   * Threads for large batches (the calling thread included). Default: 1 below 200 files, else up to
   * 4 by available CPUs; ARA_VALIDATE_THREADS overrides. YAML parsing is CPU-bound, so a batch of
   * 1,000 specs (a CI run over a monorepo) scales with cores.
   */
  readonly threads?: number;
}

/** Validates several files; results in the order given. */
export async function validateFiles(files: readonly string[], options: ValidateOptions = {}): Promise<FileResult[]> {
  const threads = Math.max(1, Math.min(files.length, options.threads ?? defaultThreads(files.length)));
  if (threads === 1) return validateSerial(files);
  const size = Math.ceil(files.length / threads);
  const chunks = Array.from({ length: threads }, (_, i) => files.slice(i * size, (i + 1) * size)).filter((c) => c.length);
  const [own, ...others] = chunks;
  const { validateInWorker } = await import('./validate-worker.js');
  const parts = await Promise.all([validateSerial(own!), ...others.map((c) => validateInWorker(c))]);
  return parts.flat();
}

function defaultThreads(count: number): number {
  const forced = Number(process.env.ARA_VALIDATE_THREADS);
  if (Number.isInteger(forced) && forced >= 1) return forced;
  if (count < 200) return 1;
  return Math.min(4, availableParallelism(), Math.floor(count / 100));
}

/** One file after another in this thread, reads overlapped with checking. */
export async function validateSerial(files: readonly string[]): Promise<FileResult[]> {
  const results: FileResult[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      results[i] = await validateSpec(files[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, files.length) }, worker));
  return results;
}

export interface Checked {
  readonly text?: string;
  readonly document?: SpecDocument;
  readonly diagnostics: Diagnostic[];
  readonly unreadable?: boolean;
}

async function checkText(file: string, given?: string): Promise<Checked> {
  const checked = checkRead(file, given === undefined ? await readSpecFile(file) : { text: given, diagnostics: [] });
  // Loaded lazily, and only for a clean spec: resolve() reads the blueprints.
  return resolvable(checked) ? withEnvironments(checked, await import('./resolve.js')) : checked;
}

type Resolver = Pick<typeof import('./resolve.js'), 'resolve' | 'environmentNames'>;

/**
 * Parse → schema → semantic rules, synchronously (loadPlatformSync in load-sync.ts shares it). A
 * clean result still goes through withEnvironments.
 */
export function checkRead(file: string, read: ReadResult): Checked {
  if (read.text === undefined) return read;
  const text = read.text;
  const parsed = parseSpec(file, text);
  // Every phase adds to one collector, which keeps one finding per root cause (findings.ts).
  const findings = new Findings();
  findings.addAll('read', read.diagnostics);
  findings.addAll('parse', parsed.diagnostics);
  if (!parsed.document) return { text, diagnostics: findings.list() };
  const schema = checkSchemaDetailed(parsed.document);
  findings.addAll('schema', schema.diagnostics);
  findings.markDoubtful(schema.doubtful);
  // Each environment's effective spec too: an override can add a key of another variant.
  checkOverrideSchemas(parsed.document, findings);
  // Rules run on schema-invalid data too (they tolerate wrong shapes), so one run reports every root cause.
  checkRules(parsed.document, findings);
  return { text, document: parsed.document, diagnostics: findings.list() };
}

/**
 * What `print`/`synth` would reject, `validate` rejects first: a clean spec is resolved for every
 * environment (unit conversions, schedules, names), and what resolve() finds is a finding here.
 */
export function withEnvironments(checked: Checked & { document: SpecDocument }, { resolve, environmentNames }: Resolver): Checked {
  const found = environmentNames(checked.document).flatMap((env) => resolve(checked.document, { env }).diagnostics);
  return found.length ? { ...checked, diagnostics: withResolved(checked.diagnostics, found) } : checked;
}

/** Earlier findings plus resolve()'s, through the collector (several environments' resolves report a finding once). */
function withResolved(earlier: readonly Diagnostic[], resolved: readonly Diagnostic[]): Diagnostic[] {
  const findings = new Findings(earlier);
  findings.addAll('resolve', resolved);
  return findings.list();
}

export interface LoadResult {
  /** Present only when there are no errors. */
  model?: PlatformModel;
  diagnostics: Diagnostic[];
  document?: SpecDocument;
}

/** Parse → schema → rules → resolve (blueprint defaults, environment overlay). */
export async function loadPlatform(file: string, options: { env?: string } = {}): Promise<LoadResult> {
  const checked = await checkText(file);
  if (!resolvable(checked)) return unresolved(checked);
  const { resolve } = await import('./resolve.js');
  return resolveChecked(checked, resolve, options);
}

/** The checked spec can be resolved: it parsed and has no errors. */
export function resolvable(checked: Checked): checked is Checked & { document: SpecDocument } {
  return checked.document !== undefined && !checked.diagnostics.some((d) => d.severity === 'error');
}

export function unresolved(checked: Checked): LoadResult {
  return { diagnostics: checked.diagnostics, ...(checked.document ? { document: checked.document } : {}) };
}

/** The last step of loadPlatform and loadPlatformSync: the model, or every finding. */
export function resolveChecked(checked: Checked & { document: SpecDocument }, resolve: typeof import('./resolve.js').resolve, options: { env?: string }): LoadResult {
  const { document } = checked;
  const resolved = resolve(document, options.env === undefined ? {} : { env: options.env });
  const diagnostics = withResolved(checked.diagnostics, resolved.diagnostics);
  const ok = resolved.model && !diagnostics.some((d) => d.severity === 'error');
  return { diagnostics, document, ...(ok ? { model: resolved.model } : {}) };
}

/** loadPlatform for tests and library users: the model, or a SpecError carrying every finding. */
export async function loadPlatformOrThrow(file: string, options: { env?: string } = {}): Promise<PlatformModel> {
  const r = await loadPlatform(file, options);
  if (!r.model) throw new SpecError(r.diagnostics);
  return r.model;
}
