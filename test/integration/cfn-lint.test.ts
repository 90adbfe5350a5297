/**
 * Every template the compiler writes for every valid fixture, in every environment it declares,
 * passes cfn-lint with no error (one cfn-lint call for all of them). The flagship's dev and prod
 * templates are linted by cdk-assembly.test.ts, on the builds that file makes anyway.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildAssembly } from '../../src/compiler/app.js';
import { packageRoot } from '../../src/paths.js';
import { assemblyTemplates, formatMatches, lintTemplates } from '../helpers/cfn-lint.js';
import { loadModel, makeOutdir, removeOutdirs } from '../helpers/models.js';

const t = suite('cfn-lint');
t.after(removeOutdirs);

/** Every fixture spec that is meant to be valid (the flagship's dev and prod: cdk-assembly.test.ts, on its builds). */
export const validSpecs = (): string[] => [
  ...['specs', 'cdk'].flatMap((d) => {
    const dir = join(packageRoot, 'test', 'fixtures', d);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => join(dir, f));
  }),
];

t('every environment of every valid fixture synthesizes to cfn-lint-clean templates', async () => {
  const templates: string[] = [];
  const synthesized: string[] = [];
  for (const spec of validSpecs()) {
    const first = await loadModel(spec);
    for (const env of first.environmentNames) {
      const model = env === first.environment.name ? first : await loadModel(spec, env);
      const outdir = makeOutdir('lint');
      buildAssembly(model, { outdir });
      templates.push(...assemblyTemplates(outdir));
      synthesized.push(`${spec}#${env}`);
    }
  }
  // Two-environment fixtures contribute both (the flagship's dev and prod are linted by cdk-assembly.test.ts).
  assert.ok(synthesized.some((s) => s.endsWith('environments.yaml#prod')) && synthesized.some((s) => s.endsWith('environments.yaml#dev')));
  // The warehouse suite (cdk-assembly.test.ts) relies on this file for its provisioned variant's cfn-lint.
  assert.ok(synthesized.some((s) => s.endsWith('warehouse-provisioned.yaml#dev')));
  assert.ok(templates.length >= 2 * synthesized.length - 1, `templates: ${templates.length}`);
  const errors = await lintTemplates(templates);
  assert.equal(errors, [], formatMatches(errors));
});

t('the helper reports an error-level finding (it can fail)', async () => {
  const dir = makeOutdir('lint-bad');
  const { writeFileSync } = await import('node:fs');
  const file = join(dir, 'bad.template.json');
  // A bucket name with upper case is rejected by CloudFormation's schema (E3031).
  writeFileSync(file, JSON.stringify({ Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'Not_Valid' } } } }));
  const errors = await lintTemplates([file]);
  assert.ok(errors.length >= 1, 'expected a cfn-lint error');
  assert.ok(errors.every((e) => e.level === 'Error'));
});

t.run();
