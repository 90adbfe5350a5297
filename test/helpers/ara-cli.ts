/**
 * Runs `node bin/ara-gen.js ...` (or another script) as a child process with the test's build
 * directory, asynchronously so that servers in the test process keep answering.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: tests run from <build dir>/test/helpers, at any depth. */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'bin', 'ara-gen.js'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root');
    dir = parent;
  }
  return dir;
})();
export const buildDir = process.env.ARA_BUILD_DIR || 'dist';
export const flagship = join(repoRoot, 'examples', 'mystore.yaml');

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Replaces the environment (ARA_BUILD_DIR is always added). */
  readonly env?: NodeJS.ProcessEnv;
  /** Extra node flags before the script, e.g. ['--import', preload]. */
  readonly nodeArgs?: readonly string[];
  readonly cwd?: string;
  readonly timeoutMs?: number;
  /** ARA_BUILD_DIR for the child (default: this build, absolute); relative paths resolve against the script's package. */
  readonly buildDir?: string;
}

export function runScript(script: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...(options.env ?? process.env), ARA_BUILD_DIR: options.buildDir ?? resolve(repoRoot, buildDir) },
      // stdin closed: a command that tried to prompt would read EOF, never hang.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

export function runAraGen(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runScript(join(repoRoot, 'bin', 'ara-gen.js'), args, options);
}

/** An environment without any AWS configuration: no AWS_* variables, HOME pointing at `home`. */
export function noAwsEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_') && k !== 'CI') env[k] = v;
  return { ...env, HOME: home, USERPROFILE: home, AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1', ...extra };
}
