/**
 * Messages a newcomer reads: fixtures under test/fixtures/messages/ give the exact findings (tab and
 * dedent mistakes say "indentation", one finding each; region did-you-mean; .nan / .inf named as
 * YAML spells them); spec text with terminal control characters is escaped in text and GitHub
 * output; a 1 MB line is clipped in code frames; no hint is the bare description of its field.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { validateSpec } from '../../src/compiler/load.js';
import { formatGithub } from '../../src/compiler/format/github.js';
import { FRAME_WIDTH, formatText } from '../../src/compiler/format/text.js';
import { packageRoot } from '../../src/paths.js';
import { assertFixtureFindings } from '../helpers/expectations.js';

const fixtures = join(packageRoot, 'test', 'fixtures', 'messages');
const files = readdirSync(fixtures).filter((f) => f.endsWith('.yaml')).sort();

const Fixtures = suite('loader messages: fixtures');

for (const f of files) {
  Fixtures(`${f}: exactly the expected findings (code, line:col, message, hint)`, () => assertFixtureFindings(join(fixtures, f)));
}

Fixtures.run();

const Output = suite('loader messages: terminal output');
/** The frame's line of the finding (marked '>') and the caret line under it. */
function findingLine(block: string): [string, string] {
  const lines = block.split('\n');
  const i = lines.findIndex((l) => l.startsWith('>'));
  return [lines[i]!, lines[i + 1]!];
}

const head = 'version: 1\nname: shop\nenvironments:\n  dev: { account: "123456789012", region: eu-west-1 }\n';

Output('ESC and BEL from a spec are escaped in messages and code frames (text and github formats)', async () => {
  const text = `${head}storage:\n  layers:\n    "raw\\e[31mred\\a": {}\n  clear\u001b[2J: 1\n`;
  const r = await validateSpec('esc.yaml', text);
  assert.equal(r.diagnostics.map((d) => d.code), ['ARA117', 'ARA110']);
  const out = formatText([{ file: 'esc.yaml', diagnostics: r.diagnostics, text }], { colour: false });
  assert.not.match(out, /[\u0000-\u0008\u000b-\u001f\u007f]/);
  assert.ok(out.includes("name 'raw\\x1b[31mred\\x07' in storage.layers"), out);
  assert.ok(out.includes("unknown key 'clear\\x1b[2J' in storage"), out);
  assert.ok(out.includes('> 8 |   clear\\x1b[2J: 1\n    |   ^^^^^^^^^^^^\n'), out);
  const gh = formatGithub([{ file: 'esc.yaml', diagnostics: r.diagnostics, text }]);
  assert.not.match(gh, /[\u0000-\u0008\u000b-\u001f\u007f]/);
  assert.ok(gh.includes('clear\\x1b[2J'), gh);
});

Output('a 1 MB line is clipped around the finding in the code frame, with the caret on the column', async () => {
  const value = 'x'.repeat(1_000_000);
  const text = `${head}tags:\n  big: "${value}"\n  owner: 7\n`;
  const r = await validateSpec('big.yaml', text);
  const out = formatText([{ file: 'big.yaml', diagnostics: r.diagnostics, text }], { colour: false });
  assert.ok(r.diagnostics.length >= 2, out.slice(0, 2000));
  assert.ok(out.length < 10_000, `output is ${out.length} characters`);
  for (const line of out.split('\n')) assert.ok(line.length <= FRAME_WIDTH + 20, `a line of ${line.length} characters`);
  // The tag value's finding: the frame starts at the line's start and stops with '…'.
  const big = r.diagnostics.find((d) => d.path === '/tags/big')!;
  const [shown, caret] = findingLine(formatText([{ file: 'big.yaml', diagnostics: [big], text }], { summary: false }));
  assert.ok(shown!.endsWith('…'), shown);
  assert.is(caret!.indexOf('^'), shown!.indexOf('"'));
});

Output('a finding far into a long line shows a window around its column', async () => {
  const text = `${head}tags: { a: "${'x'.repeat(5000)}", b: 1 }\n`;
  const r = await validateSpec('wide.yaml', text);
  const d = r.diagnostics.find((x) => x.path === '/tags/b')!;
  assert.ok(d, r.diagnostics.map((x) => x.path).join(', '));
  const [shown, caret] = findingLine(formatText([{ file: 'wide.yaml', diagnostics: [d], text }], { summary: false }));
  assert.match(shown!, /\| …x+", b: 1 \}$/);
  assert.is(shown!.length - shown!.indexOf('1 }'), caret!.length - caret!.indexOf('^') + 2);
});

const Hints = suite('loader messages: hints');

/** Every description in the platform schema, as hints would quote it (backticks as quotes), with and without the final period. */
function descriptions(): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, c] of Object.entries(v)) {
        if (k === 'description' && typeof c === 'string') {
          const d = c.replace(/`/g, "'");
          out.add(d);
          out.add(d.replace(/\.$/, ''));
        } else walk(c);
      }
    }
  };
  walk(JSON.parse(readFileSync(join(packageRoot, 'schema', 'platform.schema.json'), 'utf8')));
  return out;
}

/** A value of the wrong kind for `v`. */
const wrong = (v: unknown): unknown => (typeof v === 'number' ? 'many' : typeof v === 'string' ? 12345 : typeof v === 'boolean' ? 'maybe' : Array.isArray(v) ? 5 : null);

Hints('no hint is the bare description of its field: every field of the flagship given a wrong value', async () => {
  const known = descriptions();
  const flagship = parse(readFileSync(join(packageRoot, 'examples', 'mystore.yaml'), 'utf8')) as Record<string, unknown>;
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, at: (string | number)[]): void => {
    if (at.length) paths.push(at);
    if (Array.isArray(v)) v.forEach((c, i) => walk(c, [...at, i]));
    else if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...at, k]);
  };
  walk(flagship, []);
  let findings = 0;
  for (const path of paths) {
    const copy = structuredClone(flagship);
    let parent: any = copy;
    for (const k of path.slice(0, -1)) parent = parent[k];
    const last = path[path.length - 1]!;
    parent[last] = wrong(parent[last]);
    // JSON is YAML: the mutant as a flow mapping (the findings do not depend on the layout; yaml's block
    // stringifier was a seventh of this file's CPU).
    const { diagnostics } = await validateSpec('mutant.yaml', JSON.stringify(copy));
    for (const d of diagnostics) {
      findings++;
      assert.ok(d.hint === undefined || !known.has(d.hint), `${path.join('.')}: ${d.code} ${d.message}: the hint only repeats the description '${d.hint}'`);
    }
  }
  assert.ok(findings > paths.length / 2, `${findings} findings for ${paths.length} mutations`);
});

Output.run();
Hints.run();
