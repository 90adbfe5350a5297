/**
 * Where each value of an environment's effective spec comes from: the spec file (with its line), the
 * environment's overlay (`overrides`, `tags`, `removalPolicy`), the blueprint's `spec:`, or the
 * blueprint's per-entry `defaults:`. For `ara-gen print --origins`.
 */
import { Document, isMap, isScalar, isSeq, type Node } from 'yaml';
import type { SpecDocument, SpecPath } from './document.js';
import { MAP_SECTIONS, SpecView, dict, isDict, type Dict } from './rules/spec-view.js';

/** The blueprint `defaults:` kind of the entries of each map section (sinks add `sink.<type>`). */
const DEFAULTS_KIND: Readonly<Record<string, string>> = {
  'storage.layers': 'layer',
  'catalog.databases': 'database',
  'athena.workgroups': 'workgroup',
  replayers: 'replayer',
  crawlers: 'crawler',
  jobs: 'job',
  triggers: 'trigger',
  streams: 'stream',
  sinks: 'sink',
  deliveryStreams: 'deliveryStream',
};

/** The effective spec of `env` as YAML, every value followed by a comment naming where it comes from. */
export function explainOrigins(doc: SpecDocument, env: string): string {
  const view = new SpecView(doc, env, []);
  const data = structuredClone(view.data) as Dict;
  const origins = new Map<string, string>();
  const key = (path: SpecPath) => JSON.stringify(path);
  const blueprintFile = `platforms/${view.blueprint.name}/blueprint.yaml`;
  const line = (path: SpecPath) => doc.locate(path, 'value').start.line;
  const label = (path: SpecPath): string => {
    const from = view.origin(path);
    if (from[0] === 'environments' && from[1] === env) return `environment '${env}', line ${line(from)}`;
    if (view.isUserSet(path)) return `spec, line ${line(path)}`;
    return `blueprint spec (${blueprintFile})`;
  };
  const walk = (v: unknown, path: SpecPath) => {
    if (isDict(v)) for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
    else origins.set(key(path), label(path));
  };
  walk(data, []);
  // Per-entry defaults: what the blueprint fills into each declared entry.
  for (const section of MAP_SECTIONS) {
    const kind = DEFAULTS_KIND[section.join('.')];
    if (!kind) continue;
    let entries: unknown = data;
    for (const k of section) entries = dict(entries)[k];
    for (const [name, entry] of Object.entries(dict(entries))) {
      if (!isDict(entry)) continue;
      const kinds = kind === 'sink' ? ['sink', `sink.${String(entry.type ?? 'kinesis')}`] : kind === 'trigger' && entry.when !== undefined ? ['trigger', 'conditionalTrigger'] : [kind];
      for (const k of kinds) fill(entry, dict(view.defaults(k)), [...section, name], `blueprint defaults.${k} (${blueprintFile})`, origins, key);
    }
  }
  const out = new Document(data);
  annotate(out.contents, [], origins, key);
  return out.toString({ lineWidth: 0 });
}

/** Adds the defaults an entry leaves out (nested maps field by field; kind-specific maps such as `kinesis:` skipped). */
function fill(entry: Dict, defaults: Dict, path: SpecPath, origin: string, origins: Map<string, string>, key: (p: SpecPath) => string): void {
  for (const [k, v] of Object.entries(defaults)) {
    if (k === 'kinesis' || k === 'firehose' || k === 'dynamodb' || k === 'file' || /^cloudwatch|^redis/.test(k)) continue;
    if (isDict(v)) {
      if (entry[k] !== undefined && !isDict(entry[k])) continue;
      const inner = isDict(entry[k]) ? (entry[k] as Dict) : {};
      const before = Object.keys(inner).length;
      fill(inner, v, [...path, k], origin, origins, key);
      if (entry[k] === undefined && Object.keys(inner).length > before) entry[k] = inner;
    } else if (entry[k] === undefined) {
      entry[k] = v;
      origins.set(key([...path, k]), origin);
    }
  }
}

function annotate(node: Node | null, path: SpecPath, origins: Map<string, string>, key: (p: SpecPath) => string): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const value = pair.value as Node | null;
      const origin = origins.get(key([...path, k]));
      if (origin && (isScalar(value) || isSeq(value))) {
        if (isSeq(value)) value.flow = true;
        (value as { comment?: string }).comment = ` ${origin}`;
      } else annotate(value, [...path, k], origins, key);
    }
  }
}
