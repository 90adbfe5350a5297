// Benchmark: `ara-gen synth` as a whole process (what a user waits for), on the flagship spec and on
// a generated spec with 50 crawlers, 50 Glue jobs and 50 triggers; baseline `node -e 0` measured in
// the same run. Also the ratio of CloudFormation words generated to spec words (the ARA blog reports
// 16x). Word = a maximal run of letters and digits (Unicode), i.e. text split on whitespace and
// punctuation; counted over the spec file and over every *.template.json of the assembly.
//
// Against the ARA library: the blog's data-lake example (DataLakeStorage, DataLakeCatalog,
// AthenaDemoSetup, BatchReplayer, GlueDemoRole, a crawler and its trigger; no environments) as
// a CDK app on the AWS Analytics Reference Architecture library (bench/ara-baseline/app.js) and
// as an ara-gen spec (test/fixtures/specs/environment-agnostic.yaml), run alternately in the same
// run; the ratio is ara-gen's median over the library's (target <= 1.0). ara-gen runs with its
// compile cache (docs/deploy.md, warm after the runs before: what a user's second synth gets); the
// same synth without it (ARA_COMPILE_CACHE=0, a user's first synth) is timed alternately too and
// reported beside. The library pins an old
// aws-cdk-lib, so bench/ara-baseline is a package of its own: this benchmark installs it
// (`npm ci` there, once; never the root `npm install`). BENCH_ARA=0 skips this part.
//
// Runs: BENCH_RUNS (default 5) of each (baseline, flagship, generated, ARA pair); medians reported.
// About 40 s on an idle machine. Needs a build in dist/ (or ARA_BUILD_DIR). Human summary on
// stderr, one JSON line on stdout.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'ara-gen.js');
const flagship = join(root, 'examples', 'mystore.yaml');
const runs = Number(process.env.BENCH_RUNS || 5);
const tmp = mkdtempSync(join(tmpdir(), 'ara-bench-synth-'));
const env = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: '1', NO_COLOR: '1' };

/** The spec with 50 crawlers, 50 jobs, 50 triggers: 25 scheduled crawls, each followed by a conditional trigger running two jobs. */
function generatedSpec() {
  const n = 50;
  const pad = (i) => String(i).padStart(2, '0');
  const lines = [
    'version: 1',
    'name: bigstore',
    'platform: aws-native',
    'environments:',
    '  dev: { account: "123456789012", region: eu-west-1 }',
    'tags: { project: bigstore }',
    'storage:',
    '  encryption: kms',
    '  removalPolicy: destroy',
    '  layers:',
    '    raw: { infrequentAccessDelay: 30, archiveDelay: 180 }',
    '    clean: { infrequentAccessDelay: 90 }',
    'catalog:',
    '  databases:',
    '    raw: { layer: raw }',
    '    clean: { layer: clean }',
    'crawlers:',
  ];
  for (let i = 1; i <= n; i++) lines.push(`  c${pad(i)}:`, '    database: raw', `    targets: [{ layer: raw, prefix: t${pad(i)}/ }]`, '    exclude: ["**_SUCCESS"]');
  lines.push('jobs:');
  for (let i = 1; i <= n; i++) {
    lines.push(`  j${pad(i)}:`, '    template: csv-to-parquet', `    source: { database: raw, table: t${pad(i)} }`, `    target: { layer: clean, prefix: t${pad(i)}/, database: clean }`);
  }
  lines.push('triggers:');
  for (let k = 1; k <= n / 2; k++) {
    const c = pad(k);
    lines.push(`  s${c}:`, `    schedule: cron(${k % 60} * * * ? *)`, '    actions:', `      - crawler: c${c}`);
    lines.push(`  w${c}:`, `    when: { crawler: c${c}, state: SUCCEEDED }`, '    actions:', `      - job: j${pad(2 * k - 1)}`, `      - job: j${pad(2 * k)}`);
  }
  return lines.join('\n') + '\n';
}

const words = (text) => (text.match(/[\p{L}\p{N}]+/gu) ?? []).length;

function templateWords(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.template.json'))
    .reduce((sum, f) => sum + words(readFileSync(join(dir, f), 'utf8')), 0);
}

function timeRun(args, extraEnv = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return ms;
}

/** Installs bench/ara-baseline (npm ci, from its own lock file) unless it is installed already. */
function installAraBaseline(dir) {
  const marker = join(dir, 'node_modules', 'aws-analytics-reference-architecture', 'package.json');
  if (existsSync(marker)) return;
  process.stderr.write('installing the ARA library baseline (npm ci in bench/ara-baseline) ...\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`npm ci in ${dir} failed:\n${r.stderr}`);
}

/** ara-gen synth of the blog's data-lake spec and the ARA library's app of it, alternately; medians and ratio. */
function againstAraLibrary(n) {
  const dir = join(root, 'bench', 'ara-baseline');
  installAraBaseline(dir);
  const spec = join(root, 'test', 'fixtures', 'specs', 'environment-agnostic.yaml');
  const ara = [];
  const araGen = [];
  const araGenUncached = [];
  for (let i = 0; i < n; i++) {
    ara.push(timeRun([join(dir, 'app.js'), join(tmp, 'ara-library')]));
    araGen.push(timeRun([bin, 'synth', spec, '-o', join(tmp, 'ara-gen-datalake'), '-q']));
    araGenUncached.push(timeRun([bin, 'synth', spec, '-o', join(tmp, 'ara-gen-datalake'), '-q'], { ARA_COMPILE_CACHE: '0' }));
    process.stderr.write(
      `  data lake run ${i + 1}/${n}: ARA library ${(ara[i] / 1000).toFixed(2)} s, ara-gen ${(araGen[i] / 1000).toFixed(2)} s (without compile cache ${(araGenUncached[i] / 1000).toFixed(2)} s)\n`,
    );
  }
  const resources = (out) =>
    readdirSync(out)
      .filter((f) => f.endsWith('.template.json'))
      .reduce((sum, f) => sum + Object.keys(JSON.parse(readFileSync(join(out, f), 'utf8')).Resources ?? {}).length, 0);
  return {
    runs: n,
    araLibraryMedianMs: Math.round(median(ara)),
    araGenMedianMs: Math.round(median(araGen)),
    ratio: Number((median(araGen) / median(ara)).toFixed(2)),
    araGenWithoutCompileCacheMedianMs: Math.round(median(araGenUncached)),
    ratioWithoutCompileCache: Number((median(araGenUncached) / median(ara)).toFixed(2)),
    araLibraryResources: resources(join(tmp, 'ara-library')),
    araGenResources: resources(join(tmp, 'ara-gen-datalake')),
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function measure(label, spec, n, baselineMs) {
  const out = join(tmp, label);
  const times = [];
  for (let i = 0; i < n; i++) {
    times.push(timeRun([bin, 'synth', spec, '-o', out, '-q']));
    process.stderr.write(`  ${label} run ${i + 1}/${n}: ${(times[i] / 1000).toFixed(2)} s\n`);
  }
  const specWords = words(readFileSync(spec, 'utf8'));
  const cfnWords = templateWords(out);
  const resources = readdirSync(out)
    .filter((f) => f.endsWith('.template.json'))
    .reduce((sum, f) => sum + Object.keys(JSON.parse(readFileSync(join(out, f), 'utf8')).Resources ?? {}).length, 0);
  return {
    runs: n,
    medianMs: Math.round(median(times)),
    minMs: Math.round(Math.min(...times)),
    maxMs: Math.round(Math.max(...times)),
    ratioToNodeStartup: Number((median(times) / baselineMs).toFixed(1)),
    resources,
    specWords,
    cfnWords,
    wordRatio: Number((cfnWords / specWords).toFixed(1)),
  };
}

try {
  const baseline = [];
  for (let i = 0; i < runs; i++) baseline.push(timeRun(['-e', '0']));
  const baselineMs = median(baseline);
  process.stderr.write(`node -e 0: median ${baselineMs.toFixed(1)} ms over ${runs} runs\n`);

  const flagshipResult = measure('flagship', flagship, runs, baselineMs);
  const genFile = join(tmp, 'generated-50.yaml');
  writeFileSync(genFile, generatedSpec());
  const generatedResult = measure('generated-50', genFile, runs, baselineMs);

  const araResult = process.env.BENCH_ARA === '0' ? undefined : againstAraLibrary(runs);
  if (araResult) {
    process.stderr.write(
      `blog data lake: ara-gen synth median ${(araResult.araGenMedianMs / 1000).toFixed(2)} s (${araResult.araGenResources} resources) vs ARA library ${(araResult.araLibraryMedianMs / 1000).toFixed(2)} s (${araResult.araLibraryResources} resources), ${araResult.runs} runs each, alternating: ${araResult.ratio}x (target <= 1.0x); ` +
        `without the compile cache ${(araResult.araGenWithoutCompileCacheMedianMs / 1000).toFixed(2)} s, ${araResult.ratioWithoutCompileCache}x\n`,
    );
  }
  for (const [name, r] of [['flagship (examples/mystore.yaml)', flagshipResult], ['generated (50 crawlers, 50 jobs, 50 triggers)', generatedResult]]) {
    process.stderr.write(
      `${name}: median ${(r.medianMs / 1000).toFixed(2)} s (min ${(r.minMs / 1000).toFixed(2)}, max ${(r.maxMs / 1000).toFixed(2)}, ${r.runs} runs, ` +
        `${r.ratioToNodeStartup}x node start-up); ${r.resources} resources; ${r.cfnWords} CloudFormation words from ${r.specWords} spec words = ${r.wordRatio}x (ARA blog: 16x)\n`,
    );
  }
  process.stdout.write(
    JSON.stringify({
      bench: 'synth',
      results: {
        wordDefinition: 'maximal runs of Unicode letters/digits; spec file vs all *.template.json in the assembly',
        baselineNodeMs: Number(baselineMs.toFixed(1)),
        flagship: flagshipResult,
        generated50: generatedResult,
        ...(araResult ? { blogDataLakeVsAraLibrary: araResult } : {}),
      },
    }) + '\n',
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
