// A test worker of scripts/test.js: a long-lived Node process that runs the uvu files it is sent, one
// after another. Files share the worker's module cache, so aws-cdk-lib, the compiler and the
// runtime are loaded and JIT-compiled once per worker instead of once per file (about half of the
// suite's CPU time went to that). Between files the worker puts back what a file may change in
// the process (environment variables, working directory, exit code) and checks that the file
// closed what it opened: a server, socket, child or timer still keeping the event loop alive
// EXIT_GRACE_MS after its last test fails the file, as a file process that never exits used to.
// A file that crashes the worker (uncaught exception, process.exit) fails alone; the runner starts
// a fresh worker for the rest.
//
// Protocol (IPC): the runner sends { file } (an absolute path); the worker answers
// { file, text, cpuMs, childrenMs, code, leaked, retire } once the file's tests have run, where
// `text` is everything the file printed (uvu's report with its totals), `cpuMs` the CPU time of the
// worker and of the children it waited for during the file (`childrenMs` of the children: CLI
// processes, servers, cfn-lint calls), and `retire` asks the runner to replace this
// worker (it leaked, or its heap grew past HEAP_LIMIT).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { procCpuMs } from './proc-cpu.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const EXIT_GRACE_MS = Number(process.env.ARA_TEST_EXIT_GRACE_MS) || 20_000;
/** Past this resident size the worker is replaced after the current file (the suite's caches are per process). */
const HEAP_LIMIT = 1.5 * 1024 ** 3;

// The CDK packages' CommonJS files compiled from a V8 code cache, as the CLI does (src/util/
// compile-cache.ts, in XDG_CACHE_HOME, which scripts/test.js points into node_modules/.cache):
// each worker loads aws-cdk-lib, toolkit-lib and cdk-nag once, and would otherwise compile them
// from source in every run. Before anything loads them; written when the worker exits.
try {
  const cache = await import(pathToFileURL(join(resolve(root, process.env.ARA_BUILD_DIR || 'dist'), 'src', 'util', 'compile-cache.js')).href);
  cache.enableCompileCache(cache.defaultCompileCacheFile('test-worker'));
} catch {
  // no build yet, or an older one: compiled from source
}

// uvu queues suites instead of running them on its own when UVU_DEFER is set before it loads:
// this worker calls exec() once per file.
globalThis.UVU_DEFER = 1;
const uvu = await import('uvu');

/** CPU time in ms of this worker and of the children it has waited for (off Linux: own only). */
function cpuMs() {
  const u = process.cpuUsage();
  return procCpuMs() ?? { own: (u.user + u.system) / 1000, children: 0 };
}

/** Counts of the resources that keep the event loop alive, by type. */
function resources() {
  const counts = new Map();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** What is alive now and was not at `before` (e.g. ['TCPServerWrap', 'Timeout × 2']), or []. */
function leakedSince(before) {
  const out = [];
  for (const [type, n] of resources()) {
    const extra = n - (before.get(type) ?? 0);
    if (extra > 0) out.push(extra > 1 ? `${type} × ${extra}` : type);
  }
  return out;
}

/** Resolves with the leaked resources once none is left, or with those still alive after `ms`. */
function settle(before, ms) {
  return new Promise((resolve) => {
    const deadline = Date.now() + ms;
    const check = () => {
      const leaked = leakedSince(before);
      if (!leaked.length || Date.now() >= deadline) return resolve(leaked);
      // unref'd: the poll itself must not count as a live resource
      setTimeout(check, leaked.length ? 25 : 0).unref();
    };
    // Let close callbacks queued by the file's last hook run first.
    setImmediate(check);
  });
}

let captured = '';
const streams = [process.stdout, process.stderr];
const originalWrites = streams.map((s) => s.write);
function capture() {
  captured = '';
  for (const s of streams) {
    s.write = (chunk, encoding, cb) => {
      captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (typeof encoding === 'function') encoding();
      else if (typeof cb === 'function') cb();
      return true;
    };
  }
}
function release() {
  streams.forEach((s, i) => (s.write = originalWrites[i]));
  return captured;
}

let current;
// Whatever fails outside a test (an error thrown by a server callback, an unhandled rejection) would
// end a file process: it ends this worker too, reported against the file that was running.
function crash(err) {
  const text = release() + `\n${err && err.stack ? err.stack : String(err)}\n`;
  process.send({ file: current, text, cpuMs: 0, code: 1, leaked: [], retire: true, crashed: true }, () => process.exit(1));
}
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

process.on('message', async ({ file }) => {
  current = file;
  const env = { ...process.env };
  const cwd = process.cwd();
  const before = resources();
  const cpuBefore = cpuMs();
  capture();
  let code = 0;
  try {
    globalThis.UVU_QUEUE.length = 0;
    globalThis.UVU_QUEUE.push([null]);
    globalThis.UVU_INDEX = 0;
    await import(pathToFileURL(file).href);
    await uvu.exec();
    code = process.exitCode ?? 0;
  } catch (err) {
    // an error thrown while the file loads (before any test ran)
    process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
    code = 1;
  }
  process.exitCode = undefined;
  const leaked = await settle(before, EXIT_GRACE_MS);
  const text = release();
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  Object.assign(process.env, env);
  if (process.cwd() !== cwd) process.chdir(cwd);
  const retire = leaked.length > 0 || process.memoryUsage.rss() > HEAP_LIMIT;
  const cpuAfter = cpuMs();
  const childrenMs = cpuAfter.children - cpuBefore.children;
  process.send({ file, text, cpuMs: cpuAfter.own - cpuBefore.own + childrenMs, childrenMs, code, leaked, retire });
  current = undefined;
});
