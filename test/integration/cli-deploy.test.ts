/**
 * diff / deploy / destroy: credential checks without any network call (proved by a connection
 * guard preloaded into the child), offline `diff --template`, the approval policy without a TTY
 * (against a small local AWS endpoint speaking STS/S3/SSM/CloudFormation), destroy's retained
 * list, the IoHost, and the mapping of a failed resource back to its spec entry.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkCredentials } from '../../src/compiler/deploy/credentials.js';
import { SourceIndex, formatSource } from '../../src/compiler/deploy/failure-map.js';
import { AraIoHost } from '../../src/compiler/deploy/io-host.js';
import { listRetained } from '../../src/compiler/deploy/retained.js';
import { readAssemblyStacks } from '../../src/compiler/deploy/assembly-reader.js';
import { explainFailure } from '../../src/compiler/deploy/toolkit.js';
import { modulesOf } from '../../src/compiler/app.js';
import { loadPlatformOrThrow } from '../../src/compiler/load.js';
import { flagship, noAwsEnv, repoRoot, runAraGen, runScript } from '../helpers/ara-cli.js';

const test = suite('cli deploy');

const tmp = mkdtempSync(join(tmpdir(), 'ara-deploy-'));
const emptyHome = join(tmp, 'home');
mkdirSync(emptyHome);

// ---- a connection guard: records (and blocks) every attempt to reach a non-loopback address ----
const guard = join(tmp, 'net-guard.mjs');
writeFileSync(
  guard,
  `import net from 'node:net';
import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
const log = process.env.ARA_NET_LOG;
const loopback = (h) => h === undefined || h === 'localhost' || h === '::1' || /^127\\./.test(h) || /^::ffff:127\\./.test(h);
const record = (what) => appendFileSync(log, what + '\\n');
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  let o = args[0];
  if (Array.isArray(o)) o = o[0];
  const host = typeof o === 'object' && o !== null ? (o.path ? 'localhost' : o.host ?? 'localhost') : typeof args[1] === 'string' ? args[1] : 'localhost';
  if (!loopback(host)) {
    record('connect ' + host);
    process.nextTick(() => this.destroy(new Error('network blocked by test guard')));
    return this;
  }
  return connect.apply(this, args);
};
const lookup = dns.lookup;
dns.lookup = function (host, ...rest) {
  if (!loopback(host)) record('lookup ' + host);
  return lookup.call(this, loopback(host) ? host : 'localhost', ...rest);
};
// With ARA_CLIENTS_LOG: the AWS SDK client packages the command loaded, written at exit.
import Module from 'node:module';
if (process.env.ARA_CLIENTS_LOG) {
  process.on('exit', () => appendFileSync(process.env.ARA_CLIENTS_LOG, Object.keys(Module._cache).map((f) => /@aws-sdk[\\/](client-[a-z0-9-]+)[\\/]/.exec(f)?.[1]).filter(Boolean).join('\\n')));
}
`,
);

function guarded(extraEnv: NodeJS.ProcessEnv = {}): { env: NodeJS.ProcessEnv; nodeArgs: string[]; attempts: () => string[] } {
  const log = join(tmp, `net-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, '');
  return {
    env: noAwsEnv(emptyHome, { ARA_NET_LOG: log, ...extraEnv }),
    nodeArgs: ['--import', guard],
    attempts: () => readFileSync(log, 'utf8').split('\n').filter(Boolean),
  };
}

const stackTrace = /\n\s+at [^\n]+\(?[^\n]*:\d+:\d+\)?/;

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('the connection guard records and blocks a non-loopback connection (control)', async () => {
  const g = guarded();
  const script = join(tmp, 'probe.mjs');
  writeFileSync(script, "import http from 'node:http'; http.get({ host: '203.0.113.7', port: 80, timeout: 2000 }).on('error', () => {});\n");
  const r = await runScript(script, [], { env: g.env, nodeArgs: g.nodeArgs });
  assert.is(r.code, 0, r.stderr);
  assert.equal(g.attempts(), ['connect 203.0.113.7']);
});

for (const [command, extra] of [
  ['deploy', []],
  ['destroy', ['--yes']],
  ['diff', []],
] as const) {
  test(`${command} without credentials: exit 2, one sentence, no stack trace, no network`, async () => {
    const g = guarded();
    const r = await runAraGen([command, flagship, '-o', join(tmp, `out-${command}`), ...extra], { env: g.env, nodeArgs: g.nodeArgs });
    assert.is(r.code, 2, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.trim());
    assert.is(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^error: No AWS credentials found, so 'ara-gen [a-z]+' cannot reach AWS: set AWS_ACCESS_KEY_ID .*\.$/);
    assert.not.match(r.stderr, stackTrace);
    assert.is(r.stdout, '');
    assert.equal(g.attempts(), []);
  });
}

test('credential sources: env keys, profiles in the shared files, AWS_PROFILE mistakes, instance metadata only when allowed', async () => {
  const home = join(tmp, 'cred-home');
  mkdirSync(join(home, '.aws'), { recursive: true });
  let probes = 0;
  const probe = async () => (probes++, true);
  const base = { HOME: home, AWS_EC2_METADATA_DISABLED: 'true' };

  assert.equal(await checkCredentials({ ...base, AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }), { found: true, source: 'environment variables (AWS_ACCESS_KEY_ID)' });
  const half = await checkCredentials({ ...base, AWS_ACCESS_KEY_ID: 'a' });
  assert.is(half.found, false);
  assert.match((half as { message: string }).message, /AWS_SECRET_ACCESS_KEY is not set/);

  assert.is((await checkCredentials(base, { probeInstanceMetadata: probe })).found, false);
  assert.is(probes, 0, 'metadata service never consulted when AWS_EC2_METADATA_DISABLED=true');
  assert.equal(await checkCredentials({ HOME: home }, { probeInstanceMetadata: probe }), { found: true, source: 'EC2 instance metadata' });
  assert.is(probes, 1);

  writeFileSync(join(home, '.aws', 'credentials'), '[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n');
  assert.equal(await checkCredentials(base), { found: true, source: `profile 'default' (${join(home, '.aws', 'credentials')})` });
  writeFileSync(join(home, '.aws', 'config'), '[profile ops]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = default\n[profile empty]\nregion = eu-west-1\n');
  assert.equal(await checkCredentials({ ...base, AWS_PROFILE: 'ops' }), { found: true, source: `profile 'ops' (${join(home, '.aws', 'config')})` });
  const typo = await checkCredentials({ ...base, AWS_PROFILE: 'opps' });
  assert.match((typo as { message: string }).message, /AWS profile 'opps' \(AWS_PROFILE\) is not defined/);
  const empty = await checkCredentials({ ...base, AWS_PROFILE: 'empty' });
  assert.match((empty as { message: string }).message, /holds no credentials/);
  // AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE replace the files under HOME.
  const elsewhere = await checkCredentials({ ...base, AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'none'), AWS_CONFIG_FILE: join(tmp, 'none2') });
  assert.is(elsewhere.found, false);
});

// ---- synthesized flagship, reused below ----
const assemblyDir = join(tmp, 'flagship');
let synthOk = false;

test('diff --template FILE works offline, without credentials, and shows the change', async () => {
  // The diff synthesizes the flagship into assemblyDir (the assembly the tests below reuse) and
  // compares its foundations stack with an empty template: every resource is an addition.
  const old = join(tmp, 'old-mystore-dev-foundations.template.json');
  writeFileSync(old, JSON.stringify({ Resources: {} }));
  const g = guarded();
  const r = await runAraGen(['diff', flagship, '--template', old, '-o', assemblyDir, '--fail'], { env: g.env, nodeArgs: g.nodeArgs });
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /Synthesized mystore-dev-foundations, mystore-dev-batch, .* into /);
  synthOk = true;
  const template = JSON.parse(readFileSync(join(assemblyDir, 'mystore-dev-foundations.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
  const buckets = Object.keys(template.Resources).filter((k) => template.Resources[k]!.Type === 'AWS::S3::Bucket');
  assert.ok(buckets.length >= 1);
  for (const bucket of buckets) assert.ok(r.stdout.includes(bucket), `${bucket}: ${r.stdout}`);
  assert.match(r.stdout, /\[\+\] AWS::S3::Bucket/);
  // Every policy is new too: the stack's line says so.
  assert.match(r.stdout, /mystore-dev-foundations: \d+ differences \(security-sensitive: IAM\/security-group broadening\) against /);
  assert.equal(g.attempts(), []);

  const same = join(tmp, 'same.template.json');
  writeFileSync(same, readFileSync(join(assemblyDir, 'mystore-dev-batch.template.json')));
  // --assembly reuses the assembly of an earlier synth.
  const clientsLog = join(tmp, 'diff-clients.log');
  const r2 = await runAraGen(['diff', flagship, '--template', same, '--stack', 'batch', '--assembly', assemblyDir], { env: { ...g.env, ARA_CLIENTS_LOG: clientsLog }, nodeArgs: g.nodeArgs });
  assert.is(r2.code, 0, r2.stderr);
  assert.match(r2.stdout, /mystore-dev-batch: no differences/);
  // toolkit-lib requires twenty SDK clients; an offline diff uses none of EC2, ECS, AppSync, Route 53
  // (compiler/deploy/lazy-sdk-clients.ts: loaded on first use).
  const clients = readFileSync(clientsLog, 'utf8').split('\n').filter(Boolean);
  assert.ok(clients.length > 0, 'the log lists the clients loaded (cdk-assets-lib loads S3 and ECR itself)');
  for (const unused of ['client-ec2', 'client-ecs', 'client-appsync', 'client-route-53']) assert.not.ok(clients.includes(unused), `${unused} loaded: ${clients.join(', ')}`);

  assert.not.match(r.stdout + r.stderr + r2.stdout + r2.stderr, /Synthesis time|Number of stacks with differences/);
});

test('diff --template: the stack comes from the file name (stack or module), else a usage error before synthesis', async () => {
  assert.ok(synthOk, 'needs the synthesized flagship');
  // modulesOf() names the stacks before synthesis: exactly the stacks synth writes.
  const model = await loadPlatformOrThrow(flagship);
  assert.equal(
    modulesOf(model).map((m) => `mystore-dev-${m}`),
    readAssemblyStacks(assemblyDir).map((x) => x.stackName),
  );
  const g = guarded();
  const byModule = join(tmp, 'batch.json');
  writeFileSync(byModule, readFileSync(join(assemblyDir, 'mystore-dev-batch.template.json')));
  const r = await runAraGen(['diff', flagship, '--template', byModule, '--assembly', assemblyDir], { env: g.env, nodeArgs: g.nodeArgs });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim().split('\n').pop(), `mystore-dev-batch: no differences against ${byModule}`);

  const unnamed = join(tmp, 'same.template.json');
  for (const [extra, message] of [
    [[], /^error: --template compares one stack, and the file name 'same\.template\.json' names none of mystore-dev-foundations, mystore-dev-batch(, mystore-dev-[a-z]+)*\n  hint: add --stack NAME/],
    [['--stack', 'bach'], /^error: no stack 'bach' in mystore environment dev \(stacks: mystore-dev-foundations, mystore-dev-batch(, mystore-dev-[a-z]+)*\)\n  hint: did you mean 'batch'\?/],
    [['--stack', 'batch', '--stack', 'foundations'], /^error: --template compares one stack, but --stack names 2\n/],
  ] as const) {
    const out = join(tmp, `diff-unnamed-${extra.length}`);
    const bad = await runAraGen(['diff', flagship, '--template', unnamed, '-o', out, ...extra], { env: g.env, nodeArgs: g.nodeArgs });
    assert.is(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, message);
    assert.not.ok(existsSync(out), 'reported before synthesizing');
  }
  assert.equal(g.attempts(), []);
});

test('diff --template with a file that is no template: usage error (exit 2) naming the file, before synthesis', async () => {
  const g = guarded();
  const cases: Array<[string, string | undefined, RegExp]> = [
    ['broken.template.json', '{"Resources": {', /template file '.*broken\.template\.json' is neither valid JSON nor YAML: .*end with a \} at line \d+, column \d+\n/],
    ['list.template.json', '[]', /template file '.*list\.template\.json' is not a CloudFormation template: it holds a list, not a mapping/],
    ['empty.template.json', '', /template file '.*empty\.template\.json' is not a CloudFormation template: it holds nothing/],
    ['a-directory', undefined, /--template '.*a-directory' is a directory, not a template file/],
  ];
  for (const [name, content, message] of cases) {
    const file = join(tmp, name);
    if (content === undefined) mkdirSync(file, { recursive: true });
    else writeFileSync(file, content);
    const out = join(tmp, `diff-bad-${name}`);
    const r = await runAraGen(['diff', flagship, '--template', file, '--stack', 'batch', '-o', out], { env: g.env, nodeArgs: g.nodeArgs });
    assert.is(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message, name);
    assert.match(r.stderr, /hint: pass a CloudFormation template file/, name);
    assert.not.ok(existsSync(out), `${name}: nothing synthesized`);
  }
  assert.equal(g.attempts(), []);
});

// ---- a minimal AWS endpoint on loopback: enough STS, S3, SSM and CloudFormation to reach approval ----
interface FakeAws {
  readonly server: Server;
  readonly url: string;
  readonly requests: string[];
}

async function startFakeAws(account: string): Promise<FakeAws> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '?';
      const params = new URLSearchParams(body);
      const action = params.get('Action') ?? (req.headers['x-amz-target'] as string | undefined) ?? `${req.method}`;
      requests.push(`${service} ${action}${params.get('StackName') ? ` ${params.get('StackName')}` : ''}`);
      const xml = (status: number, text: string) => {
        res.writeHead(status, { 'content-type': 'text/xml' });
        res.end(text);
      };
      const error = (status: number, code: string, message: string) =>
        xml(status, `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>1</RequestId></ErrorResponse>`);
      if (service === 'sts' && action === 'GetCallerIdentity') {
        return xml(200, `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::${account}:user/t</Arn><UserId>AID</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`);
      }
      if (service === 'sts') return error(403, 'AccessDenied', 'not authorized to assume the role');
      if (service === 'ssm') {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        return res.end(JSON.stringify({ Parameter: { Name: '/cdk-bootstrap/hnb659fds/version', Type: 'String', Value: '30', Version: 1 } }));
      }
      if (service === 's3' && req.method === 'GET' && req.url?.includes('list-type=2')) {
        return xml(200, '<ListBucketResult><Name>b</Name><KeyCount>0</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>');
      }
      if (service === 's3' && req.method === 'GET') return xml(200, '<LocationConstraint>eu-west-1</LocationConstraint>');
      if (service === 's3' && req.method === 'PUT') {
        res.writeHead(200, { etag: '"0"' });
        return res.end();
      }
      if (service === 'cloudformation' && action === 'DescribeStacks') return error(400, 'ValidationError', `Stack with id ${params.get('StackName')} does not exist`);
      // Anything else would be a change: the approval must have stopped the deployment before it.
      return error(400, 'UnsupportedOperation', `the test endpoint does not implement ${service} ${action}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}`, requests };
}

test('deploy without a TTY and without --yes stops at the security approval: no prompt, exit 2, nothing created', async () => {
  const aws = await startFakeAws('123456789012');
  try {
    const home = join(tmp, 'deploy-home');
    mkdirSync(home, { recursive: true });
    const g = guarded({ AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_ENDPOINT_URL: aws.url, HOME: home });
    const r = await runAraGen(['deploy', flagship, '--assembly', assemblyDir, '--progress', 'events'], { env: g.env, nodeArgs: g.nodeArgs });
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /error: mystore-dev-foundations includes security-sensitive changes \(IAM or security-group broadening, listed above\) that need approval, and there is no terminal to ask on: review them and re-run with --yes\./);
    assert.match(r.stderr, /IAM Statement Changes/);
    assert.not.match(r.stderr, /\(y\/N\)/);
    assert.not.match(r.stderr, stackTrace);
    assert.ok(aws.requests.includes('cloudformation DescribeStacks mystore-dev-foundations'), aws.requests.join('\n'));
    assert.not.ok(aws.requests.some((q) => /CreateStack|CreateChangeSet|ExecuteChangeSet|UpdateStack/.test(q)), aws.requests.join('\n'));
    assert.equal(g.attempts(), []);
  } finally {
    aws.server.close();
  }
});

test('an environment-agnostic spec (no environments) plans its deploy in the credentials\' account and region: reaches the approval, nothing created', async () => {
  const aws = await startFakeAws('123456789012');
  try {
    const home = join(tmp, 'deploy-agnostic-home');
    mkdirSync(home, { recursive: true });
    const g = guarded({ AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_ENDPOINT_URL: aws.url, AWS_REGION: 'eu-west-1', HOME: home });
    const spec = join(repoRoot, 'test', 'fixtures', 'specs', 'environment-agnostic.yaml');
    const r = await runAraGen(['deploy', spec, '-o', join(tmp, 'deploy-agnostic-out'), '--progress', 'events'], { env: g.env, nodeArgs: g.nodeArgs });
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /error: ara-default-foundations includes security-sensitive changes/);
    assert.not.match(r.stderr, /undefined|unknown-account/);
    assert.not.match(r.stderr, stackTrace);
    assert.ok(aws.requests.includes('cloudformation DescribeStacks ara-default-foundations'), aws.requests.join('\n'));
    assert.not.ok(aws.requests.some((q) => /CreateStack|CreateChangeSet|ExecuteChangeSet|UpdateStack/.test(q)), aws.requests.join('\n'));
    assert.equal(g.attempts(), []);
  } finally {
    aws.server.close();
  }
});

test('destroy lists what it retains and, without a TTY or --yes, refuses before any AWS call', async () => {
  const g = guarded({ AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  const r = await runAraGen(['destroy', flagship, '--env', 'prod', '-o', join(tmp, 'destroy-out')], { env: g.env, nodeArgs: g.nodeArgs });
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /Kept after destroy \(\d+;/);
  assert.match(r.stderr, /AWS::S3::Bucket mystore-prod-raw-210987654321-eu-west-1/);
  assert.match(r.stderr, /AWS::KMS::Key/);
  assert.match(r.stderr, /error: destroy needs confirmation and there is no terminal to ask on: review the list above and re-run with --yes\./);
  assert.equal(g.attempts(), []);
  const retained = listRetained(readAssemblyStacks(join(tmp, 'destroy-out')));
  assert.ok(retained.filter((x) => x.type === 'AWS::S3::Bucket').length >= 4, 'layer buckets and access-logs bucket retained in prod');

  // An assembly of another environment is not reused.
  const wrong = await runAraGen(['diff', flagship, '--template', join(tmp, 'same.template.json'), '--stack', 'batch', '--assembly', join(tmp, 'destroy-out')], { env: g.env });
  assert.is(wrong.code, 2);
  assert.match(wrong.stderr, /the assembly in '.*destroy-out' is not the one of mystore environment dev/);
});

// ---- IoHost: approval policy and event handling ----
function host(opts: { interactive: boolean; yes: boolean; answer?: boolean; progress?: 'bar' | 'events' }) {
  const err: string[] = [];
  const asked: string[] = [];
  const h = new AraIoHost({
    interactive: opts.interactive,
    yes: opts.yes,
    progress: opts.progress ?? 'events',
    colour: false,
    stdout: () => {},
    stderr: (s) => void err.push(s),
    ask: async (q) => (asked.push(q), opts.answer ?? false),
  });
  return { h, err, asked };
}

const approval = (permissionChangeType: string) =>
  ({
    time: new Date(0),
    level: 'info',
    action: 'deploy',
    code: 'CDK_TOOLKIT_I5060',
    message: 'IAM Statement Changes\n...\n\nStack includes security-sensitive updates. Do you wish to deploy these changes?',
    data: { motivation: 'x', permissionChangeType, templateDiffs: { 'p-dev-batch': {} }, destructiveChanges: [] },
    defaultResponse: true,
  }) as never;

test('approval: broadening needs --yes or a person; never prompts without a TTY', async () => {
  const ci = host({ interactive: false, yes: false });
  assert.is(await ci.h.requestResponse(approval('broadening')), false);
  assert.equal(ci.h.approvalRefusal, { stacks: ['p-dev-batch'], reason: 'no-tty' });
  assert.equal(ci.asked, []);
  assert.ok(ci.err.join('').includes('IAM Statement Changes'));
  assert.not.ok(ci.err.join('').includes('Do you wish'));

  const yes = host({ interactive: false, yes: true });
  assert.is(await yes.h.requestResponse(approval('broadening')), true);
  assert.match(yes.err.join(''), /approved by --yes/);

  const person = host({ interactive: true, yes: false, answer: true });
  assert.is(await person.h.requestResponse(approval('broadening')), true);
  assert.is(person.asked.length, 1);
  const no = host({ interactive: true, yes: false, answer: false });
  assert.is(await no.h.requestResponse(approval('broadening')), false);
  assert.equal(no.h.approvalRefusal, { stacks: ['p-dev-batch'], reason: 'declined' });

  for (const t of ['none', 'non-broadening']) {
    const quiet = host({ interactive: false, yes: false });
    assert.is(await quiet.h.requestResponse(approval(t)), true);
    assert.is(quiet.h.approvalRefusal, undefined);
  }
});

/** A toolkit resource event (CDK_TOOLKIT_I5502) as deploy reports it; `resource` defaults to a crawler in stack 's'. */
const activity = (
  status: string,
  completed: number,
  reason?: string,
  resource: { stack: string; logicalId: string; type: string } = { stack: 's', logicalId: 'Crawler', type: 'AWS::Glue::Crawler' },
) =>
  ({
    time: new Date(0),
    level: 'info',
    action: 'deploy',
    code: 'CDK_TOOLKIT_I5502',
    message: '',
    data: {
      deployment: 'd',
      event: { StackName: resource.stack, LogicalResourceId: resource.logicalId, ResourceType: resource.type, ResourceStatus: status, ResourceStatusReason: reason },
      progress: { completed, total: 4, formatted: `${completed}/4` },
    },
  }) as never;

test('progress: one plain line per event in CI, a redrawn bar on a terminal; cancelled resources are not failures', async () => {
  const ci = host({ interactive: false, yes: false });
  await ci.h.notify(activity('CREATE_IN_PROGRESS', 1));
  await ci.h.notify(activity('CREATE_COMPLETE', 2));
  assert.equal(ci.err, ['s 1/4 CREATE_IN_PROGRESS AWS::Glue::Crawler Crawler\n', 's 2/4 CREATE_COMPLETE AWS::Glue::Crawler Crawler\n']);

  const tty = host({ interactive: true, yes: false, progress: 'bar' });
  await tty.h.notify(activity('CREATE_IN_PROGRESS', 2));
  assert.equal(tty.err, ['\r\u001b[2Ks [############............] 2/4 CREATE_IN_PROGRESS Crawler']);
  await tty.h.notify(activity('CREATE_FAILED', 2, 'Resource creation cancelled'));
  assert.equal(tty.err.slice(1), ['\n', 's 2/4 CREATE_FAILED AWS::Glue::Crawler Crawler Resource creation cancelled\n']);
  assert.equal(tty.h.failedResources, []);
});

// ---- failure mapping on a synthesized assembly ----
const src = (path: string, line: number, col: number) => ({ file: 'examples/mystore.yaml', path, line, col });

function taggedAssembly(): string {
  const outdir = join(tmp, 'tagged');
  const app = new App({ outdir, analyticsReporting: false, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'p-dev-batch', { env: { account: '123456789012', region: 'eu-west-1' } });
  // Construct-level tag: the crawler construct and everything under it (its role too).
  const crawler = new Construct(stack, 'CrawlerRaw');
  crawler.node.addMetadata('ara-gen:source', src('/crawlers/raw', 78, 3));
  new CfnResource(crawler, 'Resource', { type: 'AWS::Glue::Crawler', properties: { Role: 'r', Targets: {} } });
  new CfnResource(new Construct(crawler, 'Role'), 'Resource', { type: 'AWS::IAM::Role', properties: { AssumeRolePolicyDocument: { Statement: [] } } });
  // Resource-level tag: template Metadata.
  const job = new CfnResource(stack, 'JobCustomer', { type: 'AWS::Glue::Job', properties: { Command: {}, Role: 'r' } });
  job.addMetadata('ara-gen:source', src('/jobs/customer-to-parquet', 70, 3));
  const bucket = new CfnResource(stack, 'Untagged', { type: 'AWS::S3::Bucket', properties: { BucketName: 'b-1' } });
  bucket.applyRemovalPolicy(undefined);
  app.synth();
  return outdir;
}

test('a failed resource maps back to the spec entry (resource or ancestor tag), and explainFailure reports it as a failed action (exit 3)', async () => {
  const dir = taggedAssembly();
  const stacks = readAssemblyStacks(dir);
  const resources = stacks[0]!.resources;
  const ofType = (type: string) => Object.keys(resources).find((i) => resources[i]!.Type === type)!;
  const roleId = ofType('AWS::IAM::Role');
  const index = SourceIndex.fromAssemblyDirectory(dir);

  const crawler = index.locate('p-dev-batch', ofType('AWS::Glue::Crawler'))!;
  assert.is(formatSource(crawler.source!), 'examples/mystore.yaml:78:3 (/crawlers/raw)');
  const role = index.locate('p-dev-batch', roleId)!;
  assert.is(role.type, 'AWS::IAM::Role');
  assert.is(role.constructPath, '/p-dev-batch/CrawlerRaw/Role/Resource');
  assert.equal(role.source, src('/crawlers/raw', 78, 3));
  assert.equal(index.locate('p-dev-batch', ofType('AWS::Glue::Job'))!.source, src('/jobs/customer-to-parquet', 70, 3));
  assert.is(index.locate('p-dev-batch', ofType('AWS::S3::Bucket'))!.source, undefined);
  assert.is(index.locate('p-dev-batch', 'Nope'), undefined);
  assert.equal(index.locatePath('p-dev-batch', '/p-dev-batch/CrawlerRaw/Role/DefaultPolicy/Resource'), src('/crawlers/raw', 78, 3));

  const { h, err } = host({ interactive: false, yes: false });
  await h.notify(activity('CREATE_FAILED', 1, 'Role limit exceeded', { stack: 'p-dev-batch', logicalId: roleId, type: 'AWS::IAM::Role' }));
  assert.equal(err, [`p-dev-batch 1/4 CREATE_FAILED AWS::IAM::Role ${roleId} Role limit exceeded\n`]);
  assert.equal(h.failedResources, [{ stackName: 'p-dev-batch', logicalId: roleId, type: 'AWS::IAM::Role', status: 'CREATE_FAILED', reason: 'Role limit exceeded' }]);
  const explained = explainFailure(new Error('The stack named p-dev-batch failed creation: ROLLBACK_COMPLETE'), {
    action: 'deploy',
    environment: { name: 'dev', account: '123456789012', region: 'eu-west-1' },
    host: h,
    assemblyDir: dir,
  });
  assert.is(explained.kind, 'failed');
  assert.is(explained.lines[0], 'Deploy failed: The stack named p-dev-batch failed creation: ROLLBACK_COMPLETE');
  assert.ok(explained.lines.includes(`  p-dev-batch/${roleId} (AWS::IAM::Role) CREATE_FAILED: Role limit exceeded`), explained.lines.join('\n'));
  assert.ok(explained.lines.includes('    from examples/mystore.yaml:78:3 (/crawlers/raw)'));
});

test('account mismatch and retained listing are readable', () => {
  const { h } = host({ interactive: false, yes: false });
  const e = explainFailure(new Error('Need to perform AWS calls for account 123456789012, but the current credentials are for 999999999999'), {
    action: 'deploy',
    environment: { name: 'dev', account: '123456789012', region: 'eu-west-1' },
    host: h,
    assemblyDir: tmp,
  });
  assert.is(e.kind, 'request');
  assert.is(
    e.lines[0],
    "The AWS credentials are for account 999999999999 but environment 'dev' deploys to account 123456789012: use credentials for 123456789012 (e.g. AWS_PROFILE) or correct environments.dev.account in the spec.",
  );
  const retained = listRetained(readAssemblyStacks(join(tmp, 'tagged')));
  assert.equal(retained.map((r) => [r.type, r.physicalName, r.policy]), [['AWS::S3::Bucket', 'b-1', 'Retain']]);
});

test('failure mapping on the flagship assembly knows every resource of both stacks and its spec entry', () => {
  assert.ok(synthOk, 'the flagship synthesized earlier');
  const stacks = readAssemblyStacks(assemblyDir);
  const index = new SourceIndex(stacks);
  const specLines = readFileSync(flagship, 'utf8').split('\n');
  for (const s of stacks) {
    for (const [logicalId, r] of Object.entries(s.resources)) {
      const origin = index.locate(s.stackName, logicalId)!;
      assert.is(origin.type, r.Type);
      assert.ok(origin.constructPath?.startsWith(`/${s.id}/`), `${logicalId} has a construct path`);
      // Every resource has an origin; the spec was given as an absolute path, the assembly holds it relative.
      assert.ok(origin.source, `${s.stackName}/${logicalId} has a spec origin`);
      assert.is(origin.source!.file, 'examples/mystore.yaml');
      const key = origin.source!.path.split('/').pop()!;
      if (key) assert.ok(specLines[origin.source!.line - 1]!.slice(origin.source!.col - 1).startsWith(`${key}:`), `${formatSource(origin.source!)} points at '${key}:'`);
    }
  }
  const batch = stacks.find((s) => s.stackName === 'mystore-dev-batch')!;
  const byType = (type: string) => Object.keys(batch.resources).filter((id) => batch.resources[id]!.Type === type);
  const crawlerId = byType('AWS::Glue::Crawler')[0]!;
  const crawlerLine = specLines.indexOf('  raw:', specLines.indexOf('crawlers:')) + 1;
  assert.is(formatSource(index.locate('mystore-dev-batch', crawlerId)!.source!), `examples/mystore.yaml:${crawlerLine}:3 (/crawlers/raw)`);
  // The crawler's role (a child construct) maps to the crawler too; jobs, triggers, storage to their entries.
  const roles = byType('AWS::IAM::Role').map((id) => index.locate('mystore-dev-batch', id)!.source!.path);
  assert.ok(roles.includes('/crawlers/raw') && roles.includes('/jobs/customer-to-parquet') && roles.includes('/replayers/customer'), roles.join(' '));
  assert.equal(byType('AWS::Glue::Trigger').map((id) => index.locate('mystore-dev-batch', id)!.source!.path).sort(), ['/triggers/every-5-minutes', '/triggers/raw-to-clean']);
  const foundations = stacks.find((s) => s.stackName === 'mystore-dev-foundations')!;
  const paths = Object.keys(foundations.resources).map((id) => index.locate('mystore-dev-foundations', id)!.source!.path);
  for (const p of ['/storage', '/storage/layers/raw', '/storage/layers/transform', '/catalog/databases/clean', '/athena/workgroups/demo']) assert.ok(paths.includes(p), p);
  // No absolute path anywhere in the assembly metadata.
  for (const f of ['mystore-dev-batch.metadata.json', 'mystore-dev-foundations.metadata.json']) {
    assert.not.ok(readFileSync(join(assemblyDir, f), 'utf8').includes(repoRoot), `${f} holds a local path`);
  }

  // End to end: a failed crawler event during deploy is reported with its spec line.
  const { h } = host({ interactive: false, yes: false });
  h.failedResources.push({ stackName: 'mystore-dev-batch', logicalId: crawlerId, type: 'AWS::Glue::Crawler', status: 'CREATE_FAILED', reason: 'Invalid input' });
  const explained = explainFailure(new Error('The stack named mystore-dev-batch failed creation: ROLLBACK_COMPLETE'), {
    action: 'deploy',
    environment: { name: 'dev', account: '123456789012', region: 'eu-west-1' },
    host: h,
    assemblyDir,
  });
  assert.is(explained.kind, 'failed');
  assert.ok(explained.lines.includes(`    from examples/mystore.yaml:${crawlerLine}:3 (/crawlers/raw)`), explained.lines.join('\n'));
});

test.run();
