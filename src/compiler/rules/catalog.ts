/**
 * ARA273-ARA274: the tables ara-gen declares in the catalog (catalog-tables.ts).
 * - ARA273 ⚠: a delivery stream names a `table:` whose columns ara-gen cannot know, because no
 *   single dataset flows into it (lineage.ts): the table is not created; the user must create it.
 * - ARA274: a crawler mixes folders of declared tables (crawled as catalog targets) with other
 *   prefixes (S3 targets): Glue needs one kind of target per crawler.
 */
import { datasetsInto, type FlowGraph } from '../lineage.js';
import { canonicalS3Prefix } from '../naming.js';
import type { PlatformSpec, Rule, SpecNode } from './spec-view.js';

/** The spec's streaming edges, from raw (possibly malformed) data. */
export function flowGraphOfSpec(spec: SpecNode<PlatformSpec>): FlowGraph {
  const replayers: Record<string, { dataset: string; sink?: string }> = {};
  for (const [n, r] of spec.entries('replayers')) {
    const dataset = r.str('dataset');
    const target = r.node('target');
    // A target naming both a layer and a sink is a schema error (ARA110): it feeds no sink here.
    const sink = target.raw('layer') === undefined ? target.str('sink') : undefined;
    if (dataset !== undefined) replayers[n] = { dataset, ...(sink !== undefined ? { sink } : {}) };
  }
  const sinks: Record<string, { stream?: string; deliveryStream?: string; sourceStream?: string }> = {};
  for (const [n, s] of spec.entries('sinks')) {
    const type = s.str('type') ?? 'kinesis';
    const stream = type === 'kinesis' ? s.str('stream') : undefined;
    const deliveryStream = type === 'firehose' ? s.str('deliveryStream') : undefined;
    const sourceStream = s.node('source').str('stream');
    sinks[n] = { ...(stream ? { stream } : {}), ...(deliveryStream ? { deliveryStream } : {}), ...(sourceStream ? { sourceStream } : {}) };
  }
  const deliveryStreams: Record<string, { sourceStream?: string }> = {};
  for (const [n, d] of spec.entries('deliveryStreams')) {
    const source = d.node('source');
    const sourceStream = source.str('stream');
    deliveryStreams[n] = sourceStream !== undefined && source.raw('direct') !== true ? { sourceStream } : {};
  }
  return { replayers, sinks, deliveryStreams };
}

const folderKey = (layer: unknown, prefix: string): string => `${String(layer)}\u0000${prefix}`;

export const catalogRule: Rule = {
  name: 'catalog-tables',
  codes: ['ARA273', 'ARA274'],
  check(view) {
    const graph = flowGraphOfSpec(view.spec);
    const sinks = view.spec.entries('sinks');
    const replayers = view.spec.entries('replayers');
    const deliveryStreams = view.spec.entries('deliveryStreams');
    // Lineage through an entry the schema rejected is unknown: the schema finding is the root cause.
    const doubtfulEdge =
      sinks.some(([, sink]) => view.hasDoubtfulWithin(sink.path) || !['kinesis', 'firehose', 'dynamodb', 'file', undefined].includes(sink.str('type'))) ||
      replayers.some(([, r]) => view.hasDoubtfulWithin(r.path)) ||
      deliveryStreams.some(([, d]) => view.hasDoubtfulWithin(d.pathOf('source'))) ||
      (['sinks', 'replayers', 'streams'] as const).some((section) => view.isDoubtful(view.spec.pathOf(section)));
    const declared = new Map<string, string>();
    for (const [n, r] of replayers) {
      const target = r.node('target');
      if (target.raw('layer') === undefined || target.raw('sink') !== undefined) continue;
      const table = (r.str('dataset') ?? '').split('/')[1] ?? '';
      const prefix = canonicalS3Prefix(target.raw('prefix'));
      declared.set(folderKey(target.raw('layer'), prefix === '' ? `${table}/` : prefix), `replayer '${n}'`);
    }
    for (const [n, d] of deliveryStreams) {
      const tableNode = d.node('table');
      if (!tableNode.isObject) continue;
      const found = datasetsInto(graph, { kind: 'deliveryStream', name: n });
      if (found.length === 1 || (found.length === 0 && doubtfulEdge)) {
        const target = d.node('target');
        declared.set(folderKey(target.raw('layer'), canonicalS3Prefix(target.raw('prefix'))), `delivery stream '${n}'`);
        continue;
      }
      const table = `${String(tableNode.raw('database'))}.${String(tableNode.raw('name'))}`;
      view.report({
        code: 'ARA273',
        message:
          found.length === 0
            ? `delivery stream '${n}' names table ${table}, but no replayer's dataset flows into it, so ara-gen cannot know its columns and does not create it`
            : `delivery stream '${n}' names table ${table}, but several datasets flow into it (${found.join(', ')}), so ara-gen does not create it`,
        path: tableNode.path,
        hint: 'feed its stream from one replayer (through a sink), or create the table yourself before records arrive',
        severity: 'warning',
      });
    }
    // Which folders are declared is unknown while a replayer is malformed (the schema reports it).
    if (replayers.some(([, r]) => view.hasDoubtfulWithin(r.path))) return;
    for (const [n, c] of view.spec.entries('crawlers')) {
      const targets = c.items('targets').filter((t) => t.isObject);
      const owners = targets.map((t) => declared.get(folderKey(t.raw('layer'), canonicalS3Prefix(t.raw('prefix')))));
      const i = owners.findIndex((o) => o !== undefined);
      const j = owners.findIndex((o) => o === undefined);
      if (i < 0 || j < 0) continue;
      view.report({
        code: 'ARA274',
        message: `crawler '${n}' crawls ${canonicalS3Prefix(targets[i]!.raw('prefix')) || '/'}, the folder of a table declared by ${owners[i]}, together with undeclared prefixes; Glue crawls declared tables and S3 prefixes in separate crawlers`,
        path: targets[j]!.path,
        hint: `move the undeclared targets into a crawler of their own`,
      });
    }
  },
};
