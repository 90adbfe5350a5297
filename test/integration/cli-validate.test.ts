/**
 * The CLI through `node bin/ara-gen.js`: validate (exit codes, several files, stdout vs stderr,
 * colour, formats), print, schema, --help, --version, did-you-mean for commands and flags, and the
 * promise that validate never loads aws-cdk-lib.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildDir, flagship, repoRoot, runAraGen, runScript } from '../helpers/ara-cli.js';

/** The test environment without colour forcing (tests decide colour per case). */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!['NO_COLOR', 'FORCE_COLOR', 'GITHUB_ACTIONS'].includes(k)) e[k] = v;
  return { ...e, AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

const example = readFileSync(flagship, 'utf8');
let dir = '';
let bad = '';
let warnOnly = '';

const cli = suite('cli: validate');
cli.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ara-cli-'));
  bad = join(dir, 'bad.yaml');
  writeFileSync(bad, example.replace('type: kinesis', 'type: kinesys'));
  warnOnly = join(dir, 'tagged.yaml');
  writeFileSync(warnOnly, example.replace('name: mystore', 'name: !custom mystore'));
});

cli('the flagship example: exit 0, nothing on stdout, summary on stderr', async () => {
  const r = await runAraGen(['validate', 'examples/mystore.yaml'], { env: env() });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '');
  assert.is(r.stderr, 'no problems in 1 file\n');
});

/**
 * A preload that records, at exit, whether aws-cdk-lib was loaded into the process (into a file, so
 * the command's own stderr stays as it is).
 */
function cdkProbe(): { nodeArgs: string[]; loaded: () => string } {
  const probe = join(dir, `probe-${Math.random().toString(36).slice(2)}.mjs`);
  const log = `${probe}.log`;
  writeFileSync(
    probe,
    [
      "import { createRequire } from 'node:module';",
      "import { writeFileSync } from 'node:fs';",
      'const require = createRequire(import.meta.url);',
      `process.on('exit', () => { const m = Object.keys(require.cache); writeFileSync(${JSON.stringify(log)}, \`cdk=\${m.some((k) => k.includes('/node_modules/aws-cdk-lib/'))}\`); });`,
    ].join('\n'),
  );
  return { nodeArgs: ['--import', probe], loaded: () => readFileSync(log, 'utf8') };
}

cli('several files: findings of each on stdout, exit 1; no colour without a TTY; aws-cdk-lib never loaded', async () => {
  const probe = cdkProbe();
  const r = await runAraGen(['validate', flagship, bad], { env: env(), nodeArgs: probe.nodeArgs });
  assert.is(r.code, 1);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:11  error ARA113  'type' must be one of`));
  assert.match(r.stdout, /> \d+ \|     type: kinesys\n +\| {11}\^{7}\n  hint: did you mean 'kinesis'\?/);
  assert.is(r.stderr, '1 error in 1 file (2 checked)\n');
  assert.not.match(r.stdout + r.stderr, /\u001b\[/);
  // validate never loads aws-cdk-lib ...
  assert.is(probe.loaded(), 'cdk=false');
  // ... and the probe does see it when it is loaded: not vacuous.
  const control = join(dir, 'control.mjs');
  writeFileSync(control, `import { createRequire } from 'node:module';\ncreateRequire(import.meta.url)(${JSON.stringify(join(repoRoot, 'node_modules', 'aws-cdk-lib', 'package.json'))});\n`);
  const controlProbe = cdkProbe();
  const c = await runScript(control, [], { env: env(), nodeArgs: controlProbe.nodeArgs });
  assert.is(c.code, 0, c.stderr);
  assert.is(controlProbe.loaded(), 'cdk=true');
});

cli('a missing file is a usage error (exit 2) reported as a finding', async () => {
  const r = await runAraGen(['validate', 'examples/mystor.yaml'], { env: env() });
  assert.is(r.code, 2);
  assert.match(r.stdout, /^examples\/mystor\.yaml:1:1  error ARA104  file not found: 'examples\/mystor\.yaml'\n  hint: did you mean 'examples\/mystore\.yaml'\?/);
  assert.not.match(r.stderr + r.stdout, /\n\s+at /);
});

cli('usage errors: no files, unknown flag, bad format value (exit 2 with did-you-mean)', async () => {
  const none = await runAraGen(['validate'], { env: env() });
  assert.is(none.code, 2);
  assert.match(none.stderr, /^error: 'validate' needs at least one spec file/);
  const flag = await runAraGen(['validate', flagship, '--formt', 'json'], { env: env() });
  assert.is(flag.code, 2);
  assert.match(flag.stderr, /unknown option '--formt' for 'validate'\n  hint: did you mean '--format'\?/);
  const value = await runAraGen(['validate', flagship, '--format', 'jsn'], { env: env() });
  assert.is(value.code, 2);
  assert.match(value.stderr, /must be one of text, json, github, sarif; got 'jsn'\n  hint: did you mean 'json'\?/);
  assert.is(flag.stdout + value.stdout + none.stdout, '');
});

cli('warnings alone exit 0, with --strict exit 1; --quiet hides them', async () => {
  const plain = await runAraGen(['validate', warnOnly], { env: env() });
  assert.is(plain.code, 0, plain.stdout + plain.stderr);
  assert.match(plain.stdout, /warning ARA109/);
  const strict = await runAraGen(['validate', warnOnly, '--strict'], { env: env() });
  assert.is(strict.code, 1);
  const quiet = await runAraGen(['validate', warnOnly, '--quiet'], { env: env() });
  assert.is(quiet.code, 0);
  assert.is(quiet.stdout + quiet.stderr, '');
  const quietStrict = await runAraGen(['validate', warnOnly, '--quiet', '--strict'], { env: env() });
  assert.is(quietStrict.code, 1);
});

cli('--format json on stdout; github by default under GitHub Actions', async () => {
  const json = await runAraGen(['validate', bad, flagship, '--format', 'json'], { env: env() });
  assert.is(json.code, 1);
  const doc = JSON.parse(json.stdout);
  assert.is(doc.version, 1);
  assert.equal(doc.files.map((f: { diagnostics: unknown[] }) => f.diagnostics.length), [1, 0]);
  assert.is(doc.files[0].diagnostics[0].code, 'ARA113');
  assert.equal(doc.summary, { files: 2, filesWithFindings: 1, errors: 1, warnings: 0 });
  const gh = await runAraGen(['validate', bad], { env: env({ GITHUB_ACTIONS: 'true' }) });
  assert.match(gh.stdout, /^::error file=.*bad\.yaml,line=\d+,col=11,endLine=\d+,endColumn=18,title=ARA113::'type' must be one of/);
  const sarif = await runAraGen(['validate', bad, '-f', 'sarif'], { env: env() });
  assert.is(JSON.parse(sarif.stdout).runs[0].results[0].ruleId, 'ARA113');
});

// Without a TTY: no colour (the 'several files' case above).
cli('colour: never with NO_COLOR; only when forced', async () => {
  const noColour = await runAraGen(['validate', bad], { env: env({ FORCE_COLOR: '1', NO_COLOR: '1' }) });
  assert.not.match(noColour.stdout + noColour.stderr, /\u001b\[/);
  const forced = await runAraGen(['validate', bad], { env: env({ FORCE_COLOR: '1' }) });
  assert.match(forced.stdout, /\u001b\[31merror\u001b\[0m/);
});

const other = suite('cli: help, version, print, schema');
// Shares the files made by the first suite; cleans up after both.
other.after(() => rmSync(dir, { recursive: true, force: true }));

other('--help on every command: usage, options, examples on stdout', async () => {
  for (const name of ['init', 'validate', 'print', 'schema', 'synth', 'diff', 'deploy', 'destroy', 'sink run']) {
    const r = await runAraGen([...name.split(' '), '--help'], { env: env() });
    assert.is(r.code, 0);
    assert.match(r.stdout, new RegExp(`^Usage: ara-gen ${name}`));
    assert.match(r.stdout, /\nOptions:\n/);
    assert.match(r.stdout, new RegExp(`\\nExamples:\\n  ara-gen ${name} `));
  }
});

other('--version shows ara-gen, aws-cdk-lib and node versions', async () => {
  const own = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version;
  const cdk = JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8')).version;
  // Global: also after a command name.
  for (const args of [['--version'], ['-V'], ['validate', '--version']]) {
    const r = await runAraGen(args, { env: env() });
    assert.is(r.code, 0, args.join(' '));
    assert.is(r.stdout, `ara-gen ${own}\naws-cdk-lib ${cdk}\nnode ${process.version}\n`);
  }
});

other('a mistyped command gets did-you-mean and exit 2', async () => {
  const r = await runAraGen(['valdate', flagship], { env: env() });
  assert.is(r.code, 2);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /unknown command 'valdate'\n  hint: did you mean 'validate'\?/);
});

other('schema prints the platform schema, or sink-config; unknown names are usage errors', async () => {
  const p = await runAraGen(['schema'], { env: env() });
  assert.is(p.code, 0);
  assert.equal(JSON.parse(p.stdout), JSON.parse(readFileSync(join(repoRoot, 'schema', 'platform.schema.json'), 'utf8')));
  const s = await runAraGen(['schema', 'sink-config'], { env: env() });
  assert.equal(JSON.parse(s.stdout), JSON.parse(readFileSync(join(repoRoot, 'schema', 'sink-config.schema.json'), 'utf8')));
  const bad = await runAraGen(['schema', 'platfrom'], { env: env() });
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /unknown schema 'platfrom'; choose one of platform, sink-config\n  hint: did you mean 'platform'\?/);
});

other('a reader that closes the pipe early (`schema | head -c 100`) ends the command quietly with exit 0', async () => {
  // A real pipe (Node's own child stdio is a socket with a buffer that swallows the whole output):
  // the schema (over 100 KiB) is larger than the pipe's buffer, so the child is still writing when
  // head exits and its next write fails with EPIPE.
  const bin = join(repoRoot, 'bin', 'ara-gen.js');
  const script = `"${process.execPath}" "${bin}" schema | head -c 100 > /dev/null; echo "exit=\${PIPESTATUS[0]}"`;
  const child = spawn('bash', ['-c', script], {
    cwd: repoRoot,
    env: { ...env(), ARA_BUILD_DIR: resolvePath(repoRoot, buildDir) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  await new Promise((resolve) => child.on('close', resolve));
  assert.is(stderr, '');
  assert.is(stdout, 'exit=0\n');
});

other('print: findings on stderr and exit 1, nothing on stdout', async () => {
  const r = await runAraGen(['print', bad], { env: env() });
  assert.is(r.code, 1);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /error ARA113  'type' must be one of/);
});

other('print: the resolved model of an environment, as YAML or JSON', async () => {
  const json = await runAraGen(['print', 'examples/mystore.yaml', '--env', 'prod', '--format', 'json'], { env: env() });
  assert.is(json.code, 0, json.stderr);
  const model = JSON.parse(json.stdout);
  assert.is(model.name, 'mystore');
  const { network, ...environment } = model.environment;
  assert.equal(environment, { name: 'prod', account: '210987654321', region: 'eu-west-1' });
  assert.equal([network.kind, network.cidr, network.availabilityZones], ['created', '10.30.0.0/16', ['euw1-az1', 'euw1-az2', 'euw1-az3']]);
  assert.equal(Object.keys(model.sinks), ['web-sale-events', 'web-sale-revenue']);
  const yaml = await runAraGen(['print', 'examples/mystore.yaml', '--env', 'prod'], { env: env() });
  assert.is(yaml.code, 0);
  assert.match(yaml.stdout, /^version: 1\nname: mystore\n/);
});

other('print --env with an environment the spec does not declare: usage error (exit 2), did-you-mean on stderr', async () => {
  const r = await runAraGen(['print', 'examples/mystore.yaml', '--env', 'prd'], { env: env() });
  assert.is(r.code, 2);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^examples\/mystore\.yaml:7:1  error ARA290  environment 'prd' is not declared in the spec\n/);
  assert.match(r.stderr, /\n  hint: did you mean 'prod'\? \(declared environments: dev, prod\)\n/);
});

other('a mistyped global option or subcommand gets did-you-mean and exit 2', async () => {
  const version = await runAraGen(['--verison'], { env: env() });
  assert.is(version.code, 2);
  assert.is(version.stdout, '');
  assert.is(version.stderr, "error: unknown option '--verison'\n  hint: did you mean '--version'?\n");
  const sub = await runAraGen(['sink', 'rnu'], { env: env() });
  assert.is(sub.code, 2);
  assert.is(sub.stderr, "error: unknown command 'sink rnu'\n  hint: did you mean 'sink run'?\n");
  const none = await runAraGen(['sink'], { env: env() });
  assert.is(none.code, 2);
  assert.match(none.stderr, /^error: 'sink' needs a subcommand\n\nUsage: ara-gen sink <subcommand> \[options\]\n/);
  assert.match(none.stderr, /\n  run +Run a sink-runtime config over NDJSON input\n/);
});

other('a tab-indented line: exactly one finding block through the CLI', async () => {
  const tabbed = join(dir, 'tabbed.yaml');
  writeFileSync(tabbed, example.replace('    shards: 2', '\tshards: 2'));
  const r = await runAraGen(['validate', tabbed], { env: env() });
  assert.is(r.code, 1);
  const line = example.split('\n').findIndex((l) => l === '    shards: 2') + 1;
  assert.is(r.stdout.match(/ error ARA/g)?.length, 1, r.stdout);
  assert.ok(r.stdout.startsWith(`${tabbed}:${line}:1  error ARA102  tab character used for indentation\n`), r.stdout);
  assert.is(r.stderr, '1 error in 1 file\n');
});

cli.run();
other.run();
