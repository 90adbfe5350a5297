// Runs the uvu test files compiled into <build dir>/test in worker processes, one more than the
// machine has cores (scripts/test-worker.js). A worker runs files one after another and keeps its module
// cache between them: aws-cdk-lib, the compiler and the runtime load once per worker, not once per
// file. Between files a worker restores the environment and working directory and checks that the
// file closed everything it opened; a file that crashes or leaks gets a fresh worker after it, and
// --isolate gives every file its own (to rule out an order dependence). One file's output is
// printed as one block when it ends (the whole output of a failing file; a one-line summary of a
// passing one, or everything with --verbose), then uvu-style totals and a last line.
//
//   node scripts/test.js [--unit | --integration] [--jobs N] [--isolate] [--verbose] [pattern]
//
// Suites: test/unit/ (no servers, no child processes: seconds) and everything else, test/integration/
// (real servers on loopback, the CLI as a child process, CDK synths). `pattern` is a regular
// expression on the file's path under test/ (e.g. 'spec-' or 'unit/loader'). Files run longest
// first, by the durations of the previous run (kept in node_modules/.cache), so that a long file
// never starts last. ARA_TEST_JOBS overrides the number of workers; ARA_TEST_TIMEOUT (seconds,
// default 600) stops a file that hangs. Each file's line gives its wall time and its CPU time (with
// its children's: CLI processes, cfn-lint calls); the summary gives the CPU time of the whole run
// (workers, their children, the cfn-lint server) and the load average: on a shared machine,
// compare CPU seconds between runs. ARA_TEST_WORKER_PROF=<dir> writes a V8 CPU profile of each
// worker there (node --cpu-prof), to see where the suite's own time goes.
import { fork, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { procCpuMs } from './proc-cpu.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const usage = 'usage: node scripts/test.js [--unit | --integration] [--jobs N] [--isolate] [--verbose] [pattern]';

// One worker more than cores: a worker spends part of its time waiting (for a CLI child, a server,
// the cfn-lint server, a checkpoint event), and the spare one uses that time (on 2 cores: ~15% less
// wall time than one worker per core, same CPU).
const opts = { suite: 'all', jobs: Number(process.env.ARA_TEST_JOBS) || availableParallelism() + 1, verbose: false, isolate: false, pattern: undefined };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--unit') opts.suite = 'unit';
  else if (a === '--integration') opts.suite = 'integration';
  else if (a === '--verbose' || a === '-v') opts.verbose = true;
  else if (a === '--isolate') opts.isolate = true;
  else if (a === '--jobs' || a === '-j') opts.jobs = Number(argv[++i]);
  else if (a === '--help' || a === '-h') {
    console.log(usage);
    process.exit(0);
  } else if (a.startsWith('-')) {
    console.error(`test: unknown option ${a}\n${usage}`);
    process.exit(2);
  } else opts.pattern = new RegExp(a);
}
if (!Number.isInteger(opts.jobs) || opts.jobs < 1) {
  console.error(`test: --jobs needs a positive whole number\n${usage}`);
  process.exit(2);
}

const env = {
  ...process.env,
  // Nothing may leave loopback: no instance-metadata probes, no CDK notices or telemetry.
  AWS_EC2_METADATA_DISABLED: 'true',
  CDK_DISABLE_VERSION_CHECK: '1',
  CDK_DISABLE_CLI_TELEMETRY: '1',
  NO_COLOR: '1',
  // Library code in the test processes builds AWS SDK clients; the SDK's notice about its future
  // Node 22 requirement is not about ara-gen and would only interleave with the suite's output.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
delete env.FORCE_COLOR; // with NO_COLOR it would only earn a warning from Node
// Node 20 reads and parses NODE_EXTRA_CA_CERTS when every process starts (~90 ms of CPU for a
// system bundle, on machine images that set it): the suite starts ~150 Node processes, and none of
// them talks TLS (every server under test is plain HTTP on loopback).
delete env.NODE_EXTRA_CA_CERTS;
// The user caches of the processes under test (compiled code, cdk-nag verdicts: src/util/cache-dir.ts)
// live in node_modules/.cache for the run, not in the home directory of whoever runs the tests, and
// persist between runs as a user's would. Tests of the caches themselves set their own.
env.XDG_CACHE_HOME = join(root, 'node_modules', '.cache', 'ara-gen', 'user-cache');
// cfn-lint verdicts shared by the files of this run (test/helpers/cfn-lint.ts): a template linted by
// one file is not linted again by another. Fresh per run, so no verdict outlives a cfn-lint upgrade;
// a directory given in ARA_CFN_LINT_CACHE is used (and kept) instead.
const lintCache = process.env.ARA_CFN_LINT_CACHE ? undefined : mkdtempSync(join(tmpdir(), 'ara-cfn-lint-'));
if (lintCache) env.ARA_CFN_LINT_CACHE = lintCache;
/** node_modules/.cache/ara-gen/cfn-lint/<key of cfn-lint's version and configuration>, or undefined without cfn-lint. */
function lintStore() {
  if (process.env.CFN_LINT) return undefined; // another cfn-lint than the one whose version we can read
  const probe = spawnSync(process.env.PYTHON || 'python3', ['-c', "from importlib.metadata import version; print(version('cfn-lint'))"], { encoding: 'utf8' });
  const version = probe.status === 0 ? probe.stdout.trim() : '';
  if (!version) return undefined;
  const hash = createHash('sha256').update(version);
  for (const f of ['.cfnlintrc', '.cfnlintrc.yaml', '.cfnlintrc.yml']) {
    try {
      hash.update(`\0${f}\0`).update(readFileSync(join(root, f)));
    } catch {
      // no such configuration file
    }
  }
  const base = join(root, 'node_modules', '.cache', 'ara-gen', 'cfn-lint');
  const name = `${version}-${hash.digest('hex').slice(0, 16)}`;
  try {
    // Verdicts of another cfn-lint version or configuration will not be read again.
    for (const old of readdirSync(base)) if (old !== name) rmSync(join(base, old), { recursive: true, force: true });
  } catch {
    // no store yet
  }
  try {
    mkdirSync(join(base, name), { recursive: true });
    return join(base, name);
  } catch {
    return undefined; // read-only node_modules: lint everything
  }
}
const workerScript = join(root, 'scripts', 'test-worker.js');
const timeoutMs = (Number(process.env.ARA_TEST_TIMEOUT) || 600) * 1000;
/** How long a file may keep a server, socket, child or timer alive after its last test. */
const EXIT_GRACE_MS = 20_000;
env.ARA_TEST_EXIT_GRACE_MS = String(EXIT_GRACE_MS);
const testDir = join(root, process.env.ARA_BUILD_DIR || 'dist', 'test');

/** A file's suite: by its directory under test/ (files still at the top level count as integration). */
const suiteOf = (rel) => (rel.startsWith(`unit${sep}`) ? 'unit' : 'integration');

let all;
try {
  all = readdirSync(testDir, { recursive: true })
    .filter((f) => f.endsWith('.test.js'))
    .sort();
} catch {
  console.error(`test: no compiled tests in ${relative(root, testDir)} (run node scripts/build.js first)`);
  process.exit(2);
}
const files = all.filter((f) => (opts.suite === 'all' || suiteOf(f) === opts.suite) && (!opts.pattern || opts.pattern.test(f.split(sep).join('/'))));
if (!files.length) {
  console.error(`test: no test file matches (${opts.suite} suite${opts.pattern ? `, pattern ${opts.pattern}` : ''})`);
  process.exit(2);
}

// cfn-lint as one server for the whole run (scripts/cfn-lint-server.py): the command would load its
// rule set (~2 s CPU) again in every call. Only when integration files run (the unit suite lints
// nothing) and CFN_LINT names no other cfn-lint. The socket appears once the rules are loaded; if the
// server cannot start (no cfnlint module in this python3) it leaves `server.down` and test/helpers/
// cfn-lint.ts runs the command instead, which then fails with its own clear message. With verdicts
// in the store, most runs lint little or nothing: the server then starts on the first request (a
// test file asking for it creates `server.wanted`); without, at once, to load its rules while the
// first templates are synthesized.
let lintServer;
let lintWatcher;
const linting = files.some((f) => suiteOf(f) === 'integration'); // the unit suite lints nothing
// Verdicts are also kept between runs, for the installed cfn-lint's version and configuration: a
// verdict depends on nothing else, so a second run lints only the templates that changed. A clean
// clone (CI) has no store and lints everything. ARA_CFN_LINT_STORE=off disables it (or names another).
if (process.env.ARA_CFN_LINT_STORE === 'off') delete env.ARA_CFN_LINT_STORE;
else if (!process.env.ARA_CFN_LINT_STORE && linting) {
  const store = lintStore();
  if (store) env.ARA_CFN_LINT_STORE = store;
}
if (lintCache && !process.env.CFN_LINT && linting) {
  const socket = join(lintCache, 'server.sock');
  const down = join(lintCache, 'server.down');
  env.ARA_CFN_LINT_SOCKET = socket;
  const startServer = () => {
    if (lintServer) return;
    lintWatcher?.close();
    lintServer = spawn(process.env.PYTHON || 'python3', [join(root, 'scripts', 'cfn-lint-server.py'), socket], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let why = '';
    lintServer.stderr.setEncoding('utf8').on('data', (d) => (why += d));
    const markDown = (reason) => {
      try {
        writeFileSync(down, reason);
      } catch {
        // the run is over and its directory gone
      }
    };
    lintServer.on('error', (e) => markDown(e.message));
    lintServer.on('exit', (code, signal) => markDown(`exited ${code ?? signal}: ${why.trim().slice(-500)}`));
  };
  let stored = 0;
  try {
    stored = env.ARA_CFN_LINT_STORE ? readdirSync(env.ARA_CFN_LINT_STORE).length : 0;
  } catch {
    // no store
  }
  if (!stored) startServer();
  else lintWatcher = watch(lintCache, (_event, name) => name === 'server.wanted' && startServer());
}
// Longest first: durations of the last run, else file size as a guess.
const timingsFile = join(root, 'node_modules', '.cache', 'ara-gen', 'test-durations.json');
let timings = {};
try {
  timings = JSON.parse(readFileSync(timingsFile, 'utf8'));
} catch {
  // first run: no durations yet
}
const weight = (f) => timings[f] ?? statSync(join(testDir, f)).size / 10;
const queue = [...files].sort((a, b) => weight(b) - weight(a) || a.localeCompare(b));

// eslint-disable-next-line no-control-regex
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');

/**
 * One worker slot: a long-lived process (scripts/test-worker.js) that runs files one after another
 * and shares its module cache between them. A worker that crashed, leaked a resource, outgrew its
 * heap or ran past the timeout is replaced by a fresh one for the next file.
 */
class Slot {
  proc = undefined;
  /** Output the worker wrote outside its capture (a child inheriting its stdio): shown with the file. */
  stray = '';
  exits = [];

  start() {
    const proc = fork(workerScript, [], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: process.env.ARA_TEST_WORKER_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.ARA_TEST_WORKER_PROF}`] : [] });
    proc.stdout.setEncoding('utf8').on('data', (d) => (this.stray += d));
    proc.stderr.setEncoding('utf8').on('data', (d) => (this.stray += d));
    this.exits.push(new Promise((resolve) => proc.on('exit', resolve)));
    this.proc = proc;
  }

  retire() {
    if (!this.proc) return;
    this.proc.kill('SIGKILL');
    this.proc = undefined;
  }

  /** Runs one file; resolves with its output, exit status and uvu's counts. */
  run(rel) {
    if (!this.proc || opts.isolate) {
      this.retire();
      this.start();
    }
    const proc = this.proc;
    this.stray = '';
    const started = process.hrtime.bigint();
    return new Promise((resolvePromise) => {
      let timedOut = false;
      const finish = (reply, exitNote) => {
        clearTimeout(timer);
        proc.off('message', onMessage);
        proc.off('exit', onExit);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const text = stripAnsi((reply?.text ?? '') + this.stray);
        const count = (label) => {
          const m = text.match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm'));
          return m ? Number(m[1]) : undefined;
        };
        const total = count('Total');
        const passed = count('Passed');
        const skipped = count('Skipped') ?? 0;
        const leaked = reply?.leaked ?? [];
        let note = exitNote ?? '';
        if (!note && reply.crashed) note = 'an error escaped its tests (uncaught exception or unhandled rejection)';
        else if (!note && leaked.length) note = `left open after its last test (${EXIT_GRACE_MS / 1000} s later): ${leaked.join(', ')}`;
        else if (!note && total === undefined) note = 'failed before uvu printed its totals';
        else if (!note && reply.code !== 0 && passed === total) note = `set exit code ${reply.code} after its tests passed`;
        const ok = !note && reply.code === 0 && total !== undefined && passed === total;
        if (!reply || reply.retire || timedOut) this.retire();
        resolvePromise({ rel, ok, ms, cpuMs: reply?.cpuMs ?? 0, childrenMs: reply?.childrenMs ?? 0, text, total: total ?? 0, passed: passed ?? 0, skipped, note });
      };
      const onMessage = (reply) => finish(reply);
      const onExit = (code, signal) => {
        this.proc = undefined;
        finish(undefined, timedOut ? `stopped after ${timeoutMs / 1000} s` : `its worker exited (${signal ?? `code ${code}`}) during the file`);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        proc.kill('SIGKILL');
      }, timeoutMs);
      proc.on('message', onMessage);
      proc.on('exit', onExit);
      proc.send({ file: join(testDir, rel) });
    });
  }
}

// Tests write into their own temporary directories: a file the run leaves in the repository root
// (e.g. a default ./<sink>.dead-letter.ndjson of a CLI child) fails the run.
const rootBefore = new Set(readdirSync(root));
const started = process.hrtime.bigint();
const results = [];
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const timing = (r) => `${seconds(r.ms)} (CPU ${seconds(r.cpuMs)}${r.childrenMs >= 50 ? `, ${seconds(r.childrenMs)} in children` : ''})`;
const slots = Array.from({ length: Math.min(opts.jobs, files.length) }, () => new Slot());
async function worker(slot) {
  for (let rel = queue.shift(); rel !== undefined; rel = queue.shift()) {
    const r = await slot.run(rel);
    results.push(r);
    const name = rel.split(sep).join('/');
    if (!r.ok) {
      process.stdout.write(`\n✘ ${name} FAILED${r.note ? ` (${r.note})` : ''}, ${timing(r)}\n${r.text.replace(/\s+$/, '')}\n\n`);
    } else if (opts.verbose) {
      process.stdout.write(`\n✔ ${name}, ${timing(r)}\n${r.text.replace(/\s+$/, '')}\n`);
    } else {
      process.stdout.write(`✔ ${name}  ${r.passed} tests, ${timing(r)}\n`);
    }
  }
}
await Promise.all(slots.map(worker));
const wall = Number(process.hrtime.bigint() - started) / 1e6;
let lintServerMs = 0;
lintWatcher?.close();
const exits = slots.flatMap((s) => s.exits);
if (lintServer && lintServer.exitCode === null) {
  lintServerMs = procCpuMs(lintServer.pid)?.own ?? 0;
  exits.push(new Promise((resolve) => lintServer.on('exit', resolve)));
  lintServer.kill('SIGTERM');
}
// Idle workers have nothing left alive but their IPC channel: disconnected, they exit.
for (const s of slots) s.proc?.disconnect();
await Promise.all(exits);
// All workers (with their children) and the lint server have been waited for: their CPU time is
// this process's children's time. Per-file figures add up to less (worker start-up, clean-up).
const cpuTotalMs = procCpuMs()?.children;
if (lintCache) rmSync(lintCache, { recursive: true, force: true });

// Durations for the next run's order (best effort: a read-only node_modules only loses the order).
try {
  for (const r of results) timings[r.rel] = Math.round(r.ms);
  // Files moved or deleted since: their entries would only grow the file.
  for (const k of Object.keys(timings)) if (!all.includes(k)) delete timings[k];
  mkdirSync(dirname(timingsFile), { recursive: true });
  writeFileSync(timingsFile, JSON.stringify(timings, null, 1));
} catch {
  // ignore
}

const sum = (k) => results.reduce((a, r) => a + r[k], 0);
const failedFiles = results.filter((r) => !r.ok);
const total = sum('total');
const passed = sum('passed');
const skipped = sum('skipped');
process.stdout.write(
  `\n  Total:     ${total}\n  Passed:    ${passed}\n  Skipped:   ${skipped}\n  Duration:  ${wall.toFixed(2)}ms\n\n` +
    (failedFiles.length ? `Failed files:\n${failedFiles.map((r) => `  ${r.rel.split(sep).join('/')}${r.note ? ` (${r.note})` : ''}`).join('\n')}\n\n` : '') +
    `${opts.suite} suite, ${results.length} files (${opts.jobs} at a time, ${slots.reduce((n, s) => n + s.exits.length, 0)} worker processes) in ${seconds(wall)}, CPU ${seconds(cpuTotalMs ?? sum('cpuMs') + lintServerMs)}${lintServerMs ? ` incl. the cfn-lint server's ${seconds(lintServerMs)}` : ''} (load average ${loadavg()[0].toFixed(1)}); ` +
    `tests: ${passed} passed, ${total - passed - skipped} failed; files: ${results.length - failedFiles.length} passed, ${failedFiles.length} failed\n`,
);
const litter = readdirSync(root).filter((f) => !rootBefore.has(f));
if (litter.length) process.stdout.write(`test: the run left ${litter.length === 1 ? 'a file' : 'files'} in the repository root: ${litter.join(', ')} (tests must write into their own temporary directories)\n`);
process.exit(failedFiles.length || litter.length ? 1 : 0);
