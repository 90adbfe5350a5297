/**
 * Construct props document their defaults: every optional property of the constructs, stacks and
 * the Platform construct (src/compiler/constructs, src/compiler/stacks, src/compiler/platform.ts)
 * carries a `@default` tag, as the CDK's own linter (awslint) requires of construct libraries, so
 * that an app author reads what leaving a prop out means.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { packageRoot } from '../../src/paths.js';

const test = suite('construct props');

const dirs = ['src/compiler/constructs', 'src/compiler/stacks'];
const files = [
  ...dirs.flatMap((d) => readdirSync(join(packageRoot, d)).filter((f) => f.endsWith('.ts')).map((f) => join(packageRoot, d, f))),
  join(packageRoot, 'src/compiler/platform.ts'),
];

/** `file:line Type.prop` of each optional property signature without a `@default` tag. */
function undocumented(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const owner = (node: ts.Node): string => {
    for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
      if (ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) return n.name.text;
    }
    return '?';
  };
  const visit = (node: ts.Node) => {
    if (ts.isPropertySignature(node) && node.questionToken && !ts.getJSDocTags(node).some((t) => t.tagName.text === 'default')) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      out.push(`${relative(packageRoot, file)}:${line + 1} ${owner(node)}.${node.name.getText(source)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

test('every optional construct prop has a @default', () => {
  assert.equal(files.flatMap((f) => undocumented(f, readFileSync(f, 'utf8'))), []);
});

test('the check finds an optional prop without @default, in interfaces and inline types', () => {
  const found = undocumented(
    join(packageRoot, 'x.ts'),
    [
      'export interface AProps {',
      '  /** Documented. @default 3 */ readonly a?: number;',
      '  /** Not. */ readonly b?: string;',
      '  readonly c: string;',
      '}',
      "export type BProps = { readonly k: 'x'; readonly logical?: 'AND' | 'ANY' };",
    ].join('\n'),
  );
  assert.equal(found, ['x.ts:3 AProps.b', 'x.ts:6 BProps.logical']);
});

test.run();
