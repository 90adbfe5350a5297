/**
 * `validate` reads specs with a byte cap that holds for devices and pipes (stat's size is not
 * trusted) and refuses anything that is not a regular file, instead of hanging or filling memory.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readSpecFile } from '../../src/compiler/parse.js';
import { runAraGen } from '../helpers/ara-cli.js';

const t = suite('validate input files');
const tmp = mkdtempSync(join(tmpdir(), 'ara-input-'));
t.after(() => rmSync(tmp, { recursive: true, force: true }));

t('a FIFO is refused at once (exit 2), not waited on', async () => {
  const fifo = join(tmp, 'spec.yaml');
  const made = spawnSync('mkfifo', [fifo]);
  assert.is(made.status, 0, String(made.stderr));
  const r = await runAraGen(['validate', fifo]);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stdout + r.stderr, /is a pipe, not a spec file/);
});

t('/dev/zero is refused (exit 2) instead of being read until memory runs out', async () => {
  const r = await runAraGen(['validate', '/dev/zero']);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stdout + r.stderr, /is a device, not a spec file/);
});

t('a regular file over 5 MiB is refused without reading it all', async () => {
  const big = join(tmp, 'big.yaml');
  writeFileSync(big, `# ${'x'.repeat(5 * 1024 * 1024 + 10)}\n`);
  const r = await readSpecFile(big);
  assert.ok(r.unreadable);
  assert.match(r.diagnostics[0]!.message, /larger than 5 MiB/);
});

t('a small regular file reads whole', async () => {
  const f = join(tmp, 'ok.yaml');
  writeFileSync(f, 'version: 1\n');
  const r = await readSpecFile(f);
  assert.is(r.text, 'version: 1\n');
});

t.run();
