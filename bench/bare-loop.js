// The bare client loop that bench/destinations.bench.js measures `sink run` against: its own
// process, reading and parsing the same NDJSON file, then sending it with the plain client in the
// same batches (count and bytes) and with the same number of requests in flight. No retries, no
// checkpoints, no dead letters: what a hand-written loop would do.
// node bench/bare-loop.js <redis-stream|cloudwatch-logs|cloudwatch-metrics> <input.ndjson> <endpoint> <name> <batch> <batchBytes> <inFlight>
import { readFileSync } from 'node:fs';
import { fromBuild, CREDENTIALS, REGION } from './kinesalite-child.js';

const [type, input, endpoint, name, batchArg, bytesArg, inFlightArg] = process.argv.slice(2);
const BATCH = Number(batchArg);
const BATCH_BYTES = Number(bytesArg);
const IN_FLIGHT = Number(inFlightArg);

const started = performance.now();
const events = readFileSync(input, 'utf8').split('\n').filter(Boolean).map((line) => ({ line, event: JSON.parse(line) }));

/** Sends `items` in batches of at most BATCH items and BATCH_BYTES bytes, IN_FLIGHT at a time. */
async function pump(items, sizeOf, send) {
  const batches = [];
  let current = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length && (current.length === BATCH || bytes + size > BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length) batches.push(current);
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < batches.length) await send(batches[next++]);
  }));
}

if (type === 'redis-stream') {
  const { createClient } = await import('@redis/client');
  // No per-command timeout (node-redis' default is 5 s, an AbortSignal per command): the sink's
  // destination has none either.
  const client = createClient({ url: endpoint, commandOptions: { timeout: 0 } });
  await client.connect();
  // Pipelined XADD, one field per top-level key (as the sink's `fields: top-level`), built as
  // cheaply as the sink builds them (no Object.entries pairs; String(n) for finite numbers, which is
  // JSON.stringify's text): the baseline must not be slower than a careful hand-written loop.
  const commands = events.map(({ event }) => {
    const args = ['XADD', name, '*'];
    for (const k in event) {
      const v = event[k];
      args.push(k, typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : JSON.stringify(v));
    }
    return args;
  });
  await pump(commands, (c) => c.reduce((n, a, i) => (i < 3 ? n : n + Buffer.byteLength(a)), 0), (batch) => Promise.all(batch.map((c) => client.sendCommand(c))));
  await client.close();
} else if (type === 'cloudwatch-logs') {
  const { CloudWatchLogsClient, PutLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const { awsClientConfig } = await fromBuild('src/runtime/destinations/aws-client.js');
  const client = new CloudWatchLogsClient({ ...awsClientConfig('CloudWatch Logs', { endpoint, region: REGION, maxSockets: IN_FLIGHT }), credentials: CREDENTIALS });
  const [group, stream] = name.split('|');
  const logEvents = events.map(({ line, event }) => ({ timestamp: event.sold_at, message: line }));
  await pump(logEvents, (e) => Buffer.byteLength(e.message) + 26, (batch) => client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: batch })));
  client.destroy();
} else if (type === 'cloudwatch-metrics') {
  const { CloudWatchClient, PutMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
  const { awsClientConfig } = await fromBuild('src/runtime/destinations/aws-client.js');
  const client = new CloudWatchClient({ ...awsClientConfig('CloudWatch', { endpoint, region: REGION, maxSockets: IN_FLIGHT }), credentials: CREDENTIALS });
  const now = new Date();
  const data = events.map(({ event }) => ({ MetricName: 'NetPaid', Value: event.net_paid, Unit: 'None', Timestamp: now, Dimensions: [{ Name: 'store_id', Value: String(event.store_id) }] }));
  await pump(data, (d) => JSON.stringify(d).length, (batch) => client.send(new PutMetricDataCommand({ Namespace: name, MetricData: batch })));
  client.destroy();
} else {
  throw new Error(`unknown type ${type}`);
}
process.stdout.write(JSON.stringify({ records: events.length, ms: performance.now() - started }) + '\n');
