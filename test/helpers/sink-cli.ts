/** Runs `ara-gen sink run` as a child process (the CLI under test) and writes its config files. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SinkConfig } from '../../src/runtime/sink-config-file.js';

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment of a child: this build, loopback endpoints only, dummy credentials. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ARA_BUILD_DIR: process.env.ARA_BUILD_DIR ?? 'dist',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    NO_COLOR: '1',
    ...extra,
  };
}

let scratchCwd: string | undefined;
/**
 * The working directory of a child that is given none: a temporary directory of this test process,
 * never the repository (a run without --dead-letter writes ./<sink>.dead-letter.ndjson there).
 */
function defaultCwd(): string {
  if (!scratchCwd) {
    const dir = mkdtempSync(join(tmpdir(), 'ara-sink-cwd-'));
    scratchCwd = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return scratchCwd;
}

/** Paths in `args` must be absolute (the child runs in a scratch directory); `cwd` lets a child run elsewhere (relative default paths). */
export function spawnSinkRun(args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): ChildProcess {
  const bin = resolve('bin', 'ara-gen.js');
  const childEnv = { ...env, ARA_BUILD_DIR: resolve(env.ARA_BUILD_DIR ?? 'dist') };
  return spawn(process.execPath, [bin, 'sink', 'run', ...args], { env: childEnv, cwd: cwd ?? defaultCwd(), stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Waits for a child and collects its output; `stdin` is written and closed. */
export function collect(child: ChildProcess, stdin?: string): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin!.on('error', () => undefined); // the child may exit before reading everything
  if (stdin !== undefined) child.stdin!.end(stdin);
  else child.stdin!.end();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function runSinkRun(args: readonly string[], env: NodeJS.ProcessEnv, stdin?: string, cwd?: string): Promise<CliResult> {
  return collect(spawnSinkRun(args, env, cwd), stdin);
}

/** A test sink config: small batches, no retries of the engine's own, AIMD; `overrides` last. */
export function testSinkConfig(destination: SinkConfig['destination'], overrides: Partial<SinkConfig> = {}): SinkConfig {
  return {
    version: 1,
    sink: 'test-events',
    platform: 'test',
    environment: 'dev',
    destination,
    bufferingHints: { maxBatchSize: 100, maxBatchBytes: 1024 * 1024, maxRecordBytes: 4096, maxBufferedRequests: 1000, maxTimeInBufferMs: 100, maxInFlightRequests: 4 },
    rateLimiting: { strategy: 'aimd', increaseRate: 10, decreaseFactor: 0.5 },
    retry: { maxAttempts: 0, initialBackoffMs: 20, maxBackoffMs: 500, requestTimeoutMs: 5000 },
    aggregation: 'none',
    ...overrides,
  };
}

export function kinesisConfig(streamName: string, overrides: Partial<SinkConfig> = {}): SinkConfig {
  return testSinkConfig({ type: 'kinesis', streamName, region: 'us-east-1' }, { partitionKey: 'key', ...overrides });
}

export function writeJson(file: string, value: unknown): string {
  writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
  return file;
}

/** NDJSON text of events `{ id, key, pad }`, ids from..to-1. */
export function eventLines(from: number, to: number, keys = 5, pad = 40): string {
  let s = '';
  for (let id = from; id < to; id++) s += JSON.stringify({ id, key: `k${id % keys}`, pad: 'x'.repeat(pad + (id % 13)) }) + '\n';
  return s;
}
