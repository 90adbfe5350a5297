// Build: transpile TypeScript (src, test, bench) with esbuild (fast, no bundling; output mirrors the
// tree: dist/src, dist/test), then precompile every JSON Schema in schema/ into a standalone ajv
// validator (dist/schema/<name>.validate.js) so that `validate` never compiles a schema at start-up.
// Type-checking is separate (`npm run typecheck`). ARA_BUILD_DIR selects another output directory.
import { build, transform } from 'esbuild';
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const outdir = process.env.ARA_BUILD_DIR || 'dist';

const options = { format: 'esm', platform: 'node', target: 'node20', sourcemap: 'inline', logLevel: 'silent' };

function tsFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
}

const files = ['src', 'test', 'bench'].flatMap(tsFiles);
let failed = 0;
try {
  await build({ ...options, entryPoints: files, outdir, outbase: '.' });
} catch {
  // One broken file must not hide the others: transpile file by file and report each error.
  for (const file of files) {
    try {
      const r = await transform(readFileSync(file, 'utf8'), { ...options, loader: 'ts', sourcefile: file });
      const out = join(outdir, file.replace(/\.ts$/, '.js'));
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, r.code);
    } catch (e) {
      failed++;
      process.stderr.write(`build: ${file}: ${e.errors?.[0]?.text ?? e.message}\n`);
    }
  }
}

const { default: Ajv } = await import('ajv');
const { default: standaloneCode } = await import('ajv/dist/standalone/index.js');
const { Script } = await import('node:vm');
const { createRequire } = await import('node:module');
const { parse: parseYaml } = await import('yaml');
const schemaOut = join(outdir, 'schema');
// Inputs that run the validators through their common paths before the code cache is taken.
const warmupSamples = [{}, { version: 1 }, [], ...readdirSync('examples').filter((f) => f.endsWith('.yaml')).map((f) => parseYaml(readFileSync(join('examples', f), 'utf8')))];
mkdirSync(schemaOut, { recursive: true });
for (const file of readdirSync('schema').filter((f) => f.endsWith('.schema.json')).sort()) {
  const base = join(schemaOut, file.replace('.schema.json', ''));
  try {
    const schema = JSON.parse(readFileSync(join('schema', file), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: true, code: { source: true, esm: false, lines: false } });
    const validate = ajv.compile(schema);
    // A function expression taking CommonJS' arguments, loaded with vm.Script (src/util/compiled-validator.ts)
    // so that V8's code cache can be stored beside it. Minified: its parse time is paid on every run.
    const body = (await transform(standaloneCode(ajv, validate), { format: 'cjs', platform: 'node', target: 'node20', minify: true })).code;
    const code = `(function (exports, require, module) {${body}\n})`;
    writeFileSync(`${base}.validate.cjs`, code);
    // Warm the validator (so V8 compiles its lazily compiled functions) before taking the code cache.
    const script = new Script(code, { filename: `${base}.validate.cjs` });
    const module = { exports: {} };
    script.runInThisContext()(module.exports, createRequire(join(root, 'package.json')), module);
    const fn = module.exports.default ?? module.exports;
    for (const sample of warmupSamples) fn(sample);
    writeFileSync(`${base}.validate.cjs.cache`, script.createCachedData());
    // ESM form for modules that still import it directly.
    writeFileSync(`${base}.validate.js`, `import { createRequire } from 'node:module';const require = createRequire(import.meta.url);const module = { exports: {} };${code}(module.exports, require, module);export default module.exports.default ?? module.exports;`);
  } catch (e) {
    failed++;
    process.stderr.write(`build: schema/${file}: ${e.message}\n`);
  }
}
if (failed) process.exit(1);
