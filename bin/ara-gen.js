#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled output (built by `npm install` through the `prepare`
// script): the bundle when present (fast start-up), else the per-file output. ARA_BUILD_DIR (a
// development aid) selects another build output than dist/.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, process.env.ARA_BUILD_DIR || 'dist');
const bundled = join(out, 'bundle', 'cli', 'main.cjs');
let main;
if (existsSync(bundled)) {
  // The bundle (CommonJS) and aws-cdk-lib are compiled from the user's compile cache
  // (src/util/compile-cache.ts), which must be on before the bundle loads. Only this launcher turns
  // it on: a process that imports ara-gen as a library keeps Node's own loader.
  const require = createRequire(import.meta.url);
  const cache = require(join(out, 'bundle', 'compile-cache.cjs'));
  cache.enableCompileCache(cache.defaultCompileCacheFile(process.argv[2]));
  ({ main } = require(bundled));
} else {
  ({ main } = await import(pathToFileURL(join(out, 'src', 'cli', 'main.js')).href));
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    // Only defects in ara-gen reach this point; user errors are reported by the commands themselves.
    process.stderr.write(`ara-gen: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 70;
  },
);
