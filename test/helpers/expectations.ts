/** Expected findings written into a fixture spec as `# expect:` comment lines. */
import { readFileSync } from 'node:fs';
import * as assert from 'uvu/assert';
import { validateSpec } from '../../src/compiler/load.js';

export interface Expected {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly line: number;
  readonly col: number;
  readonly message: string;
  readonly hint?: string;
}

/** `# expect: CODE [warning] line:col message part [| hint part]` */
export function expectations(text: string): Expected[] {
  return [...text.matchAll(/^# expect: (ARA\d+) (?:(warning) )?(\d+):(\d+) (.*)$/gm)].map((m) => {
    const [message, hint] = m[5]!.split(' | ');
    return { code: m[1]!, severity: m[2] === 'warning' ? 'warning' : 'error', line: Number(m[3]), col: Number(m[4]), message: message!, ...(hint ? { hint } : {}) };
  });
}

/**
 * Validates the fixture `file` through the loader and asserts exactly its `# expect:` findings, in
 * order: code, severity and line:col, each message (and hint, when given) containing the expected
 * part, and every finding naming the file.
 */
export async function assertFixtureFindings(file: string): Promise<void> {
  const text = readFileSync(file, 'utf8');
  const expected = expectations(text);
  assert.ok(expected.length > 0, 'fixture declares its findings');
  const { diagnostics } = await validateSpec(file, text);
  assert.equal(
    diagnostics.map((d) => `${d.code} ${d.severity} ${d.start.line}:${d.start.col}`),
    expected.map((e) => `${e.code} ${e.severity} ${e.line}:${e.col}`),
    diagnostics.map((d) => `${d.code} ${d.start.line}:${d.start.col} ${d.message}`).join('\n'),
  );
  for (const [i, e] of expected.entries()) {
    const d = diagnostics[i]!;
    assert.ok(d.message.includes(e.message), `message of ${e.code}: '${d.message}' should contain '${e.message}'`);
    if (e.hint) assert.ok(d.hint?.includes(e.hint), `hint of ${e.code}: '${d.hint}' should contain '${e.hint}'`);
    assert.equal(d.file, file);
  }
}
