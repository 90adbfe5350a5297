/**
 * The Glue tables ara-gen declares, derived from the model: one per layer prefix a replayer writes
 * (CSV windows partitioned by REPLAY_PARTITION_KEYS) and one per delivery stream `table:` whose
 * dataset is known (Parquet or JSON objects partitioned by arrival hour). Columns and types come
 * from the dataset contract (src/contract/datasets.ts), never from a crawler's guess.
 */
import { datasetTable, REPLAY_PARTITION_KEYS, type Column } from '../contract/datasets.js';
import { datasetsInto, type FlowGraph } from './lineage.js';
import type { DeliveryStreamModel, LayerLocation, PlatformModel, ReplayerModel } from './model.js';
import { glueTableName } from './naming.js';

export type TableFormat = 'csv' | 'parquet' | 'json';

export interface CatalogTableModel {
  /** Spec name of the catalog database. */
  readonly database: string;
  readonly glueDatabase: string;
  /** Glue table name. */
  readonly name: string;
  /** The table's folder (prefix ends with `/`). */
  readonly location: LayerLocation;
  readonly format: TableFormat;
  /** Data columns: what each file holds, in order. */
  readonly columns: readonly Column[];
  /** Partition keys (string-typed, `key=value` folders under the location); never a data column. */
  readonly partitionKeys: readonly string[];
  /** `<group>/<table>` of the records. */
  readonly dataset: string;
  readonly origin: { readonly kind: 'replayer' | 'deliveryStream'; readonly name: string };
}

/** Partition keys of delivery-stream output: Firehose's arrival time, one folder level each. */
export const DELIVERY_PARTITION_KEYS = ['year', 'month', 'day', 'hour'] as const;
const DELIVERY_PATTERNS: Readonly<Record<(typeof DELIVERY_PARTITION_KEYS)[number], string>> = { year: 'yyyy', month: 'MM', day: 'dd', hour: 'HH' };

/** Firehose's S3 prefix for a delivery stream: Hive-style folders matching DELIVERY_PARTITION_KEYS. */
export function deliveryObjectPrefix(prefix: string): string {
  return prefix + DELIVERY_PARTITION_KEYS.map((k) => `${k}=!{timestamp:${DELIVERY_PATTERNS[k]}}/`).join('');
}

/**
 * Firehose's error prefix: outside every table's folder (Athena would read failed records as data),
 * one folder per delivery stream and error type, by arrival hour.
 */
export function deliveryErrorPrefix(deliveryStream: string): string {
  return `_firehose-errors/${deliveryStream}/!{firehose:error-output-type}/` + DELIVERY_PARTITION_KEYS.map((k) => `${k}=!{timestamp:${DELIVERY_PATTERNS[k]}}/`).join('');
}

/** The folder a replayer's windows land in (src/datasets/replay-layout.ts: the prefix, or `<table>/`). */
export function replayerFolder(r: ReplayerModel & { target: { kind: 'layer' } & LayerLocation }): LayerLocation {
  return { layer: r.target.layer, prefix: r.target.prefix === '' ? `${r.dataset.table}/` : r.target.prefix };
}

/** The model's streaming edges for the lineage walk. */
export function flowGraphOf(model: PlatformModel): FlowGraph {
  const sink = (s: PlatformModel['sinks'][string]) => ({
    ...(s.destination.type === 'kinesis' ? { stream: s.destination.stream } : {}),
    ...(s.destination.type === 'firehose' ? { deliveryStream: s.destination.deliveryStream } : {}),
    ...(s.input?.kind === 'stream' ? { sourceStream: s.input.stream } : {}),
  });
  return {
    replayers: Object.fromEntries(
      Object.values(model.replayers).map((r) => [r.name, { dataset: `${r.dataset.group}/${r.dataset.table}`, ...(r.target.kind === 'sink' ? { sink: r.target.sink } : {}) }]),
    ),
    sinks: Object.fromEntries(Object.values(model.sinks).map((s) => [s.name, sink(s)])),
    deliveryStreams: Object.fromEntries(
      Object.values(model.deliveryStreams).map((d) => [d.name, d.input.kind === 'stream' ? { sourceStream: d.input.stream } : {}]),
    ),
  };
}

/** The single dataset flowing into a delivery stream, or undefined (none, or several). */
export function deliveryDataset(model: PlatformModel, d: DeliveryStreamModel): string | undefined {
  const found = datasetsInto(flowGraphOf(model), { kind: 'deliveryStream', name: d.name });
  return found.length === 1 ? found[0] : undefined;
}

function columnsOf(dataset: string): readonly Column[] | undefined {
  const [group = '', table = ''] = dataset.split('/');
  return datasetTable(group, table)?.columns;
}

const sameFolder = (a: LayerLocation, b: LayerLocation): boolean => a.layer === b.layer && a.prefix === b.prefix;

/** Every declared table, replayers first, in spec order; one per database and name (first wins). */
export function catalogTables(model: PlatformModel): CatalogTableModel[] {
  const out = new Map<string, CatalogTableModel>();
  const add = (t: CatalogTableModel) => {
    const key = `${t.glueDatabase}.${t.name}`;
    if (!out.has(key)) out.set(key, t);
  };
  for (const r of Object.values(model.replayers)) {
    if (r.target.kind !== 'layer') continue;
    const folder = replayerFolder(r as ReplayerModel & { target: { kind: 'layer' } & LayerLocation });
    // The database of the crawler over that folder, else the first database of the layer.
    const crawler = Object.values(model.crawlers).find((c) => c.targets.some((t) => sameFolder(t, folder)));
    const db = crawler ? model.catalog.databases[crawler.database] : Object.values(model.catalog.databases).find((d) => d.layer === folder.layer);
    const dataset = `${r.dataset.group}/${r.dataset.table}`;
    const columns = columnsOf(dataset);
    if (!db || !columns) continue;
    add({
      database: db.name,
      glueDatabase: db.glueName,
      name: glueTableName(folder.prefix.replace(/\/$/, '').split('/').pop() ?? r.dataset.table),
      location: folder,
      format: 'csv',
      columns,
      partitionKeys: [...REPLAY_PARTITION_KEYS],
      dataset,
      origin: { kind: 'replayer', name: r.name },
    });
  }
  for (const d of Object.values(model.deliveryStreams)) {
    if (!d.table) continue;
    const db = model.catalog.databases[d.table.database];
    const dataset = deliveryDataset(model, d);
    const columns = dataset ? columnsOf(dataset) : undefined;
    if (!db || !dataset || !columns) continue;
    add({
      database: db.name,
      glueDatabase: db.glueName,
      name: glueTableName(d.table.name),
      location: d.target,
      format: d.format,
      columns,
      partitionKeys: [...DELIVERY_PARTITION_KEYS],
      dataset,
      origin: { kind: 'deliveryStream', name: d.name },
    });
  }
  return [...out.values()];
}

/** The declared table whose folder is `location`, if any (crawlers crawl those as catalog targets). */
export function tableAt(tables: readonly CatalogTableModel[], location: LayerLocation): CatalogTableModel | undefined {
  return tables.find((t) => sameFolder(t.location, location));
}
