/**
 * Spec origins in the cloud assembly: every construct made from a spec entry records that entry's
 * SourceRef as `ara-gen:source` construct metadata (written to `<stack>.metadata.json`), so that a
 * failed deploy event (stack + logical ID) maps back to `file:line:col (/crawlers/raw)`
 * (deploy/failure-map.ts walks up the construct path to the nearest recorded origin).
 *
 * The file is recorded as the user named it, made relative to the working directory when it was
 * given as an absolute path, with `/` separators: the assembly never holds a machine's local paths
 * and stays byte-identical wherever it is synthesized.
 */
import { isAbsolute, relative, sep } from 'node:path';
import type { IConstruct } from 'constructs';
import { SOURCE_METADATA_KEY } from '../deploy/failure-map.js';
import type { SourceRef } from '../model.js';

/** The spec file as it may appear in the assembly: relative, `/`-separated. */
export function portableSpecPath(file: string, cwd: string = process.cwd()): string {
  const rel = isAbsolute(file) ? relative(cwd, file) : file;
  return rel.split(sep).join('/').replace(/^\.\//, '');
}

/** Records `ref` as the spec origin of `scope` (and of every construct below it without its own). */
export function recordSource(scope: IConstruct, ref: SourceRef): void {
  scope.node.addMetadata(SOURCE_METADATA_KEY, { file: portableSpecPath(ref.file), path: ref.path, line: ref.line, col: ref.col });
}
