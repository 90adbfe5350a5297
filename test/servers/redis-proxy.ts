/**
 * A recording, fault-injecting RESP proxy in front of a real redis-server, the Redis counterpart
 * of fault-proxy.ts. It reads the client's pipelined commands one by one; an XADD chosen to fail is
 * NOT forwarded and is answered with the error reply a real server gives (OOM, NOPERM...), spliced
 * into the stream of upstream replies at its own position, so pipelining order holds. A connection
 * can also be cut right after a chosen XADD arrives (nothing of it forwarded). Every XADD is logged
 * with its stream and the bytes of its field/value pairs.
 */
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export const OOM_REPLY = "OOM command not allowed when used memory > 'maxmemory'.";
export const NOPERM_REPLY = "NOPERM User default has no permissions to run the 'xadd' command";

/** One XADD as the proxy saw it. */
export interface XaddRecord {
  readonly stream: string;
  /** `[field, value, ...]` */
  readonly fields: readonly string[];
  /** Bytes of the field/value pairs (what the destination counts). */
  readonly bytes: number;
  /** What happened to it. */
  readonly outcome: 'forwarded' | 'failed' | 'dropped';
}

export interface RedisFaultSettings {
  /** Error reply (without the leading `-`) for an XADD, or undefined to forward it. */
  failCommand?: (command: { stream: string; fields: readonly string[] }) => string | undefined;
  /** Cut the connection when the next N XADDs arrive (one cut per XADD, counted down). */
  dropNext: number;
}

export interface RedisProxy {
  readonly url: string;
  readonly log: readonly XaddRecord[];
  set(settings: Partial<RedisFaultSettings>): void;
  stop(): Promise<void>;
}

const CRLF = 0x0d;

/** End offset of the line starting at `at` (after its CRLF), or -1 when incomplete. */
function lineEnd(buf: Buffer, at: number): number {
  const i = buf.indexOf(CRLF, at);
  return i < 0 || i + 1 >= buf.length ? -1 : i + 2;
}

/** End offset of one complete RESP2/RESP3 reply starting at `at`, or -1 when incomplete. */
function replyEnd(buf: Buffer, at: number): number {
  if (at >= buf.length) return -1;
  const end = lineEnd(buf, at);
  if (end < 0) return -1;
  const type = String.fromCharCode(buf[at]!);
  const n = Number(buf.toString('latin1', at + 1, end - 2));
  if ('$!='.includes(type)) return n < 0 ? end : end + n + 2 <= buf.length ? end + n + 2 : -1;
  if ('*%~>|'.includes(type)) {
    let next = end;
    const items = n < 0 ? 0 : '%|'.includes(type) ? 2 * n : n;
    for (let k = 0; k < items; k++) {
      next = replyEnd(buf, next);
      if (next < 0) return -1;
    }
    return next;
  }
  return end;
}

/** One client command (an array of bulk strings) starting at `at`: its arguments and end offset. */
function parseCommand(buf: Buffer, at: number): { args: Buffer[]; end: number } | undefined {
  let end = lineEnd(buf, at);
  if (end < 0) return undefined;
  const count = Number(buf.toString('latin1', at + 1, end - 2));
  const args: Buffer[] = [];
  for (let k = 0; k < count; k++) {
    const lenEnd = lineEnd(buf, end);
    if (lenEnd < 0) return undefined;
    const len = Number(buf.toString('latin1', end + 1, lenEnd - 2));
    if (lenEnd + len + 2 > buf.length) return undefined;
    args.push(buf.subarray(lenEnd, lenEnd + len));
    end = lenEnd + len + 2;
  }
  return { args, end };
}

export async function startRedisProxy(upstreamPort: number): Promise<RedisProxy> {
  const settings: RedisFaultSettings = { dropNext: 0 };
  const log: XaddRecord[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort });
    sockets.add(client).add(upstream);
    // Replies owed to the client, in command order from `head`; `null` = waiting for the upstream's
    // reply. `waiting` lists, in order, the slots whose reply comes from upstream.
    const slots: (Buffer | null)[] = [];
    let head = 0;
    const waiting: number[] = [];
    let nextWaiting = 0;
    let fromClient: Buffer = Buffer.alloc(0);
    let fromUpstream: Buffer = Buffer.alloc(0);
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
    };
    const flush = (): void => {
      const ready: Buffer[] = [];
      while (head < slots.length && slots[head] !== null) ready.push(slots[head++]!);
      if (ready.length) client.write(Buffer.concat(ready));
      if (head === slots.length && nextWaiting === waiting.length) {
        slots.length = head = 0;
        waiting.length = nextWaiting = 0;
      }
    };

    client.on('data', (chunk: Buffer) => {
      fromClient = fromClient.length ? Buffer.concat([fromClient, chunk]) : chunk;
      const forward: Buffer[] = [];
      let at = 0;
      for (let cmd = parseCommand(fromClient, at); cmd; cmd = parseCommand(fromClient, at)) {
        const raw = fromClient.subarray(at, cmd.end);
        at = cmd.end;
        if (cmd.args[0]?.toString('latin1').toUpperCase() !== 'XADD') {
          forward.push(raw);
          waiting.push(slots.push(null) - 1);
          continue;
        }
        const idAt = cmd.args.findIndex((a, i) => i >= 2 && a.length === 1 && a[0] === 0x2a /* '*' */);
        const stream = cmd.args[1]!.toString('utf8');
        const fields = cmd.args.slice(idAt + 1).map((a) => a.toString('utf8'));
        const bytes = cmd.args.slice(idAt + 1).reduce((n, a) => n + a.length, 0);
        if (settings.dropNext > 0) {
          settings.dropNext--;
          log.push({ stream, fields, bytes, outcome: 'dropped' });
          // What was already parsed before this command still goes out; this one and the rest do not.
          if (forward.length) upstream.write(Buffer.concat(forward));
          return void setImmediate(cut);
        }
        const error = settings.failCommand?.({ stream, fields });
        log.push({ stream, fields, bytes, outcome: error ? 'failed' : 'forwarded' });
        if (error) {
          slots.push(Buffer.from(`-${error}\r\n`, 'utf8'));
        } else {
          forward.push(raw);
          waiting.push(slots.push(null) - 1);
        }
      }
      fromClient = fromClient.subarray(at);
      if (forward.length) upstream.write(Buffer.concat(forward));
      flush();
    });

    upstream.on('data', (chunk: Buffer) => {
      fromUpstream = fromUpstream.length ? Buffer.concat([fromUpstream, chunk]) : chunk;
      let at = 0;
      for (let end = replyEnd(fromUpstream, at); end >= 0; end = replyEnd(fromUpstream, at)) {
        if (nextWaiting < waiting.length) slots[waiting[nextWaiting++]!] = Buffer.from(fromUpstream.subarray(at, end));
        at = end;
      }
      fromUpstream = fromUpstream.subarray(at);
      flush();
    });

    for (const s of [client, upstream]) {
      s.on('error', cut);
      s.on('close', () => {
        sockets.delete(s);
        cut();
      });
    }
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

  return {
    url: `redis://127.0.0.1:${port}`,
    log,
    set(changes) {
      Object.assign(settings, changes);
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
