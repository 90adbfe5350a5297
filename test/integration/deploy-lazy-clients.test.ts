/**
 * deferToolkitSdkClients(): toolkit-lib loads without the twenty AWS SDK clients it requires, and a
 * client it then uses is the real module. In a child process, because a test worker may have loaded
 * toolkit-lib already (the module cache is per process).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildDir, repoRoot, runScript } from '../helpers/ara-cli.js';

const test = suite('deploy: toolkit-lib without its unused SDK clients');
const tmp = mkdtempSync(join(tmpdir(), 'ara-lazy-clients-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const probe = `
import { createRequire } from 'node:module';
import { join } from 'node:path';
const { deferToolkitSdkClients } = await import(${JSON.stringify(pathToFileURL(join(repoRoot, buildDir, 'src', 'compiler', 'deploy', 'lazy-sdk-clients.js')).href)});
const require = createRequire(${JSON.stringify(join(repoRoot, 'package.json'))});
const loaded = () => Object.keys(require.cache).filter((f) => /node_modules\\/@aws-sdk\\/client-(ec2|ecs|appsync|route-53)\\//.test(f)).map((f) => f.match(/client-[a-z0-9-]+/)[0]).sort();
if (process.argv.includes('--defer')) deferToolkitSdkClients();
const lib = require('@aws-cdk/toolkit-lib');
const afterLoad = loaded();
// The toolkit's SDK wrapper module, and the EC2 client namespace it reads.
const sdkModule = Object.values(require.cache).find((m) => m.filename.endsWith(join('toolkit-lib', 'lib', 'api', 'aws-auth', 'sdk.js')));
const ec2 = sdkModule.require('@aws-sdk/client-ec2');
const client = new ec2.EC2Client({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const afterUse = loaded();
const real = require('@aws-sdk/client-ec2');
console.log(JSON.stringify({
  toolkit: typeof lib.Toolkit,
  afterLoad,
  sameClass: ec2.EC2Client === real.EC2Client,
  instance: client instanceof real.EC2Client,
  has: 'DescribeVpcsCommand' in ec2,
  keys: Object.keys(ec2).includes('EC2Client'),
  afterUse,
}));
`;
const probeFile = join(tmp, 'probe.mjs');
writeFileSync(probeFile, probe);

async function run(defer: boolean): Promise<{ toolkit: string; afterLoad: string[]; sameClass: boolean; instance: boolean; has: boolean; keys: boolean; afterUse: string[] }> {
  const r = await runScript(probeFile, defer ? ['--defer'] : []);
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('toolkit-lib loads without its SDK clients; a client it uses is the real module, loaded on first use', async () => {
  const deferred = await run(true);
  assert.is(deferred.toolkit, 'function');
  assert.equal(deferred.afterLoad, [], 'no client module loaded with toolkit-lib');
  assert.ok(deferred.sameClass && deferred.instance && deferred.has && deferred.keys, JSON.stringify(deferred));
  assert.equal(deferred.afterUse, ['client-ec2'], 'only the client used is loaded');
});

test('control: without the deferral toolkit-lib loads every client', async () => {
  const eager = await run(false);
  assert.equal(eager.afterLoad, ['client-appsync', 'client-ec2', 'client-ecs', 'client-route-53']);
});

test.run();
