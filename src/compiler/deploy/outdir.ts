/**
 * Output directory hygiene for `synth`: re-synthesizing must not leave stale files behind (a stack
 * or sink removed from the spec must disappear from the assembly), but a mistyped `-o` must never
 * wipe a directory of the user's own files. We only empty a directory whose every entry is
 * something a cloud assembly (or ara-gen's sinks/) consists of; otherwise we refuse and say why.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

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
 * Makes `dir` an empty directory ready for a fresh assembly. Throws OutdirError when it exists
 * and holds anything that is not part of a cloud assembly, or is not a directory at all.
 */
export function prepareOutdir(dir: string): void {
  const abs = resolve(dir);
  if (!existsSync(abs)) {
    mkdirSync(abs, { recursive: true });
    return;
  }
  if (!statSync(abs).isDirectory()) {
    throw new OutdirError(`output path '${dir}' exists and is not a directory`, 'choose another output directory with -o DIR');
  }
  const entries = readdirSync(abs).sort();
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
  for (const e of entries) rmSync(join(abs, e), { recursive: true, force: true });
}

function foreignInSinks(dir: string): string[] {
  if (!statSync(dir).isDirectory()) return ['(sinks is not a directory)'];
  return readdirSync(dir).filter((f) => !f.endsWith('.json')).sort();
}
