/**
 * Blueprint templates: the build precompiles every template of the package's platforms, so that a
 * synth renders them on handlebars' runtime without loading its compiler; a template the build has
 * not seen is compiled on first use, with the same options and helpers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PRECOMPILED_TEMPLATES, TemplateSet, templateKey } from '../../src/compiler/handlebars.js';
import { renderTemplate, TemplateError } from '../../src/compiler/templates.js';
import { buildDir, platformsDir } from '../../src/paths.js';

const t = suite('templates');
const require = createRequire(import.meta.url);
const compilerLoaded = () => Object.keys(require.cache).some((f) => /handlebars[\\/]dist[\\/]cjs[\\/]handlebars[\\/]compiler[\\/]/.test(f));

const platformTemplates = readdirSync(platformsDir).flatMap((p) =>
  (readdirSync(join(platformsDir, p, 'templates'), { recursive: true }) as string[]).filter((f) => f.endsWith('.hbs')).map((f) => join(platformsDir, p, 'templates', f)),
);

t('every template of the package is precompiled by the build, under the hash of its current text', () => {
  const specs = require(join(buildDir, PRECOMPILED_TEMPLATES)) as Record<string, unknown>;
  assert.ok(platformTemplates.length >= 7, platformTemplates.join('\n'));
  for (const f of platformTemplates) assert.ok(specs[templateKey(readFileSync(f, 'utf8'))], `${f} is not precompiled (run node scripts/build.js)`);
  assert.is(Object.keys(specs).length, new Set(platformTemplates.map((f) => templateKey(readFileSync(f, 'utf8')))).size, 'no entry for a template that no longer exists');
});

t('the package templates render without loading the handlebars compiler', () => {
  const ctx = { jobName: 'j', sourceDatabase: 'raw', sourceTable: 't', targetDatabase: 'clean', targetTable: 't', partitionKeys: ['d'], sourceColumns: [], dateFormat: 'yyyy-MM-dd', timestampFormat: 'yyyy-MM-dd HH:mm:ss' };
  const out = renderTemplate('aws-native', 'csv-to-parquet', ctx);
  assert.is(out.extension, 'py');
  assert.ok(out.text.includes('"clean"'), out.text);
  // Strict: a context without one of the variables is an error, not an empty string in the script.
  const { jobName: _omitted, ...partial } = ctx;
  assert.throws(() => renderTemplate('aws-native', 'csv-to-parquet', partial), /"jobName" not defined/);
  assert.not.ok(compilerLoaded(), 'handlebars/compiler was loaded');
});

t('a template the build has not seen compiles on first use: same output, helpers and strictness', () => {
  const set = new TemplateSet({ json: (v: unknown) => JSON.stringify(v) });
  const file = join(platformsDir, 'aws-native', 'templates', 'dashboards', 'sales.json.hbs');
  const text = readFileSync(file, 'utf8');
  const ctx = { dataSet: 'sales', topItems: 7 };
  const precompiled = set.text(text)(ctx);
  assert.not.ok(compilerLoaded());
  // One more trailing newline: a text with no precompiled form.
  const compiled = set.text(`${text}\n`)(ctx);
  assert.ok(compilerLoaded(), 'the compiler is loaded for an unknown text');
  assert.is(compiled, `${precompiled}\n`);
  assert.throws(() => set.text('{{missing}}')({}), /"missing" not defined/);
  assert.is(set.text('{{json x}} <{{y}}>')({ x: ['a'], y: '&' }), '["a"] <&>', 'helpers registered, no HTML escaping');
});

t('an unknown template name is a TemplateError naming the closest one', () => {
  assert.throws(() => renderTemplate('aws-native', 'csv-to-parqet', {}), (e: unknown) => e instanceof TemplateError && /did you mean 'csv-to-parquet'/.test((e as Error).message));
});

t.run();
