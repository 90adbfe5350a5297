/**
 * ARA270-ARA272: delivery streams Firehose can create, and firehose sinks that can write to them.
 */
import { FIREHOSE_BUFFERING } from '../../contract/streaming.js';
import { type Rule, dict, entries, isDict, num, str } from './spec-view.js';

/** Firehose's minimum buffer size when converting to Parquet/ORC. */
export const PARQUET_MIN_BUFFER_MIB = FIREHOSE_BUFFERING.minSizeMiBWithConversion;

export const deliveryRule: Rule = {
  name: 'delivery-streams',
  codes: ['ARA270', 'ARA271', 'ARA272'],
  check(view) {
    const defaults = dict(view.defaults('deliveryStream'));
    const streams = dict(view.data.deliveryStreams);
    for (const [n, d] of entries(streams)) {
      const format = d.format ?? defaults.format;
      if (format !== 'parquet') continue;
      if (!isDict(d.table) && !view.isDoubtful(['deliveryStreams', n, 'table'])) {
        view.report({
          code: 'ARA270',
          message: `delivery stream '${n}' converts to Parquet but names no Glue table for the record schema`,
          path: ['deliveryStreams', n, 'format'],
          hint: "add 'table: { database: <db>, name: <table> }', or use 'format: json'",
        });
      }
      const size = num(dict(d.bufferingHints).sizeMiB) ?? num(dict(defaults.bufferingHints).sizeMiB);
      if (size !== undefined && size < PARQUET_MIN_BUFFER_MIB) {
        view.report({
          code: 'ARA272',
          message: `delivery stream '${n}' converts to Parquet with a ${size} MiB buffer; Firehose requires at least ${PARQUET_MIN_BUFFER_MIB} MiB with format conversion`,
          path: ['deliveryStreams', n, 'bufferingHints', 'sizeMiB'],
          hint: `set sizeMiB to ${PARQUET_MIN_BUFFER_MIB}..128`,
        });
      }
    }
    for (const [n, s] of entries(view.data.sinks)) {
      if (s.type !== 'firehose') continue;
      const target = str(s.deliveryStream);
      if (target === undefined || !isDict(streams[target])) continue; // ARA201 reports unknown names
      const source = dict(streams[target].source);
      if (source.direct === true) continue;
      view.report({
        code: 'ARA271',
        message: `sink '${n}' writes to delivery stream '${target}', which reads from stream '${String(source.stream)}' and so accepts no direct PUT`,
        path: ['sinks', n, 'deliveryStream'],
        hint: `give '${target}' the source '{ direct: true }', or use a kinesis sink writing to stream '${String(source.stream)}'`,
      });
    }
  },
};
