/**
 * ARA273-ARA274: the tables ara-gen declares in the catalog (catalog-tables.ts).
 * - ARA273 ⚠: a delivery stream names a `table:` whose columns ara-gen cannot know, because no
 *   single dataset flows into it (lineage.ts): the table is not created; the user must create it.
 * - ARA274: a crawler mixes folders of declared tables (crawled as catalog targets) with other
 *   prefixes (S3 targets): Glue needs one kind of target per crawler.
 */
import { datasetsInto, type FlowGraph } from '../lineage.js';
import { canonicalS3Prefix } from '../naming.js';
import { type Dict, type Rule, dict, entries, isDict, list, str } from './spec-view.js';

/** The spec's streaming edges, from raw (possibly malformed) data. */
export function flowGraphOfSpec(data: Dict): FlowGraph {
  const replayers: Record<string, { dataset: string; sink?: string }> = {};
  for (const [n, r] of entries(data.replayers)) {
    const dataset = str(r.dataset);
    // A target naming both a layer and a sink is a schema error (ARA110): it feeds no sink here.
    const sink = dict(r.target).layer === undefined ? str(dict(r.target).sink) : undefined;
    if (dataset !== undefined) replayers[n] = { dataset, ...(sink !== undefined ? { sink } : {}) };
  }
  const sinks: Record<string, { stream?: string; deliveryStream?: string; sourceStream?: string }> = {};
  for (const [n, s] of entries(data.sinks)) {
    const type = str(s.type) ?? 'kinesis';
    const stream = type === 'kinesis' ? str(s.stream) : undefined;
    const deliveryStream = type === 'firehose' ? str(s.deliveryStream) : undefined;
    const sourceStream = str(dict(s.source).stream);
    sinks[n] = { ...(stream ? { stream } : {}), ...(deliveryStream ? { deliveryStream } : {}), ...(sourceStream ? { sourceStream } : {}) };
  }
  const deliveryStreams: Record<string, { sourceStream?: string }> = {};
  for (const [n, d] of entries(data.deliveryStreams)) {
    const sourceStream = str(dict(d.source).stream);
    deliveryStreams[n] = sourceStream !== undefined && dict(d.source).direct !== true ? { sourceStream } : {};
  }
  return { replayers, sinks, deliveryStreams };
}

const folderKey = (layer: unknown, prefix: string): string => `${String(layer)}\u0000${prefix}`;

export const catalogRule: Rule = {
  name: 'catalog-tables',
  codes: ['ARA273', 'ARA274'],
  check(view) {
    const graph = flowGraphOfSpec(view.data);
    // Lineage through an entry the schema rejected is unknown: the schema finding is the root cause.
    const doubtfulEdge =
      entries(view.data.sinks).some(([n, sink]) => view.hasDoubtfulWithin(['sinks', n]) || !['kinesis', 'firehose', 'dynamodb', 'file', undefined].includes(str(sink.type))) ||
      entries(view.data.replayers).some(([n]) => view.hasDoubtfulWithin(['replayers', n])) ||
      entries(view.data.deliveryStreams).some(([n]) => view.hasDoubtfulWithin(['deliveryStreams', n, 'source'])) ||
      ['sinks', 'replayers', 'streams'].some((section) => view.isDoubtful([section]));
    const declared = new Map<string, string>();
    for (const [n, r] of entries(view.data.replayers)) {
      const target = dict(r.target);
      if (target.layer === undefined || target.sink !== undefined) continue;
      const table = (str(r.dataset) ?? '').split('/')[1] ?? '';
      const prefix = canonicalS3Prefix(target.prefix);
      declared.set(folderKey(target.layer, prefix === '' ? `${table}/` : prefix), `replayer '${n}'`);
    }
    for (const [n, d] of entries(view.data.deliveryStreams)) {
      if (!isDict(d.table)) continue;
      const found = datasetsInto(graph, { kind: 'deliveryStream', name: n });
      if (found.length === 1 || (found.length === 0 && doubtfulEdge)) {
        const target = dict(d.target);
        declared.set(folderKey(target.layer, canonicalS3Prefix(target.prefix)), `delivery stream '${n}'`);
        continue;
      }
      const table = `${String(d.table.database)}.${String(d.table.name)}`;
      view.report({
        code: 'ARA273',
        message:
          found.length === 0
            ? `delivery stream '${n}' names table ${table}, but no replayer's dataset flows into it, so ara-gen cannot know its columns and does not create it`
            : `delivery stream '${n}' names table ${table}, but several datasets flow into it (${found.join(', ')}), so ara-gen does not create it`,
        path: ['deliveryStreams', n, 'table'],
        hint: 'feed its stream from one replayer (through a sink), or create the table yourself before records arrive',
        severity: 'warning',
      });
    }
    // Which folders are declared is unknown while a replayer is malformed (the schema reports it).
    if (entries(view.data.replayers).some(([n]) => view.hasDoubtfulWithin(['replayers', n]))) return;
    for (const [n, c] of entries(view.data.crawlers)) {
      const targets = list(c.targets).filter(isDict);
      const owners = targets.map((t) => declared.get(folderKey(t.layer, canonicalS3Prefix(t.prefix))));
      const i = owners.findIndex((o) => o !== undefined);
      const j = owners.findIndex((o) => o === undefined);
      if (i < 0 || j < 0) continue;
      view.report({
        code: 'ARA274',
        message: `crawler '${n}' crawls ${canonicalS3Prefix(targets[i]!.prefix) || '/'}, the folder of a table declared by ${owners[i]}, together with undeclared prefixes; Glue crawls declared tables and S3 prefixes in separate crawlers`,
        path: ['crawlers', n, 'targets', j],
        hint: `move the undeclared targets into a crawler of their own`,
      });
    }
  },
};
