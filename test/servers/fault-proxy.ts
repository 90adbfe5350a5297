/**
 * A fault-injecting HTTP proxy for the AWS JSON write APIs: Kinesis PutRecords, Firehose
 * PutRecordBatch, DynamoDB BatchWriteItem, CloudWatch Logs PutLogEvents and CloudWatch
 * PutMetricData. Every other request passes through untouched. The two CloudWatch APIs accept or
 * refuse a request as a whole, so only whole-request faults apply to them (they are recorded all
 * the same, with the bytes the service counts).
 *
 * Per-record failures are real: the chosen records are REMOVED from the forwarded request, and
 * error entries (Kinesis, Firehose) or UnprocessedItems (DynamoDB) are spliced back into the
 * upstream response at their original positions, so a record reported as failed was not written.
 * Whole-request failures (500 InternalFailure, 400 throttling) forward nothing. A records/s
 * capacity (token bucket) fails the records beyond it per record with
 * ProvisionedThroughputExceededException, also without forwarding them. Every setting can change
 * at run time (`proxy.set({...})`); counters and a per-request log record what happened.
 */
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { awsJsonTarget, closeServer, listenLoopback, readBody, seededRandom, sendAwsError, sendJson } from './aws-json.js';

export const THROTTLED = 'ProvisionedThroughputExceededException';
export const INTERNAL_FAILURE = 'InternalFailure';

/** One record of an intercepted write request, as the fault rules see it. */
export interface ProxiedRecord {
  /** Position in the request. */
  readonly index: number;
  /** Decoded record data (Kinesis, Firehose); the PutRequest item JSON for DynamoDB. */
  readonly data: Buffer;
  readonly partitionKey?: string;
  /** Bytes the service counts for the record (Kinesis: data + partition key). */
  readonly bytes: number;
}

export type WholeRequestFault = 'internal' | 'throttle' | 'denied';

export interface FaultSettings {
  /** Added before each write request is handled (ms). */
  latencyMs: number;
  /** Extra uniformly random latency, 0..latencyJitterMs. */
  latencyJitterMs: number;
  /** Fraction of records failed per request (seeded random). */
  recordFailureRate: number;
  /** Codes used for rate-based record failures, picked at random. */
  recordFailureCodes: readonly string[];
  /** Custom rule: return an error code to fail the record, undefined to let it through. */
  failRecord?: (record: ProxiedRecord, request: readonly ProxiedRecord[]) => string | undefined;
  /** Sees every write request's records before any fault applies (for order checks). */
  observe?: (request: readonly ProxiedRecord[]) => void;
  /** Fraction of write requests answered 500 InternalFailure. */
  internalErrorRate: number;
  /** Fraction of write requests answered 400 with `throttleCode`. */
  throttleRate: number;
  throttleCode: 'ProvisionedThroughputExceededException' | 'LimitExceededException' | 'ThrottlingException';
  /** Fraction of write requests answered 400 AccessDeniedException. */
  deniedRate: number;
  /** Faults for the next write requests, consumed in order before the rates apply. */
  failNext: WholeRequestFault[];
  /** Records/s the proxy lets through (token bucket); undefined = unlimited. */
  capacityPerSecond: number | undefined;
  /** Bucket size in seconds of capacity (burst allowance). */
  burstSeconds: number;
}

export interface FaultCounters {
  requests: number;
  recordsReceived: number;
  recordsForwarded: number;
  /** Records refused by the capacity (token bucket). */
  recordsThrottled: number;
  /** Records failed by the failure rules (rate or failRecord). */
  recordsFailed: number;
  requestsFailed: number;
  requestsThrottled: number;
  /** Write requests being handled now, and the most at any one time. */
  concurrent: number;
  maxConcurrent: number;
  /** Records of the write requests being handled now (not yet answered: in flight for the client). */
  recordsInFlight: number;
}

export interface RequestLogEntry {
  /** ms since the proxy started. */
  readonly at: number;
  readonly operation: string;
  readonly records: number;
  /** Service-counted bytes of the request as the client sent it. */
  readonly bytes: number;
  readonly forwarded: number;
  readonly failed: number;
  readonly throttled: number;
  /** Whole-request fault answered instead of forwarding, if any. */
  readonly fault?: WholeRequestFault;
}

export interface FaultProxy {
  readonly endpoint: string;
  readonly port: number;
  readonly counters: Readonly<FaultCounters>;
  /** Every write request, in arrival order (capped at 200,000 entries). */
  readonly log: readonly RequestLogEntry[];
  set(settings: Partial<FaultSettings>): void;
  /** Zeroes the counters and the log. */
  reset(): void;
  stop(): Promise<void>;
}

type Json = Record<string, any>;

/** How the proxy takes one write API apart and puts its response back together. */
interface WriteProtocol {
  records(input: Json): ProxiedRecord[];
  /** The API has no per-record outcome: per-record faults and the capacity do not apply. */
  readonly wholeOnly?: boolean;
  /** The request with only the records at `keep`. */
  subset(input: Json, keep: readonly number[]): Json;
  /** The client's response: upstream results for the kept records, `codes` for the removed ones. */
  merge(input: Json, upstream: Json | undefined, codes: readonly (string | undefined)[]): Json;
}

function errorEntry(code: string): Json {
  return { ErrorCode: code, ErrorMessage: code === THROTTLED ? 'Rate exceeded for shard (injected by the fault proxy)' : 'Internal service failure (injected by the fault proxy)' };
}

/** Kinesis PutRecords and Firehose PutRecordBatch share a shape: a Records array in, a result per record out. */
function recordArrayProtocol(resultsField: string, failedCountField: string, countKey: boolean): WriteProtocol {
  return {
    records: (input) =>
      (input.Records as Json[]).map((r, index) => {
        const data = Buffer.from(String(r.Data ?? ''), 'base64');
        const partitionKey = r.PartitionKey as string | undefined;
        return { index, data, partitionKey, bytes: data.length + (countKey && partitionKey ? Buffer.byteLength(partitionKey) : 0) };
      }),
    subset: (input, keep) => ({ ...input, Records: keep.map((i) => input.Records[i]) }),
    merge(_input, upstream, codes) {
      const forwarded = (upstream?.[resultsField] ?? []) as Json[];
      let next = 0;
      let failed = 0;
      const results = codes.map((code) => {
        const r = code ? errorEntry(code) : forwarded[next++];
        if (r?.ErrorCode) failed++;
        return r;
      });
      return { ...(upstream ?? {}), [failedCountField]: failed, [resultsField]: results };
    },
  };
}

const dynamoBatchWrite: WriteProtocol = {
  records(input) {
    const out: ProxiedRecord[] = [];
    for (const requests of Object.values(input.RequestItems as Record<string, Json[]>)) {
      for (const r of requests) {
        const data = Buffer.from(JSON.stringify(r.PutRequest?.Item ?? r.DeleteRequest?.Key ?? {}));
        out.push({ index: out.length, data, bytes: data.length });
      }
    }
    return out;
  },
  subset(input, keep) {
    const wanted = new Set(keep);
    const RequestItems: Record<string, Json[]> = {};
    let i = 0;
    for (const [table, requests] of Object.entries(input.RequestItems as Record<string, Json[]>)) {
      const kept = requests.filter(() => wanted.has(i++));
      if (kept.length) RequestItems[table] = kept;
    }
    return { ...input, RequestItems };
  },
  merge(input, upstream, codes) {
    const unprocessed: Record<string, Json[]> = { ...((upstream?.UnprocessedItems ?? {}) as Record<string, Json[]>) };
    let i = 0;
    for (const [table, requests] of Object.entries(input.RequestItems as Record<string, Json[]>)) {
      for (const r of requests) {
        if (codes[i++]) (unprocessed[table] ??= []).push(r);
      }
    }
    return { ...(upstream ?? {}), UnprocessedItems: unprocessed };
  },
};

/** An API that takes a list and answers for the request as a whole. */
function wholeRequestProtocol(field: string, size: (item: Json) => { data: Buffer; bytes: number }): WriteProtocol {
  return {
    wholeOnly: true,
    records: (input) => ((input[field] ?? []) as Json[]).map((item, index) => ({ index, ...size(item) })),
    subset: (input) => input,
    merge: (_input, upstream) => upstream ?? {},
  };
}

const PROTOCOLS: Record<string, WriteProtocol> = {
  // PutLogEvents counts each event as its UTF-8 message plus 26 bytes.
  'Logs_20140328.PutLogEvents': wholeRequestProtocol('logEvents', (e) => {
    const data = Buffer.from(String(e.message ?? ''), 'utf8');
    return { data, bytes: data.length + 26 };
  }),
  'GraniteServiceVersion20100801.PutMetricData': wholeRequestProtocol('MetricData', (d) => {
    const data = Buffer.from(JSON.stringify(d), 'utf8');
    return { data, bytes: data.length };
  }),
  'Kinesis_20131202.PutRecords': recordArrayProtocol('Records', 'FailedRecordCount', true),
  'Firehose_20150804.PutRecordBatch': recordArrayProtocol('RequestResponses', 'FailedPutCount', false),
  'DynamoDB_20120810.BatchWriteItem': dynamoBatchWrite,
};

const WHOLE_REQUEST_STATUS: Record<WholeRequestFault, number> = { internal: 500, throttle: 400, denied: 400 };
const MAX_LOG = 200_000;

export interface FaultProxyOptions extends Partial<FaultSettings> {
  /** Seed of the fault PRNG (default 1). */
  readonly seed?: number;
}

interface Upstream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export async function startFaultProxy(upstreamEndpoint: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const upstream = new URL(upstreamEndpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const random = seededRandom(options.seed ?? 1);
  const started = performance.now();
  const settings: FaultSettings = {
    latencyMs: 0,
    latencyJitterMs: 0,
    recordFailureRate: 0,
    recordFailureCodes: [THROTTLED, INTERNAL_FAILURE],
    internalErrorRate: 0,
    throttleRate: 0,
    throttleCode: THROTTLED,
    deniedRate: 0,
    failNext: [],
    capacityPerSecond: undefined,
    burstSeconds: 0.2,
  };
  const { seed: _seed, ...initial } = options;
  Object.assign(settings, initial);
  const counters: FaultCounters = { requests: 0, recordsReceived: 0, recordsForwarded: 0, recordsThrottled: 0, recordsFailed: 0, requestsFailed: 0, requestsThrottled: 0, concurrent: 0, maxConcurrent: 0, recordsInFlight: 0 };
  const log: RequestLogEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();

  // Token bucket for the capacity.
  let tokens = 0;
  let refilledAt = performance.now();
  function resetBucket(): void {
    tokens = (settings.capacityPerSecond ?? 0) * settings.burstSeconds;
    refilledAt = performance.now();
  }
  resetBucket();
  function takeToken(): boolean {
    const cap = settings.capacityPerSecond;
    if (cap === undefined) return true;
    const now = performance.now();
    tokens = Math.min(cap * settings.burstSeconds, tokens + ((now - refilledAt) * cap) / 1000);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }

  function delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });
  }

  function forward(req: IncomingMessage, body: Buffer): Promise<Upstream> {
    const headers: Record<string, string | string[] | undefined> = { ...req.headers, 'content-length': String(body.length) };
    delete headers.connection;
    return new Promise((resolve, reject) => {
      const out = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
        (res) => {
          readBody(res).then((b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }), reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }

  function relay(res: ServerResponse, up: Upstream): void {
    const headers = { ...up.headers };
    delete headers.connection;
    delete headers['keep-alive'];
    delete headers['transfer-encoding'];
    headers['content-length'] = String(up.body.length);
    res.writeHead(up.status, headers);
    res.end(up.body);
  }

  function pickWholeRequestFault(): WholeRequestFault | undefined {
    const queued = settings.failNext.shift();
    if (queued) return queued;
    if (settings.internalErrorRate > 0 && random() < settings.internalErrorRate) return 'internal';
    if (settings.throttleRate > 0 && random() < settings.throttleRate) return 'throttle';
    if (settings.deniedRate > 0 && random() < settings.deniedRate) return 'denied';
    return undefined;
  }

  function record(entry: Omit<RequestLogEntry, 'at'>): void {
    if (log.length < MAX_LOG) log.push({ at: performance.now() - started, ...entry });
  }

  async function handleWrite(req: IncomingMessage, res: ServerResponse, operation: string, protocol: WriteProtocol, body: Buffer): Promise<void> {
    const input = JSON.parse(body.toString('utf8')) as Json;
    const records = protocol.records(input);
    counters.recordsInFlight += records.length;
    try {
      await handleRecords(req, res, operation, protocol, body, input, records);
    } finally {
      counters.recordsInFlight -= records.length;
    }
  }

  async function handleRecords(req: IncomingMessage, res: ServerResponse, operation: string, protocol: WriteProtocol, body: Buffer, input: Json, records: ProxiedRecord[]): Promise<void> {
    counters.requests++;
    const latency = settings.latencyMs + (settings.latencyJitterMs > 0 ? random() * settings.latencyJitterMs : 0);
    if (latency > 0) await delay(latency);
    const contentType = req.headers['content-type'] ?? 'application/x-amz-json-1.1';
    const bytes = records.reduce((sum, r) => sum + r.bytes, 0);
    counters.recordsReceived += records.length;
    settings.observe?.(records);

    const fault = pickWholeRequestFault();
    if (fault) {
      if (fault === 'throttle') counters.requestsThrottled++;
      else counters.requestsFailed++;
      record({ operation, records: records.length, bytes, forwarded: 0, failed: 0, throttled: 0, fault });
      const code = fault === 'internal' ? INTERNAL_FAILURE : fault === 'denied' ? 'AccessDeniedException' : settings.throttleCode;
      return sendAwsError(res, WHOLE_REQUEST_STATUS[fault], code, `${code} (injected by the fault proxy)`, contentType);
    }

    if (protocol.wholeOnly) {
      counters.recordsForwarded += records.length;
      record({ operation, records: records.length, bytes, forwarded: records.length, failed: 0, throttled: 0 });
      return relay(res, await forward(req, body));
    }
    const codes: (string | undefined)[] = new Array(records.length);
    const keep: number[] = [];
    let failed = 0;
    let throttled = 0;
    for (const r of records) {
      let code = settings.failRecord?.(r, records);
      if (!code && settings.recordFailureRate > 0 && random() < settings.recordFailureRate) {
        code = settings.recordFailureCodes[Math.floor(random() * settings.recordFailureCodes.length)];
      }
      if (code) {
        failed++;
      } else if (!takeToken()) {
        code = THROTTLED;
        throttled++;
      } else {
        keep.push(r.index);
      }
      codes[r.index] = code;
    }
    counters.recordsFailed += failed;
    counters.recordsThrottled += throttled;
    counters.recordsForwarded += keep.length;
    record({ operation, records: records.length, bytes, forwarded: keep.length, failed, throttled });

    if (keep.length === 0) return sendJson(res, 200, protocol.merge(input, undefined, codes), contentType);
    const sub = keep.length === records.length ? body : Buffer.from(JSON.stringify(protocol.subset(input, keep)));
    const up = await forward(req, sub);
    if (up.status !== 200 || keep.length === records.length) return relay(res, up);
    const merged = Buffer.from(JSON.stringify(protocol.merge(input, JSON.parse(up.body.toString('utf8')) as Json, codes)));
    const headers = { ...up.headers };
    // The body changed: its checksum (DynamoDB's x-amz-crc32) no longer applies.
    delete headers['x-amz-crc32'];
    relay(res, { status: 200, headers, body: merged });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = awsJsonTarget(req);
    const key = target ? `${target.service}.${target.operation}` : '';
    const protocol = PROTOCOLS[key];
    if (protocol && target) {
      counters.maxConcurrent = Math.max(counters.maxConcurrent, ++counters.concurrent);
      try {
        return await handleWrite(req, res, target.operation, protocol, body);
      } finally {
        counters.concurrent--;
      }
    }
    relay(res, await forward(req, body));
  }

  const server = createServer((req, res) => {
    // The client may have given up (its request timeout) while the proxy was waiting: ignore.
    res.on('error', () => {});
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendAwsError(res, 502, 'InternalFailure', `fault proxy: upstream failed: ${String(e)}`);
      else res.destroy();
    });
  });
  const { port, endpoint } = await listenLoopback(server);

  return {
    endpoint,
    port,
    counters,
    log,
    set(changes) {
      const capacityChanged = 'capacityPerSecond' in changes || 'burstSeconds' in changes;
      Object.assign(settings, changes);
      if (capacityChanged) resetBucket();
    },
    reset() {
      for (const k of Object.keys(counters) as (keyof FaultCounters)[]) if (k !== 'concurrent' && k !== 'recordsInFlight') counters[k] = 0;
      log.length = 0;
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      agent.destroy();
      await closeServer(server);
    },
  };
}
