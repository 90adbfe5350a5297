/**
 * Fuzzing the loader with seeded mutations of the flagship example (deleted keys and lines, swapped
 * types, random bytes, truncation, duplicated lines, tabs): never a crash or a stack trace, and
 * every finding is well-formed (code, line >= 1, col >= 1, a message). Through the library for all
 * mutants, through the CLI for a sample.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Diagnostic } from '../../src/compiler/diagnostics.js';
import { validateFiles } from '../../src/compiler/load.js';
import { flagship, runAraGen } from '../helpers/ara-cli.js';
import { seededRandom } from '../../src/util/prng.js';

const SEED = 0x5eed2026;
const MUTANTS = 400;
const CLI_SAMPLE = 24;


const example = readFileSync(flagship);
const VALUES = ['42', '-1', '0', '"text"', 'true', 'null', '[1, 2]', '{ a: 1 }', '~', "''", '1.5', '99999999999999999999', '5MiB', '&x', '*x', '!!binary AAAA', '"\\u0000"', '[', '}'];

type Mutation = (bytes: Buffer, rnd: () => number) => Buffer;
const pick = <T>(xs: readonly T[], rnd: () => number): T => xs[Math.floor(rnd() * xs.length)]!;
const lines = (b: Buffer) => b.toString('utf8').split('\n');
const join_ = (ls: string[]) => Buffer.from(ls.join('\n'), 'utf8');

const mutations: Record<string, Mutation> = {
  deleteLine: (b, rnd) => {
    const ls = lines(b);
    ls.splice(Math.floor(rnd() * ls.length), 1);
    return join_(ls);
  },
  deleteKey: (b, rnd) => {
    // A key and its indented block.
    const ls = lines(b);
    const keys = ls.map((l, i) => (/^\s*[\w-]+:/.test(l) ? i : -1)).filter((i) => i >= 0);
    if (!keys.length) return b;
    const i = pick(keys, rnd);
    const indent = /^\s*/.exec(ls[i]!)![0].length;
    let j = i + 1;
    while (j < ls.length && (ls[j]!.trim() === '' || /^\s*/.exec(ls[j]!)![0].length > indent)) j++;
    ls.splice(i, j - i);
    return join_(ls);
  },
  swapType: (b, rnd) => {
    const ls = lines(b);
    const values = ls.map((l, i) => (/^\s*[\w-]+: \S/.test(l) ? i : -1)).filter((i) => i >= 0);
    if (!values.length) return b;
    const i = pick(values, rnd);
    ls[i] = ls[i]!.replace(/: .*$/, `: ${pick(VALUES, rnd)}`);
    return join_(ls);
  },
  randomBytes: (b, rnd) => {
    const out = Buffer.from(b);
    const n = 1 + Math.floor(rnd() * 8);
    for (let k = 0; k < n; k++) out[Math.floor(rnd() * out.length)] = Math.floor(rnd() * 256);
    return out;
  },
  truncate: (b, rnd) => b.subarray(0, Math.floor(rnd() * b.length)),
  duplicateLine: (b, rnd) => {
    const ls = lines(b);
    const i = Math.floor(rnd() * ls.length);
    ls.splice(i, 0, ls[i]!);
    return join_(ls);
  },
  tabIndent: (b, rnd) => {
    const ls = lines(b);
    const indented = ls.map((l, i) => (/^ {2,}\S/.test(l) ? i : -1)).filter((i) => i >= 0);
    if (!indented.length) return b;
    const i = pick(indented, rnd);
    ls[i] = ls[i]!.replace(/^ {2}/, '\t');
    return join_(ls);
  },
  shuffleChars: (b, rnd) => {
    const s = b.toString('utf8').split('');
    for (let k = 0; k < 5; k++) {
      const i = Math.floor(rnd() * s.length);
      s[i] = pick([':', '-', ' ', '"', "'", '{', '[', '#', '&', '*', '!', '|', '>', '\n', '%', '@', '`'], rnd);
    }
    return Buffer.from(s.join(''), 'utf8');
  },
};

function mutants(): { name: string; bytes: Buffer }[] {
  const rnd = seededRandom(SEED);
  const names = Object.keys(mutations);
  return Array.from({ length: MUTANTS }, (_, i) => {
    let bytes: Buffer = example;
    const kinds: string[] = [];
    const rounds = 1 + Math.floor(rnd() * 3);
    for (let r = 0; r < rounds; r++) {
      const kind = pick(names, rnd);
      kinds.push(kind);
      bytes = mutations[kind]!(bytes, rnd);
    }
    return { name: `m${String(i).padStart(3, '0')}-${kinds.join('+')}.yaml`, bytes };
  });
}

function assertWellFormed(d: Diagnostic | Record<string, unknown>, context: string): void {
  const x = d as Record<string, unknown> & { start?: { line: number; col: number } };
  const line = x.start?.line ?? (x.line as number);
  const col = x.start?.col ?? (x.column as number);
  assert.match(String(x.code), /^ARA\d{3}$/, context);
  // ARA299 is the guard that turns a crashing rule into a finding: a rule must never need it.
  assert.is.not(x.code, 'ARA299', `${context}: a rule crashed: ${String(x.message)}`);
  assert.ok(Number.isInteger(line) && line >= 1, `${context}: line ${line}`);
  assert.ok(Number.isInteger(col) && col >= 1, `${context}: col ${col}`);
  assert.ok(x.severity === 'error' || x.severity === 'warning', context);
  assert.ok(typeof x.message === 'string' && x.message.length > 0, context);
  assert.not.match(String(x.message) + String(x.hint ?? ''), /\n\s+at .*\(.*:\d+:\d+\)/, `${context}: stack trace in message`);
}

const fuzz = suite('fuzz: mutated flagship');
let dir = '';
let files: { file: string; bytes: Buffer }[] = [];
fuzz.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ara-fuzz-'));
  files = mutants().map((m) => {
    const file = join(dir, m.name);
    writeFileSync(file, m.bytes);
    return { file, bytes: m.bytes };
  });
});
fuzz.after(() => rmSync(dir, { recursive: true, force: true }));

/** The library's results for every mutant, from this thread. */
let results: Awaited<ReturnType<typeof validateFiles>> = [];

fuzz('library: no throw, every finding well-formed and inside the file', async () => {
  // One thread: the suite's other workers keep the cores busy, and a worker thread starts cold
  // (modules loaded and compiled again), so more threads here cost CPU and gain no time.
  results = await validateFiles(files.map((f) => f.file), { threads: 1 });
  assert.is(results.length, MUTANTS);
  let withFindings = 0;
  const codes = new Set<string>();
  for (const [i, r] of results.entries()) {
    if (r.diagnostics.length) withFindings++;
    const lineCount = files[i]!.bytes.toString('latin1').split('\n').length;
    for (const d of r.diagnostics) {
      assertWellFormed(d, r.file);
      codes.add(d.code);
      assert.ok(d.start.line <= lineCount + 1, `${r.file}: line ${d.start.line} beyond ${lineCount} lines`);
      assert.is(d.file, r.file);
    }
  }
  // The mutations really do break things, in many different ways.
  assert.ok(withFindings > MUTANTS / 2, `only ${withFindings} mutants had findings`);
  assert.ok(codes.size >= 8, `only codes ${[...codes].join(', ')}`);
});

fuzz('library: worker threads give the same results, in the same order, as one thread', async () => {
  // A sample of the mutants, split in three chunks (this thread and two workers), against the
  // results of this thread alone.
  const sample = files.map((_, i) => i).filter((i) => i % 7 === 3);
  const threaded = await validateFiles(sample.map((i) => files[i]!.file), { threads: 3 });
  assert.is(threaded.length, sample.length);
  assert.equal(threaded, sample.map((i) => results[i]));
});

fuzz('CLI: a sample in one call, JSON output, no stack trace, exit 0 or 1', async () => {
  const sample = files.filter((_, i) => i % Math.floor(MUTANTS / CLI_SAMPLE) === 0).slice(0, CLI_SAMPLE);
  const r = await runAraGen(['validate', '--format', 'json', ...sample.map((f) => f.file)]);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  assert.not.match(r.stderr, /internal error|\n\s+at /);
  const doc = JSON.parse(r.stdout) as { files: { file: string; diagnostics: Record<string, unknown>[] }[] };
  assert.is(doc.files.length, sample.length);
  for (const f of doc.files) for (const d of f.diagnostics) assertWellFormed(d, f.file);
  const text = await runAraGen(['validate', ...sample.map((f) => f.file)]);
  assert.is(text.code, r.code);
  assert.not.match(text.stdout + text.stderr, /internal error|\n\s+at .*:\d+:\d+/);
});

fuzz.run();
