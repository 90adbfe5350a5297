/**
 * `diff --previous DIR`: entries whose resources change stacks between an earlier assembly and the
 * new one (a moved named resource fails the deploy). Through the CLI with two real assemblies (the
 * earlier one built through the library): 60
 * crawler→job pipelines fit one batch stack, 75 are split into two, so the pipelines the stable
 * hash puts in the new part move.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildAssembly } from '../../src/compiler/app.js';
import { loadPlatformOrThrow } from '../../src/compiler/load.js';
import { runAraGen } from '../helpers/ara-cli.js';
import { pipelinesSpec } from '../helpers/pipelines.js';

const test = suite('diff --previous: entries that change stacks');
const tmp = mkdtempSync(join(tmpdir(), 'ara-diff-moves-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const spec = (n: number): string => {
  const file = join(tmp, `p${n}.yaml`);
  writeFileSync(file, pipelinesSpec(n));
  return file;
};

/** Physical names of the Glue crawlers in one template of an assembly. */
function crawlers(dir: string, stack: string): string[] {
  const t = JSON.parse(readFileSync(join(dir, `${stack}.template.json`), 'utf8')) as { Resources: Record<string, { Type: string; Properties: { Name: string } }> };
  return Object.values(t.Resources)
    .filter((r) => r.Type === 'AWS::Glue::Crawler')
    .map((r) => r.Properties.Name);
}

test('a module split into two stacks: diff names every entry that moves, with its named resources; --fail exits 1', async () => {
  // The earlier assembly through the library (a CLI synth of it is cli-synth.test.ts's subject).
  const before = join(tmp, 'before');
  buildAssembly(await loadPlatformOrThrow(spec(60)), { outdir: before });
  assert.equal(crawlers(before, 'lake-dev-batch').length, 60);

  const after = join(tmp, 'after');
  const r = await runAraGen(['diff', spec(75), '--previous', before, '-o', after, '--fail']);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stdout, /new stacks: lake-dev-batch-2\n/);
  // Expected from the new assembly itself: the old pipelines (1..60) whose crawler is now in part 2.
  const moved = crawlers(after, 'lake-dev-batch-2')
    .map((n) => Number(n.replace('lake-dev-p', '')))
    .filter((i) => i <= 60)
    .sort((a, b) => a - b);
  assert.ok(moved.length > 0 && moved.length < 60, `moved: ${moved.length}`);
  for (const i of moved) {
    const line = new RegExp(`^  /crawlers/p${i} \\(.*p75\\.yaml:\\d+:3\\): lake-dev-batch -> lake-dev-batch-2; named resources that move: AWS::Glue::Crawler lake-dev-p${i}$`, 'm');
    assert.match(r.stdout, line, `crawler p${i}`);
    assert.match(r.stdout, new RegExp(`^  /jobs/p${i}-to-parquet \\(.*\\): lake-dev-batch -> lake-dev-batch-2; named resources that move: AWS::Glue::Job lake-dev-p${i}-to-parquet`, 'm'));
  }
  // Nothing else is reported: 4 entries (crawler, job, two triggers) per moved pipeline.
  const reported = r.stdout.split('\n').filter((l) => /^ {2}\/\w+\//.test(l));
  assert.is(reported.length, 4 * moved.length, reported.join('\n'));
  assert.match(r.stdout, /^ {2}\d+ spec entries change stacks:$/m);
  assert.match(r.stdout, /A named resource cannot change stacks in one deploy/);
  // Pipelines 61..75 are new: never reported as moves.
  assert.not.match(r.stdout, /\/crawlers\/p(6[1-9]|7[0-5]) /);

  // The same assembly against itself: no move, exit 0 even with --fail.
  const same = await runAraGen(['diff', spec(75), '--previous', after, '--assembly', after, '--fail']);
  assert.is(same.code, 0, same.stderr);
  assert.match(same.stdout, /no spec entry changes stacks/);
});

test('--previous that is no assembly, or with --template: usage error (exit 2) before synthesizing', async () => {
  const out = join(tmp, 'never');
  const missing = await runAraGen(['diff', spec(2), '--previous', join(tmp, 'nothing-here'), '-o', out]);
  assert.is(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /--previous '.*nothing-here' is not a cloud assembly \(no manifest\.json in it\)/);
  const both = await runAraGen(['diff', spec(2), '--previous', tmp, '--template', join(tmp, 'p2.yaml'), '-o', out]);
  assert.is(both.code, 2, both.stderr);
  assert.match(both.stderr, /--previous and --template compare with different things/);
  assert.not.ok((await import('node:fs')).existsSync(out));
});

test.run();
