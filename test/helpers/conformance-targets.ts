/**
 * The seven destinations as conformance targets: each with its real local server (kinesalite,
 * the local Firehose, dynalite, moto_server for CloudWatch Logs and metrics, Debian's
 * redis-server) behind a recording, fault-injecting proxy; `file` writes to a scratch directory.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import type { ConformanceTarget, Delivered, Faults } from './conformance.js';
import type { SinkConfigDestination } from '../../src/runtime/sink-config-file.js';
import { uniqueName } from '../servers/harness.js';
import { INTERNAL_FAILURE, startFaultProxy, THROTTLED, type FaultProxy } from '../servers/fault-proxy.js';
import { startKinesalite, TEST_REGION, type LocalKinesis } from '../servers/kinesalite.js';
import { startFirehoseLocal, type LocalFirehose } from '../servers/firehose-local.js';
import { startDynalite, type LocalDynamoDb } from '../servers/dynalite.js';
import { startMoto, type LocalMoto } from '../servers/moto.js';
import { startRedis, type LocalRedis } from '../servers/redis-server.js';
import { NOPERM_REPLY, OOM_REPLY, startRedisProxy, type RedisProxy } from '../servers/redis-proxy.js';

const idOfJson = (text: string): number => (JSON.parse(text) as { id: number }).id;
const idOfBase64 = (encoded: unknown): number => idOfJson(Buffer.from((encoded as { data: string }).data, 'base64').toString('utf8'));

/** Faults of the HTTP fault proxy; `perEntry` for APIs with a result per record. */
function proxyFaults(proxy: FaultProxy, perEntry: boolean, throttleCode: 'ProvisionedThroughputExceededException' | 'ThrottlingException'): Faults {
  proxy.reset();
  proxy.set({ failNext: [], deniedRate: 0, recordFailureRate: 0, latencyMs: 0, throttleCode });
  return {
    ...(perEntry && { partial: (rate: number) => proxy.set({ recordFailureRate: rate, recordFailureCodes: [THROTTLED, INTERNAL_FAILURE] }) }),
    internal: (n) => proxy.set({ failNext: [...proxy_failNext(n, 'internal')] }),
    throttle: (n) => proxy.set({ failNext: [...proxy_failNext(n, 'throttle')] }),
    deny: () => proxy.set({ deniedRate: 1 }),
    requests: () => proxy.log.filter((r) => !r.fault).map((r) => ({ records: r.records, bytes: r.bytes })),
    latency: (ms) => proxy.set({ latencyMs: ms }),
  };
}
const proxy_failNext = <T extends string>(n: number, fault: T): T[] => Array.from({ length: n }, () => fault);

/** A target whose server sits behind the HTTP fault proxy. */
function awsTarget<S extends { endpoint: string; stop(): Promise<void> }>(
  spec: Omit<ConformanceTarget, 'start' | 'stop' | 'fresh' | 'missing'> & {
    startServer(): Promise<S>;
    fresh(server: S, proxy: FaultProxy): ReturnType<ConformanceTarget['fresh']>;
    missing(server: S): Promise<SinkConfigDestination>;
  },
): ConformanceTarget {
  let server: S;
  let proxy: FaultProxy;
  return {
    ...spec,
    async start() {
      server = await spec.startServer();
      proxy = await startFaultProxy(server.endpoint);
    },
    async stop() {
      await proxy.stop();
      await server.stop();
    },
    fresh: () => spec.fresh(server, proxy),
    missing: () => spec.missing(server),
  };
}

export const kinesisTarget = (): ConformanceTarget =>
  awsTarget<LocalKinesis>({
    type: 'kinesis',
    startServer: startKinesalite,
    async fresh(kinesis, proxy) {
      const streamName = uniqueName('conformance');
      await kinesis.createStream(streamName, 1);
      return {
        destination: { type: 'kinesis', streamName, region: TEST_REGION },
        extra: { partitionKey: 'key' },
        endpoint: proxy.endpoint,
        faults: proxyFaults(proxy, true, THROTTLED),
        async delivered(): Promise<Delivered> {
          return { ids: (await kinesis.readAll(streamName)).map((r) => idOfJson(r.data.toString('utf8'))) };
        },
      };
    },
    missing: async () => ({ type: 'kinesis', streamName: 'no-such-stream', region: TEST_REGION }),
    idOf: idOfBase64,
    badEvents: [{ id: -1, pad: 'no partition key' }],
    oversize: true,
    limitsWorkload: { n: 510, padBytes: 100 },
  });

export const firehoseTarget = (): ConformanceTarget =>
  awsTarget<LocalFirehose>({
    type: 'firehose',
    startServer: () => startFirehoseLocal(),
    async fresh(firehose, proxy) {
      const deliveryStreamName = uniqueName('conformance');
      firehose.createDeliveryStream(deliveryStreamName);
      return {
        destination: { type: 'firehose', deliveryStreamName, region: TEST_REGION },
        endpoint: proxy.endpoint,
        faults: proxyFaults(proxy, true, THROTTLED),
        delivered: async () => ({ ids: firehose.records(deliveryStreamName).map((b) => idOfJson(b.toString('utf8'))) }),
      };
    },
    missing: async () => ({ type: 'firehose', deliveryStreamName: 'no-such-delivery-stream', region: TEST_REGION }),
    idOf: idOfBase64,
    // Firehose takes any bytes: only an oversize record is refused (the limits case).
    badEvents: [],
    oversize: true,
    limitsWorkload: { n: 510, padBytes: 100 },
  });

export const dynamodbTarget = (): ConformanceTarget =>
  awsTarget<LocalDynamoDb>({
    type: 'dynamodb',
    startServer: startDynalite,
    async fresh(dynamo, proxy) {
      const tableName = uniqueName('conformance');
      await dynamo.createTable(tableName, { hash: 'id', hashType: 'N' });
      return {
        destination: { type: 'dynamodb', tableName, region: TEST_REGION },
        extra: { keyAttributes: [{ name: 'id', type: 'N' }] },
        endpoint: proxy.endpoint,
        faults: proxyFaults(proxy, true, THROTTLED),
        delivered: async () => ({ ids: (await dynamo.scanAll(tableName)).map((item) => Number(item.id)) }),
      };
    },
    missing: async () => ({ type: 'dynamodb', tableName: 'no-such-table', region: TEST_REGION }),
    idOf: (encoded) => Number((encoded as { item: { id: { N: string } } }).item.id.N),
    badEvents: [{ id: 'not-a-number', key: 'k1', value: 1 }],
    oversize: true,
    limitsWorkload: { n: 60, padBytes: 2_000 },
  });

export function fileTarget(): ConformanceTarget {
  let dir: string;
  return {
    type: 'file',
    async start() {
      dir = mkdtempSync(join(tmpdir(), 'ara-conformance-file-'));
    },
    async stop() {
      rmSync(dir, { recursive: true, force: true });
    },
    async fresh() {
      const path = join(dir, `${uniqueName('out')}.ndjson`);
      return {
        destination: { type: 'file', path },
        async delivered(): Promise<Delivered> {
          let text = '';
          try {
            text = readFileSync(path, 'utf8');
          } catch {
            /* nothing written */
          }
          return { ids: text.split('\n').filter(Boolean).map(idOfJson) };
        },
      };
    },
    missing: async () => ({ type: 'file', path: join(dir, 'no-such-directory', 'out.ndjson') }),
    idOf: (encoded) => idOfJson(encoded as string),
    // Any JSON is a line: only an oversize record is refused.
    badEvents: [],
    oversize: true,
    limitsWorkload: { n: 510, padBytes: 100 },
  };
}

/**
 * One moto_server for both CloudWatch targets of a test file. uvu runs the suites one after another,
 * so counting the targets that started would stop it between them: it counts the targets made (all
 * at the file's load) and stops when the last of them stops.
 */
let moto: Promise<LocalMoto> | undefined;
let motoUsers = 0;

/**
 * A CloudWatch target's servers: the shared moto_server behind a fault proxy of the target's own.
 * `server()` and `proxy()` are valid between `start()` and `stop()`.
 */
function motoBehindProxy(): { start(): Promise<void>; stop(): Promise<void>; server(): LocalMoto; proxy(): FaultProxy } {
  let server: LocalMoto | undefined;
  let proxy: FaultProxy | undefined;
  motoUsers++;
  return {
    async start() {
      moto ??= startMoto();
      server = await moto;
      proxy = await startFaultProxy(server.endpoint);
    },
    async stop() {
      await proxy?.stop();
      if (--motoUsers === 0 && moto) {
        const m = moto;
        moto = undefined;
        await (await m).stop();
      }
    },
    server: () => server!,
    proxy: () => proxy!,
  };
}

export const cloudWatchLogsTarget = (): ConformanceTarget => {
  const servers = motoBehindProxy();
  return {
    type: 'cloudwatch-logs',
    start: servers.start,
    stop: servers.stop,
    async fresh() {
      const m = servers.server();
      const proxy = servers.proxy();
      const group = `/conformance/${uniqueName('logs')}`;
      await m.createLogStream(group, 'sink-run');
      return {
        destination: { type: 'cloudwatch-logs', logGroupName: group, logStreamName: 'sink-run', createLogStream: false, timestampField: 'ts', region: TEST_REGION },
        endpoint: proxy.endpoint,
        faults: proxyFaults(proxy, false, 'ThrottlingException'),
        delivered: async () => ({ ids: (await m.readLogMessages(group, 'sink-run')).map(idOfJson) }),
      };
    },
    missing: async () => ({ type: 'cloudwatch-logs', logGroupName: '/conformance/no-such-group', logStreamName: 'sink-run', createLogStream: true, region: TEST_REGION }),
    idOf: (encoded) => idOfJson((encoded as { message: string }).message),
    badEvents: [{ id: -1, key: 'k1', value: 1, ts: 'not a time' }],
    oversize: true,
    limitsWorkload: { n: 1_100, padBytes: 1_000 },
  };
};

export const cloudWatchMetricsTarget = (): ConformanceTarget => {
  const servers = motoBehindProxy();
  return {
    type: 'cloudwatch-metrics',
    start: servers.start,
    stop: servers.stop,
    async fresh() {
      const m = servers.server();
      const proxy = servers.proxy();
      // A fresh metric name too: moto's GetMetricData does not tell namespaces apart.
      const namespace = `Conformance/${uniqueName('metrics')}`;
      const metricName = uniqueName('Value');
      return {
        destination: { type: 'cloudwatch-metrics', namespace, metricName, valueField: 'value', dimensions: ['key'], unit: 'Count', region: TEST_REGION },
        endpoint: proxy.endpoint,
        faults: proxyFaults(proxy, false, 'ThrottlingException'),
        async delivered(): Promise<Delivered> {
          let count = 0;
          let sum = 0;
          for (let k = 0; k < 7; k++) {
            const s = await m.metricStats(namespace, metricName, [{ Name: 'key', Value: `k${k}` }]);
            count += s.count;
            sum += s.sum;
          }
          return { count, sum };
        },
      };
    },
    // Namespaces and metrics come into being with their first datum: nothing can be missing.
    missing: undefined,
    idOf: (encoded) => (encoded as { value: number }).value - 1,
    badEvents: [
      { id: -1, key: 'k1', value: 'twelve' },
      { id: -2, key: 'k1' },
      { id: -3, value: 5 },
    ],
    oversize: false,
    limitsWorkload: { n: 1_100, padBytes: 10 },
  };
};

export function redisStreamTarget(): ConformanceTarget {
  let redis: LocalRedis;
  let proxy: RedisProxy;
  let reader: ReturnType<typeof createClient>;
  return {
    type: 'redis-stream',
    async start() {
      redis = await startRedis();
      proxy = await startRedisProxy(redis.port);
      reader = createClient({ url: redis.url });
      reader.on('error', () => undefined);
      await reader.connect();
    },
    async stop() {
      await reader.close();
      await proxy.stop();
      await redis.stop();
    },
    async fresh() {
      const stream = uniqueName('conformance');
      const seen = proxy.log.length;
      proxy.set({ failCommand: undefined, dropNext: 0 });
      const failing = (reply: string, count: number) => {
        let left = count;
        return () => (left-- > 0 ? reply : undefined);
      };
      const faults: Faults = {
        partial(rate) {
          let k = 0;
          // Deterministic: the ids whose hash falls under the rate fail once, out of memory or loading.
          const failedOnce = new Set<string>();
          proxy.set({
            failCommand: ({ fields }) => {
              const id = fields[fields.indexOf('id') + 1]!;
              if (failedOnce.has(id) || ((Number(id) * 2654435761) % 1000) / 1000 >= rate) return undefined;
              failedOnce.add(id);
              return k++ % 2 ? OOM_REPLY : 'LOADING Redis is loading the dataset in memory';
            },
          });
        },
        internal: (n) => proxy.set({ dropNext: n }),
        throttle: (n) => proxy.set({ failCommand: failing(OOM_REPLY, n) }),
        deny: () => proxy.set({ failCommand: () => NOPERM_REPLY }),
        requests: () => proxy.log.slice(seen).map((r) => ({ records: 1, bytes: r.bytes })),
        // Replies are not delayed: the last partial batch, waiting in the buffer, is what a snapshot finds.
        latency: () => undefined,
      };
      return {
        destination: { type: 'redis-stream', stream, fields: 'top-level' },
        endpoint: proxy.url,
        faults,
        async delivered(): Promise<Delivered> {
          const entries = await reader.xRange(stream, '-', '+');
          return { ids: (entries ?? []).map((e) => Number(e.message.id)) };
        },
      };
    },
    async missing() {
      // A key of another type: every XADD is refused with WRONGTYPE.
      const stream = uniqueName('not-a-stream');
      await reader.set(stream, 'a string');
      return { type: 'redis-stream', stream, fields: 'top-level' };
    },
    idOf(encoded) {
      const fields = (encoded as { fields: string[] }).fields;
      return Number(fields[fields.indexOf('id') + 1]);
    },
    badEvents: [[1, 2, 3], {}],
    oversize: true,
    limitsWorkload: { n: 1_100, padBytes: 10 },
  };
}
