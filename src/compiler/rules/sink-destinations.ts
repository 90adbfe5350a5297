/**
 * ARA248, ARA249, ARA252: settings of the CloudWatch metrics and Redis stream sinks the schema
 * cannot express, and Redis stream sinks fed from inside the platform.
 */
import { type Rule, dict, entries, str } from './spec-view.js';

export const sinkDestinationRule: Rule = {
  name: 'sink-destinations',
  codes: ['ARA248', 'ARA249', 'ARA252'],
  check(view) {
    const redisSinks = new Set<string>();
    for (const [n, s] of entries(view.data.sinks)) {
      const at = ['sinks', n];
      if (s.type === 'cloudwatch-metrics') {
        const namespace = str(s.namespace);
        if (namespace !== undefined && namespace.startsWith('AWS/')) {
          view.report({
            code: 'ARA248',
            message: `sink '${n}': namespace '${namespace}' starts with 'AWS/', which CloudWatch reserves for AWS services`,
            path: [...at, 'namespace'],
            hint: `use a namespace of your own, e.g. '${namespace.slice(4) || 'MyStore'}'`,
          });
        }
        if (Array.isArray(s.dimensions)) {
          const seen = new Map<unknown, number>();
          s.dimensions.forEach((d, i) => {
            const first = seen.get(d);
            if (first === undefined) return void seen.set(d, i);
            view.report({
              code: 'ARA248',
              message: `sink '${n}': dimension '${String(d)}' is listed twice (items ${first + 1} and ${i + 1}); CloudWatch refuses a metric with a repeated dimension name`,
              path: [...at, 'dimensions', i],
              hint: `remove item ${i + 1}`,
            });
          });
        }
      }
      if (s.type === 'redis-stream') {
        redisSinks.add(n);
        if (s.jsonField !== undefined && s.fields === 'top-level') {
          view.report({
            code: 'ARA249',
            message: `sink '${n}': jsonField applies only with fields: json; with fields: top-level every top-level key of the event is its own field`,
            path: [...at, 'jsonField'],
            hint: "remove 'jsonField', or set 'fields: json' to store the whole event in that field",
          });
        }
      }
    }
    if (redisSinks.size === 0) return;
    for (const n of redisSinks) {
      const source = dict(dict(view.data.sinks)[n]).source;
      const stream = str(dict(source).stream);
      if (stream === undefined) continue;
      view.report({
        code: 'ARA252',
        message: `sink '${n}' is a redis-stream sink fed by stream '${stream}': redis-stream sinks run only with 'ara-gen sink run' against a self-hosted Redis, not inside the platform`,
        path: ['sinks', n, 'source'],
        hint: `remove 'source' and run '${n}' with 'ara-gen sink run cdk.out/sinks/${n}.json --input <events.ndjson>', or feed the stream into a sink of another type`,
      });
    }
    for (const [n, r] of entries(view.data.replayers)) {
      const target = str(dict(r.target).sink);
      if (target === undefined || !redisSinks.has(target)) continue;
      view.report({
        code: 'ARA252',
        message: `replayer '${n}' targets sink '${target}', a redis-stream sink: those run only with 'ara-gen sink run' against a self-hosted Redis, not inside the platform`,
        path: ['replayers', n, 'target', 'sink'],
        hint: `point the replayer at a sink of another type, and run '${target}' with 'ara-gen sink run cdk.out/sinks/${target}.json --input <events.ndjson>'`,
      });
    }
  },
};
