/**
 * Loads a CommonJS script prepared by scripts/build.js together with the V8 code cache stored beside
 * it (`<file>.cache`), so that start-up skips parsing and compiling it. Used for the hot, large,
 * rarely changing code of `validate`: the precompiled schema validators and the YAML parser. A cache
 * from another Node/V8 version is rejected by V8 and the script is compiled as usual.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Script } from 'node:vm';

// Generated code may require() small runtime helpers (e.g. ajv's ucs2length).
const requireFromHere = createRequire(import.meta.url);
const loaded = new Map<string, unknown>();

/** `module.exports` of the script, or undefined when the file does not exist. */
export function loadCachedScript(file: string): unknown {
  if (loaded.has(file)) return loaded.get(file);
  if (!existsSync(file)) return undefined;
  const cacheFile = `${file}.cache`;
  const script = new Script(readFileSync(file, 'utf8'), {
    filename: file,
    cachedData: existsSync(cacheFile) ? readFileSync(cacheFile) : undefined,
  });
  const factory = script.runInThisContext() as (exports: object, require: NodeRequire, module: { exports: unknown }) => void;
  const module: { exports: unknown } = { exports: {} };
  factory(module.exports as object, requireFromHere, module);
  loaded.set(file, module.exports);
  return module.exports;
}
