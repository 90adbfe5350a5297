/**
 * `--format sarif`: SARIF 2.1.0 for code-scanning upload (e.g. github/codeql-action/upload-sarif).
 * One run; the driver's rules are the codes that occur, in code order (stable output).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../paths.js';
import { codeTitle } from './codes.js';
import type { FormatInput } from './summary.js';

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const INFORMATION_URI = 'https://ara-gen.dev';

function ownVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Relative paths stay relative (resolved by the uploader against the checkout); others become file: URIs. */
function artifactUri(file: string): string {
  if (!isAbsolute(file)) return file.split(sep).join('/').replace(/^\.\//, '');
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : pathToFileURL(file).href;
}

export function formatSarif(results: readonly FormatInput[]): string {
  const codes = [...new Set(results.flatMap((r) => r.diagnostics.map((d) => d.code)))].sort();
  const ruleIndex = new Map(codes.map((c, i) => [c, i]));
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ara-gen',
            version: ownVersion(),
            informationUri: INFORMATION_URI,
            rules: codes.map((id) => ({ id, shortDescription: { text: codeTitle(id) } })),
          },
        },
        results: results.flatMap((r) =>
          r.diagnostics.map((d) => ({
            ruleId: d.code,
            ruleIndex: ruleIndex.get(d.code),
            level: d.severity === 'error' ? 'error' : 'warning',
            message: { text: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: artifactUri(r.file) },
                  region: {
                    startLine: d.start.line,
                    startColumn: d.start.col,
                    endLine: d.end?.line ?? d.start.line,
                    endColumn: d.end?.col ?? d.start.col,
                  },
                },
              },
            ],
          })),
        ),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
