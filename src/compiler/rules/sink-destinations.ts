/**
 * ARA248, ARA249, ARA252: settings of the CloudWatch metrics and Redis stream sinks the schema
 * cannot express, and Redis stream sinks fed from inside the platform.
 */
import type { Rule } from './spec-view.js';

export const sinkDestinationRule: Rule = {
  name: 'sink-destinations',
  codes: ['ARA248', 'ARA249', 'ARA252'],
  check(view) {
    const redisSinks = new Set<string>();
    for (const [n, s] of view.spec.entries('sinks')) {
      const type = s.str('type');
      if (type === 'cloudwatch-metrics') {
        const namespace = s.str('namespace');
        if (namespace !== undefined && namespace.startsWith('AWS/')) {
          view.report({
            code: 'ARA248',
            message: `sink '${n}': namespace '${namespace}' starts with 'AWS/', which CloudWatch reserves for AWS services`,
            path: s.pathOf('namespace'),
            hint: `use a namespace of your own, e.g. '${namespace.slice(4) || 'MyStore'}'`,
          });
        }
        const seen = new Map<unknown, number>();
        s.items('dimensions').forEach((d, i) => {
          const first = seen.get(d.value);
          if (first === undefined) return void seen.set(d.value, i);
          view.report({
            code: 'ARA248',
            message: `sink '${n}': dimension '${String(d.value)}' is listed twice (items ${first + 1} and ${i + 1}); CloudWatch refuses a metric with a repeated dimension name`,
            path: d.path,
            hint: `remove item ${i + 1}`,
          });
        });
      }
      if (type === 'redis-stream') {
        redisSinks.add(n);
        const source = s.node('source');
        const stream = source.str('stream');
        if (stream !== undefined) {
          view.report({
            code: 'ARA252',
            message: `sink '${n}' is a redis-stream sink fed by stream '${stream}': redis-stream sinks run only with 'ara-gen sink run' against a self-hosted Redis, not inside the platform`,
            path: source.path,
            hint: `remove 'source' and run '${n}' with 'ara-gen sink run cdk.out/sinks/${n}.json --input <events.ndjson>', or feed the stream into a sink of another type`,
          });
        }
        if (s.has('jsonField') && s.raw('fields') === 'top-level') {
          view.report({
            code: 'ARA249',
            message: `sink '${n}': jsonField applies only with fields: json; with fields: top-level every top-level key of the event is its own field`,
            path: s.pathOf('jsonField'),
            hint: "remove 'jsonField', or set 'fields: json' to store the whole event in that field",
          });
        }
      }
    }
    if (redisSinks.size === 0) return;
    for (const [n, r] of view.spec.entries('replayers')) {
      const target = r.node('target');
      const sink = target.str('sink');
      if (sink === undefined || !redisSinks.has(sink)) continue;
      view.report({
        code: 'ARA252',
        message: `replayer '${n}' targets sink '${sink}', a redis-stream sink: those run only with 'ara-gen sink run' against a self-hosted Redis, not inside the platform`,
        path: target.pathOf('sink'),
        hint: `point the replayer at a sink of another type, and run '${sink}' with 'ara-gen sink run cdk.out/sinks/${sink}.json --input <events.ndjson>'`,
      });
    }
  },
};
