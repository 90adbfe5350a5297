/**
 * Bundles a compiled Lambda handler of ara-gen (`<build>/src/runtime/...js`) with esbuild at synth
 * time — no network, no Docker — into `<tmp>/ara-gen-bundles/<name>-<hash>/index.js`. The AWS SDK
 * stays external (every Lambda Node.js runtime ships SDK v3), and so does the Redis client. Output
 * is byte-identical across machines and build dirs: paths relative to the build root, no source
 * maps, no minifier renaming; the directory name is the content hash, so the asset hash is stable.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { buildDir } from '../../paths.js';

const bundled = new Map<string, string>();

/** `entry` is relative to the build root, e.g. `src/runtime/replayer/handler.js`. */
export function bundleHandler(name: string, entry: string): string {
  const hit = bundled.get(entry);
  if (hit && existsSync(join(hit, 'index.js'))) return hit;
  // From the build output root, not this module's URL: the CLI runs this code from a bundle chunk.
  const file = join(buildDir, entry);
  if (!existsSync(file)) throw new Error(`the compiled ${name} handler is missing (${file}); run the build first`);
  const result = buildSync({
    entryPoints: [file],
    absWorkingDir: buildDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // The Redis client is only ever loaded (dynamically) by a redis-stream destination, which never
    // runs in the platform (ARA252): left out, it costs a Lambda neither bytes nor parse time.
    external: ['@aws-sdk/*', '@redis/*'],
    outfile: 'index.js',
    write: false,
    minify: false,
    sourcemap: false,
    sourcesContent: false,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'ara-gen-bundles', `${name}-${hash}`);
  const out = join(dir, 'index.js');
  if (!existsSync(out) || !readFileSync(out).equals(code)) {
    mkdirSync(dir, { recursive: true });
    // Write-then-rename: parallel synths never see a half-written bundle.
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, out);
  }
  bundled.set(entry, dir);
  return dir;
}
