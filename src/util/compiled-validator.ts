/**
 * Loads a JSON Schema validator precompiled by scripts/build.js. The generated code is large (the
 * platform schema compiles to ~0.5 MB), and `validate` runs on every CI run and editor save, so the
 * build also stores V8's code cache for it; loading then skips parsing and compiling. A cache made
 * by another Node/V8 version is rejected by V8 and the code is simply compiled as usual.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { compiledSchemaDir } from '../paths.js';

/** The shape of an ajv error object (ajv itself is not loaded at run time). */
export interface CompiledSchemaError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  propertyName?: string;
}

export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: CompiledSchemaError[] | null;
}

const loaded = new Map<string, CompiledValidator>();
// The generated code require()s ajv's small runtime helpers (e.g. ucs2length for maxLength).
const requireFromHere = createRequire(import.meta.url);

/** The validator of `schema/<name>.schema.json`; throws a rebuild hint when the build output is missing. */
export function loadCompiledValidator(name: string): CompiledValidator {
  const cached = loaded.get(name);
  if (cached) return cached;
  const file = join(compiledSchemaDir, `${name}.validate.cjs`);
  if (!existsSync(file)) {
    throw new Error(`ara-gen: the compiled schema validator ${file} is missing (run 'npm run build')`);
  }
  const cacheFile = `${file}.cache`;
  const script = new Script(readFileSync(file, 'utf8'), {
    filename: file,
    cachedData: existsSync(cacheFile) ? readFileSync(cacheFile) : undefined,
  });
  const factory = script.runInThisContext() as (exports: object, require: NodeRequire, module: { exports: unknown }) => void;
  const module: { exports: { default?: CompiledValidator } & Partial<CompiledValidator> } = { exports: {} };
  factory(module.exports, requireFromHere, module);
  const validate = (module.exports.default ?? module.exports) as CompiledValidator;
  loaded.set(name, validate);
  return validate;
}
