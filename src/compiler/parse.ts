/**
 * Reading and parsing a spec file: bytes → UTF-8 text → YAML document with source positions.
 * Every YAML-level problem (unreadable file, binary content, syntax, duplicate keys, tabs, alias
 * bombs, empty or non-mapping documents) is a positioned finding (ARA100-ARA109), never a throw.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Pair, YAMLMap } from 'yaml';
import { LineCounter, isMap, isPair, isScalar, parseDocument, visit } from '../util/yaml.js';
import { closest } from '../util/suggest.js';
import type { Diagnostic } from './diagnostics.js';
import type { SpecDocument } from './document.js';
import { YamlSpecDocument } from './yaml-document.js';

/** Loader finding codes (schema findings are ARA110+, see schema-check.ts; rules are ARA2xx). */
export const LoaderCode = {
  Syntax: 'ARA100',
  DuplicateKey: 'ARA101',
  TabIndent: 'ARA102',
  Alias: 'ARA103',
  Unreadable: 'ARA104',
  Empty: 'ARA105',
  NotText: 'ARA106',
  NotMapping: 'ARA107',
  MultipleDocuments: 'ARA108',
  YamlWarning: 'ARA109',
  NonPlainType: 'ARA120',
} as const;

/**
 * YAML tags whose values are plain JSON data. Others (`!!omap`, `!!set`, `!!pairs`, `!!binary`,
 * `!!timestamp`) become Maps, Sets, byte arrays or dates, which a spec cannot hold: the JSON view
 * of the document would silently drop or change them.
 */
const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/** Above this size a "spec" is certainly not one (and parsing it would only burn memory). */
const MAX_BYTES = 5 * 1024 * 1024;
/** Aliases expanded per document: enough for real reuse, far below a "billion laughs" blow-up. */
const MAX_ALIAS_COUNT = 200;

export interface ReadResult {
  readonly text?: string;
  readonly diagnostics: Diagnostic[];
  /** True when the file could not be read at all (missing, directory, permissions): a usage error. */
  readonly unreadable?: boolean;
}

const at = (file: string, code: string, message: string, hint?: string, line = 1, col = 1): Diagnostic => ({
  code,
  severity: 'error',
  message,
  ...(hint ? { hint } : {}),
  file,
  path: '',
  start: { line, col },
});

/** Reads a spec file as UTF-8 text; every failure is a finding, never a throw. */
export async function readSpecFile(file: string): Promise<ReadResult> {
  // The reads are synchronous underneath: what follows them (parsing, checks) is synchronous CPU
  // work anyway, and one implementation serves the synchronous loader too.
  return readSpecFileSync(file);
}

/** readSpecFile for synchronous callers, such as a CDK construct's constructor (the Platform construct). */
export function readSpecFileSync(file: string): ReadResult {
  let bytes: Buffer;
  try {
    // Open without blocking (a FIFO would otherwise wait for a writer), then judge the opened file
    // itself, not a stat of its path taken earlier.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const s = fstatSync(fd);
      if (s.isDirectory()) {
        return { unreadable: true, diagnostics: [at(file, LoaderCode.Unreadable, `'${file}' is a directory, not a spec file`, `pass the spec files inside it, e.g. '${file.replace(/\/$/, '')}/*.yaml'`)] };
      }
      if (!s.isFile()) {
        const kind = s.isFIFO() ? 'a pipe' : s.isCharacterDevice() || s.isBlockDevice() ? 'a device' : s.isSocket() ? 'a socket' : 'not a regular file';
        return { unreadable: true, diagnostics: [at(file, LoaderCode.Unreadable, `'${file}' is ${kind}, not a spec file`, 'save the spec to a regular file and pass its path')] };
      }
      // The cap holds whatever stat said: read at most one byte past the limit.
      bytes = Buffer.alloc(Math.min(s.size, MAX_BYTES) + 1);
      let length = 0;
      for (;;) {
        const bytesRead = readSync(fd, bytes, length, bytes.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length === bytes.length) {
          if (length > MAX_BYTES) return tooLarge(file);
          const grown = Buffer.alloc(Math.min(bytes.length * 2, MAX_BYTES + 1));
          bytes.copy(grown);
          bytes = grown;
        }
      }
      bytes = bytes.subarray(0, length);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const hint = siblingHint(file);
      return { unreadable: true, diagnostics: [at(file, LoaderCode.Unreadable, `file not found: '${file}'`, hint ?? 'check the path (it is relative to the current directory)')] };
    }
    const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message;
    return { unreadable: true, diagnostics: [at(file, LoaderCode.Unreadable, `cannot read '${file}': ${reason}`, 'check the file exists and is readable')] };
  }
  return decodeText(file, bytes);
}

function tooLarge(file: string): ReadResult {
  return { unreadable: true, diagnostics: [at(file, LoaderCode.NotText, `'${file}' is larger than 5 MiB: too large to be a spec file`, 'check that this is the right file')] };
}

/** Bytes → text: rejects binary and non-UTF-8 content with the position of the first bad byte. */
export function decodeText(file: string, bytes: Uint8Array): ReadResult {
  const nul = bytes.subarray(0, 64 * 1024).indexOf(0);
  if (nul >= 0) {
    const p = bytePosition(bytes, nul);
    return { diagnostics: [at(file, LoaderCode.NotText, `'${file}' looks like a binary file (NUL byte), not a YAML spec`, 'a spec is a UTF-8 YAML text file', p.line, p.col)] };
  }
  try {
    let text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text, diagnostics: [] };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const p = bytePosition(bytes, bad);
    return { diagnostics: [at(file, LoaderCode.NotText, `'${file}' is not valid UTF-8 text (bad byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')})`, 'save the file as UTF-8', p.line, p.col)] };
  }
}

/**
 * Parses YAML text into a SpecDocument. YAML-level problems (syntax, duplicate keys, tabs, alias
 * bombs, empty or non-mapping documents) are findings and yield no document.
 */
export function parseSpec(file: string, text: string): { document?: SpecDocument; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, merge: true, prettyErrors: false, keepSourceTokens: false });
  const pos = (offset: number) => {
    const p = lines.linePos(offset);
    return { line: Math.max(1, p.line), col: Math.max(1, p.col) };
  };
  const diagnostics = rootCauses(text, doc.errors.map((e) => yamlFinding(file, text, doc.contents, e.code, e.message, e.pos, pos, 'error')));
  const warnings = doc.warnings.map((w) => yamlFinding(file, text, doc.contents, w.code, w.message, w.pos, pos, 'warning'));
  if (diagnostics.length) return { diagnostics: [...diagnostics, ...warnings] };
  diagnostics.push(...warnings);

  if (doc.contents === null) {
    diagnostics.push(at(file, LoaderCode.Empty, `'${file}' is empty: no YAML content`, "a spec starts with 'version: 1' and 'name: <platform name>'"));
    return { diagnostics };
  }
  if (!isMap(doc.contents)) {
    const p = pos(doc.contents.range?.[0] ?? 0);
    const what = isScalar(doc.contents) ? `a single ${typeof doc.contents.value === 'string' ? 'text' : 'value'}` : 'a list';
    diagnostics.push(at(file, LoaderCode.NotMapping, `the document is ${what}, not a mapping of keys to values`, "a spec is a YAML mapping that starts with 'version: 1' and 'name: ...'", p.line, p.col));
    return { diagnostics };
  }
  const typed = nonPlainNode(doc.contents);
  if (typed) {
    const short = typed.tag.replace('tag:yaml.org,2002:', '!!');
    // Point at the tag itself when it is written before the node.
    const written = text.lastIndexOf(short, typed.offset);
    const p = pos(written >= 0 ? written : typed.offset);
    diagnostics.push(
      at(file, LoaderCode.NonPlainType, `YAML type ${short} is not part of the spec language (a spec holds plain mappings, lists, strings, numbers and booleans)`, `remove '${short}' and write a plain ${/omap|pairs|set/.test(short) ? 'mapping' : 'value'}`, p.line, p.col),
    );
    return { diagnostics };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const unresolved = /Unresolved alias/.test((e as Error).message);
    const p = pos(firstAliasOffset(doc.contents) ?? 0);
    diagnostics.push(
      unresolved
        ? at(file, LoaderCode.Alias, 'an alias refers to an anchor that is not defined before it', 'define the anchor (&name) before using the alias (*name)', p.line, p.col)
        : at(file, LoaderCode.Alias, `too many alias expansions (more than ${MAX_ALIAS_COUNT}): nested aliases multiply the document's size`, 'reduce the use of nested anchors and aliases (&x / *x)', p.line, p.col),
    );
    return { diagnostics };
  }
  return { document: new YamlSpecDocument(file, text, data, doc, lines), diagnostics };
}

// ---- helpers ---------------------------------------------------------------------------------

/**
 * One finding per root cause: the parser often reports several errors where one thing is wrong (a
 * tab in an indentation also breaks the mapping on that line; an unclosed bracket two messages at
 * the same place). A syntax error on a line indented with a tab becomes the tab finding; then the
 * first finding at each position and on each tab-indented line is kept.
 */
function rootCauses(text: string, errors: Diagnostic[]): Diagnostic[] {
  const lines = text.split(/\r?\n/);
  const tabAt = (line: number): number => {
    const indent = /^[ \t]*/.exec(lines[line - 1] ?? '')![0];
    return indent.indexOf('\t');
  };
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of errors) {
    const tab = d.code === LoaderCode.Syntax ? tabAt(d.start.line) : -1;
    const finding: Diagnostic =
      tab >= 0
        ? { ...d, code: LoaderCode.TabIndent, message: 'tab character used for indentation', hint: 'YAML indentation must use spaces; replace the tab with spaces', start: { line: d.start.line, col: tab + 1 }, end: { line: d.start.line, col: tab + 2 } }
        : d;
    const key = finding.code === LoaderCode.TabIndent ? `tab:${finding.start.line}` : `${finding.start.line}:${finding.start.col}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // The same complaint on the following lines (one mis-indented line shifts the block under it):
    // one finding that names the lines.
    const prev = out[out.length - 1];
    const run = prev && prev.code === finding.code && prev.message.replace(/ \(also lines? .*\)$/, '') === finding.message;
    if (prev && run && finding.start.line - (prev.end?.line ?? prev.start.line) <= 1) {
      const first = prev.start.line;
      out[out.length - 1] = { ...prev, message: `${finding.message} (also line${finding.start.line - first > 1 ? 's' : ''} ${first + 1}${finding.start.line - first > 1 ? `-${finding.start.line}` : ''})`, end: finding.start };
      continue;
    }
    out.push(finding);
  }
  return out;
}

function yamlFinding(
  file: string,
  text: string,
  contents: unknown,
  code: string,
  message: string,
  range: [number, number],
  pos: (offset: number) => { line: number; col: number },
  severity: 'error' | 'warning',
): Diagnostic {
  // The yaml package appends " at line N, column M:" and a code frame; we print our own.
  const msg = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const start = pos(range[0]);
  const end = pos(Math.max(range[0], range[1]));
  let ara: string = LoaderCode.Syntax;
  let text1 = `YAML syntax error: ${lowerFirst(msg)}`;
  let hint: string | undefined;
  if (code === 'DUPLICATE_KEY') {
    ara = LoaderCode.DuplicateKey;
    const key = keyTextAt(text, range[0]);
    text1 = `duplicate key '${key}'`;
    const first = firstDuplicateLine(contents, range[0], pos);
    hint = first ? `'${key}' is already defined at line ${first}; keep one of them` : `keep one '${key}'`;
  } else if (code === 'TAB_AS_INDENT') {
    ara = LoaderCode.TabIndent;
    text1 = 'tab character used for indentation';
    hint = 'YAML indentation must use spaces; replace the tab with spaces';
  } else if (code === 'MULTIPLE_DOCS') {
    ara = LoaderCode.MultipleDocuments;
    text1 = 'the file contains more than one YAML document (a second --- line)';
    hint = 'put one platform per file; remove the extra --- separator';
  } else if (severity === 'warning') {
    ara = LoaderCode.YamlWarning;
    text1 = `YAML: ${lowerFirst(msg)}`;
    if (code === 'TAG_RESOLVE_FAILED') hint = 'custom tags (!name) are not part of the spec language; remove the tag';
  } else if (/end with a ([\]}])/.test(msg)) {
    const close = /end with a ([\]}])/.exec(msg)![1]!;
    hint = `a '${close === ']' ? '[' : '{'}' opened on an earlier line is not closed with '${close}'`;
  } else if (/indent|same column/i.test(msg)) {
    hint = 'check the indentation of this line against the lines above';
  } else if (code === 'MISSING_CHAR' || code === 'UNEXPECTED_TOKEN' || code === 'BLOCK_AS_IMPLICIT_KEY') {
    hint = 'check brackets, quotes and the ": " after keys on this line';
  }
  return { code: ara, severity, message: text1, ...(hint ? { hint } : {}), file, path: '', start, end };
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

function keyTextAt(text: string, offset: number): string {
  const m = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:\n]*?)\s*:/.exec(text.slice(offset, offset + 200));
  return (m?.[1] ?? text.slice(offset, offset + 40).split(/[:\n]/)[0] ?? '').replace(/^["']|["']$/g, '').trim();
}

/** Line of the first occurrence of the key duplicated at `offset`. */
function firstDuplicateLine(contents: unknown, offset: number, pos: (o: number) => { line: number }): number | undefined {
  let line: number | undefined;
  visit(contents as YAMLMap, {
    Map(_, map) {
      const pairs = map.items as Pair[];
      const dup = pairs.find((p) => isScalar(p.key) && p.key.range?.[0] === offset);
      if (!dup || !isScalar(dup.key)) return undefined;
      const value = dup.key.value;
      const first = pairs.find((p) => isPair(p) && isScalar(p.key) && p.key.value === value);
      if (first && first !== dup && isScalar(first.key) && first.key.range) line = pos(first.key.range[0]).line;
      return visit.BREAK;
    },
  });
  return line;
}

/** The first node with an explicit tag that does not give plain JSON data. */
function nonPlainNode(contents: unknown): { tag: string; offset: number } | undefined {
  let found: { tag: string; offset: number } | undefined;
  visit(contents as YAMLMap, (_, node) => {
    const n = node as { tag?: string; range?: [number, number] } | null;
    if (n && typeof n.tag === 'string' && n.tag.startsWith('tag:yaml.org,2002:') && !PLAIN_TAGS.has(n.tag)) {
      found = { tag: n.tag, offset: n.range?.[0] ?? 0 };
      return visit.BREAK;
    }
    return undefined;
  });
  return found;
}

function firstAliasOffset(contents: unknown): number | undefined {
  let offset: number | undefined;
  visit(contents as YAMLMap, {
    Alias(_, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

function bytePosition(bytes: Uint8Array, index: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: index - lineStart + 1 };
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  const dec = new TextDecoder('utf-8', { fatal: true });
  // Binary search over prefixes would split multi-byte sequences; a linear scan of lines is simple.
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        dec.decode(bytes.subarray(start, i));
      } catch {
        for (let j = start; j < i; j++) {
          if (bytes[j]! >= 0x80) return j;
        }
        return start;
      }
      start = i + 1;
    }
  }
  return 0;
}

function siblingHint(file: string): string | undefined {
  try {
    const dir = dirname(file);
    const names = readdirSync(dir).filter((n) => /\.ya?ml$/i.test(n));
    const best = closest(basename(file), names);
    if (best) return `did you mean '${dir === '.' && !file.startsWith('./') ? best : `${dir}/${best}`}'?`;
  } catch {
    /* the directory itself is missing: the generic hint applies */
  }
  return undefined;
}
