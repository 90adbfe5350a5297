/** ARA201: every reference names a declared entry (spec or blueprint), with "did you mean". */
import type { SpecPath } from '../document.js';
import { didYouMean } from '../../util/suggest.js';
import { type PlatformSpec, type Rule, SpecNode, type SpecView, type TriggerTargetSpec, dict, listNames, str } from './spec-view.js';

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
  const spec = view.spec;
  const wh = warehouseName(spec.raw('warehouse'));
  return {
    layer: spec.node('storage').keys('layers'),
    database: spec.node('catalog').keys('databases'),
    crawler: spec.keys('crawlers'),
    job: spec.keys('jobs'),
    stream: spec.keys('streams'),
    sink: spec.keys('sinks'),
    'delivery stream': spec.keys('deliveryStreams'),
    workgroup: spec.node('athena').keys('workgroups'),
    warehouse: wh ? [wh] : [],
  };
}

type Reference = { owner: string; kind: Kind; name: unknown; path: SpecPath };

/** The reference a node's field makes (its value of any type: the rule skips what is not a name). */
const ref = <T>(owner: string, kind: Kind, node: SpecNode<T>, key: keyof T & string): Reference => ({ owner, kind, name: node.raw(key), path: node.pathOf(key) });

/** Every reference of the spec: who refers (for the message), to what kind, and where. */
export function* references(spec: SpecNode<PlatformSpec>): Generator<Reference> {
  for (const [n, db] of spec.node('catalog').entries('databases')) yield ref(`database '${n}'`, 'layer', db, 'layer');
  for (const [n, r] of spec.entries('replayers')) {
    const t = r.node('target');
    if (t.raw('sink') !== undefined) yield ref(`replayer '${n}'`, 'sink', t, 'sink');
    if (t.raw('layer') !== undefined) yield ref(`replayer '${n}'`, 'layer', t, 'layer');
  }
  for (const [n, c] of spec.entries('crawlers')) {
    yield ref(`crawler '${n}'`, 'database', c, 'database');
    for (const t of c.items('targets')) yield ref(`crawler '${n}'`, 'layer', t, 'layer');
  }
  for (const [n, j] of spec.entries('jobs')) {
    yield ref(`job '${n}'`, 'database', j.node('source'), 'database');
    yield ref(`job '${n}'`, 'layer', j.node('target'), 'layer');
    yield ref(`job '${n}'`, 'database', j.node('target'), 'database');
  }
  for (const [n, t] of spec.entries('triggers')) {
    for (const a of t.items('actions')) yield* targetRefs(`trigger '${n}'`, a);
    const when = t.node('when');
    for (const key of ['all', 'any'] as const) {
      for (const c of when.items(key)) yield* targetRefs(`trigger '${n}'`, c);
    }
    yield* targetRefs(`trigger '${n}'`, when);
  }
  for (const [n, s] of spec.entries('sinks')) {
    const type = s.raw('type');
    if (type === 'kinesis') yield ref(`sink '${n}'`, 'stream', s, 'stream');
    if (type === 'firehose') yield ref(`sink '${n}'`, 'delivery stream', s, 'deliveryStream');
    if (s.node('source').isObject) yield ref(`sink '${n}' (source)`, 'stream', s.node('source'), 'stream');
  }
  for (const [n, d] of spec.entries('deliveryStreams')) {
    const src = d.node('source');
    if (src.raw('stream') !== undefined) yield ref(`delivery stream '${n}'`, 'stream', src, 'stream');
    yield ref(`delivery stream '${n}'`, 'layer', d.node('target'), 'layer');
    if (d.node('table').isObject) yield ref(`delivery stream '${n}'`, 'database', d.node('table'), 'database');
  }
  for (const db of spec.node('warehouse').node('spectrum').items('databases')) yield { owner: 'the warehouse', kind: 'database', name: db.value, path: db.path };
  for (const [n, d] of spec.entries('dashboards')) {
    const src = d.node('source');
    if (src.raw('warehouse') !== undefined) yield ref(`dashboard '${n}'`, 'warehouse', src, 'warehouse');
    if (src.raw('workgroup') !== undefined) yield ref(`dashboard '${n}'`, 'workgroup', src, 'workgroup');
  }
}

function* targetRefs<T>(owner: string, node: SpecNode<T>): Generator<Reference> {
  const t = node.as<TriggerTargetSpec>();
  if (t.raw('crawler') !== undefined) yield ref(owner, 'crawler', t, 'crawler');
  if (t.raw('job') !== undefined) yield ref(owner, 'job', t, 'job');
}

export const referenceRule: Rule = {
  name: 'references',
  codes: ['ARA201'],
  check(view) {
    const names = declared(view);
    // Several references to the same missing name have one cause (the entry was renamed or never
    // declared): one finding at the first reference, the others listed by line.
    const missing = new Map<string, { owner: string; kind: Kind; name: string; path: SpecPath }[]>();
    for (const ref of references(view.spec)) {
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
