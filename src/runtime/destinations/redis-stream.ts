/**
 * Redis Streams destination: a batch is one pipeline of `XADD <stream> [MAXLEN ~ n] * field value...`
 * commands on one connection (node-redis writes the commands issued in one tick together), and
 * each command's reply says whether its entry was added. The server's URL comes from `--endpoint`
 * or REDIS_URL, never from the sink config, so credentials stay out of generated files and out of
 * messages (the description names host and port only).
 */
import type { RedisClientType } from '@redis/client';
import { ConversionError, type BatchOutcome, type Destination, type ElementConverter, type EntryFailure, type FailureClass, type FailureKind } from '../destination.js';
import { classifyError as classifyGeneric, SinkConfigError } from '../engine/errors.js';
import { describeType, isPlainObject } from './event-fields.js';
import { DESTINATION_OPTION_DEFAULTS, REDIS_STREAM_DEFAULTS } from '../../contract/defaults.js';
import { loadOnce, moduleExports } from './lazy-module.js';
import { REDIS_STREAM_LIMITS } from '../../contract/limits.js';

export { REDIS_STREAM_DEFAULTS, REDIS_STREAM_LIMITS };
/** Field/value pairs of one stream entry, flattened: `[field1, value1, field2, value2, ...]`. */
export interface RedisStreamEntry {
  readonly fields: readonly string[];
}

export interface RedisStreamDestinationOptions {
  readonly stream: string;
  /** Approximate cap on the stream's length (`MAXLEN ~`); absent = untrimmed. */
  readonly maxLength?: number;
  /** `redis://[user:password@]host:port[/db]` or `rediss://...`; default REDIS_URL. */
  readonly url?: string;
}

/** Error replies: out of memory, loading or busy push back; a read-only replica (failover) may recover; the rest stop the sink. */
const THROTTLED = { kind: 'throttled' } as const;
const REPLIES: Readonly<Record<string, { kind: FailureKind; fix?: string }>> = {
  OOM: THROTTLED, BUSY: THROTTLED, LOADING: THROTTLED, MASTERDOWN: THROTTLED, TRYAGAIN: THROTTLED,
  READONLY: { kind: 'retryable' },
  NOPERM: { kind: 'fatal', fix: 'allow the Redis user XADD on the stream key (ACL SETUSER <user> +xadd ~<stream>)' },
  NOAUTH: { kind: 'fatal', fix: 'put the user and password in REDIS_URL (redis://user:password@host:port)' },
  WRONGPASS: { kind: 'fatal', fix: 'put the right user and password in REDIS_URL (redis://user:password@host:port)' },
  WRONGTYPE: { kind: 'fatal', fix: 'the key holds another type of value: name another stream in the sink, or delete the key' },
};
const OTHER_REPLY = { kind: 'fatal' as const, fix: 'check the stream name and maxLength in the sink config against the server' };

/** A whole-request failure: the connection (refused, reset, timed out). */
function classifyRedisError(err: unknown): FailureClass {
  const c = classifyGeneric(err);
  if (c.kind === 'fatal' && (err as { name?: unknown })?.name === 'TimeoutError') return { kind: 'retryable', code: 'TimeoutError', message: c.message };
  return c.unreachable ? { ...c, fix: 'check that REDIS_URL (or --endpoint) points at a running Redis server' } : c;
}

/** REDIS_URL, or the explicit URL; a usage error when there is neither. */
export function resolveRedisUrl(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const url = explicit || env.REDIS_URL;
  if (!url) throw new SinkConfigError("a redis-stream sink needs the Redis server's URL: set REDIS_URL (e.g. redis://127.0.0.1:6379) or pass --endpoint");
  if (!/^rediss?:\/\/[^\s/]/.test(url)) throw new SinkConfigError(`the Redis URL must start with redis:// or rediss://; got '${url.replace(/\/\/[^@/]*@/, '//***@')}'`);
  return url;
}

export const redisEntrySize = (e: RedisStreamEntry): number => (e instanceof XaddEntry ? e.size : e.fields.reduce((n, f) => n + Buffer.byteLength(f, 'utf8'), 0));

const heads = new Map<string, readonly string[]>();
/** The XADD arguments before the fields: one array per stream and maxLength (entries compare it by identity). */
function xaddHead(stream: string, maxLength?: number): readonly string[] {
  const key = `${maxLength ?? ''} ${stream}`;
  if (!heads.has(key)) heads.set(key, maxLength === undefined ? ['XADD', stream, '*'] : ['XADD', stream, 'MAXLEN', '~', String(maxLength), '*']);
  return heads.get(key)!;
}

/** An entry made for its destination's stream: the whole XADD command (sent without a copy) and the fields' size. */
class XaddEntry implements RedisStreamEntry {
  constructor(readonly head: readonly string[], readonly command: string[], readonly size: number) {}
  get fields(): string[] {
    return this.command.slice(this.head.length);
  }
}

export function createRedisStreamDestination(options: RedisStreamDestinationOptions): Destination<RedisStreamEntry> {
  const url = resolveRedisUrl(options.url);
  const { hostname, port } = new URL(url);
  const head = xaddHead(options.stream, options.maxLength);
  let connected = false;
  let client: RedisClientType | undefined;
  const redis = loadOnce(async () => {
    const m = await moduleExports(import('@redis/client')); // on the first batch; CommonJS: module.exports however it was loaded
    // Commands fail at once while the connection is down (no offline queue): the engine retries them.
    client = m.createClient({
      url,
      disableOfflineQueue: true,
      // The engine's requestTimeoutMs bounds a batch; node-redis' own (5 s per command, an
      // AbortSignal.timeout each: a third of a sink run's CPU) would cut long pipelines first.
      commandOptions: { timeout: 0 },
      socket: { reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(50 * 2 ** retries, 2_000) : cause) },
    }) as unknown as RedisClientType;
    client.on('error', () => undefined /* surfaced by the commands */);
    return m;
  });
  let connecting: Promise<unknown> | undefined;
  const connect = (): Promise<unknown> =>
    (connecting ??= redis().then(() => client!.connect()).then(
      () => (connected = true),
      (err: unknown) => {
        connecting = undefined; // the next batch tries again
        throw connectionError(err);
      },
    ));
  return {
    description: `Redis stream ${options.stream} at ${hostname || 'localhost'}:${port || 6379}`,
    limits: REDIS_STREAM_LIMITS,
    defaults: REDIS_STREAM_DEFAULTS,
    sizeOf: redisEntrySize,
    async submit(batch: readonly RedisStreamEntry[], signal: AbortSignal): Promise<BatchOutcome> {
      await connect();
      const { ErrorReply } = await redis();
      const sent = batch.map((e) => client!.sendCommand(e instanceof XaddEntry && e.head === head ? e.command : head.concat(e.fields)));
      // One abort listener per batch (not per command): once written, a command cannot be taken back
      // anyway; on timeout the engine retries the batch, at least once. Replies are looked at one by
      // one only when one failed (Promise.all allocates less than allSettled for the usual batch).
      if (await untilAborted(Promise.all(sent).then(() => true, () => false), signal)) return { failures: [] };
      const replies = await untilAborted(Promise.allSettled(sent), signal);
      const failures: EntryFailure[] = [];
      let lost: unknown;
      replies.forEach((r, i) => {
        if (r.status === 'fulfilled') return;
        const message = String((r.reason as Error)?.message ?? r.reason);
        const code = message.split(' ', 1)[0]!; // an error reply: its code, then the text
        if (r.reason instanceof ErrorReply) return void failures.push({ index: i, code, message, ...(REPLIES[code] ?? OTHER_REPLY) });
        lost ??= r.reason; // no reply: the connection dropped under this command (retryable)
        failures.push({ index: i, code: 'ECONNRESET', message, kind: 'retryable' });
      });
      // Nothing got through and no command was refused: the whole request failed.
      if (lost !== undefined && failures.length === batch.length && failures.every((f) => f.code === 'ECONNRESET')) throw connectionError(lost);
      return { failures };
    },
    classifyError: classifyRedisError,
    encodeEntry: (e) => ({ fields: e.fields }),
    decodeEntry(json: unknown): RedisStreamEntry {
      if (isPlainObject(json) && Array.isArray(json.fields) && json.fields.length % 2 === 0 && json.fields.every((f) => typeof f === 'string')) return { fields: json.fields as string[] };
      throw new TypeError('not an encoded Redis stream entry: expected { fields: [<field>, <value>, ...] }');
    },
    async close(): Promise<void> {
      const c = client;
      if (c?.isOpen) await c.close().catch(() => c.destroy());
    },
  };
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(Object.assign(new Error('the request timed out'), { name: 'TimeoutError' }));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A dropped or refused connection as the engine knows it: a Node network code (ECONNREFUSED...). */
function connectionError(err: unknown): Error {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
  const message = String(e?.message ?? err);
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : /\b(E[A-Z]{4,})\b/.exec(message)?.[1] ?? 'ECONNRESET';
  return Object.assign(new Error(`Redis connection failed: ${message}`), { code });
}

export interface RedisStreamConverterOptions {
  /** `json`: the event as one field (`jsonField`); `top-level`: one field per top-level key. */
  readonly fields?: 'json' | 'top-level';
  /** Field name of the JSON event in `json` mode (default `event`). */
  readonly jsonField?: string;
  /** The destination's stream and maxLength: entries then carry their whole XADD command. */
  readonly stream?: string;
  readonly maxLength?: number;
}

export function redisStreamConverter(options: RedisStreamConverterOptions = {}): ElementConverter<RedisStreamEntry> {
  const head = options.stream === undefined ? [] : xaddHead(options.stream, options.maxLength);
  const h = head.length;
  if (options.fields !== 'top-level') {
    const name = options.jsonField ?? DESTINATION_OPTION_DEFAULTS['redis-stream'].jsonField;
    const nameBytes = Buffer.byteLength(name, 'utf8');
    const entry = (value: string): RedisStreamEntry => (h ? new XaddEntry(head, [...head, name, value], nameBytes + Buffer.byteLength(value, 'utf8')) : { fields: [name, value] });
    return (event: unknown, raw?: string) => entry(raw ?? JSON.stringify(event));
  }
  return (event: unknown, raw?: string): RedisStreamEntry => {
    if (!isPlainObject(event)) throw new ConversionError(`with fields: top-level the event must be a JSON object; it is ${describeType(event)}`);
    const keys = Object.keys(event); // not Object.entries: no [key, value] array per field
    if (keys.length === 0) throw new ConversionError('the event has no fields; a Redis stream entry needs at least one');
    const args = new Array<string>(h + keys.length * 2);
    for (let i = 0; i < h; i++) args[i] = head[i]!;
    for (let i = 0; i < keys.length; i++) {
      const v = event[(args[h + 2 * i] = keys[i]!)];
      // String(n) is JSON.stringify(n) for a finite number, and faster.
      args[h + 2 * i + 1] = typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : JSON.stringify(v);
    }
    if (!h) return { fields: args };
    // The fields' UTF-8 size. When `raw` (the event's JSON text) is ASCII without escapes, so is
    // every field (a byte per character): one byteLength call per event instead of one per field.
    const ascii = raw !== undefined && Buffer.byteLength(raw, 'utf8') === raw.length && !raw.includes('\\');
    let size = 0;
    for (let i = h; i < args.length; i++) size += ascii ? args[i]!.length : Buffer.byteLength(args[i]!, 'utf8');
    return new XaddEntry(head, args, size);
  };
}
