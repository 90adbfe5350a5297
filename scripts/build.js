// Build: transpile TypeScript (src, test, bench) with esbuild (fast, no bundling; output mirrors the
// tree: dist/src, dist/test), then precompile every JSON Schema in schema/ into a standalone ajv
// validator (dist/schema/<name>.validate.js) so that `validate` never compiles a schema at start-up.
// Type-checking is separate (`npm run typecheck`). ARA_BUILD_DIR selects another output directory;
// a build whose inputs are unchanged does nothing (ARA_BUILD_FORCE=1 builds anyway).
import { build, transform } from 'esbuild';
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { join, dirname, relative, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const createRequireForRoot = (await import('node:module')).createRequire(join(root, 'package.json'));
process.chdir(root);
const outdir = process.env.ARA_BUILD_DIR || 'dist';

const options = { format: 'esm', platform: 'node', target: 'node20', sourcemap: 'inline', logLevel: 'silent' };

// Skips node_modules and bench/ara-baseline (a separate package the synth benchmark installs).
function tsFiles(dir) {
  if (!existsSync(dir) || dir.endsWith('node_modules') || dir === join('bench', 'ara-baseline')) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []))
    .sort();
}

const files = ['src', 'test', 'bench'].flatMap(tsFiles);

// Nothing to do when the inputs are those of the last complete build: `npm test` builds first, and a
// full build costs ~2 s. The stamp is a hash of every input's path and bytes (sources, schemas,
// platforms, examples, this script, the installed packages' lock) and of the Node version (the code
// caches written below are V8's), written last, only by a build without errors.
const stampFile = join(outdir, '.build-stamp');
function allFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? allFiles(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []))
    .sort();
}
function inputStamp() {
  const inputs = [...files, ...['schema', 'platforms', 'examples'].flatMap(allFiles), fileURLToPath(import.meta.url), 'package.json', 'tsconfig.json', join('node_modules', '.package-lock.json')];
  const hash = createHash('sha256').update(`${process.version} ${process.arch}\n`);
  for (const f of inputs) hash.update(`${relative(root, resolve(f))}\0${existsSync(f) ? readFileSync(f).toString('base64') : '-'}\0`);
  return hash.digest('hex');
}
// Every transpiled file and the bundles: an output deleted by hand is rebuilt.
const outputs = [...files.map((f) => f.replace(/\.ts$/, '.js')), join('bundle', 'cli', 'main.cjs'), join('bundle', 'compile-cache.cjs'), join('bundle', 'compiler', 'validate-worker.cjs'), join('schema', 'platform.validate.cjs'), join('vendor', 'yaml.cjs')];
if (process.env.ARA_BUILD_FORCE !== '1' && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === inputStamp() && outputs.every((f) => existsSync(join(outdir, f)))) process.exit(0);
rmSync(stampFile, { force: true });
// Compiled tests of moved or deleted files would still run (scripts/test.js runs what is there).
rmSync(join(outdir, 'test'), { recursive: true, force: true });
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

// The environment-override ("partial") definitions of the platform schema are derived from the
// full ones (src/compiler/schema-partials.ts): edit only the full definitions; the build rewrites
// the derived ones in place, and CI fails when a commit carries stale ones (.ci/run).
try {
  const { withDerivedPartials, formatSchema } = await import(pathToFileURL(join(root, outdir, 'src', 'compiler', 'schema-partials.js')).href);
  const file = join('schema', 'platform.schema.json');
  const text = readFileSync(file, 'utf8');
  const derived = formatSchema(withDerivedPartials(JSON.parse(text)));
  if (derived !== text) {
    writeFileSync(file, derived);
    process.stderr.write(`build: regenerated the partial-* and overrides definitions of ${file} from the full definitions\n`);
  }
} catch (e) {
  failed++;
  process.stderr.write(`build: schema/platform.schema.json partials: ${e.message}\n`);
}

// The rules' typed view of a spec (src/compiler/rules/spec-types.ts) is generated from the schema's
// full definitions (src/compiler/schema-types.ts), after the partials; CI fails on a stale copy.
try {
  const { specTypesSource } = await import(pathToFileURL(join(root, outdir, 'src', 'compiler', 'schema-types.js')).href);
  const file = join('src', 'compiler', 'rules', 'spec-types.ts');
  const derived = specTypesSource(JSON.parse(readFileSync(join('schema', 'platform.schema.json'), 'utf8')));
  if (!existsSync(file) || readFileSync(file, 'utf8') !== derived) {
    writeFileSync(file, derived);
    process.stderr.write(`build: regenerated ${file} from the schema\n`);
  }
} catch (e) {
  failed++;
  process.stderr.write(`build: src/compiler/rules/spec-types.ts: ${e.message}\n`);
}

const { default: Ajv } = await import('ajv');

/**
 * Writes `code` (CommonJS) as a function expression for src/util/code-cache.ts, runs `warm` on its
 * exports so that V8 compiles the functions it needs, then stores V8's code cache beside it.
 */
async function writeCachedScript(file, code, warm) {
  const { Script } = await import('node:vm');
  const { createRequire } = await import('node:module');
  const wrapped = `(function (exports, require, module) {${code}\n})`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, wrapped);
  const script = new Script(wrapped, { filename: file });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(join(root, 'package.json')), module);
  warm(module.exports);
  writeFileSync(`${file}.cache`, script.createCachedData());
}
const { default: standaloneCode } = await import('ajv/dist/standalone/index.js');
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
    // Minified: its parse time is paid on every run.
    const code = (await transform(standaloneCode(ajv, validate), { format: 'cjs', platform: 'node', target: 'node20', minify: true })).code;
    await writeCachedScript(`${base}.validate.cjs`, code, (exports) => {
      const fn = exports.default ?? exports;
      for (const sample of warmupSamples) fn(sample);
    });
  } catch (e) {
    failed++;
    process.stderr.write(`build: schema/${file}: ${e.message}\n`);
  }
}
// Blueprints as JSON (src/compiler/rules/blueprint.ts prefers them to parsing YAML at start-up).
for (const name of readdirSync('platforms').sort()) {
  const file = join('platforms', name, 'blueprint.yaml');
  if (!existsSync(file)) continue;
  mkdirSync(join(outdir, 'platforms', name), { recursive: true });
  writeFileSync(join(outdir, 'platforms', name, 'blueprint.json'), JSON.stringify(parseYaml(readFileSync(file, 'utf8')) ?? {}));
}

// Handlebars templates of every platform, precompiled and keyed by the SHA-256 of their text
// (src/compiler/handlebars.ts): synth renders them on handlebars' runtime, without loading its compiler.
try {
  const { default: Handlebars } = await import('handlebars');
  // Key, options and file name from the module that reads them (built above).
  const { PRECOMPILED_TEMPLATES, TEMPLATE_OPTIONS, templateKey } = await import(pathToFileURL(resolve(outdir, 'src', 'compiler', 'handlebars.js')).href);
  const entries = new Map();
  for (const name of readdirSync('platforms').sort()) {
    const dir = join('platforms', name, 'templates');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.hbs')).sort()) {
      const text = readFileSync(join(dir, f), 'utf8');
      entries.set(templateKey(text), Handlebars.precompile(text, TEMPLATE_OPTIONS));
    }
  }
  const body = [...entries].sort(([a], [b]) => a.localeCompare(b)).map(([k, spec]) => `${JSON.stringify(k)}: ${spec}`);
  mkdirSync(dirname(join(outdir, PRECOMPILED_TEMPLATES)), { recursive: true });
  writeFileSync(join(outdir, PRECOMPILED_TEMPLATES), `// Generated by scripts/build.js from platforms/*/templates/**/*.hbs.\nmodule.exports = {\n${body.join(',\n')}\n};\n`);
} catch (e) {
  failed++;
  process.stderr.write(`build: precompiled templates: ${e.message}\n`);
}

// The YAML parser for the `validate` path (src/util/yaml.ts), bundled into one script with its code cache.
try {
  const yamlBundle = await build({ ...options, sourcemap: false, entryPoints: [createRequireForRoot.resolve('yaml')], bundle: true, format: 'cjs', minify: true, write: false });
  await writeCachedScript(join(outdir, 'vendor', 'yaml.cjs'), yamlBundle.outputFiles[0].text, (yaml) => {
    for (const f of readdirSync('examples').filter((f) => f.endsWith('.yaml'))) yaml.parseDocument(readFileSync(join('examples', f), 'utf8'), { lineCounter: new yaml.LineCounter() }).toJS();
  });
} catch (e) {
  failed++;
  process.stderr.write(`build: vendor/yaml.cjs: ${e.message}\n`);
}

// Every Lambda handler bundled once, into <outdir>/lambda/<name>/index.js: synth uses these instead
// of running esbuild itself (src/compiler/constructs/bundle.ts).
try {
  const { prebundleHandlers } = await import(pathToFileURL(resolve(root, outdir, 'src', 'compiler', 'constructs', 'bundle.js')).href);
  prebundleHandlers(resolve(root, outdir));
} catch (e) {
  failed++;
  process.stderr.write(`build: Lambda handlers: ${e.message}\n`);
}

/**
 * An esbuild plugin: the bundle loads these CommonJS packages with `require` instead of an ESM
 * `import`. Node imports a CommonJS module into ESM by lexing its source, and every file it
 * re-exports, for export names (cjs-module-lexer): for aws-cdk-lib's service modules that is a
 * tenth of a synth's start-up, spent only on learning names the code already knows.
 */
function requireCommonJs(filter) {
  return {
    name: 'require-commonjs',
    setup(b) {
      b.onResolve({ filter }, (a) => (a.namespace === 'require-commonjs' ? { path: a.path, external: true } : { path: a.path, namespace: 'require-commonjs' }));
      b.onLoad({ filter: /.*/, namespace: 'require-commonjs' }, (a) => ({ contents: `module.exports = require(${JSON.stringify(a.path)});`, loader: 'js' }));
    },
  };
}

// The CLI as one CommonJS file, dist/bundle/cli/main.cjs: start-up reads one file instead of ~150
// modules (`validate` runs on every CI run and editor save), and, being CommonJS, it is compiled
// from the compile cache with aws-cdk-lib (src/util/compile-cache.ts, enabled by bin/ara-gen.js
// before it loads): Node 20 caches no compiled ES module, and imports each ES chunk and each
// `node:` builtin through its ES module loader (about a tenth of a synth's CPU). Commands stay lazy:
// esbuild wraps each dynamically imported module in an initializer that runs on first import.
// Heavy or native-backed packages stay external and load from node_modules only when a command
// needs them. No `import()` is left in the bundle (V8 loses the import callback of code compiled
// from a cache; the compile cache skips files with one). The validation worker and the compile
// cache itself are small CommonJS files beside it.
rmSync(join(outdir, 'bundle'), { recursive: true, force: true });
const external = ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag', '@aws-cdk/*', '@aws-sdk/*', '@smithy/*', 'handlebars', 'esbuild', 'ajv', 'ajv/*', '@redis/*'];
/** `import('pkg')` (a package or `node:` builtin, not a relative path) becomes an external `require('pkg')`. */
const requireDynamicImports = {
  name: 'require-dynamic-imports',
  setup(b) {
    // node-redis is a hundred small CommonJS files: required from node_modules it costs a
    // redis-stream `sink run` ~0.1 s of CPU to start; bundled into one vendor file (below), required
    // on the destination's first batch, a third of that, and nothing for the other commands.
    b.onResolve({ filter: /^@redis\/client$/ }, (a) => (a.kind === 'dynamic-import' ? { path: '../vendor/redis-client.cjs', namespace: 'require-commonjs' } : undefined));
    b.onResolve({ filter: /^\.\.\/vendor\// }, (a) => (a.namespace === 'require-commonjs' ? { path: a.path, external: true } : undefined));
    b.onResolve({ filter: /^[^./]/ }, (a) =>
      a.kind === 'dynamic-import' ? { path: a.path, namespace: 'require-commonjs' } : a.namespace === 'require-commonjs' ? { path: a.path, external: true } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'require-commonjs' }, (a) => ({ contents: `module.exports = require(${JSON.stringify(a.path)});`, loader: 'js' }));
  },
};
/** The worker's module stays a file of its own (a worker starts from a file): main.cjs requires it. */
const workerOutside = {
  name: 'validate-worker-outside',
  setup(b) {
    const file = '../compiler/validate-worker.cjs';
    b.onResolve({ filter: /^\.\/validate-worker\.js$/ }, () => ({ path: file, namespace: 'validate-worker' }));
    b.onResolve({ filter: /^\.\.\/compiler\/validate-worker\.cjs$/ }, () => ({ path: file, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'validate-worker' }, () => ({ contents: `module.exports = require(${JSON.stringify(file)});`, loader: 'js' }));
  },
};
try {
  await build({
    ...options,
    sourcemap: false,
    entryPoints: ['src/cli/main.ts'],
    outfile: join(outdir, 'bundle', 'cli', 'main.cjs'),
    bundle: true,
    format: 'cjs',
    minify: true,
    external,
    // Every package a command imports lazily (`await import(...)`) is required instead, when the
    // import runs: no import() is left in the bundle.
    plugins: [workerOutside, requireDynamicImports],
    // ES module semantics kept: strict mode, and each module's import.meta.url is the bundle's own
    // URL (src/paths.ts finds the package and the build output from it, at any depth).
    define: { 'import.meta.url': '__araImportMetaUrl' },
    banner: { js: "'use strict';var __araImportMetaUrl=require('node:url').pathToFileURL(__filename).href;" },
  });
  // node-redis for the redis-stream destination, as one file (see requireDynamicImports).
  await build({ ...options, sourcemap: false, entryPoints: [createRequireForRoot.resolve('@redis/client')], outfile: join(outdir, 'bundle', 'vendor', 'redis-client.cjs'), bundle: true, format: 'cjs', minify: true });
  await build({
    ...options,
    sourcemap: false,
    entryPoints: ['src/util/compile-cache.ts'],
    outfile: join(outdir, 'bundle', 'compile-cache.cjs'),
    bundle: true,
    format: 'cjs',
    minify: true,
    banner: { js: "'use strict';" },
  });
  await build({
    ...options,
    sourcemap: false,
    entryPoints: ['src/compiler/validate-worker.ts'],
    outfile: join(outdir, 'bundle', 'compiler', 'validate-worker.cjs'),
    bundle: true,
    format: 'cjs',
    minify: true,
    external,
    define: { 'import.meta.url': '__araImportMetaUrl' },
    banner: { js: "'use strict';var __araImportMetaUrl=require('node:url').pathToFileURL(__filename).href;" },
  });
} catch (e) {
  failed++;
  process.stderr.write(`build: CLI bundle: ${e.message}\n`);
}
if (failed) process.exit(1);
// After the generated sources above were rewritten: the stamp holds what the next run will read.
writeFileSync(stampFile, inputStamp());
