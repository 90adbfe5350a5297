/**
 * Every template the compiler writes for the flagship and for every valid fixture, in every
 * environment they declare, passes cfn-lint with no error (one cfn-lint run for all of them).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildAssembly } from '../../src/compiler/app.js';
import { packageRoot } from '../../src/paths.js';
import { assemblyTemplates, formatMatches, lintTemplates } from '../helpers/cfn-lint.js';
import { flagshipSpec, loadModel, makeOutdir, removeOutdirs } from '../helpers/models.js';

const t = suite('cfn-lint');
t.after(removeOutdirs);

/** The flagship and every fixture spec that is meant to be valid. */
export const validSpecs = (): string[] => [
  flagshipSpec,
  ...['specs', 'cdk'].flatMap((d) => {
    const dir = join(packageRoot, 'test', 'fixtures', d);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => join(dir, f));
  }),
];

t('every environment of the flagship and of every valid fixture synthesizes to cfn-lint-clean templates', async () => {
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
  // The flagship's dev and prod are both among them, with the foundations and batch stacks each.
  assert.ok(synthesized.some((s) => s.endsWith('mystore.yaml#prod')) && synthesized.some((s) => s.endsWith('mystore.yaml#dev')));
  // cdk-warehouse.test.ts relies on this file for its variants' cfn-lint.
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
