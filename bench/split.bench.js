// Benchmark: `ara-gen synth` of specs with many crawler→job pipelines (each a Glue workflow: a
// scheduled trigger, a crawler, a conditional trigger, a job), which the compiler splits into
// numbered part stacks (src/compiler/stacks/split.ts). Default sizes 300 and 1,000 pipelines
// (about 2,100 and 7,000 resources); BENCH_PIPELINES="300,1000" overrides, BENCH_RUNS (default 1)
// runs each. Reports wall time (median), stacks, the largest stack's resources and template bytes.
// Human summary on stderr, one JSON line on stdout.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dist = process.env.ARA_BUILD_DIR || join(root, 'dist');
const { pipelinesSpec } = await import(join(dist, 'test', 'helpers', 'pipelines.js'));
const sizes = (process.env.BENCH_PIPELINES || '300,1000').split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS || 1);
const tmp = mkdtempSync(join(tmpdir(), 'ara-bench-split-'));
const env = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: '1', NO_COLOR: '1' };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const results = [];
for (const n of sizes) {
  const spec = join(tmp, `p${n}.yaml`);
  writeFileSync(spec, pipelinesSpec(n));
  const times = [];
  let stacks = [];
  for (let i = 0; i < runs; i++) {
    const out = join(tmp, `out-${n}`);
    const t = performance.now();
    const r = spawnSync(process.execPath, [join(root, 'bin', 'ara-gen.js'), 'synth', spec, '-o', out, '-q'], { env, encoding: 'utf8' });
    times.push((performance.now() - t) / 1000);
    if (r.status !== 0) throw new Error(`synth of ${n} pipelines exited ${r.status}: ${r.stderr}`);
    stacks = readdirSync(out)
      .filter((f) => f.endsWith('.template.json'))
      .map((f) => ({ name: f, bytes: statSync(join(out, f)).size }));
  }
  const batch = stacks.filter((s) => s.name.includes('-batch'));
  const r = { pipelines: n, seconds: Number(median(times).toFixed(2)), stacks: stacks.length, batchParts: batch.length, maxTemplateBytes: Math.max(...stacks.map((s) => s.bytes)) };
  results.push(r);
  process.stderr.write(`${n} pipelines: ${r.seconds} s (median of ${runs}), ${r.stacks} stacks (${r.batchParts} batch parts), largest template ${r.maxTemplateBytes} bytes\n`);
}
rmSync(tmp, { recursive: true, force: true });
// CloudFormation's limits (cfn-lint E1002 counts the same bytes): a figure over them is a failure,
// not a number to report.
const over = results.filter((r) => r.maxTemplateBytes > 1_000_000);
process.stdout.write(JSON.stringify({ bench: 'split', results, pass: over.length === 0 }) + '\n');
if (over.length) {
  process.stderr.write(`FAIL: a template over 1,000,000 bytes at ${over.map((r) => `${r.pipelines} pipelines (${r.maxTemplateBytes} bytes)`).join(', ')}\n`);
  process.exitCode = 1;
}
