/** YAML-level findings of the loader: each with its code and exact line:col; and source locations. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeText, parseSpec, readSpecFile } from '../../src/compiler/load.js';
import type { Diagnostic } from '../../src/compiler/diagnostics.js';

const one = (ds: Diagnostic[]): Diagnostic => {
  assert.is(ds.length, 1, `expected one finding, got ${JSON.stringify(ds)}`);
  return ds[0]!;
};
const at = (d: Diagnostic) => `${d.start.line}:${d.start.col}`;

const yaml = suite('loader: YAML-level findings');

yaml('duplicate key: ARA101 at the second key, hint names the first line', () => {
  const r = parseSpec('f.yaml', 'version: 1\nname: a\nstorage:\n  encryption: kms\n  encryption: s3\n');
  assert.is(r.document, undefined);
  const d = one(r.diagnostics);
  assert.is(d.code, 'ARA101');
  assert.is(at(d), '5:3');
  assert.is(d.message, "duplicate key 'encryption'");
  assert.is(d.hint, "'encryption' is already defined at line 4; keep one of them");
  assert.is(d.file, 'f.yaml');
});

yaml('tab in indentation: ARA102 at the tab', () => {
  const d = one(parseSpec('f.yaml', 'version: 1\nstorage:\n\tencryption: kms\n').diagnostics);
  assert.is(d.code, 'ARA102');
  assert.is(at(d), '3:1');
  assert.match(d.hint!, /spaces/);
});

yaml('syntax errors: ARA100 with line:col and a hint', () => {
  const flow = one(parseSpec('f.yaml', 'a: [1, 2\nb: 3\n').diagnostics);
  assert.is(flow.code, 'ARA100');
  assert.is(at(flow), '2:1');
  assert.match(flow.message, /^YAML syntax error: flow sequence/);
  const compact = one(parseSpec('f.yaml', 'version: 1\nname: b: c\n').diagnostics);
  assert.is(compact.code, 'ARA100');
  assert.is(at(compact), '2:7');
  const indent = one(parseSpec('f.yaml', 'a:\n  b: 1\n c: 2\n').diagnostics);
  assert.is(at(indent), '3:1');
  assert.match(indent.hint!, /indentation/);
});

yaml('alias bomb: ARA103 instead of expanding millions of nodes', () => {
  let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 9; i++) bomb += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
  const d = one(parseSpec('f.yaml', bomb).diagnostics);
  assert.is(d.code, 'ARA103');
  assert.is(at(d), '2:10');
  assert.match(d.message, /too many alias expansions/);
});

yaml('undefined alias: ARA103 at the alias', () => {
  const d = one(parseSpec('f.yaml', 'version: 1\nname: *nope\n').diagnostics);
  assert.is(d.code, 'ARA103');
  assert.is(at(d), '2:7');
  assert.match(d.message, /anchor that is not defined/);
});

yaml('empty file and comment-only file: ARA105', () => {
  for (const text of ['', '\n\n', '# yaml-language-server: $schema=x\n']) {
    const d = one(parseSpec('e.yaml', text).diagnostics);
    assert.is(d.code, 'ARA105');
    assert.is(at(d), '1:1');
    assert.is(d.message, "'e.yaml' is empty: no YAML content");
  }
});

yaml('a document that is not a mapping: ARA107 at its start', () => {
  const list = one(parseSpec('f.yaml', '# c\n- a\n- b\n').diagnostics);
  assert.is(list.code, 'ARA107');
  assert.is(at(list), '2:1');
  assert.match(list.message, /is a list, not a mapping/);
  const text = one(parseSpec('f.yaml', 'hello world\n').diagnostics);
  assert.is(text.code, 'ARA107');
  assert.match(text.message, /single text/);
});

yaml('two documents in one file: ARA108 at the second', () => {
  const d = one(parseSpec('f.yaml', 'a: 1\n---\nb: 2\n').diagnostics);
  assert.is(d.code, 'ARA108');
  assert.is(at(d), '2:1');
});

yaml('unknown tag: ARA109 warning, the document is still produced', () => {
  const r = parseSpec('f.yaml', 'version: 1\nname: !secret x\n');
  const d = one(r.diagnostics);
  assert.is(d.code, 'ARA109');
  assert.is(d.severity, 'warning');
  assert.is(at(d), '2:7');
  assert.ok(r.document);
});

yaml('binary and non-UTF-8 content: ARA106 at the offending byte', () => {
  const bin = one(decodeText('b.yaml', Buffer.from('a: 1\nb: \u0000\u0001')).diagnostics);
  assert.is(bin.code, 'ARA106');
  assert.is(at(bin), '2:4');
  assert.match(bin.message, /binary/);
  const latin1 = one(decodeText('l.yaml', Buffer.from([0x61, 0x3a, 0x20, 0x31, 0x0a, 0x62, 0x3a, 0x20, 0xe9, 0x0a])).diagnostics);
  assert.is(latin1.code, 'ARA106');
  assert.is(at(latin1), '2:4');
  assert.is(latin1.message, "'l.yaml' is not valid UTF-8 text (bad byte 0xe9)");
  const bom = decodeText('bom.yaml', Buffer.from('\ufeffa: 1\n'));
  assert.is(bom.text, 'a: 1\n');
});

const files = suite('loader: files');
let dir = '';
files.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ara-loader-'));
  writeFileSync(join(dir, 'platform.yaml'), 'version: 1\n');
  mkdirSync(join(dir, 'specs'));
});
files.after(() => rmSync(dir, { recursive: true, force: true }));

files('missing file: ARA104 with did-you-mean for a sibling', async () => {
  const r = await readSpecFile(join(dir, 'platfrom.yaml'));
  assert.is(r.unreadable, true);
  const d = one(r.diagnostics);
  assert.is(d.code, 'ARA104');
  assert.match(d.message, /^file not found: /);
  assert.is(d.hint, `did you mean '${join(dir, 'platform.yaml')}'?`);
});

files('directory: ARA104 suggesting a glob', async () => {
  const d = one((await readSpecFile(join(dir, 'specs'))).diagnostics);
  assert.is(d.code, 'ARA104');
  assert.match(d.message, /is a directory/);
  assert.match(d.hint!, /specs\/\*\.yaml/);
});

files('unreadable file: ARA104 permission denied (skipped as root)', async () => {
  if (process.getuid?.() === 0) return;
  const f = join(dir, 'secret.yaml');
  writeFileSync(f, 'a: 1\n');
  chmodSync(f, 0o000);
  const d = one((await readSpecFile(f)).diagnostics);
  assert.is(d.code, 'ARA104');
  assert.match(d.message, /permission denied/);
});

const locate = suite('loader: locate');
const SPEC = [
  'version: 1', // 1
  'name: shop', // 2
  'defaults: &d', // 3
  '  maxBatchSize: 500', // 4
  'sinks:', // 5
  '  events:', // 6
  '    type: kinesis', // 7
  '    bufferingHints:', // 8
  '      <<: *d', // 9
  '      maxInFlightRequests: 4', // 10
  '    targets:', // 11
  '      - { layer: raw }', // 12
  '',
].join('\n');

locate('key and value positions of existing nodes', () => {
  const doc = parseSpec('s.yaml', SPEC).document!;
  assert.equal(doc.locate(['sinks', 'events', 'type'], 'key').start, { line: 7, col: 5 });
  assert.equal(doc.locate(['sinks', 'events', 'type'], 'value').start, { line: 7, col: 11 });
  assert.equal(doc.locate(['sinks', 'events', 'type'], 'value').end, { line: 7, col: 18 });
  assert.equal(doc.locate(['sinks', 'events', 'targets', 0, 'layer']).start, { line: 12, col: 18 });
});

locate('a missing key points at its parent key; a missing root key at the document', () => {
  const doc = parseSpec('s.yaml', SPEC).document!;
  assert.equal(doc.locate(['sinks', 'events', 'stream'], 'key').start, { line: 6, col: 3 });
  assert.equal(doc.locate(['sinks', 'events', 'bufferingHints', 'nope', 'deeper']).start, { line: 8, col: 5 });
  assert.equal(doc.locate(['storage']).start, { line: 1, col: 1 });
});

locate('keys merged with << are found at their anchor', () => {
  const doc = parseSpec('s.yaml', SPEC).document!;
  assert.equal(doc.locate(['sinks', 'events', 'bufferingHints', 'maxBatchSize'], 'key').start, { line: 4, col: 3 });
  assert.equal((doc.data as { sinks: { events: { bufferingHints: unknown } } }).sinks.events.bufferingHints, { maxBatchSize: 500, maxInFlightRequests: 4 });
});

locate('diagnostic() fills file, pointer and positions', () => {
  const doc = parseSpec('s.yaml', SPEC).document!;
  const d = doc.diagnostic({ code: 'ARA999', message: 'm', path: ['sinks', 'events', 'type'], hint: 'h' });
  assert.equal(d, { code: 'ARA999', severity: 'error', message: 'm', hint: 'h', file: 's.yaml', path: '/sinks/events/type', start: { line: 7, col: 11 }, end: { line: 7, col: 18 } });
});

yaml.run();
files.run();
locate.run();
