// Benchmark: `ara-gen validate` as a whole process against bare `node -e 0` (same run, interleaved,
// medians of >= 20 runs), and one `validate` call over 1,000 spec files.
// Targets (issue 2): single file within 2x bare Node start-up; 1,000 files under 2 s.
// Run after a build into dist/ (or set ARA_BUILD_DIR): `node bench/validate.bench.js [runs]`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'ara-gen.js');
const example = join(root, 'examples', 'mystore.yaml');
const runs = Math.max(20, Number(process.argv[2]) || 25);
const env = { ...process.env, NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true' };

function time(args, expectCode = 0) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== expectCode) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

// Warm the file-system cache once, then interleave so that machine noise hits both series alike.
time(['-e', '0']);
time([bin, 'validate', example]);
const bare = [];
const single = [];
for (let i = 0; i < runs; i++) {
  bare.push(time(['-e', '0']));
  single.push(time([bin, 'validate', example]));
}

// 1,000 distinct valid specs: renamed platforms with varied shard counts and delays.
const dir = mkdtempSync(join(tmpdir(), 'ara-bench-validate-'));
const many = [];
try {
  const text = readFileSync(example, 'utf8');
  for (let i = 0; i < 1000; i++) {
    const file = join(dir, `spec-${String(i).padStart(4, '0')}.yaml`);
    writeFileSync(file, text.replace('name: mystore', `name: store${i}`).replace('shards: 2', `shards: ${1 + (i % 8)}`).replace('archiveDelay: 180', `archiveDelay: ${180 + (i % 30)}`));
    many.push(file);
  }
  const thousand = [];
  for (let i = 0; i < 5; i++) thousand.push(time([bin, 'validate', '--quiet', ...many]));
  const bareMs = median(bare);
  const singleMs = median(single);
  const results = {
    runs,
    bareNodeMs: round(bareMs),
    validateSingleMs: round(singleMs),
    ratioToBareNode: round(singleMs / bareMs, 2),
    singleTargetRatio: 2,
    singleWithinTarget: singleMs / bareMs <= 2,
    validate1000FilesMs: round(median(thousand)),
    perFileMs: round((median(thousand) - singleMs) / 999, 3),
    thousandTargetMs: 2000,
    thousandWithinTarget: median(thousand) < 2000,
  };
  process.stderr.write(
    [
      `bare node -e 0:            median ${results.bareNodeMs} ms over ${runs} runs`,
      `ara-gen validate (1 file): median ${results.validateSingleMs} ms = ${results.ratioToBareNode}x bare node (target <= 2x: ${results.singleWithinTarget ? 'met' : 'NOT met'})`,
      `ara-gen validate (1,000):  median ${results.validate1000FilesMs} ms, ~${results.perFileMs} ms per extra file (target < 2000 ms: ${results.thousandWithinTarget ? 'met' : 'NOT met'})`,
      '',
    ].join('\n'),
  );
  process.stdout.write(JSON.stringify({ bench: 'validate', results }) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
