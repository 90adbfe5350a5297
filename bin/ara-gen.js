#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled sources (built by `npm install` through the `prepare`
// script). ARA_BUILD_DIR (a development aid) selects another build output than dist/.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, process.env.ARA_BUILD_DIR || 'dist');
const { main } = await import(pathToFileURL(join(out, 'src', 'cli', 'main.js')).href);

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    // Only defects in ara-gen reach this point; user errors are reported by the commands themselves.
    process.stderr.write(`ara-gen: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 70;
  },
);
