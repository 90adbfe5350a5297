/**
 * Automatic stack splitting: a module over CloudFormation's limits (500 resources, 1 MB template)
 * becomes numbered part stacks; entries are assigned by a stable hash, so adding entries never
 * moves others (a moved named resource fails a deploy); part stacks pass cfn-lint.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildAssembly, type BuildResult } from '../../src/compiler/app.js';
import { batchUnits } from '../../src/compiler/stacks/batch-stack.js';
import { jumpHash, partIndex, partName, unitsOf } from '../../src/compiler/stacks/split.js';
import { assemblyTemplates, formatMatches, lintTemplates } from '../helpers/cfn-lint.js';
import { loadModel, makeOutdir, removeOutdirs } from '../helpers/models.js';
import { pipelinesSpec } from '../helpers/pipelines.js';

const t = suite('stack splitting');
t.after(removeOutdirs);

async function synthPipelines(n: number): Promise<{ result: BuildResult; outdir: string }> {
  const dir = makeOutdir('split');
  const spec = join(dir, `p${n}.yaml`);
  writeFileSync(spec, pipelinesSpec(n));
  const outdir = join(dir, 'out');
  return { result: buildAssembly(await loadModel(spec), { outdir }), outdir };
}

/** Stack of every Glue crawler, by its physical name. */
function crawlerStacks(r: BuildResult): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of r.stacks) {
    const tpl = r.assembly.getStackByName(s.name).template as any;
    for (const res of Object.values<any>(tpl.Resources)) if (res.Type === 'AWS::Glue::Crawler') out.set(res.Properties.Name, s.name);
  }
  return out;
}

let big: { result: BuildResult; outdir: string };

t.before(async () => {
  // 80 pipelines: 562 resources and about 1.2 MB of template in one stack.
  big = await synthPipelines(80);
});

t('a module over 500 resources / 1 MB becomes numbered part stacks within the limits', () => {
  const batch = big.result.stacks.filter((s) => s.module === 'batch');
  assert.equal(batch.map((s) => s.name), ['lake-dev-batch', 'lake-dev-batch-2']);
  for (const s of batch) assert.ok(s.total <= 500, `${s.name}: ${s.total}`);
  assert.is(batch.reduce((n, s) => n + (s.resourceCounts['AWS::Glue::Crawler'] ?? 0), 0), 80);
  for (const f of assemblyTemplates(big.outdir)) assert.ok(statSync(f).size < 1_000_000, `${f}: ${statSync(f).size} bytes`);
});

t('a workflow stays in one stack with its triggers, crawler and job', () => {
  for (const s of big.result.stacks.filter((x) => x.module === 'batch')) {
    const tpl = big.result.assembly.getStackByName(s.name).template as any;
    const names = (type: string) => Object.values<any>(tpl.Resources).filter((r) => r.Type === type).map((r) => r.Properties.Name as string);
    const pipelines = names('AWS::Glue::Crawler').map((n) => n.replace('lake-dev-', ''));
    for (const p of pipelines) {
      assert.ok(names('AWS::Glue::Job').includes(`lake-dev-${p}-to-parquet`), `${p}'s job in ${s.name}`);
      assert.ok(names('AWS::Glue::Workflow').includes(`lake-dev-start-${p}`), `${p}'s workflow in ${s.name}`);
    }
  }
});

t('adding entries never moves existing ones (stable hash, not position)', async () => {
  // The parts of the 80-pipeline assembly, and where the units of a spec with 4 more pipelines go
  // (the model-level assignment buildApp uses; no second synth needed).
  const dir = makeOutdir('split-more');
  const spec = join(dir, 'p84.yaml');
  writeFileSync(spec, pipelinesSpec(84));
  const more = batchUnits(await loadModel(spec));
  const before = crawlerStacks(big.result);
  for (const [crawler, stack] of before) {
    const unit = more.find((u) => u.members.some((m) => m.kind === 'crawler' && `lake-dev-${m.name}` === crawler))!;
    assert.is(partName('lake-dev-batch', partIndex(unit.key, 2)), stack, `${crawler} would move`);
  }
});

t('growing from N to N+1 parts moves units only into the new part', () => {
  const keys = Array.from({ length: 2000 }, (_, i) => `workflow:p${i}`);
  for (const n of [1, 2, 3, 7]) {
    let moved = 0;
    for (const k of keys) {
      const a = partIndex(k, n);
      const b = partIndex(k, n + 1);
      if (a !== b) {
        assert.is(b, n, `${k} moved from ${a} to ${b}, not to the new part`);
        moved++;
      }
    }
    // About 1/(n+1) of the units move.
    assert.ok(Math.abs(moved / keys.length - 1 / (n + 1)) < 0.06, `n=${n}: ${moved} moved`);
  }
  assert.ok(jumpHash(12345, 1) === 0);
  assert.is(partName('x-dev-batch', 0), 'x-dev-batch');
  assert.is(partName('x-dev-batch', 2), 'x-dev-batch-3');
});

t('linked entries form one unit keyed by the most stable member', () => {
  const units = unitsOf(
    [
      { kind: 'job', name: 'j' },
      { kind: 'crawler', name: 'c' },
      { kind: 'trigger', name: 't' },
      { kind: 'workflow', name: 'w' },
      { kind: 'crawler', name: 'alone' },
    ],
    [
      ['trigger:t', 'crawler:c'],
      ['trigger:t', 'job:j'],
      ['trigger:t', 'workflow:w'],
    ],
    ['workflow', 'trigger', 'crawler', 'job'],
  );
  assert.equal(units.map((u) => [u.key, u.members.length]), [['workflow:w', 4], ['crawler:alone', 1]]);
});

t('the part stacks stay within the other CloudFormation template limits (outputs, parameters)', () => {
  // cfn-lint's limit rules, checked directly on the big parts (cfn-lint itself takes ~35 s of CPU
  // over 1.2 MB of templates; the next test lints the same part-stack code at a smaller size).
  for (const f of assemblyTemplates(big.outdir)) {
    const tpl = JSON.parse(readFileSync(f, 'utf8')) as { Outputs?: object; Parameters?: object; Mappings?: object; Resources: object };
    assert.ok(Object.keys(tpl.Outputs ?? {}).length <= 200, `${f}: outputs`);
    assert.ok(Object.keys(tpl.Parameters ?? {}).length <= 200, `${f}: parameters`);
    assert.ok(Object.keys(tpl.Mappings ?? {}).length <= 200, `${f}: mappings`);
  }
});

t('part stacks pass cfn-lint: a module built as two parts (same code as an automatic split), with foundations', async () => {
  // What a split adds to a template (part names, the foundations dependency, imports of the shared
  // key and databases, per-part physical names) does not depend on the size that triggers it.
  const dir = makeOutdir('split-lint');
  const spec = join(dir, 'p8.yaml');
  writeFileSync(spec, pipelinesSpec(8));
  const outdir = join(dir, 'out');
  const r = buildAssembly(await loadModel(spec), { outdir, parts: { batch: 2 } });
  assert.equal(r.stacks.map((s) => s.name), ['lake-dev-foundations', 'lake-dev-batch', 'lake-dev-batch-2']);
  const errors = await lintTemplates(assemblyTemplates(outdir));
  assert.equal(errors, [], formatMatches(errors));
});

t.run();
