/**
 * The contract, checked by generation: 25 fixed seeds of mutated specs (test/helpers/differential.ts).
 * Every spec `validate` accepts must synthesize (no throw: the CLI's exit 70) in every environment,
 * and cfn-lint must report no error on any template. bench/differential.bench.js runs ≥ 1,000.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatMatches } from '../helpers/cfn-lint.js';
import { generateSpec, runDifferential } from '../helpers/differential.js';

const t = suite('differential: validate => synth => cfn-lint');
const work = mkdtempSync(join(tmpdir(), 'ara-diff-'));
t.after(() => rmSync(work, { recursive: true, force: true }));

/** Fixed seeds: 25 of them, spread over every base spec. */
export const SEEDS = Array.from({ length: 25 }, (_, i) => 1000 + i * 7);

t('generation is deterministic per seed', () => {
  assert.equal(generateSpec(42), generateSpec(42));
  assert.not.equal(generateSpec(42).text, generateSpec(43).text);
});

t('every generated spec that validates clean synthesizes, and cfn-lint finds no error', async () => {
  const r = await runDifferential(SEEDS, work);
  assert.is(r.generated, SEEDS.length);
  // Both outcomes occur: the generator exercises the validator and the compiler.
  assert.ok(r.accepted >= 5, `accepted ${r.accepted}`);
  assert.ok(r.rejected >= 5, `rejected ${r.rejected}`);
  assert.equal(r.synthFailures, [], JSON.stringify(r.synthFailures, null, 2));
  assert.ok(r.templates >= r.synthesized, `${r.templates} templates`);
  assert.equal(r.cfnLintErrors, [], formatMatches(r.cfnLintErrors));
});

t.run();
