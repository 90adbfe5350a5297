/**
 * ARA285-ARA289: sinks fed by a stream (`sinks.<name>.source: { stream }`), compiled to a Lambda on
 * an event source mapping. Lambda's bounds for the mapping (aws-limits.ts), sinks that cannot run
 * inside the platform, and streams that would feed themselves. An unknown stream is ARA201
 * (references.ts); a redis-stream sink fed by a stream is ARA252 (sink-destinations.ts).
 */
import { KINESIS_EVENT_SOURCE as LIMITS } from '../../contract/aws-limits.js';
import { parseDuration } from '../units.js';
import { type Rule, dict, num } from './spec-view.js';

/** Sink types a stream-fed Lambda can run: AWS destinations it can be granted. */
export const PLATFORM_SINK_TYPES: readonly string[] = ['kinesis', 'firehose', 'dynamodb', 'cloudwatch-logs', 'cloudwatch-metrics'];

const fmt = (n: number): string => n.toLocaleString('en-US');

export const streamSinkRule: Rule = {
  name: 'stream-sinks',
  codes: ['ARA285', 'ARA286', 'ARA287', 'ARA288', 'ARA289'],
  check(view) {
    const def = dict(view.defaults('streamSource'));
    const replayerTargets = new Map<string, string>();
    for (const [n, r] of view.spec.entries('replayers')) {
      const t = r.node('target').str('sink');
      if (t !== undefined && !replayerTargets.has(t)) replayerTargets.set(t, n);
    }
    /** stream → streams it feeds through stream-fed kinesis sinks (with the sink doing it). */
    const feeds = new Map<string, { to: string; sink: string }[]>();
    for (const [n, s] of view.spec.entries('sinks')) {
      const src = s.node('source');
      if (!src.isObject) continue;
      const batch = num(src.raw('batchSize') ?? def.batchSize);
      if (batch !== undefined && (batch < LIMITS.batchSize.min || batch > LIMITS.batchSize.max)) {
        view.report({
          code: 'ARA285',
          message: `sink '${n}' reads batches of ${fmt(batch)} records; a Lambda event source mapping on Kinesis takes ${LIMITS.batchSize.min} to ${fmt(LIMITS.batchSize.max)}`,
          path: src.pathOf('batchSize'),
          hint: `use ${LIMITS.batchSize.min}..${fmt(LIMITS.batchSize.max)}; Lambda's payload limit (6 MB) also bounds a batch: batchSize × record size`,
        });
      }
      const pf = num(src.raw('parallelizationFactor') ?? def.parallelizationFactor);
      if (pf !== undefined && (pf < LIMITS.parallelizationFactor.min || pf > LIMITS.parallelizationFactor.max)) {
        view.report({
          code: 'ARA286',
          message: `sink '${n}' asks for ${pf} concurrent batches per shard; Lambda allows a parallelization factor of ${LIMITS.parallelizationFactor.min} to ${LIMITS.parallelizationFactor.max}`,
          path: src.pathOf('parallelizationFactor'),
          hint: `use ${LIMITS.parallelizationFactor.min}..${LIMITS.parallelizationFactor.max}; beyond 10 batches per shard, add shards to the stream`,
        });
      }
      const window = src.raw('maxBatchingWindow') ?? def.maxBatchingWindow;
      const ms = parseDuration(window, 'ms', 's');
      if (ms.ok && (ms.value % 1000 !== 0 || ms.value / 1000 < LIMITS.maxBatchingWindowSeconds.min || ms.value / 1000 > LIMITS.maxBatchingWindowSeconds.max)) {
        view.report({
          code: 'ARA287',
          message: `sink '${n}' gathers records for ${String(window)}; a Lambda batching window is whole seconds from ${LIMITS.maxBatchingWindowSeconds.min} to ${LIMITS.maxBatchingWindowSeconds.max} s`,
          path: src.pathOf(src.raw('maxBatchingWindow') !== undefined ? 'maxBatchingWindow' : 'stream'),
          hint: `use e.g. '${Math.min(LIMITS.maxBatchingWindowSeconds.max, Math.max(0, Math.round(ms.value / 1000)))}s'`,
        });
      }
      const type = s.str('type');
      if (type === 'file') {
        view.report({
          code: 'ARA288',
          message: `sink '${n}' is a file sink fed by stream '${String(src.raw('stream'))}': a Lambda has no lasting disk to write the file to`,
          path: src.path,
          hint: `write to an AWS destination (kinesis, firehose, dynamodb, cloudwatch-logs or cloudwatch-metrics), or drop 'source' and run 'ara-gen sink run cdk.out/sinks/${n}.json'`,
        });
      }
      const replayer = replayerTargets.get(n);
      if (replayer !== undefined) {
        view.report({
          code: 'ARA288',
          message: `sink '${n}' is fed both by stream '${String(src.raw('stream'))}' and by replayer '${replayer}': a sink has one input`,
          path: src.path,
          hint: `point replayer '${replayer}' at a kinesis sink writing to stream '${String(src.raw('stream'))}', or declare a second sink for the replayer`,
        });
      }
      const from = src.str('stream');
      const to = type === 'kinesis' ? s.str('stream') : undefined;
      if (from !== undefined && to !== undefined) feeds.set(from, [...(feeds.get(from) ?? []), { to, sink: n }]);
    }
    // ARA289: a stream-fed kinesis sink whose records come back to its own stream (directly or
    // through other stream-fed sinks) would copy every record forever.
    for (const [n, s] of view.spec.entries('sinks')) {
      if (!s.node('source').isObject || s.str('type') !== 'kinesis') continue;
      const start = s.node('source').str('stream');
      const first = s.str('stream');
      if (start === undefined || first === undefined) continue;
      const path = findPath(feeds, first, start);
      if (!path) continue;
      const chain = [start, ...path].join(' → ');
      view.report({
        code: 'ARA289',
        message: path.length === 1 && first === start ? `sink '${n}' reads stream '${start}' and writes to it again: every record would be copied forever` : `sink '${n}' closes a loop of streams (${chain}): every record would be copied forever`,
        path: s.pathOf('stream'),
        hint: `write to another stream than '${start}', or remove the sink's 'source'`,
      });
    }
  },
};

/** The streams from `from` to `to` through `feeds` (both ends included), or undefined. */
function findPath(feeds: ReadonlyMap<string, readonly { to: string }[]>, from: string, to: string): string[] | undefined {
  const prev = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  while (queue.length) {
    const s = queue.shift()!;
    if (s === to) {
      const out: string[] = [];
      for (let c: string | null = s; c !== null; c = prev.get(c) ?? null) out.unshift(c);
      return out;
    }
    for (const { to: next } of feeds.get(s) ?? []) {
      if (prev.has(next)) continue;
      prev.set(next, s);
      queue.push(next);
    }
  }
  return undefined;
}
