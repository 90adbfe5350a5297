// Every package the packed JavaScript of ara-gen's own modules (bin/, dist/src/) imports (bare
// specifiers in import/export/require/import()) is a dependency or peer dependency of the package,
// or a Node builtin. (dist/bundle is left out: it inlines third-party code with optional imports of
// its own, and is built from the same sources.) Usage: node
// scripts/check-package-imports.js <unpacked package dir>. Exit 1 listing the undeclared ones.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/check-package-imports.js <unpacked package dir>');
  process.exit(2);
}
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), pkg.name]);
const builtins = new Set(builtinModules);
const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(['"])([^'"./][^'"]*)\1/g;
const undeclared = new Map();
const entries = ['bin', 'dist/src'].flatMap((d) => readdirSync(join(dir, d), { recursive: true, withFileTypes: true }));
for (const entry of entries) {
  if (!entry.isFile() || !/\.(c|m)?js$/.test(entry.name)) continue;
  const file = join(entry.parentPath ?? entry.path, entry.name);
  for (const m of readFileSync(file, 'utf8').matchAll(specifier)) {
    const spec = m[2];
    if (spec.startsWith('node:') || builtins.has(spec.split('/')[0])) continue;
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
    if (!declared.has(name) && !undeclared.has(name)) undeclared.set(name, file.slice(dir.length + 1));
  }
}
if (undeclared.size) {
  for (const [name, file] of undeclared) console.error(`check-package-imports: '${name}' is imported (${file}) but not a dependency or peer dependency`);
  process.exit(1);
}
