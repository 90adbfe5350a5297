/**
 * The Platform construct: a whole spec inside a CDK app of one's own, wired to the app's stacks by
 * typed properties; findings as one clear error with file:line:col, before anything is added.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib/core';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadPlatformOrThrow, Platform, SpecError, stackName } from '../../src/compiler/index.js';
import { flagshipSpec } from '../helpers/models.js';
import { packageRoot } from '../../src/paths.js';

const test = suite('cdk platform construct');
const tmp = mkdtempSync(join(tmpdir(), 'ara-platform-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

// CDK's built-in template validation is left to the synth tests: it costs seconds per synth.
const newApp = () => new App({ analyticsReporting: false, builtinCloudFormationValidation: false });

test('a spec path builds the module stacks in the app; a stack of the app reads a platform bucket across stacks', () => {
  const app = newApp();
  const platform = new Platform(app, 'MyStore', { spec: flagshipSpec, environment: 'dev' });
  assert.equal(platform.env, { account: '123456789012', region: 'eu-west-1' });
  const names = platform.stacks.map((s) => s.stackName);
  assert.equal(names.slice(0, 2), [stackName({ platform: 'mystore', env: 'dev' }, 'foundations'), 'mystore-dev-batch']);
  assert.ok(platform.batch, 'the flagship has batch content');
  assert.equal(Object.keys(platform.buckets).sort(), ['clean', 'raw', 'transform']);
  assert.is(platform.databaseName('clean'), platform.model.catalog.databases.clean!.glueName);
  assert.ok(platform.key, 'the flagship encrypts with KMS');

  // The team's own stack, in the platform's environment.
  const reports = new Stack(app, 'Reports', { env: platform.env });
  const role = new iam.Role(reports, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  platform.bucket('clean').grantRead(role);
  const assembly = app.synth();
  assert.ok(assembly.stacks.some((s) => s.stackName === 'mystore-dev-foundations'));
  const template = Template.fromStack(reports);
  // The grant names the platform's bucket and key through exports of the foundations stack.
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['kms:Decrypt']), Resource: { 'Fn::ImportValue': Match.stringLikeRegexp('mystore-dev-foundations') } })]) },
  });
  assert.ok(reports.dependencies.includes(platform.foundations), 'the app stack deploys after the foundations');
  // Tags of the spec on the platform stacks, not on the app's own.
  Template.fromStack(platform.foundations).hasResource('AWS::S3::Bucket', { Properties: { Tags: Match.arrayWith([{ Key: 'project', Value: 'mystore' }]) } });
});

test('the default environment is the first the spec declares; an already-loaded model is accepted', async () => {
  assert.is(new Platform(newApp(), 'P', { spec: flagshipSpec }).model.environment.name, 'dev');
  const model = await loadPlatformOrThrow(flagshipSpec, { env: 'prod' });
  const platform = new Platform(newApp(), 'P', { model });
  assert.is(platform.foundations.stackName, 'mystore-prod-foundations');
  assert.throws(() => new Platform(newApp(), 'Q', { model, environment: 'dev' }), /resolved for environment 'prod', not 'dev'/);
});

test('findings: one SpecError listing file:line:col with codes, and nothing added to the app', () => {
  const spec = join(tmp, 'bad.yaml');
  writeFileSync(spec, 'version: 1\nname: shop\nenvironments:\n  dev: { account: "123456789012", region: eu-west-1 }\nstorage:\n  layerz: {}\n');
  const app = newApp();
  let error: unknown;
  try {
    new Platform(app, 'Shop', { spec, environment: 'dev' });
  } catch (e) {
    error = e;
  }
  assert.instance(error, SpecError);
  assert.match((error as Error).message, new RegExp(`^${spec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:6:3: ARA1\\d\\d `, 'm'));
  assert.equal(app.node.children, [], 'no half-built platform in the app');
  // A missing file and an unknown environment are findings too, not crashes.
  assert.throws(() => new Platform(newApp(), 'S', { spec: join(tmp, 'missing.yaml') }), /missing\.yaml:1:1: ARA104 file not found/);
  assert.throws(() => new Platform(newApp(), 'S', { spec: flagshipSpec, environment: 'staging' }), (e: unknown) => e instanceof SpecError && /staging/.test((e as Error).message));
});

test('misuse is a clear error: inside a stack, spec and model together, unknown layer or database', async () => {
  const app = newApp();
  const stack = new Stack(app, 'Host');
  assert.throws(() => new Platform(stack, 'P', { spec: flagshipSpec }), /create it in an App or a Stage, not inside the stack 'Host'/);
  const model = await loadPlatformOrThrow(flagshipSpec, { env: 'dev' });
  assert.throws(() => new Platform(newApp(), 'P', { spec: flagshipSpec, model }), /either 'spec' .* or 'model' .*, not both/);
  assert.throws(() => new Platform(newApp(), 'P', {}), /not neither/);
  const platform = new Platform(newApp(), 'P', { model });
  assert.throws(() => platform.bucket('gold'), /no storage layer 'gold' \(it declares: raw, clean, transform\)/);
  assert.throws(() => platform.databaseName('toString'), /no catalog database 'toString'/);
});

test('the Platform construct of an environment-agnostic spec has an empty env and agnostic stacks', () => {
  const app = newApp();
  const platform = new Platform(app, 'Lake', { spec: join(packageRoot, 'test', 'fixtures', 'specs', 'environment-agnostic.yaml') });
  assert.equal(platform.env, {});
  for (const s of platform.stacks) assert.ok(Stack.of(s).environment === 'aws://unknown-account/unknown-region', s.stackName);
});

test.run();
