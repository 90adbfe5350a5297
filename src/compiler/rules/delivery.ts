/**
 * ARA270-ARA272: delivery streams Firehose can create, and firehose sinks that can write to them.
 */
import { FIREHOSE_BUFFERING } from '../../contract/streaming.js';
import { type Rule, dict, num } from './spec-view.js';

/** Firehose's minimum buffer size when converting to Parquet/ORC. */
export const PARQUET_MIN_BUFFER_MIB = FIREHOSE_BUFFERING.minSizeMiBWithConversion;

export const deliveryRule: Rule = {
  name: 'delivery-streams',
  codes: ['ARA270', 'ARA271', 'ARA272'],
  check(view) {
    const defaults = dict(view.defaults('deliveryStream'));
    const streams = new Map(view.spec.entries('deliveryStreams'));
    for (const [n, d] of streams) {
      const format = d.raw('format') ?? defaults.format;
      if (format !== 'parquet') continue;
      if (!d.node('table').isObject && !view.isDoubtful(d.pathOf('table'))) {
        view.report({
          code: 'ARA270',
          message: `delivery stream '${n}' converts to Parquet but names no Glue table for the record schema`,
          path: d.pathOf('format'),
          hint: "add 'table: { database: <db>, name: <table> }', or use 'format: json'",
        });
      }
      const hints = d.node('bufferingHints');
      const size = hints.num('sizeMiB') ?? num(dict(defaults.bufferingHints).sizeMiB);
      if (size !== undefined && size < PARQUET_MIN_BUFFER_MIB) {
        view.report({
          code: 'ARA272',
          message: `delivery stream '${n}' converts to Parquet with a ${size} MiB buffer; Firehose requires at least ${PARQUET_MIN_BUFFER_MIB} MiB with format conversion`,
          path: hints.pathOf('sizeMiB'),
          hint: `set sizeMiB to ${PARQUET_MIN_BUFFER_MIB}..128`,
        });
      }
    }
    for (const [n, s] of view.spec.entries('sinks')) {
      if (s.str('type') !== 'firehose') continue;
      const target = s.str('deliveryStream');
      const stream = target === undefined ? undefined : streams.get(target);
      if (stream === undefined) continue; // ARA201 reports unknown names
      const source = stream.node('source');
      if (source.raw('direct') === true) continue;
      view.report({
        code: 'ARA271',
        message: `sink '${n}' writes to delivery stream '${target}', which reads from stream '${String(source.raw('stream'))}' and so accepts no direct PUT`,
        path: s.pathOf('deliveryStream'),
        hint: `give '${target}' the source '{ direct: true }', or use a kinesis sink writing to stream '${String(source.raw('stream'))}'`,
      });
    }
  },
};
