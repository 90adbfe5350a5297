// Differential check at scale: N generated specs (default 1,000; ARA_DIFF_SPECS overrides), seeds
// 1..N. For each that validates clean: synth every environment in-process and cfn-lint every
// template. Prints counts (human summary on stderr, one JSON line on stdout); exits 1 on any synth
// failure or cfn-lint error, so a regression cannot hide in a figure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = process.env.ARA_BUILD_DIR || join(import.meta.dirname, '..', 'dist');
const { runDifferential } = await import(join(dist, 'test', 'helpers', 'differential.js'));

const n = Number(process.env.ARA_DIFF_SPECS || 1000);
const seeds = Array.from({ length: n }, (_, i) => i + 1);
const work = mkdtempSync(join(tmpdir(), 'ara-diff-bench-'));
const started = performance.now();
const r = await runDifferential(seeds, work, (done) => {
  if (done % 100 === 0) process.stderr.write(`  ${done}/${n} specs\n`);
});
const seconds = (performance.now() - started) / 1000;
if (!r.synthFailures.length && !r.cfnLintErrors.length) rmSync(work, { recursive: true, force: true });
process.stderr.write(
  [
    `generated ${r.generated} specs: ${r.rejected} rejected by validate, ${r.accepted} validated clean`,
    `  rejected by first code: ${Object.entries(r.rejectedByCode).sort().map(([c, k]) => `${c} ${k}`).join(', ')}`,
    `  synthesized ${r.synthesized + r.synthFailures.length} environments: ${r.synthesized} synth ok, ${r.synthFailures.length} failed (what the CLI reports as exit 70: an internal error on validated input)`,
    `  cfn-lint over ${r.templates} templates: ${r.cfnLintErrors.length} errors`,
    ...r.synthFailures.slice(0, 10).map((f) => `  FAIL synth ${f.file} (${f.env}): ${f.error}`),
    ...r.cfnLintErrors.slice(0, 10).map((m) => `  FAIL cfn-lint ${m.file}: ${m.rule} ${m.path}: ${m.message}`),
    `  ${seconds.toFixed(0)} s${r.synthFailures.length || r.cfnLintErrors.length ? `; specs kept in ${work}` : ''}`,
  ].join('\n') + '\n',
);
process.stdout.write(JSON.stringify({ bench: 'differential', specs: r.generated, rejected: r.rejected, validatedClean: r.accepted, accepted: r.accepted, synthesized: r.synthesized, synthOk: r.synthesized, synthFailures: r.synthFailures.length, exit70: r.synthFailures.length, templates: r.templates, cfnLintErrors: r.cfnLintErrors.length, seconds: Math.round(seconds) }) + '\n');
process.exit(r.synthFailures.length || r.cfnLintErrors.length ? 1 : 0);
