/**
 * Docs that cannot lie: every ```yaml block in README.md and docs/*.md is a spec, checked by the
 * validator. A block with `version:` is a whole spec and must validate clean; any other block is a
 * part of one and must validate clean merged into the flagship (examples/mystore.yaml; maps merge,
 * the block's values win, an entry of another variant replaces the flagship's). Marked blocks: `<!-- spec: invalid -->` right before a block says it
 * shows a mistake (it must give at least one error), `<!-- spec: not-a-spec -->` that it is other
 * YAML (a CI workflow, a sink config).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, stringify } from 'yaml';
import { validateSpec } from '../../src/compiler/load.js';
import { packageRoot } from '../../src/paths.js';

const t = suite('docs: YAML snippets are valid specs');

interface Snippet {
  file: string;
  line: number;
  text: string;
  mark?: 'invalid' | 'not-a-spec';
}

export function snippets(): Snippet[] {
  const files = ['README.md', ...readdirSync(join(packageRoot, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
  const out: Snippet[] = [];
  for (const file of files) {
    const lines = readFileSync(join(packageRoot, file), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!/^```ya?ml\s*$/.test(lines[i]!)) continue;
      const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
      let k = i - 1;
      while (k >= 0 && lines[k]!.trim() === '') k--;
      const mark = /<!--\s*spec:\s*(invalid|not-a-spec)\s*-->/.exec(lines[k] ?? '')?.[1] as Snippet['mark'];
      out.push({ file, line: i + 2, text: lines.slice(i + 1, end).join('\n') + '\n', ...(mark ? { mark } : {}) });
      i = end;
    }
  }
  return out;
}

function merge(base: any, over: any): any {
  if (!over || typeof over !== 'object' || Array.isArray(over) || !base || typeof base !== 'object' || Array.isArray(base)) return over;
  // A different variant (sink `type`, warehouse `engine`, stream `mode`) replaces the whole entry.
  if (['type', 'engine', 'mode'].some((k) => k in over && over[k] !== base[k])) return over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

const flagship = parse(readFileSync(join(packageRoot, 'examples', 'mystore.yaml'), 'utf8'));

async function check(s: Snippet): Promise<string[]> {
  const data = parse(s.text);
  const whole = data && typeof data === 'object' && 'version' in data;
  const text = whole ? s.text : stringify(merge(flagship, data));
  const r = await validateSpec(`${s.file}:${s.line}`, text);
  return r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
}

const all = snippets();

t('the docs hold YAML snippets, among them the README tour', () => {
  assert.ok(all.length >= 15, `${all.length} snippets`);
  assert.ok(all.some((s) => s.file === 'README.md'));
});

for (const s of all) {
  if (s.mark === 'not-a-spec') continue;
  t(`${s.file}:${s.line} ${s.mark === 'invalid' ? 'shows a mistake the validator reports' : 'is valid'}`, async () => {
    const errors = await check(s);
    if (s.mark === 'invalid') assert.ok(errors.length > 0, 'marked invalid, but validates clean');
    else assert.equal(errors, [], `${s.file}:${s.line}\n${errors.join('\n')}\n---\n${s.text}`);
  });
}

t.run();
