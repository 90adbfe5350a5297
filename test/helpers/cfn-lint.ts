/**
 * cfn-lint over synthesized templates, for tests: `validate ⇒ synth ⇒ CloudFormation` is only a
 * promise if CloudFormation's own rules accept every template we write. cfn-lint starts slowly
 * (~2 s CPU to load its rule set), so callers pass every template of a test file in ONE call:
 * `lintTemplates(files)` or `lintAssemblies(dirs)`, then assert on the errors it returns. Under
 * scripts/test.js the call goes to the run's cfn-lint server (rules loaded once per run), else to
 * the cfn-lint command.
 *
 * Only `Error`-level matches are returned (warnings such as W3005 "DependsOn already implied" are
 * the CDK's style, not deploy failures). A missing cfn-lint is an error, never a skipped check: the
 * tests must not silently pass on a machine without it (`.ci/run` checks for it up front).
 *
 * cfn-lint's verdict depends only on the template's bytes (and on cfn-lint itself): identical
 * templates (an unchanged stack in many synthesized variants, the same fixture linted by two test
 * files) are linted once. Within one call by content; across the test files of one
 * `scripts/test.js` run through the directory in ARA_CFN_LINT_CACHE (the runner makes a fresh one
 * per run and removes it afterwards, so a cfn-lint upgrade never meets stale verdicts). A file
 * claims the templates it lints there; another file that needs one of them waits for that verdict
 * (or lints it itself if the claiming process is gone) instead of linting it a second time.
 * Verdicts also outlive the run in ARA_CFN_LINT_STORE, a directory scripts/test.js names after the
 * installed cfn-lint's version and configuration (node_modules/.cache/ara-gen/cfn-lint/<key>): a
 * second run lints only the templates that changed; a clean clone, or another cfn-lint, lints all.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, watch, writeFileSync, writeSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, extname, join, resolve as resolvePath } from 'node:path';

export interface CfnLintMatch {
  file: string;
  rule: string;
  level: string;
  message: string;
  /** Template path of the offending value, e.g. `Resources/Bucket/Properties/BucketName`. */
  path: string;
}

/** The command to run; `CFN_LINT` overrides it (e.g. a virtualenv's cfn-lint). */
export const cfnLintCommand = (): string => process.env.CFN_LINT || 'cfn-lint';

/** Every `*.template.json` of a cloud assembly directory (nested assemblies included). */
export function assemblyTemplates(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (e.endsWith('.template.json')) out.push(p);
    else if (e.startsWith('assembly-') && statSync(p).isDirectory()) out.push(...assemblyTemplates(p));
  }
  return out;
}

/** A verdict without its file name: what cfn-lint says about one template content. */
type Verdict = Omit<CfnLintMatch, 'file'>[];

/** Key of a template's content (the extension too: it tells cfn-lint JSON from YAML). */
const contentKey = (file: string): string => createHash('sha256').update(extname(file)).update('\0').update(readFileSync(file)).digest('hex');

const cacheDir = (): string | undefined => process.env.ARA_CFN_LINT_CACHE || undefined;
/** Verdicts kept between runs, for one cfn-lint version and configuration (see above). */
const storeDir = (): string | undefined => process.env.ARA_CFN_LINT_STORE || undefined;

function cachedVerdict(key: string): Verdict | undefined {
  for (const dir of [cacheDir(), storeDir()]) {
    if (!dir) continue;
    try {
      return JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as Verdict;
    } catch {
      // not there (yet)
    }
  }
  return undefined;
}

function storeVerdict(key: string, verdict: Verdict): void {
  for (const dir of [cacheDir(), storeDir()]) {
    if (!dir) continue;
    try {
      // Written beside and renamed: a reader in another test process never sees half a file.
      const tmp = join(dir, `${key}.${process.pid}.tmp`);
      writeFileSync(tmp, JSON.stringify(verdict));
      renameSync(tmp, join(dir, `${key}.json`));
    } catch {
      // best effort: the next caller lints again
    }
  }
}

/** Claims `key` for this process (true), or finds it claimed by another (false). Without a cache directory every key is ours. */
function claim(key: string): boolean {
  const dir = cacheDir();
  if (!dir) return true;
  try {
    const fd = openSync(join(dir, `${key}.claim`), 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'EEXIST';
  }
}

function release(key: string): void {
  try {
    unlinkSync(join(cacheDir()!, `${key}.claim`));
  } catch {
    // already gone
  }
}

/** Is the process holding the claim on `key` still running? */
function claimantAlive(key: string): boolean {
  try {
    const pid = Number(readFileSync(join(cacheDir()!, `${key}.claim`), 'utf8'));
    if (!pid) return true; // being written
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits for another process's verdict on each key; the keys whose claimant went away without one are returned. */
async function awaitVerdicts(keys: string[], verdicts: Map<string, Verdict>): Promise<string[]> {
  const orphaned: string[] = [];
  let pending = [...keys];
  while (pending.length) {
    const still: string[] = [];
    for (const key of pending) {
      const v = cachedVerdict(key);
      if (v) verdicts.set(key, v);
      else if (!claimantAlive(key)) orphaned.push(key);
      else still.push(key);
    }
    pending = still;
    // Re-checked on a short tick: the verdict is a file another process renames into place.
    if (pending.length) await new Promise((r) => setTimeout(r, 200));
  }
  return orphaned;
}

/**
 * Error-level matches of cfn-lint over `files` (empty when clean): each distinct content is linted
 * once, all of them in ONE cfn-lint run. Rejects when cfn-lint is missing or its output is not the
 * JSON report.
 */
export async function lintTemplates(files: readonly string[]): Promise<CfnLintMatch[]> {
  const keys = files.map(contentKey);
  const first = new Map<string, string>(); // key -> a file with that content
  files.forEach((f, i) => first.has(keys[i]!) || first.set(keys[i]!, f));
  const verdicts = new Map<string, Verdict>();
  const mine: string[] = [];
  const theirs: string[] = [];
  for (const key of first.keys()) {
    const cached = cachedVerdict(key);
    if (cached) verdicts.set(key, cached);
    else if (claim(key)) mine.push(key);
    else theirs.push(key);
  }
  await lintKeys(mine, first, verdicts);
  if (theirs.length) {
    const orphaned = await awaitVerdicts(theirs, verdicts);
    await lintKeys(orphaned, first, verdicts);
  }
  // Every file gets the verdict of its content, in the order given.
  return files.flatMap((file, i) => verdicts.get(keys[i]!)!.map((m) => ({ file, ...m })));
}

/** Lints one file of each key in one cfn-lint run and records (and shares) the verdicts. */
async function lintKeys(keys: string[], fileOf: Map<string, string>, verdicts: Map<string, Verdict>): Promise<void> {
  if (!keys.length) return;
  const keyOf = new Map(keys.map((k) => [fileOf.get(k)!, k]));
  const found = new Map<string, Verdict>(keys.map((k) => [k, []]));
  try {
    for (const m of await runCfnLint([...keyOf.keys()])) {
      const key = keyOf.get(m.file);
      if (key === undefined) throw new Error(`cfn-lint reported a file it was not given: ${m.file}`);
      const { file: _file, ...rest } = m;
      found.get(key)!.push(rest);
    }
  } catch (e) {
    // Waiting processes must not wait for verdicts that will never come: they lint these themselves.
    if (cacheDir()) keys.forEach(release);
    throw e;
  }
  for (const [key, v] of found) {
    verdicts.set(key, v);
    storeVerdict(key, v);
  }
}

/** One cfn-lint run over `files` (by the run's server when there is one, else the command): its Error-level matches. */
async function runCfnLint(files: readonly string[]): Promise<CfnLintMatch[]> {
  if (files.length === 0) return [];
  const report = (await serverReport(files)) ?? (await commandReport(files));
  return report
    .filter((m) => m.Level === 'Error')
    .map((m) => ({
      file: m.Filename,
      rule: m.Rule?.Id ?? '?',
      level: m.Level,
      message: m.Message,
      path: (m.Location?.Path ?? []).join('/'),
    }));
}

/**
 * The report of the cfn-lint server that scripts/test.js runs for the whole run (scripts/
 * cfn-lint-server.py, socket in ARA_CFN_LINT_SOCKET): the command's JSON report without its start-up.
 * Waits for the server to have loaded its rules (its socket appears); undefined when there is no
 * server (a test file run on its own) or it could not start (it leaves `server.down`).
 */
async function serverReport(files: readonly string[]): Promise<any[] | undefined> {
  const socket = process.env.ARA_CFN_LINT_SOCKET;
  if (!socket) return undefined;
  const dir = dirname(socket);
  const down = join(dir, 'server.down');
  if (!existsSync(socket) && !existsSync(down)) {
    // The runner may start the server only when a file asks for it (scripts/test.js).
    writeFileSync(join(dir, 'server.wanted'), '', { flag: 'a' });
    // Woken by the directory's change events; the re-check every second covers an event missed
    // between the test above and the watcher starting.
    await new Promise<void>((resolve) => {
      const watcher = watch(dir, () => check());
      const tick = setInterval(() => check(), 1000);
      function check(): void {
        if (!existsSync(socket!) && !existsSync(down)) return;
        watcher.close();
        clearInterval(tick);
        resolve();
      }
    });
  }
  if (!existsSync(socket)) return undefined;
  const reply = await new Promise<string>((resolve, reject) => {
    const conn = createConnection(socket);
    let data = '';
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(`${JSON.stringify({ files: files.map((f) => resolvePath(f)) })}\n`));
    conn.on('data', (d) => (data += d));
    conn.on('end', () => resolve(data));
    conn.on('error', reject);
  });
  const answer = JSON.parse(reply) as { report?: any[]; error?: string };
  if (answer.error !== undefined) throw new Error(`cfn-lint failed: ${answer.error}`);
  // The server was given absolute paths; the caller's names come back as it gave them.
  const byAbsolute = new Map(files.map((f) => [resolvePath(f), f]));
  return answer.report!.map((m) => ({ ...m, Filename: byAbsolute.get(m.Filename) ?? m.Filename }));
}

/** The cfn-lint command's JSON report over `files`. */
async function commandReport(files: readonly string[]): Promise<any[]> {
  const cmd = cfnLintCommand();
  const { code, stdout, stderr } = await run(cmd, ['--format', 'json', '--', ...files]);
  if (code === null) throw new Error(`cfn-lint ('${cmd}') was killed by a signal`);
  if (code === 127 || code === 'ENOENT') {
    throw new Error(`cfn-lint not found ('${cmd}'): install it with 'pip install cfn-lint' (the tests lint every synthesized template)`);
  }
  // Exit status is a bitmask: 2 errors, 4 warnings, 8 informational; 1 is a crash / usage error.
  if (typeof code === 'number' && code & 1) throw new Error(`cfn-lint failed (exit ${code}): ${stderr.trim() || stdout.trim()}`);
  try {
    return JSON.parse(stdout || '[]') as any[];
  } catch {
    throw new Error(`cfn-lint printed no JSON report (exit ${code}): ${stderr.trim().slice(0, 500)}`);
  }
}

/** cfn-lint over every template of every assembly directory, in one call. */
export function lintAssemblies(dirs: readonly string[]): Promise<CfnLintMatch[]> {
  return lintTemplates(dirs.flatMap(assemblyTemplates));
}

/** One line per match, for assertion messages. */
export function formatMatches(matches: readonly CfnLintMatch[]): string {
  return matches.map((m) => `${m.file}: ${m.rule} at ${m.path}: ${m.message}`).join('\n');
}

function run(cmd: string, args: string[]): Promise<{ code: number | null | 'ENOENT'; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', (e: NodeJS.ErrnoException) => resolve({ code: e.code === 'ENOENT' ? 'ENOENT' : 1, stdout: '', stderr: e.message }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
