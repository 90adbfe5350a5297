/**
 * Structural check against schema/platform.schema.json with the validator precompiled by
 * scripts/build.js (no schema compilation at start-up), and the mapping of ajv's raw errors to
 * positioned findings (ARA110-ARA119): one finding per root cause, composition noise pruned.
 * The schema JSON itself (for key candidates, descriptions, examples) is read only when there are
 * errors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compiledSchemaDir, schemaDir } from '../paths.js';
import { didYouMean } from '../util/suggest.js';
import type { Diagnostic } from './diagnostics.js';
import type { SpecDocument, SpecPath } from './document.js';
import { type JsonSchema, SchemaIndex } from './schema-index.js';

export const SchemaCode = {
  UnknownKey: 'ARA110',
  MissingKey: 'ARA111',
  WrongType: 'ARA112',
  NotAllowed: 'ARA113',
  BadFormat: 'ARA114',
  OutOfRange: 'ARA115',
  Duplicate: 'ARA116',
  BadName: 'ARA117',
  Other: 'ARA119',
} as const;

/** The shape of an ajv error object (ajv itself is not loaded at run time). */
export interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  propertyName?: string;
}

interface ValidateFn {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}

const validators = new Map<string, Promise<ValidateFn>>();
const indexes = new Map<string, SchemaIndex>();

function loadValidator(name: string): Promise<ValidateFn> {
  let v = validators.get(name);
  if (!v) {
    const file = join(compiledSchemaDir, `${name}.validate.js`);
    v = import(pathToFileURL(file).href).then(
      (m: { default: ValidateFn }) => m.default,
      (e: Error) => {
        throw new Error(`ara-gen: the compiled schema validator ${file} is missing or broken (run 'npm run build'): ${e.message}`);
      },
    );
    validators.set(name, v);
  }
  return v;
}

function schemaIndex(name: string): SchemaIndex {
  let idx = indexes.get(name);
  if (!idx) {
    idx = new SchemaIndex(JSON.parse(readFileSync(join(schemaDir, `${name}.schema.json`), 'utf8')) as JsonSchema);
    indexes.set(name, idx);
  }
  return idx;
}

/** Validates the document's data against `schema/<name>.schema.json`; findings in source order. */
export async function checkSchema(doc: SpecDocument, name = 'platform'): Promise<Diagnostic[]> {
  const validate = await loadValidator(name);
  if (validate(doc.data)) return [];
  const errors = pruneErrors([...(validate.errors ?? [])]);
  const index = schemaIndex(name);
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const e of errors) {
    const d = describe(e, doc, index);
    const key = `${d.code}|${d.path}|${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out.sort((a, b) => a.start.line - b.start.line || a.start.col - b.start.col);
}

/**
 * Removes composition noise: `if` failures (the `then` branch's own errors are reported),
 * `propertyNames` wrappers (the inner error names the key), and for anyOf/oneOf keeps only the
 * errors of the branch(es) whose type matched the value; when no branch's type matched, one
 * merged type error. ajv emits a composite's branch errors right before the composite error.
 */
export function pruneErrors(errors: AjvError[]): AjvError[] {
  const list = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'propertyNames');
  for (let k = list.length - 1; k >= 0; k--) {
    const c = list[k]!;
    if (c.keyword !== 'anyOf' && c.keyword !== 'oneOf') continue;
    const inside = (e: AjvError) => e.instancePath === c.instancePath || e.instancePath.startsWith(c.instancePath + '/');
    let j = k;
    while (j > 0 && inside(list[j - 1]!) && list[j - 1]!.keyword !== 'anyOf' && list[j - 1]!.keyword !== 'oneOf') j--;
    const block = list.slice(j, k);
    if (c.keyword === 'oneOf' && Array.isArray(c.params.passingSchemas)) {
      list.splice(j, k - j + 1, { ...c, keyword: 'oneOfMany' });
      continue;
    }
    const rootType = (e: AjvError) => e.keyword === 'type' && e.instancePath === c.instancePath;
    const matched = block.filter((e) => !rootType(e));
    const replacement: AjvError[] = matched.length
      ? matched
      : [{ ...c, keyword: 'type', params: { type: [...new Set(block.flatMap((e) => String(e.params.type).split(',')))].join(',') } }];
    list.splice(j, k - j + 1, ...replacement);
    k = j;
  }
  return list;
}

// ---- messages ----------------------------------------------------------------------------------

function parsePointer(p: string): string[] {
  return p === '' ? [] : p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `sinks.web-sale-events.bufferingHints`, `crawlers.raw.targets[1]`, or "the document". */
export function label(path: SpecPath): string {
  if (!path.length) return 'the document';
  return path.map((s, i) => (typeof s === 'number' || /^\d+$/.test(String(s)) ? `[${s}]` : i === 0 ? String(s) : `.${s}`)).join('');
}

const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);
const typeName = (t: string) => (t === 'object' ? 'mapping' : t === 'array' ? 'list' : t === 'number' ? 'number' : t);

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

function valueAt(data: unknown, path: readonly string[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function describe(e: AjvError, doc: SpecDocument, index: SchemaIndex): Diagnostic {
  const path = parsePointer(e.instancePath);
  const value = valueAt(doc.data, path);
  const here = label(path);
  const name = path.length ? `'${path[path.length - 1]}'` : 'the document';
  const info = () => index.at(doc.data, path);
  const describeHint = () => info().hint();
  const p = e.params;

  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const allowed = info().properties();
      const dym = didYouMean(key, allowed);
      return doc.diagnostic({
        code: SchemaCode.UnknownKey,
        path: [...path, key],
        part: 'key',
        message: dym ? `unknown key '${key}': ${dym}` : `unknown key '${key}' in ${here}`,
        hint: allowed.length ? `allowed keys in ${here}: ${allowed.join(', ')}` : `remove '${key}'`,
      });
    }
    case 'required': {
      const key = String(p.missingProperty);
      const desc = info().property(key)?.hintText();
      return doc.diagnostic({
        code: SchemaCode.MissingKey,
        path,
        part: 'key',
        message: `${here} is missing the required key '${key}'`,
        hint: `add '${key}:'${desc ? ` (${desc})` : ''}`,
      });
    }
    case 'type': {
      const types = String(p.type).split(',').map(typeName);
      return doc.diagnostic({
        code: SchemaCode.WrongType,
        path,
        message: `${name} must be ${types.map(article).join(' or ')}, got ${article(jsonType(value))}${isScalar(value) ? ` (${show(value)})` : ''}`,
        ...hintOpt(describeHint()),
      });
    }
    case 'enum':
    case 'const': {
      const allowed = (e.keyword === 'enum' ? (p.allowedValues as unknown[]) : [p.allowedValue]) ?? [];
      const dym = typeof value === 'string' ? didYouMean(value, allowed.filter((a): a is string => typeof a === 'string')) : '';
      return doc.diagnostic({
        code: SchemaCode.NotAllowed,
        path,
        message: `${name} must be ${allowed.length === 1 ? show(allowed[0]) : `one of ${allowed.map(show).join(', ')}`}; got ${show(value)}`,
        ...hintOpt(dym || describeHint()),
      });
    }
    case 'pattern':
    case 'format': {
      if (e.propertyName !== undefined) return nameFinding(e, path, doc, index);
      const ex = info().examples();
      return doc.diagnostic({
        code: SchemaCode.BadFormat,
        path,
        message: `${name} has an invalid format: ${show(value)}`,
        hint: [describeHint(), ex.length ? `e.g. ${ex.map(show).join(', ')}` : `expected to match ${e.keyword === 'pattern' ? String(p.pattern) : String(p.format)}`].filter(Boolean).join('; '),
      });
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return doc.diagnostic({
        code: SchemaCode.OutOfRange,
        path,
        message: `${name} must be ${String(p.comparison)} ${String(p.limit)}; got ${show(value)}`,
        ...hintOpt(describeHint()),
      });
    case 'minLength':
    case 'maxLength': {
      if (e.propertyName !== undefined) return nameFinding(e, path, doc, index);
      const min = e.keyword === 'minLength';
      return doc.diagnostic({
        code: SchemaCode.OutOfRange,
        path,
        message: `${name} must be ${min ? 'at least' : 'at most'} ${String(p.limit)} characters long; got ${typeof value === 'string' ? value.length : '?'}`,
        ...hintOpt(describeHint()),
      });
    }
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
    case 'maxProperties': {
      const min = e.keyword.startsWith('min');
      const what = e.keyword.endsWith('Items') ? 'items' : 'entries';
      return doc.diagnostic({
        code: SchemaCode.OutOfRange,
        path,
        message: `${here} must have ${min ? 'at least' : 'at most'} ${String(p.limit)} ${what}`,
        ...hintOpt(describeHint()),
      });
    }
    case 'uniqueItems':
      return doc.diagnostic({
        code: SchemaCode.Duplicate,
        path: [...path, String(p.i)],
        message: `${here} lists the same item twice (items ${Number(p.j) + 1} and ${Number(p.i) + 1})`,
        hint: 'remove the duplicate',
      });
    case 'dependencies':
    case 'dependentRequired':
      return doc.diagnostic({
        code: SchemaCode.MissingKey,
        path,
        part: 'key',
        message: `'${String(p.property)}' in ${here} also needs '${String(p.missingProperty)}'`,
        hint: `add '${String(p.missingProperty)}:'`,
      });
    case 'oneOfMany':
      return doc.diagnostic({ code: SchemaCode.Other, path, message: `${here} matches more than one variant`, ...hintOpt(describeHint()) });
    default:
      if (e.propertyName !== undefined) return nameFinding(e, path, doc, index);
      return doc.diagnostic({ code: SchemaCode.Other, path, message: `${here} ${e.message ?? 'is invalid'}`, ...hintOpt(describeHint()) });
  }
}

/** A map key (an entry name) that breaks `propertyNames`: points at the key itself. */
function nameFinding(e: AjvError, path: string[], doc: SpecDocument, index: SchemaIndex): Diagnostic {
  const key = e.propertyName!;
  const rule = index.at(doc.data, path).propertyNames();
  const why =
    e.keyword === 'maxLength' ? `longer than ${String(e.params.limit)} characters` : e.keyword === 'minLength' ? 'too short' : 'not a valid name';
  return doc.diagnostic({
    code: SchemaCode.BadName,
    path: [...path, key],
    part: 'key',
    message: `name '${key}' in ${label(path)} is ${why}`,
    hint: rule ?? 'use letters, digits, - and _',
  });
}

const isScalar = (v: unknown) => v === null || typeof v !== 'object';
const hintOpt = (h: string | undefined) => (h ? { hint: h } : {});
