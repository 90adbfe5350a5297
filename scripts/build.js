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
mkdirSync(join(outdir, 'schema'), { recursive: true });
for (const file of readdirSync('schema').filter((f) => f.endsWith('.schema.json')).sort()) {
  try {
    const schema = JSON.parse(readFileSync(join('schema', file), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: true, code: { source: true, esm: true, lines: false } });
    const validate = ajv.compile(schema);
    let code = standaloneCode(ajv, validate);
    // ajv's ESM output still require()s its runtime helpers (e.g. ucs2length for maxLength).
    if (code.includes('require(')) code = `import { createRequire } from 'node:module';const require = createRequire(import.meta.url);${code}`;
    writeFileSync(join(outdir, 'schema', file.replace('.schema.json', '.validate.js')), code);
  } catch (e) {
    failed++;
    process.stderr.write(`build: schema/${file}: ${e.message}\n`);
  }
}
if (failed) process.exit(1);
