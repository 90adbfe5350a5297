/**
 * A throw-away PostgreSQL server on 127.0.0.1 for the warehouse tests: `initdb` into a temp dir,
 * `pg_ctl start` on a free port, trust authentication for loopback only. As root (the CI
 * containers), the server runs as the `postgres` user through `runuser`, as PostgreSQL requires.
 * `findPostgres()` returns undefined only when the binaries are absent (Debian: apt-get install
 * postgresql): the tests then skip, saying so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface PostgresServer {
  readonly port: number;
  /** A client connected to `database` as the superuser `postgres`. */
  connect(database?: string): Promise<pg.Client>;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Directory holding initdb and pg_ctl, or undefined when PostgreSQL is not installed. */
export function findPostgres(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' });
  const candidates: string[] = [];
  if (which.status === 0 && which.stdout.trim()) candidates.push(join(which.stdout.trim(), '..'));
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    for (const v of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) candidates.push(join(debian, v, 'bin'));
  }
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
}

/** node_modules/.cache/ara-gen of the package this file belongs to (any build directory depth). */
const CACHE_DIR = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'node_modules', '.cache', 'ara-gen');
})();

/** `cp -a`: a cluster keeps its owner (postgres, when the tests run as root) and modes. */
function copyCluster(from: string, to: string): void {
  const r = spawnSync('cp', ['-a', from, to], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cp -a ${from} ${to} failed (${r.status}): ${r.stderr}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPostgres(binDir: string): Promise<PostgresServer> {
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'ara-gen-pg-'));
  const data = join(dir, 'data');
  let uid = -1;
  let gid = -1;
  if (root) {
    uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const run = (cmd: string, args: string[]) => {
    const full = root ? ['runuser', ['-u', 'postgres', '--', join(binDir, cmd), ...args]] as const : [join(binDir, cmd), args] as const;
    const r = spawnSync(full[0], [...full[1]], { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.stdout}`);
  };
  // initdb once per PostgreSQL installation (about 0.7 s of CPU), kept under node_modules/.cache;
  // each server starts from a copy of that fresh cluster.
  const template = join(CACHE_DIR, `pg-cluster-${createHash('sha256').update(binDir).digest('hex').slice(0, 12)}`);
  if (!existsSync(join(template, 'PG_VERSION'))) {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
    try {
      mkdirSync(CACHE_DIR, { recursive: true });
      const staging = mkdtempSync(join(CACHE_DIR, 'pg-cluster-staging-'));
      copyCluster(data, join(staging, 'data'));
      // Atomic: a concurrent test file either sees the whole cluster or makes its own.
      try {
        renameSync(join(staging, 'data'), template);
      } finally {
        rmSync(staging, { recursive: true, force: true });
      }
    } catch {
      // no cache (read-only node_modules, or another file won the race): this server is fine as it is
    }
  } else {
    copyCluster(template, data);
  }
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      run('pg_ctl', ['start', '-w', '-t', '60', '-D', data, '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`]);
      break;
    } catch (e) {
      if (attempt >= 2) throw e; // another process took the port between probe and start
    }
  }
  const connect = async (database = 'postgres') => {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database });
    await client.connect();
    return client;
  };
  return {
    port,
    connect,
    async createDatabase(name) {
      const c = await connect();
      try {
        await c.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } finally {
        await c.end();
      }
    },
    async stop() {
      try {
        run('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
