/**
 * A real redis-server (Debian's package) on 127.0.0.1 for tests and benchmarks: no persistence,
 * its own scratch directory, stopped with the test. Redis cannot listen on port 0, so the port is
 * one the kernel just handed out for a moment (listen on 0, close); if another process takes it
 * first, redis-server exits at once and the next port is tried.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once the server says it accepts connections; rejects if it exits first. */
function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) {
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`redis-server exited (${code}) before it was ready:\n${out.slice(-2000)}`));
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (e) => reject(new Error(`cannot start redis-server (${e.message}); install it: apt-get install -y redis-server`)));
  });
}

export async function startRedis(): Promise<LocalRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'ara-redis-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'notice'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await ready(child);
    } catch (e) {
      if (attempt < 5 && child.exitCode !== null) continue;
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    child.stdout!.resume();
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      async stop() {
        if (child.exitCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
