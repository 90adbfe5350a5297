/**
 * Loads a JSON Schema validator precompiled by scripts/build.js (`<build>/schema/<name>.validate.cjs`,
 * with its V8 code cache: the platform schema compiles to ~0.5 MB of code that `validate` would
 * otherwise parse on every run).
 */
import { join } from 'node:path';
import { compiledSchemaDir } from '../paths.js';
import { loadCachedScript } from './code-cache.js';

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

/** The validator of `schema/<name>.schema.json`; throws a rebuild hint when the build output is missing. */
export function loadCompiledValidator(name: string): CompiledValidator {
  const file = join(compiledSchemaDir, `${name}.validate.cjs`);
  const exports = loadCachedScript(file) as ({ default?: CompiledValidator } & Partial<CompiledValidator>) | undefined;
  if (!exports) throw new Error(`ara-gen: the compiled schema validator ${file} is missing (run 'npm run build')`);
  return (exports.default ?? exports) as CompiledValidator;
}
