/**
 * Output directory safety: a synth is staged beside the output directory and swapped in only on
 * success, so a failed synth never destroys the previous assembly; every filesystem problem with
 * `-o` is one sentence and exit 2.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { synthesize } from '../../src/compiler/deploy/synthesize.js';
import { flagship, runAraGen } from '../helpers/ara-cli.js';
import { mystoreModel } from '../helpers/models.js';

const t = suite('output directory');
const tmp = mkdtempSync(join(tmpdir(), 'ara-outdir-'));
t.after(() => rmSync(tmp, { recursive: true, force: true }));

/** stderr is one error sentence plus its hint: no stack trace, no second error. */
function assertOneSentence(stderr: string): void {
  const errors = stderr.split('\n').filter((l) => /^error\b/.test(l));
  assert.is(errors.length, 1, stderr);
  assert.not.match(stderr, /\n\s+at /);
}

t('-o under a file is a usage error (exit 2), one sentence', async () => {
  const file = join(tmp, 'plain-file');
  writeFileSync(file, 'x');
  const r = await runAraGen(['synth', flagship, '-o', join(file, 'cdk.out')]);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /is under '.*plain-file', which is a file/);
  assertOneSentence(r.stderr);
});

t('-o in a directory nobody may write is a usage error (exit 2), one sentence', async () => {
  // /sys refuses new entries even to root (chmod would not stop root, under which CI may run).
  const r = await runAraGen(['synth', flagship, '-o', '/sys/ara-gen-cdk.out']);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /cannot (write to|create) output directory '\/sys\/ara-gen-cdk\.out'/);
  assertOneSentence(r.stderr);
});

t('a failed synth leaves the previous assembly exactly as it was, and no staging directory', async () => {
  const parent = mkdtempSync(join(tmp, 'keep-'));
  const out = join(parent, 'cdk.out');
  await synthesize(mystoreModel(), { outdir: out });
  const before = readdirSync(out).sort();
  const manifest = readFileSync(join(out, 'manifest.json'), 'utf8');
  // A model the validator would reject (archive less than 30 days after infrequent access):
  // the storage construct throws during the build, after staging started.
  const bad = mystoreModel({ layers: { raw: { infrequentAccessDelay: 70, archiveDelay: 90 } } });
  let threw = false;
  try {
    await synthesize(bad, { outdir: out });
  } catch {
    threw = true;
  }
  assert.ok(threw, 'the construct rejects the model');
  assert.equal(readdirSync(out).sort(), before);
  assert.is(readFileSync(join(out, 'manifest.json'), 'utf8'), manifest);
  assert.equal(readdirSync(parent), ['cdk.out']);
});

t('a successful re-synth replaces the assembly (stale stacks go) and leaves nothing beside it', async () => {
  const parent = mkdtempSync(join(tmp, 'swap-'));
  const out = join(parent, 'cdk.out');
  await synthesize(mystoreModel({ env: 'one' }), { outdir: out });
  const r = await synthesize(mystoreModel({ env: 'two' }), { outdir: out });
  const templates = readdirSync(out).filter((f) => f.endsWith('.template.json')).sort();
  assert.equal(templates, ['mystore-two-batch.template.json', 'mystore-two-foundations.template.json']);
  assert.equal(readdirSync(parent), ['cdk.out']);
  // The returned assembly reads from where the output now lives.
  assert.is(r.build.assembly.directory, out);
  assert.ok(r.build.assembly.getStackByName('mystore-two-batch').template.Resources);
});

t.run();
