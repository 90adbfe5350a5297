/**
 * Bundles a compiled Lambda handler of ara-gen (`<build>/src/runtime/...js`) with esbuild — no
 * network, no Docker — into one `index.js`. The AWS SDK stays external (every Lambda Node.js
 * runtime ships SDK v3). Output is byte-identical across machines and build dirs: paths relative
 * to the build root, no source maps, no minifier renaming.
 *
 * The build (scripts/build.js) bundles every handler once into `<build>/lambda/<name>/index.js`
 * (prebundleHandlers): synth then only points the asset at that directory, keeping esbuild (its
 * module and a child process, ~0.3 s) off the synth's path. Without a prebundled handler (a build
 * dir made otherwise), synth bundles into `<tmp>/ara-gen-bundles/<name>-<hash>/` itself.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as esbuild from 'esbuild';
import { buildDir } from '../../paths.js';

/** Every Lambda handler ara-gen deploys: asset name → compiled entry relative to the build root. */
export const LAMBDA_HANDLERS = {
  replayer: join('src', 'runtime', 'replayer', 'handler.js'),
  'sink-replayer': join('src', 'runtime', 'lambda', 'sink-replayer.js'),
  'stream-sink': join('src', 'runtime', 'lambda', 'stream-sink.js'),
  'warehouse-migrations': join('src', 'runtime', 'warehouse', 'handler.js'),
} as const;

export type LambdaHandler = keyof typeof LAMBDA_HANDLERS;

const bundled = new Map<string, string>();

/** The handler's bundled code (esbuild loaded only here). */
function bundleCode(name: string, root: string): Uint8Array {
  const file = join(root, LAMBDA_HANDLERS[name as LambdaHandler]);
  if (!existsSync(file)) throw new Error(`the compiled ${name} handler is missing (${file}); run the build first`);
  const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof esbuild;
  const result = buildSync({
    entryPoints: [file],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    outfile: 'index.js',
    write: false,
    minify: false,
    sourcemap: false,
    sourcesContent: false,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents;
}

/** Writes `code` to `dir/index.js` unless it is there already (write-then-rename: parallel synths never see half a file). */
function place(dir: string, code: Uint8Array): void {
  const out = join(dir, 'index.js');
  if (existsSync(out) && readFileSync(out).equals(code)) return;
  mkdirSync(dir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, out);
}

/** The directory holding the handler's `index.js` (the Lambda asset). */
export function bundleHandler(name: LambdaHandler): string {
  const hit = bundled.get(name);
  if (hit && existsSync(join(hit, 'index.js'))) return hit;
  const prebundled = join(buildDir, 'lambda', name);
  let dir: string;
  if (existsSync(join(prebundled, 'index.js'))) dir = prebundled;
  else {
    const code = bundleCode(name, buildDir);
    // The directory name is the content hash, so the asset hash is stable.
    dir = join(tmpdir(), 'ara-gen-bundles', `${name}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}`);
    place(dir, code);
  }
  bundled.set(name, dir);
  return dir;
}

/** Build step: bundles every handler of the build output `root` into `<root>/lambda/<name>/index.js`. */
export function prebundleHandlers(root: string): string[] {
  // The bundles are CommonJS, as in the Lambda's /var/task; without this the package's
  // "type": "module" would make Node load them as ES modules (no exports) when required from here.
  // Beside the asset directories, not inside them: asset hashes stay those of the bundles alone.
  mkdirSync(join(root, 'lambda'), { recursive: true });
  writeFileSync(join(root, 'lambda', 'package.json'), '{ "type": "commonjs" }\n');
  return Object.keys(LAMBDA_HANDLERS).map((name) => {
    const dir = join(root, 'lambda', name);
    place(dir, bundleCode(name, root));
    return dir;
  });
}
