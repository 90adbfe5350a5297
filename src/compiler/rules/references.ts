/** ARA201: every reference names a declared entry (spec or blueprint), with "did you mean". */
import type { SpecPath } from '../document.js';
import { didYouMean } from '../../util/suggest.js';
import { type Dict, type Rule, type SpecView, dict, entries, isDict, list, listNames, namesOf, str } from './spec-view.js';

type Kind = 'layer' | 'database' | 'crawler' | 'job' | 'stream' | 'sink' | 'delivery stream' | 'workgroup' | 'warehouse';

const SECTION: Record<Kind, string> = {
  layer: 'storage.layers',
  database: 'catalog.databases',
  crawler: 'crawlers',
  job: 'jobs',
  stream: 'streams',
  sink: 'sinks',
  'delivery stream': 'deliveryStreams',
  workgroup: 'athena.workgroups',
  warehouse: 'warehouse.name',
};

/** The name a warehouse is referred to by: its `name`, else its database. */
export function warehouseName(w: unknown): string | undefined {
  return str(dict(w).name) ?? str(dict(w).database);
}

function declared(view: SpecView): Record<Kind, string[]> {
  const wh = warehouseName(view.data.warehouse);
  return {
    layer: namesOf(view, 'storage', 'layers'),
    database: namesOf(view, 'catalog', 'databases'),
    crawler: namesOf(view, 'crawlers'),
    job: namesOf(view, 'jobs'),
    stream: namesOf(view, 'streams'),
    sink: namesOf(view, 'sinks'),
    'delivery stream': namesOf(view, 'deliveryStreams'),
    workgroup: namesOf(view, 'athena', 'workgroups'),
    warehouse: wh ? [wh] : [],
  };
}

/** Every reference of the spec: who refers (for the message), to what kind, and where. */
export function* references(data: Dict): Generator<{ owner: string; kind: Kind; name: unknown; path: SpecPath }> {
  for (const [n, db] of entries(dict(data.catalog).databases)) yield { owner: `database '${n}'`, kind: 'layer', name: db.layer, path: ['catalog', 'databases', n, 'layer'] };
  for (const [n, r] of entries(data.replayers)) {
    const t = dict(r.target);
    if (t.sink !== undefined) yield { owner: `replayer '${n}'`, kind: 'sink', name: t.sink, path: ['replayers', n, 'target', 'sink'] };
    if (t.layer !== undefined) yield { owner: `replayer '${n}'`, kind: 'layer', name: t.layer, path: ['replayers', n, 'target', 'layer'] };
  }
  for (const [n, c] of entries(data.crawlers)) {
    yield { owner: `crawler '${n}'`, kind: 'database', name: c.database, path: ['crawlers', n, 'database'] };
    for (const [i, t] of list(c.targets).entries()) yield { owner: `crawler '${n}'`, kind: 'layer', name: dict(t).layer, path: ['crawlers', n, 'targets', i, 'layer'] };
  }
  for (const [n, j] of entries(data.jobs)) {
    yield { owner: `job '${n}'`, kind: 'database', name: dict(j.source).database, path: ['jobs', n, 'source', 'database'] };
    yield { owner: `job '${n}'`, kind: 'layer', name: dict(j.target).layer, path: ['jobs', n, 'target', 'layer'] };
    yield { owner: `job '${n}'`, kind: 'database', name: dict(j.target).database, path: ['jobs', n, 'target', 'database'] };
  }
  for (const [n, t] of entries(data.triggers)) {
    for (const [i, a] of list(t.actions).entries()) yield* targetRefs(`trigger '${n}'`, a, ['triggers', n, 'actions', i]);
    const when = dict(t.when);
    for (const key of ['all', 'any'] as const) {
      for (const [i, c] of list(when[key]).entries()) yield* targetRefs(`trigger '${n}'`, c, ['triggers', n, 'when', key, i]);
    }
    yield* targetRefs(`trigger '${n}'`, when, ['triggers', n, 'when']);
  }
  for (const [n, s] of entries(data.sinks)) {
    if (s.type === 'kinesis') yield { owner: `sink '${n}'`, kind: 'stream', name: s.stream, path: ['sinks', n, 'stream'] };
    if (s.type === 'firehose') yield { owner: `sink '${n}'`, kind: 'delivery stream', name: s.deliveryStream, path: ['sinks', n, 'deliveryStream'] };
    if (isDict(s.source)) yield { owner: `sink '${n}' (source)`, kind: 'stream', name: s.source.stream, path: ['sinks', n, 'source', 'stream'] };
  }
  for (const [n, d] of entries(data.deliveryStreams)) {
    const src = dict(d.source);
    if (src.stream !== undefined) yield { owner: `delivery stream '${n}'`, kind: 'stream', name: src.stream, path: ['deliveryStreams', n, 'source', 'stream'] };
    yield { owner: `delivery stream '${n}'`, kind: 'layer', name: dict(d.target).layer, path: ['deliveryStreams', n, 'target', 'layer'] };
    if (isDict(d.table)) yield { owner: `delivery stream '${n}'`, kind: 'database', name: d.table.database, path: ['deliveryStreams', n, 'table', 'database'] };
  }
  const spectrum = dict(dict(data.warehouse).spectrum);
  for (const [i, db] of list(spectrum.databases).entries()) yield { owner: 'the warehouse', kind: 'database', name: db, path: ['warehouse', 'spectrum', 'databases', i] };
  for (const [n, d] of entries(data.dashboards)) {
    const src = dict(d.source);
    if (src.warehouse !== undefined) yield { owner: `dashboard '${n}'`, kind: 'warehouse', name: src.warehouse, path: ['dashboards', n, 'source', 'warehouse'] };
    if (src.workgroup !== undefined) yield { owner: `dashboard '${n}'`, kind: 'workgroup', name: src.workgroup, path: ['dashboards', n, 'source', 'workgroup'] };
  }
}

function* targetRefs(owner: string, v: unknown, path: SpecPath): Generator<{ owner: string; kind: Kind; name: unknown; path: SpecPath }> {
  const t = dict(v);
  if (t.crawler !== undefined) yield { owner, kind: 'crawler', name: t.crawler, path: [...path, 'crawler'] };
  if (t.job !== undefined) yield { owner, kind: 'job', name: t.job, path: [...path, 'job'] };
}

export const referenceRule: Rule = {
  name: 'references',
  codes: ['ARA201'],
  check(view) {
    const names = declared(view);
    // Several references to the same missing name have one cause (the entry was renamed or never
    // declared): one finding at the first reference, the others listed by line.
    const missing = new Map<string, { owner: string; kind: Kind; name: string; path: SpecPath }[]>();
    for (const ref of references(view.data)) {
      if (typeof ref.name !== 'string') continue; // the schema reports wrong types
      if (view.isDoubtful(SECTION[ref.kind].split('.'))) continue; // `sinkz:` or `streams:` (empty) is the finding
      if (ref.kind === 'warehouse' && view.isDoubtful(['warehouse', 'database'])) continue; // its name defaults to the database
      if (names[ref.kind].includes(ref.name)) continue;
      const id = `${ref.kind}\0${ref.name}`;
      missing.set(id, [...(missing.get(id) ?? []), { ...ref, name: ref.name }]);
    }
    for (const [ref, ...others] of missing.values()) {
      if (!ref) continue;
      const known = names[ref.kind];
      const dym = didYouMean(ref.name, known);
      const also = others.length
        ? ` (also referred to by ${others.map((o) => `${o.owner} at line ${view.doc.locate(view.origin(o.path)).start.line}`).join(', ')})`
        : '';
      view.report({
        code: 'ARA201',
        message:
          ref.kind === 'warehouse'
            ? `${ref.owner} refers to warehouse '${ref.name}', but ${known.length ? `the warehouse is named '${known[0]}'` : 'the spec declares no warehouse'}${also}`
            : `${ref.owner} refers to ${ref.kind} '${ref.name}', which is not declared in '${SECTION[ref.kind]}'${also}`,
        path: ref.path,
        hint: dym
          ? `${dym} (${listNames(known)})`
          : ref.kind === 'warehouse'
            ? "declare 'warehouse:' (its 'name' defaults to its 'database') or refer to its name"
            : `declare it under '${SECTION[ref.kind]}' or use a declared name (${listNames(known)})`,
      });
    }
  },
};
