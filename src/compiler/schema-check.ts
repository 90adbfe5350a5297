/**
 * Structural check against schema/platform.schema.json with the validator precompiled by
 * scripts/build.js (no schema compilation at start-up), and the mapping of ajv's raw errors to
 * positioned findings (ARA110-ARA119): one finding per root cause, composition noise pruned.
 * The schema JSON itself (for key candidates, descriptions, examples) is read only when there are
 * errors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaDir } from '../paths.js';
import { KNOWN_REGIONS } from './aws-regions.js';
import { type CompiledSchemaError, loadCompiledValidator } from '../util/compiled-validator.js';
import { closest, didYouMean } from '../util/suggest.js';
import type { Diagnostic } from './diagnostics.js';
import { type SpecDocument, type SpecPath, toPointer } from './document.js';
import { childPointer, parsePointer } from '../util/json-pointer.js';
import { type JsonSchema, SchemaIndex, SchemaInfo, type VariantConflict, variantConflict } from './schema-index.js';
import { DURATION_PATTERN, SIZE_PATTERN, parseDuration, parseSize } from './units.js';

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
export type AjvError = CompiledSchemaError;

const indexes = new Map<string, SchemaIndex>();

function schemaIndex(name: string): SchemaIndex {
  let idx = indexes.get(name);
  if (!idx) {
    idx = new SchemaIndex(JSON.parse(readFileSync(join(schemaDir, `${name}.schema.json`), 'utf8')) as JsonSchema);
    indexes.set(name, idx);
  }
  return idx;
}

export interface SchemaCheck {
  readonly diagnostics: Diagnostic[];
  /**
   * JSON pointers of places whose content is unknown because of a finding: where a misspelt key was
   * meant to be (`sinkz` → `/sinks`), and sections whose header line seems to be missing. The
   * semantic rules do not report what is missing there (findings.ts, rule 6).
   */
  readonly doubtful: string[];
}

/** Validates the document's data against `schema/<name>.schema.json`; findings in source order. */
export function checkSchemaDetailed(doc: SpecDocument, name = 'platform'): SchemaCheck {
  const validate = loadCompiledValidator(name);
  if (validate(doc.data)) return { diagnostics: [], doubtful: [] };
  const index = schemaIndex(name);
  const doubtful: string[] = [];
  const dedented = dedentedBlocks([...(validate.errors ?? [])], doc, index);
  const misplaced = [...dedented, ...misplacedEntries([...(validate.errors ?? [])], doc, index).filter((m) => !dedented.some((d) => d.section === m.section))];
  const pruned = pruneErrors([...(validate.errors ?? [])]).filter((e) => !misplaced.some((m) => m.covers(e)));
  // A typo of the key that selects another variant (`whenx:` in a conditional trigger): the keys the
  // selected variant misses (`schedule`) are a consequence.
  const switches = new Set(
    pruned
      .filter((e) => e.keyword === 'additionalProperties')
      .filter((e) => {
        const info = index.at(doc.data, parsePointer(e.instancePath));
        const meant = closest(String(e.params.additionalProperty), info.allProperties());
        return meant !== undefined && !info.properties().includes(meant);
      })
      .map((e) => e.instancePath),
  );
  const errors = pruned.filter((e) => !((e.keyword === 'required' || e.keyword === 'requiredOneOf') && switches.has(e.instancePath)));
  const out: Diagnostic[] = [];
  for (const m of misplaced) {
    out.push(m.diagnostic);
    doubtful.push(m.section);
  }
  const conflicts = new Map<string, { conflict: VariantConflict; keys: string[]; path: string[] }>();
  const presences = new Map<string, { conflict: VariantConflict; keys: string[]; path: string[] }>();
  for (const e of errors) {
    if (e.keyword === 'additionalProperties') {
      const meant = closest(String(e.params.additionalProperty), index.at(doc.data, parsePointer(e.instancePath)).allProperties());
      if (meant !== undefined) doubtful.push(childPointer(e.instancePath, meant));
      // Keys of another variant than the one selected (a firehose sink with kinesis keys): one
      // finding per object and variant, at the discriminator.
      const path = parsePointer(e.instancePath);
      const key = String(e.params.additionalProperty);
      const conflict = variantConflict(index, index.at(doc.data, path), valueAt(doc.data, path), key);
      const disc = conflict?.active.discriminator;
      if (conflict && disc && conflict.owner.discriminator?.key === disc.key) {
        const id = `${e.instancePath}|${String(conflict.owner.discriminator.value)}`;
        const group = conflicts.get(id);
        if (group) group.keys.push(key);
        else conflicts.set(id, { conflict, keys: [key], path });
        continue;
      }
      if (conflict?.active.presence) {
        // `{ layer, prefix, sink }`: one finding for the keys that exclude `sink`, at the first.
        const id = `${e.instancePath}|${conflict.active.presence}`;
        const group = presences.get(id);
        if (group) group.keys.push(key);
        else presences.set(id, { conflict, keys: [key], path });
        continue;
      }
    }
    // Several raw errors can describe as the same finding: the collector keeps it once (findings.ts, rule 1).
    out.push(describe(e, doc, index));
  }
  for (const { conflict, keys, path } of conflicts.values()) out.push(variantFinding(doc, path, conflict, keys));
  for (const { conflict, keys, path } of presences.values()) {
    const presence = conflict.active.presence!;
    out.push({
      ...doc.diagnostic({
        code: SchemaCode.UnknownKey,
        path: [...path, keys[0]!],
        part: 'key',
        message: `${quoteList(keys)} cannot be combined with '${presence}' in ${label(path)}`,
        hint: conflict.description ?? `remove ${quoteList(keys)} or '${presence}'`,
      }),
      // The object is ambiguous: rule findings inside it are consequences (findings.ts, rule 4).
      path: toPointer(path),
    });
  }
  return { diagnostics: out.sort((a, b) => a.start.line - b.start.line || a.start.col - b.start.col), doubtful };
}

/** The sibling key of `path`'s last key (same parent) whose object declares every one of `keys`. */
function siblingOwner(index: SchemaIndex, data: unknown, path: readonly string[], keys: readonly string[]): string | undefined {
  const parent = path.slice(0, -1);
  const own = path[path.length - 1]!;
  for (const sibling of index.at(data, parent).properties()) {
    if (sibling === own) continue;
    const info = index.at(data, [...parent, sibling]);
    // Evaluate the sibling's variants against the stray keys (`strategy: aimd` selects AIMD's keys).
    const stray = Object.fromEntries(keys.map((k) => [k, valueAt(data, [...path, k])]));
    const declared = new SchemaInfo(index, info.nodes.flatMap((n) => index.expand(n, stray))).allProperties();
    if (declared.length && keys.every((k) => declared.includes(k))) return sibling;
  }
  return undefined;
}

interface Misplaced {
  readonly diagnostic: Diagnostic;
  /** Pointer of the section the entry belongs to (`/jobs`). */
  readonly section: string;
  covers(e: AjvError): boolean;
}

/**
 * A block written at the column of the key it belongs under (`web-sale:` then `shards: 2` at the
 * same column): YAML reads the key as empty and its fields as its siblings, which gives one
 * finding per field ("must be a mapping", "unknown key"), none about the cause. One finding
 * instead, saying it is the indentation, when the keys after an empty key are all fields of it and
 * are rejected where they stand.
 */
function dedentedBlocks(errors: readonly AjvError[], doc: SpecDocument, index: SchemaIndex): Misplaced[] {
  const out: Misplaced[] = [];
  const under = (pointer: string) => (e: AjvError) => e.instancePath === pointer || e.instancePath.startsWith(pointer + '/');
  for (const e of errors) {
    if (e.keyword !== 'type' || !String(e.params.type).split(',').includes('object')) continue;
    const path = parsePointer(e.instancePath);
    if (!path.length || valueAt(doc.data, path) !== null) continue;
    const parentPath = path.slice(0, -1);
    const parent = valueAt(doc.data, parentPath);
    if (!isRecord(parent)) continue;
    const own = path[path.length - 1]!;
    const parentPointer = toPointer(parentPath);
    const fields = index.at(doc.data, path).allProperties();
    const rejectedHere = (k: string) =>
      errors.some((x) => (x.instancePath === parentPointer && (x.params.additionalProperty === k || x.propertyName === k)) || under(toPointer([...parentPath, k]))(x));
    const keys = Object.keys(parent);
    const run: string[] = [];
    for (const k of keys.slice(keys.indexOf(own) + 1)) {
      if (!fields.includes(k) || !rejectedHere(k)) break;
      run.push(k);
    }
    if (!run.length) continue;
    const column = doc.locate(path, 'key').start.col;
    if (doc.locate([...parentPath, run[0]!], 'key').start.col !== column) continue;
    const quoted = run.map((k) => `'${k}'`).join(', ');
    const lines = run.length === 1 ? 'that line' : 'those lines';
    out.push({
      section: e.instancePath,
      covers: (x) => x === e || run.some((k) => (x.instancePath === parentPointer && (x.params.additionalProperty === k || x.propertyName === k)) || under(toPointer([...parentPath, k]))(x)),
      diagnostic: {
        ...doc.diagnostic({
          code: SchemaCode.UnknownKey,
          path: [...parentPath, run[0]!],
          part: 'key',
          message: `wrong indentation: ${quoted} ${run.length === 1 ? 'is a key' : 'are keys'} of '${own}' but ${run.length === 1 ? 'starts' : 'start'} at its column, so '${own}' is empty`,
          hint: `indent ${lines} further than '${own}:' (e.g. 2 more spaces), so that ${run.length === 1 ? 'it belongs' : 'they belong'} to it`,
        }),
        // The block's content is unknown until it is indented: findings of the rules inside the parent are consequences.
        path: parentPointer,
      },
    });
  }
  return out;
}

/**
 * Entries that landed in the wrong section because a section's header line is missing (delete
 * `jobs:` and the jobs become crawlers): every key they have that the section rejects is a key of
 * another section's entries. One finding per entry instead of one per key and per missing key.
 */
function misplacedEntries(errors: readonly AjvError[], doc: SpecDocument, index: SchemaIndex): Misplaced[] {
  const unknown = new Map<string, string[]>();
  for (const e of errors) {
    const depth = parsePointer(e.instancePath).length;
    if (e.keyword !== 'additionalProperties' || depth < 1) continue;
    unknown.set(e.instancePath, [...(unknown.get(e.instancePath) ?? []), String(e.params.additionalProperty)]);
  }
  const sections = index.at(doc.data, []).properties();
  /** Keys of an entry of map section `t` (for this entry's value, so the right variant counts). */
  const entryKeys = (t: string, value: unknown) => index.at({ [t]: { x: value } }, [t, 'x']).properties();
  const out: Misplaced[] = [];
  const add = (section: string, keys: string[], owner: string, path: string[], message: string, covers: (e: AjvError) => boolean) => {
    out.push({
      section: toPointer([owner]),
      covers,
      diagnostic: {
        ...doc.diagnostic({ code: SchemaCode.UnknownKey, path, part: 'key', message, hint: `is the '${owner}:' line above ${keys.length === 1 && path.length === 2 ? 'it' : 'them'} missing, or the indentation wrong?` }),
        path: toPointer(path.slice(0, -1)),
      },
    });
  };
  const quote = (keys: readonly string[]) => keys.map((k) => `'${k}'`).join(', ');
  const data = isRecord(doc.data) ? doc.data : {};
  const under = (pointer: string) => (e: AjvError) => e.instancePath === pointer || e.instancePath.startsWith(pointer + '/');
  const claimed = new Set<string>();
  for (const section of sections) {
    // A section whose "entry names" are the fields of one entry (`web-sale-to-raw:` deleted: its
    // source, target, format... read as delivery streams) or of another section (`warehouse:`
    // deleted: engine, database... read as delivery streams).
    const value = data[section];
    const pointer = toPointer([section]);
    if (!isRecord(value) || !errors.some(under(pointer))) continue;
    // The "entries" the schema rejects; valid entries before them stay what they are.
    const names = Object.keys(value).filter((n) => errors.some(under(childPointer(pointer, n))) || errors.some((e) => e.instancePath === pointer && e.propertyName === n));
    const ownFields = entryKeys(section, value);
    if (names.length < 2 || !ownFields.length) continue;
    const coversNames = (e: AjvError) => names.some((n) => under(childPointer(pointer, n))(e)) || (e.instancePath === pointer && e.keyword === 'required');
    if (names.every((n) => ownFields.includes(n))) {
      for (const n of names) claimed.add(`${pointer}/${n}`);
      out.push({
        section: pointer,
        covers: coversNames,
        diagnostic: {
          ...doc.diagnostic({
            code: SchemaCode.UnknownKey,
            path: [section, names[0]!],
            part: 'key',
            message: `the entries of '${section}' (${quote(names)}) are the fields of one entry`,
            hint: `is the line with the entry's name (e.g. '  my-entry:') missing above ${quote(names.slice(0, 1))}, or the indentation wrong?`,
          }),
          path: pointer,
        },
      });
      continue;
    }
    const stray = Object.fromEntries(names.map((n) => [n, value[n]]));
    const owner = sections.find((t) => t !== section && names.every((n) => index.at({ [t]: stray }, [t]).allProperties().includes(n)));
    if (owner) {
      for (const n of names) claimed.add(`${pointer}/${n}`);
      add(section, names, owner, [section, names[0]!], `${quote(names)} in '${section}' are keys of '${owner}'`, coversNames);
    }
  }
  for (const [pointer, keys] of unknown) {
    if ([...claimed].some((c) => pointer === c || pointer.startsWith(c + '/'))) continue;
    const path = parsePointer(pointer);
    // Keys of a sibling object: `rateLimiting:` deleted, its keys land in the bufferingHints above.
    const sibling = path.length >= 2 && keys.length >= 2 ? siblingOwner(index, doc.data, path, keys) : undefined;
    if (sibling) {
      add(path[path.length - 1]!, keys, sibling, [...path, keys[0]!], `${quote(keys)} ${keys.length === 1 ? 'is a key' : 'are keys'} of '${sibling}', not of '${path[path.length - 1]}' (in ${label(path.slice(0, -1))})`, (e) => e.instancePath === pointer && keys.includes(String(e.params.additionalProperty)));
      out[out.length - 1] = { ...out[out.length - 1]!, section: toPointer([...path.slice(0, -1), sibling]) };
      continue;
    }
    if (path.length === 2) {
      // An entry whose keys belong to another section's entries: `jobs:` deleted, jobs read as crawlers.
      if (keys.length < 2) continue;
      const [section, entry] = path as [string, string];
      const value = valueAt(doc.data, path);
      const owner = sections.find((t) => t !== section && keys.every((k) => entryKeys(t, value).includes(k)));
      if (!owner) continue;
      add(section, keys, owner, [section, entry], `${section}.${entry} has keys of an entry of '${owner}' (${quote(keys)}), not of '${section}'`, (e) => e.instancePath === pointer || e.instancePath.startsWith(pointer + '/'));
      continue;
    }
    if (path.length !== 1) continue;
    // Keys inside a section that belong to another one: `catalog:` deleted (`databases` lands in
    // storage), or `replayers:` deleted (the replayers land in athena).
    const section = path[0]!;
    const groups = new Map<string, string[]>();
    for (const k of keys) {
      const value = valueAt(doc.data, [section, k]);
      const owner =
        sections.find((t) => t !== section && index.at({ [t]: {} }, [t]).properties().includes(k)) ??
        sections.find((t) => t !== section && value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0 && Object.keys(value).every((vk) => entryKeys(t, value).includes(vk)));
      if (owner) groups.set(owner, [...(groups.get(owner) ?? []), k]);
    }
    for (const [owner, ks] of groups) {
      const isKey = index.at({ [owner]: {} }, [owner]).properties().includes(ks[0]!);
      const message = isKey
        ? `${quote(ks)} ${ks.length === 1 ? 'is a key' : 'are keys'} of '${owner}', not of '${section}'`
        : `${quote(ks)} in '${section}' ${ks.length === 1 ? 'looks like an entry' : 'look like entries'} of '${owner}'`;
      add(section, ks, owner, [section, ks[0]!], message, (e) => (e.instancePath === pointer && ks.includes(String(e.params.additionalProperty))) || ks.some((k) => e.instancePath.startsWith(`${pointer}/${k}`)));
    }
  }
  return out;
}

/** "sinks.x has type 'firehose', but 'stream', 'partitionKey' are keys of type 'kinesis'", at the discriminator's value. */
/** `'a'`, `'a' and 'b'`, `'a', 'b' and 'c'`. */
function quoteList(keys: readonly string[]): string {
  const quoted = keys.map((k) => `'${k}'`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}` : quoted[0]!;
}

function variantFinding(doc: SpecDocument, path: string[], conflict: VariantConflict, keys: string[]): Diagnostic {
  const disc = conflict.active.discriminator!;
  const owner = conflict.owner.discriminator!;
  const list = quoteList(keys);
  const d = doc.diagnostic({
    code: SchemaCode.UnknownKey,
    path: [...path, disc.key],
    message: `${label(path)} has ${disc.key} ${show(disc.value)}, but ${list} ${keys.length === 1 ? 'is a key' : 'are keys'} of ${disc.key} ${show(owner.value)}`,
    hint: `set '${disc.key}: ${String(owner.value)}', or remove ${list} (keys of ${disc.key} ${show(disc.value)}: ${conflict.active.keys.join(', ')})`,
  });
  // The whole object is in doubt: rule findings inside it are consequences (findings.ts, rule 4).
  return { ...d, path: toPointer(path) };
}

/**
 * Removes composition noise: `if` failures (the `then` branch's own errors are reported),
 * `propertyNames` wrappers (the inner error names the key), and for anyOf/oneOf keeps only the
 * errors of the branch(es) whose type matched the value; when no branch's type matched, one
 * merged type error. ajv emits a composite's branch errors right before the composite error.
 */
export function pruneErrors(errors: AjvError[]): AjvError[] {
  return dropConsequences(pruneComposites(errors));
}

/**
 * Errors that another error at the same place explains: a required key reported missing while an
 * unknown key is its typo (`crawlr` for `crawler`: the unknown key is the finding), "too many
 * keys" when an unknown key is the extra one, "not one of the allowed values" beside a type error.
 */
function dropConsequences(list: AjvError[]): AjvError[] {
  const unknown = new Map<string, string[]>();
  for (const e of list) if (e.keyword === 'additionalProperties') unknown.set(e.instancePath, [...(unknown.get(e.instancePath) ?? []), String(e.params.additionalProperty)]);
  const wrongType = new Set(list.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  return list.filter((e) => {
    // A list where a string enum belongs: the type finding says it; "must be one of" adds nothing.
    if ((e.keyword === 'enum' || e.keyword === 'const') && wrongType.has(e.instancePath)) return false;
    const extra = unknown.get(e.instancePath);
    if (!extra) return true;
    if (e.keyword === 'maxProperties') return false;
    const missing = e.keyword === 'required' ? [String(e.params.missingProperty)] : e.keyword === 'requiredOneOf' ? (e.params.keys as string[]) : [];
    return !missing.length || !extra.some((k) => closest(k, missing) !== undefined);
  });
}

function pruneComposites(errors: AjvError[]): AjvError[] {
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
    if (c.keyword === 'anyOf' && block.length && block.every((e) => e.keyword === 'required' && e.instancePath === c.instancePath)) {
      // `anyOf: [{ required: [a] }, { required: [b] }]`: one finding "needs a or b".
      list.splice(j, k - j + 1, { ...c, keyword: 'requiredOneOf', params: { keys: block.map((e) => String(e.params.missingProperty)) } });
      k = j;
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

export { parsePointer };

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

/** A value as the user wrote it; YAML's special numbers as YAML spells them. */
const show = (v: unknown) => {
  if (typeof v === 'string') return v.length > 100 ? `'${v.slice(0, 60)}…' (${v.length} characters)` : `'${v}'`;
  if (typeof v === 'number' && Number.isNaN(v)) return '.nan (not a number)';
  if (typeof v === 'number' && !Number.isFinite(v)) return `${v < 0 ? '-' : ''}.inf (infinity)`;
  return JSON.stringify(v);
};

/**
 * A hint says what to do; the field's description, when there is one, follows in parentheses as
 * context. A hint is never the bare description (that only restates what the field is).
 */
function actionHint(action: string, description: string | undefined): string {
  const d = description?.replace(/\.$/, '');
  return d ? `${action} (${d})` : action;
}

/** Known vocabularies of pattern-checked fields, for "did you mean" on a value of the right shape. */
function vocabularyOf(path: readonly string[]): readonly string[] {
  if (path.length === 3 && path[0] === 'environments' && path[2] === 'region') return KNOWN_REGIONS;
  return [];
}

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
  const last = path[path.length - 1];
  const name = last === undefined ? 'the document' : /^\d+$/.test(last) ? here : `'${last}'`;
  const info = () => index.at(doc.data, path);
  const describeHint = () => info().hint();
  const p = e.params;

  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const allowed = info().properties();
      const dym = didYouMean(key, info().allProperties());
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
      const expected = types.map(article).join(' or ');
      if (value === null) {
        // `streams:` with nothing under it: YAML reads an empty value as null.
        return doc.diagnostic({
          code: SchemaCode.WrongType,
          path,
          part: 'key',
          message: `${name} is empty, but must be ${expected}`,
          hint: `write ${types.includes('mapping') ? 'its entries under it (or {})' : 'a value after the colon'}, or remove the key${describeHint() ? ` (${describeHint()!.replace(/\.$/, '')})` : ''}`,
        });
      }
      const example = info().examples().find((x) => types.includes(typeName(jsonType(x))) || (types.includes('number') && typeof x === 'number'));
      return doc.diagnostic({
        code: SchemaCode.WrongType,
        path,
        message: `${name} must be ${expected}, got ${typeof value === 'number' && !Number.isFinite(value) ? show(value) : `${article(jsonType(value))}${isScalar(value) ? ` (${show(value)})` : ''}`}`,
        hint: actionHint(`write ${expected}${example !== undefined ? `, e.g. ${show(example)}` : ''}`, describeHint()),
      });
    }
    case 'enum':
    case 'const': {
      const allowed = (e.keyword === 'enum' ? (p.allowedValues as unknown[]) : [p.allowedValue]) ?? [];
      // `version: "1"`: the right value written as text (or the other way round).
      const quoted = allowed.find((a) => typeof a !== typeof value && String(a) === String(value));
      if (quoted !== undefined) {
        return doc.diagnostic({
          code: SchemaCode.NotAllowed,
          path,
          message: `${name} must be the ${typeof quoted === 'string' ? 'text' : typeof quoted} ${show(quoted)}, not ${article(jsonType(value))} (${show(value)})`,
          hint: typeof quoted === 'string' ? `quote it: "${String(quoted)}"` : `remove the quotes: ${String(quoted)}`,
        });
      }
      // One-letter values (`S`, `N`) are all one edit apart: suggest only a different case ('s' → 'S').
      const candidates = allowed.filter((a): a is string => typeof a === 'string' && (a.length > 1 || a.toLowerCase() === String(value).toLowerCase()));
      const dym = typeof value === 'string' ? didYouMean(value, candidates) : '';
      return doc.diagnostic({
        code: SchemaCode.NotAllowed,
        path,
        message: `${name} must be ${allowed.length === 1 ? show(allowed[0]) : `one of ${allowed.map(show).join(', ')}`}; got ${show(value)}`,
        hint: dym || actionHint('use one of the values listed', describeHint()),
      });
    }
    case 'pattern':
    case 'format': {
      if (e.propertyName !== undefined) return nameFinding(e, path, doc, index);
      const ex = info().examples();
      const unit = unitProblem(String(p.pattern), value);
      const dym = typeof value === 'string' ? didYouMean(value, vocabularyOf(path)) : '';
      const shape = [describeHint()?.replace(/\.$/, ''), ex.length ? `e.g. ${ex.map(show).join(', ')}` : `expected to match ${e.keyword === 'pattern' ? String(p.pattern) : String(p.format)}`].filter(Boolean).join('; ');
      return doc.diagnostic({
        code: SchemaCode.BadFormat,
        path,
        message: unit ? `${name}: ${unit}` : value === '' ? `${name} is empty` : `${name} has an invalid format: ${show(value)}`,
        hint: dym ? `${dym} (${shape})` : shape,
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
        hint: actionHint(`use a value ${String(p.comparison)} ${String(p.limit)}`, describeHint()),
      });
    case 'minLength':
    case 'maxLength': {
      if (e.propertyName !== undefined) return nameFinding(e, path, doc, index);
      const min = e.keyword === 'minLength';
      return doc.diagnostic({
        code: SchemaCode.OutOfRange,
        path,
        message: `${name} must be ${min ? 'at least' : 'at most'} ${String(p.limit)} characters long; got ${typeof value === 'string' ? value.length : '?'}`,
        hint: actionHint(min ? `write at least ${String(p.limit)} characters` : `shorten it to ${String(p.limit)} characters or fewer`, describeHint()),
      });
    }
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
    case 'maxProperties': {
      const min = e.keyword.startsWith('min');
      const items = e.keyword.endsWith('Items');
      const limit = Number(p.limit);
      const what = items ? (limit === 1 ? 'item' : 'items') : limit === 1 ? 'key' : 'keys';
      const count = Array.isArray(value) ? value.length : value !== null && typeof value === 'object' ? Object.keys(value).length : 0;
      const got = !items && count ? ` (${Object.keys(value as object).map((k) => `'${k}'`).join(', ')})` : '';
      return doc.diagnostic({
        code: SchemaCode.OutOfRange,
        path,
        message: `${here} must have ${min ? 'at least' : 'at most'} ${limit} ${what}; it has ${count}${got}`,
        hint: actionHint(min ? `add ${what === 'item' || what === 'items' ? 'items' : 'keys'} to reach ${limit}` : `remove ${what === 'item' || what === 'items' ? 'items' : 'keys'} to keep ${limit}`, describeHint()),
      });
    }
    case 'uniqueItems':
      return doc.diagnostic({
        code: SchemaCode.Duplicate,
        path: [...path, String(p.i)],
        message: `${here} lists the same item twice (items ${Math.min(Number(p.i), Number(p.j)) + 1} and ${Math.max(Number(p.i), Number(p.j)) + 1})`,
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
    case 'not': {
      // `not: { required: [...] }`: keys that must not appear (together) here.
      const rule = info().nodes.map((n) => ({ n, not: index.resolve(n.not) })).find(({ not }) => not && Array.isArray(not.required) && index.matches(not, value));
      const keys = rule ? (rule.not!.required as string[]) : [];
      if (rule && keys.length) {
        const why = (typeof rule.not!.description === 'string' ? rule.not!.description : typeof rule.n.description === 'string' ? rule.n.description : '').replace(/`/g, "'");
        return {
          ...doc.diagnostic({
            code: SchemaCode.NotAllowed,
            path: [...path, keys[keys.length - 1]!],
            part: 'key',
            message: keys.length === 1 ? `'${keys[0]}' is not allowed in ${here}` : `${here} sets both ${keys.map((k) => `'${k}'`).join(' and ')}; use one`,
            ...hintOpt(why),
          }),
          path: e.instancePath,
        };
      }
      return doc.diagnostic({ code: SchemaCode.Other, path, message: `${here} has a combination of keys that is not allowed`, hint: actionHint('remove one of the keys', describeHint()) });
    }
    case 'requiredOneOf': {
      const keys = (p.keys as string[]).map((k) => `'${k}'`);
      return doc.diagnostic({
        code: SchemaCode.MissingKey,
        path,
        part: 'key',
        message: `${here} needs ${keys.length === 2 ? 'either' : 'one of'} ${keys.join(keys.length === 2 ? ' or ' : ', ')}`,
        hint: actionHint(`add ${keys.join(keys.length === 2 ? ' or ' : ', or ')}`, describeHint()),
      });
    }
    case 'oneOfMany':
      return doc.diagnostic({ code: SchemaCode.Other, path, message: `${here} matches more than one variant`, hint: actionHint('keep the keys of one variant only', describeHint()) });
    default:
      if (e.propertyName !== undefined) return nameFinding(e, path, doc, index);
      return doc.diagnostic({ code: SchemaCode.Other, path, message: `${here} ${e.message ?? 'is invalid'}`, hint: actionHint('correct the value', describeHint()) });
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
    hint: rule ? `rename it: ${lowerFirst(rule.replace(/^An entry name: /, ''))}` : 'rename it: use letters, digits, - and _',
  });
}

/** For a size or duration string the pattern rejected: why, from the unit parser (which knows "did you mean 'MiB'?"). */
function unitProblem(pattern: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (pattern.includes('(cron|rate)')) {
    // A duration where a schedule expression belongs: `schedule: 5m`.
    const minutes = parseDuration(value, 'm');
    if (!minutes.ok || minutes.value < 1) return undefined;
    const [n, unit] = minutes.value % 1440 === 0 ? [minutes.value / 1440, 'day'] : minutes.value % 60 === 0 ? [minutes.value / 60, 'hour'] : [minutes.value, 'minute'];
    return `'${value}' is a duration, not a schedule expression: did you mean 'rate(${n} ${unit}${n === 1 ? '' : 's'})'?`;
  }
  const r = pattern === SIZE_PATTERN ? parseSize(value) : pattern === DURATION_PATTERN ? parseDuration(value, 's') : undefined;
  return r && !r.ok ? r.error : undefined;
}

const isScalar = (v: unknown) => v === null || typeof v !== 'object';
const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const hintOpt = (h: string | undefined) => (h ? { hint: h } : {});
const lowerFirst = (t: string) => t.charAt(0).toLowerCase() + t.slice(1);
