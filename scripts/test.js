// Runs the uvu test files compiled into <build dir>/test, each file in its own Node process, as many
// at once as the machine has cores. One file's output is printed as one block when it ends (the
// whole output of a failing file; a one-line summary of a passing one, or everything with
// --verbose), then uvu-style totals and a last line `N passed, N failed`.
//
//   node scripts/test.js [--unit | --integration] [--jobs N] [--verbose] [pattern]
//
// Suites: test/unit/ (no servers, no child processes: seconds) and everything else, test/integration/
// (real servers on loopback, the CLI as a child process, CDK synths). `pattern` is a regular
// expression on the file's path under test/ (e.g. 'spec-' or 'unit/loader'). Files run longest
// first, by the durations of the previous run (kept in node_modules/.cache), so that a long file
// never starts last. ARA_TEST_JOBS overrides the number of workers; ARA_TEST_TIMEOUT (seconds,
// default 600) stops a file that hangs. Each file's line gives its wall time and its CPU time (with
// its children's: CLI processes, cfn-lint), the summary the total CPU and the load average: on a
// shared machine, compare CPU seconds between runs.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const usage = 'usage: node scripts/test.js [--unit | --integration] [--jobs N] [--verbose] [pattern]';

const opts = { suite: 'all', jobs: Number(process.env.ARA_TEST_JOBS) || availableParallelism(), verbose: false, pattern: undefined };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--unit') opts.suite = 'unit';
  else if (a === '--integration') opts.suite = 'integration';
  else if (a === '--verbose' || a === '-v') opts.verbose = true;
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
// cfn-lint verdicts shared by the files of this run (test/helpers/cfn-lint.ts): a template linted by
// one file is not linted again by another. Fresh per run, so no verdict outlives a cfn-lint upgrade;
// a directory given in ARA_CFN_LINT_CACHE is used (and kept) instead.
const lintCache = process.env.ARA_CFN_LINT_CACHE ? undefined : mkdtempSync(join(tmpdir(), 'ara-cfn-lint-'));
if (lintCache) env.ARA_CFN_LINT_CACHE = lintCache;
// Each test process reports its CPU time (its own and its children's) through a preload.
const usagePreload = pathToFileURL(join(root, 'scripts', 'test-usage.js')).href;
const usageDir = mkdtempSync(join(tmpdir(), 'ara-test-usage-'));
const timeoutMs = (Number(process.env.ARA_TEST_TIMEOUT) || 600) * 1000;
/** How long a file may take to exit after uvu printed its totals. */
const EXIT_GRACE_MS = 20_000;
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
// cfn-lint.ts runs the command instead, which then fails with its own clear message.
let lintServer;
if (lintCache && !process.env.CFN_LINT && files.some((f) => suiteOf(f) === 'integration')) {
  const socket = join(lintCache, 'server.sock');
  const down = join(lintCache, 'server.down');
  env.ARA_CFN_LINT_SOCKET = socket;
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
}
/** The server's CPU time (it is not a child any test process waits for), read before it is stopped. */
function lintServerCpuMs() {
  try {
    const f = readFileSync(`/proc/${lintServer.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
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

/** Runs one file; resolves with its output, exit status and uvu's counts. */
function runFile(rel) {
  return new Promise((resolvePromise) => {
    const started = process.hrtime.bigint();
    const usageFile = join(usageDir, `${rel.replace(/[\\/]/g, '_')}.cpu`);
    const child = spawn(process.execPath, ['--import', usagePreload, join(testDir, rel)], {
      cwd: root,
      env: { ...env, ARA_TEST_USAGE_FILE: usageFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    // uvu prints its totals (ending with `Duration:`) once every test and hook has run; a process
    // still alive EXIT_GRACE_MS later is held by something a test left open (a server, a socket, a
    // child), typically after a failed assertion skipped its clean-up: stopped and reported as such,
    // instead of waiting for the file's timeout.
    let lingering;
    let held = false;
    const onOutput = (d) => {
      output += d;
      if (lingering === undefined && /Duration:\s/.test(output)) {
        lingering = setTimeout(() => {
          held = true;
          child.kill('SIGKILL');
        }, EXIT_GRACE_MS);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onOutput);
    child.stderr.setEncoding('utf8').on('data', onOutput);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(lingering);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const text = stripAnsi(output);
      // uvu prints its totals once per process (one set per file here).
      const count = (label) => {
        const m = text.match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm'));
        return m ? Number(m[1]) : undefined;
      };
      const total = count('Total');
      const passed = count('Passed');
      const skipped = count('Skipped') ?? 0;
      const ok = code === 0 && !timedOut && !held && total !== undefined && passed === total;
      let note = '';
      if (held) note = `did not exit within ${EXIT_GRACE_MS / 1000} s of its last test: a server, socket, child or timer left open`;
      else if (timedOut) note = `stopped after ${timeoutMs / 1000} s`;
      else if (signal) note = `killed by ${signal}`;
      else if (total === undefined) note = `exited ${code} before uvu printed its totals`;
      else if (code !== 0 && passed === total) note = `exited ${code} after its tests passed`;
      let cpuMs = 0;
      try {
        cpuMs = Number(readFileSync(usageFile, 'utf8')) || 0;
      } catch {
        // killed before its exit handler ran
      }
      resolvePromise({ rel, ok, ms, cpuMs, text, total: total ?? 0, passed: passed ?? 0, skipped, note });
    });
  });
}

// Tests write into their own temporary directories: a file the run leaves in the repository root
// (e.g. a default ./<sink>.dead-letter.ndjson of a CLI child) fails the run.
const rootBefore = new Set(readdirSync(root));
const started = process.hrtime.bigint();
const results = [];
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const timing = (r) => `${seconds(r.ms)} (CPU ${seconds(r.cpuMs)})`;
async function worker() {
  for (let rel = queue.shift(); rel !== undefined; rel = queue.shift()) {
    const r = await runFile(rel);
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
await Promise.all(Array.from({ length: Math.min(opts.jobs, files.length) }, worker));
const wall = Number(process.hrtime.bigint() - started) / 1e6;
let lintServerMs = 0;
if (lintServer && lintServer.exitCode === null) {
  lintServerMs = lintServerCpuMs();
  lintServer.kill('SIGTERM');
}
if (lintCache) rmSync(lintCache, { recursive: true, force: true });
rmSync(usageDir, { recursive: true, force: true });

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
    `${opts.suite} suite, ${results.length} files (${opts.jobs} at a time) in ${seconds(wall)}, CPU ${seconds(sum('cpuMs') + lintServerMs)}${lintServerMs ? ` incl. the cfn-lint server's ${seconds(lintServerMs)}` : ''} (load average ${loadavg()[0].toFixed(1)}); ` +
    `tests: ${passed} passed, ${total - passed - skipped} failed; files: ${results.length - failedFiles.length} passed, ${failedFiles.length} failed\n`,
);
const litter = readdirSync(root).filter((f) => !rootBefore.has(f));
if (litter.length) process.stdout.write(`test: the run left ${litter.length === 1 ? 'a file' : 'files'} in the repository root: ${litter.join(', ')} (tests must write into their own temporary directories)\n`);
process.exit(failedFiles.length || litter.length ? 1 : 0);
