/**
 * A minimal S3-compatible server for tests: path-style CreateBucket, PutObject, GetObject, HeadObject,
 * DeleteObject and ListObjectsV2 on 127.0.0.1, objects in memory. Enough for the AWS SDK v3 client
 * with `forcePathStyle: true` and `endpoint`; no signature checking (tests use dummy credentials).
 * Streaming uploads (`aws-chunked` bodies, which the SDK uses for flexible checksums) are decoded.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredObject {
  readonly body: Buffer;
  readonly etag: string;
  /** Request headers of the PUT that wrote it (lower-case names), e.g. the SSE headers. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface S3Local {
  readonly endpoint: string;
  /** bucket → key → object */
  readonly buckets: Map<string, Map<string, StoredObject>>;
  /** Every request served, as `METHOD /path?query`. */
  readonly requests: string[];
  close(): Promise<void>;
}

const xmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function sendXml(res: ServerResponse, status: number, body: string): void {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml), 'x-amz-request-id': 'local' });
  res.end(xml);
}

function sendError(res: ServerResponse, status: number, code: string, message: string, resource: string): void {
  sendXml(res, status, `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><Resource>${xmlEscape(resource)}</Resource></Error>`);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Decodes `aws-chunked` framing: `<hex size>[;chunk-signature=...]\r\n<data>\r\n` ... `0\r\n<trailers>\r\n`. */
export function decodeAwsChunked(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', pos);
    if (eol < 0) throw new Error('aws-chunked: missing chunk header');
    const size = parseInt(raw.subarray(pos, eol).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size)) throw new Error('aws-chunked: bad chunk size');
    if (size === 0) return Buffer.concat(out);
    out.push(raw.subarray(eol + 2, eol + 2 + size));
    pos = eol + 2 + size + 2;
  }
}

export async function startS3Local(options: { buckets?: readonly string[] } = {}): Promise<S3Local> {
  const buckets = new Map<string, Map<string, StoredObject>>();
  for (const b of options.buckets ?? []) buckets.set(b, new Map());
  const requests: string[] = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => sendError(res, 500, 'InternalError', String(e), req.url ?? ''));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const [, bucketName = '', ...rest] = url.pathname.split('/');
    const bucket = decodeURIComponent(bucketName);
    const key = rest.map(decodeURIComponent).join('/');
    const resource = url.pathname;
    const body = await readBody(req);

    if (!bucket) return sendError(res, 400, 'InvalidRequest', 'path-style bucket required', resource);
    if (key === '' && req.method === 'PUT') {
      if (!buckets.has(bucket)) buckets.set(bucket, new Map());
      res.writeHead(200, { location: `/${bucket}`, 'content-length': 0 });
      return void res.end();
    }
    const objects = buckets.get(bucket);
    if (!objects) return sendError(res, 404, 'NoSuchBucket', `The specified bucket does not exist: ${bucket}`, resource);

    if (key === '') {
      if (req.method !== 'GET' || url.searchParams.get('list-type') !== '2') return sendError(res, 501, 'NotImplemented', 'only ListObjectsV2 on buckets', resource);
      return listObjectsV2(res, bucket, objects, url.searchParams);
    }
    switch (req.method) {
      case 'PUT': {
        const encoding = req.headers['content-encoding'] ?? '';
        const streaming = String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-') || encoding.includes('aws-chunked');
        const data = streaming ? decodeAwsChunked(body) : body;
        const etag = `"${createHash('md5').update(data).digest('hex')}"`;
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        objects.set(key, { body: data, etag, headers });
        res.writeHead(200, { etag, 'content-length': 0 });
        return void res.end();
      }
      case 'GET':
      case 'HEAD': {
        const obj = objects.get(key);
        if (!obj) {
          if (req.method === 'HEAD') return void res.writeHead(404, { 'content-length': 0 }).end();
          return sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.', resource);
        }
        const sse: Record<string, string> = {};
        for (const h of ['x-amz-server-side-encryption', 'x-amz-server-side-encryption-aws-kms-key-id', 'x-amz-server-side-encryption-bucket-key-enabled']) {
          if (obj.headers[h]) sse[h] = obj.headers[h]!;
        }
        res.writeHead(200, {
          etag: obj.etag,
          'content-length': obj.body.length,
          'content-type': obj.headers['content-type'] ?? 'application/octet-stream',
          'last-modified': new Date(0).toUTCString(),
          ...sse,
        });
        return void res.end(req.method === 'GET' ? obj.body : undefined);
      }
      case 'DELETE':
        objects.delete(key);
        return void res.writeHead(204).end();
      default:
        return sendError(res, 405, 'MethodNotAllowed', `${req.method} is not supported`, resource);
    }
  }

  function listObjectsV2(res: ServerResponse, bucket: string, objects: Map<string, StoredObject>, q: URLSearchParams): void {
    const prefix = q.get('prefix') ?? '';
    const maxKeys = Math.min(Number(q.get('max-keys') ?? 1000), 1000);
    const after = q.get('continuation-token') ?? q.get('start-after') ?? '';
    const urlEncode = q.get('encoding-type') === 'url';
    const enc = (k: string): string => xmlEscape(urlEncode ? k.split('/').map(encodeURIComponent).join('/') : k);
    const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, maxKeys);
    const truncated = keys.length > page.length;
    const contents = page
      .map((k) => {
        const o = objects.get(k)!;
        return `<Contents><Key>${enc(k)}</Key><LastModified>1970-01-01T00:00:00.000Z</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    sendXml(
      res,
      200,
      `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket)}</Name><Prefix>${enc(prefix)}</Prefix>` +
        `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
        (urlEncode ? '<EncodingType>url</EncodingType>' : '') +
        (truncated ? `<NextContinuationToken>${xmlEscape(page[page.length - 1]!)}</NextContinuationToken>` : '') +
        `${contents}</ListBucketResult>`,
    );
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    buckets,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
