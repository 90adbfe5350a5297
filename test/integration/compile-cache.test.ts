/**
 * The compile cache of the CDK packages' CommonJS files (src/util/compile-cache.ts), in child
 * processes (it patches the process's module loader): a second run reuses what the first compiled,
 * a file whose text changed (even at the same length) is compiled again and runs as changed, a
 * damaged cache is ignored and replaced, files outside the CDK packages and files that import()
 * are left to Node, modules get Node's `require`/`__dirname`, and ARA_COMPILE_CACHE=0 writes nothing. Packages are small
 * stand-ins named like the real ones, so that this costs no CDK load.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildDir, repoRoot, runAraGen, runScript } from '../helpers/ara-cli.js';

const test = suite('compile cache');

const tmp = mkdtempSync(join(tmpdir(), 'ara-compile-cache-'));
const cacheFile = join(tmp, 'cache', 'blob.bin');
const pkg = join(tmp, 'app', 'node_modules', 'constructs');
const other = join(tmp, 'app', 'node_modules', 'left-alone');
const driver = join(tmp, 'driver.mjs');

test.before(() => {
  mkdirSync(pkg, { recursive: true });
  mkdirSync(other, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), '{ "name": "constructs", "main": "index.js" }');
  writeFileSync(
    join(pkg, 'index.js'),
    "const { basename } = require('node:path');\n" +
      "module.exports = { value: () => require('./dep').letter + ':' + basename(__dirname) + ':' + basename(require.resolve('./dep')) + ':' + basename(module.filename) + ':' + require('left-alone') };\n",
  );
  writeFileSync(join(pkg, 'dep.js'), "exports.letter = 'A';\n");
  // V8 loses the dynamic-import callback of code compiled from a cache: such a file is left to Node.
  writeFileSync(join(pkg, 'lazy.js'), "exports.load = () => import('node:path').then((m) => typeof m.join);\n");
  writeFileSync(join(other, 'package.json'), '{ "name": "left-alone", "main": "index.js" }');
  writeFileSync(join(other, 'index.js'), "module.exports = 'other';\n");
  const cache = pathToFileURL(resolve(repoRoot, buildDir, 'src', 'util', 'compile-cache.js')).href;
  writeFileSync(
    driver,
    `import { createRequire } from 'node:module';\n` +
      `const { enableCompileCache, compileCacheStats } = await import(${JSON.stringify(cache)});\n` +
      `enableCompileCache(process.argv[2]);\n` +
      `const m = createRequire(${JSON.stringify(join(tmp, 'app', 'main.js'))})('constructs');\n` +
      `const lazy = await createRequire(${JSON.stringify(join(tmp, 'app', 'main.js'))})('constructs/lazy.js').load();\n` +
      `if (process.env.SET_V8_FLAGS) createRequire(import.meta.url)('node:v8').setFlagsFromString(process.env.SET_V8_FLAGS);\n` +
      `process.stdout.write(JSON.stringify({ value: m.value() + ':' + lazy, ...compileCacheStats() }));\n`,
  );
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

async function run(env: NodeJS.ProcessEnv = process.env, file = cacheFile): Promise<{ value: string; reused: number; compiled: number }> {
  const r = await runScript(driver, [file], { env, cwd: tmp });
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { value: string; reused: number; compiled: number };
}

test('ARA_COMPILE_CACHE=0: modules run as usual and nothing is written', async () => {
  const r = await run({ ...process.env, ARA_COMPILE_CACHE: '0' });
  assert.equal(r, { value: 'A:constructs:dep.js:index.js:other:function', reused: 0, compiled: 0 });
  assert.not.ok(existsSync(cacheFile));
});

test('the first run compiles the package files and writes the cache privately; the second reuses both', async () => {
  assert.equal(await run(), { value: 'A:constructs:dep.js:index.js:other:function', reused: 0, compiled: 2 });
  assert.ok(existsSync(cacheFile));
  assert.is(statSync(cacheFile).mode & 0o777, 0o600);
  assert.is(statSync(join(tmp, 'cache')).mode & 0o777, 0o700);
  assert.equal(await run(), { value: 'A:constructs:dep.js:index.js:other:function', reused: 2, compiled: 0 });
});

test('a file changed at the same length is compiled again and runs as changed; the cache follows', async () => {
  writeFileSync(join(pkg, 'dep.js'), "exports.letter = 'B';\n");
  assert.equal(await run(), { value: 'B:constructs:dep.js:index.js:other:function', reused: 1, compiled: 1 });
  assert.equal(await run(), { value: 'B:constructs:dep.js:index.js:other:function', reused: 2, compiled: 0 });
});

test('a rewrite deletes blobs untouched for 30 days and temporary files older than an hour, nothing newer', async () => {
  const dir = join(tmp, 'cache');
  const old = (name: string, days: number) => {
    writeFileSync(join(dir, name), 'x');
    const t = new Date(Date.now() - days * 24 * 3600 * 1000);
    utimesSync(join(dir, name), t, t);
  };
  old('other-node-version.bin', 31);
  old('recent.bin', 29);
  old('left-by-a-killed-run.bin.123.tmp', 1);
  old('unrelated.txt', 400);
  writeFileSync(join(pkg, 'dep.js'), "exports.letter = 'C';\n"); // makes the run rewrite the cache
  assert.equal((await run()).value, 'C:constructs:dep.js:index.js:other:function');
  assert.equal(readdirSync(dir).sort(), ['blob.bin', 'recent.bin', 'unrelated.txt']);
  writeFileSync(join(pkg, 'dep.js'), "exports.letter = 'B';\n");
  assert.equal(await run(), { value: 'B:constructs:dep.js:index.js:other:function', reused: 1, compiled: 1 });
});

test('a damaged cache is ignored and replaced, whatever part is damaged', async () => {
  const blob = readFileSync(cacheFile);
  const dataStart = blob.indexOf('}', blob.indexOf('{')) + 1;
  const damagedData = Buffer.from(blob);
  damagedData.fill(7, (dataStart + blob.length) >> 1, ((dataStart + blob.length) >> 1) + 48);
  const header = blob.subarray(0, dataStart).toString('latin1');
  // Same length, valid JSON, every offset wrong.
  const badEntries = Buffer.concat([Buffer.from(header.replace(/\[(\d)/g, (_, d: string) => `[${d === '9' ? '8' : '9'}`), 'latin1'), blob.subarray(dataStart)]);
  assert.is(badEntries.length, blob.length);
  for (const damaged of [Buffer.from('not a cache'), blob.subarray(0, blob.length >> 1), Buffer.concat([blob.subarray(0, 40), Buffer.alloc(blob.length - 40, 7)]), damagedData, badEntries]) {
    writeFileSync(cacheFile, damaged);
    assert.equal((await run()).value, 'B:constructs:dep.js:index.js:other:function');
    assert.equal(await run(), { value: 'B:constructs:dep.js:index.js:other:function', reused: 2, compiled: 0 });
  }
});

test('a run that changes V8 flags writes no cache (V8 would reject its data in every fresh process)', async () => {
  const file = join(tmp, 'flags', 'blob.bin');
  const env = { ...process.env, SET_V8_FLAGS: '--semi-space-growth-factor=8' };
  for (let i = 0; i < 2; i++) assert.equal(await run(env, file), { value: 'B:constructs:dep.js:index.js:other:function', reused: 0, compiled: 2 });
  assert.not.ok(existsSync(file));
  assert.equal(await run(process.env, file), { value: 'B:constructs:dep.js:index.js:other:function', reused: 0, compiled: 2 });
  assert.equal(await run(process.env, file), { value: 'B:constructs:dep.js:index.js:other:function', reused: 2, compiled: 0 });
});

test('a cache that cannot be written (its directory would be under a file) costs nothing but the caching', async () => {
  writeFileSync(join(tmp, 'a-file'), '');
  const file = join(tmp, 'a-file', 'blob.bin');
  for (let i = 0; i < 2; i++) assert.equal(await run(process.env, file), { value: 'B:constructs:dep.js:index.js:other:function', reused: 0, compiled: 2 });
});

test('the CLI bundle itself is cached: bin/ara-gen.js turns the cache on before loading it, and it holds no import()', async () => {
  const home = join(tmp, 'xdg');
  for (let i = 0; i < 2; i++) {
    const r = await runAraGen(['--version'], { env: { ...process.env, XDG_CACHE_HOME: home } });
    assert.is(r.code, 0, r.stderr);
  }
  const dir = join(home, 'ara-gen', 'compile');
  const blobs = readdirSync(dir);
  assert.equal(blobs.length, 1, blobs.join(', '));
  assert.match(blobs[0]!, /-other\.bin$/, 'one cache per command (--version is none)');
  const blob = readFileSync(join(dir, blobs[0]!), 'latin1');
  assert.ok(blob.includes(JSON.stringify(resolve(repoRoot, buildDir, 'bundle', 'cli', 'main.cjs')).slice(1, -1)), 'main.cjs has an entry');
});

test('preloaded modules do not key the cache: runs with a preload from another (temporary) path share one blob', async () => {
  const home = join(tmp, 'xdg-preloads');
  const runs: string[][] = [['--import'], ['-r'], ['--require=']].map((flag, i) => {
    const preload = join(tmp, `preload-${i}`, flag[0] === '-r' ? 'p.cjs' : 'p.mjs');
    mkdirSync(dirname(preload), { recursive: true });
    writeFileSync(preload, '');
    return flag[0]!.endsWith('=') ? [`${flag[0]}${preload}`] : [flag[0]!, preload];
  });
  for (const nodeArgs of runs) {
    const r = await runAraGen(['--version'], { env: { ...process.env, XDG_CACHE_HOME: home }, nodeArgs });
    assert.is(r.code, 0, r.stderr);
  }
  assert.equal(readdirSync(join(home, 'ara-gen', 'compile')).length, 1);
  // A V8 option is part of the key: V8 would reject the other blob's data.
  const r = await runAraGen(['--version'], { env: { ...process.env, XDG_CACHE_HOME: home }, nodeArgs: ['--max-semi-space-size=8'] });
  assert.is(r.code, 0, r.stderr);
  assert.equal(readdirSync(join(home, 'ara-gen', 'compile')).length, 2);
});

test.run();
