/**
 * Shared plumbing of the local test servers (firehose-local, fault-proxy): listening on loopback,
 * reading AWS JSON 1.0/1.1 requests, and answering in the AWS JSON shapes the SDK parses.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
}

/** Listens on an ephemeral loopback port. */
export function listenLoopback(server: Server): Promise<Listening> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({ port, endpoint: `http://127.0.0.1:${port}` });
    });
  });
}

/** Closes a server and every keep-alive connection to it. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface AwsJsonRequest {
  /** e.g. `Kinesis_20131202` */
  readonly service: string;
  /** e.g. `PutRecords` */
  readonly operation: string;
  readonly contentType: string;
}

/** Service and operation from `X-Amz-Target: <Service>.<Operation>`; undefined for other requests. */
export function awsJsonTarget(req: IncomingMessage): AwsJsonRequest | undefined {
  const target = req.headers['x-amz-target'];
  if (typeof target !== 'string' || !target.includes('.')) return undefined;
  const dot = target.lastIndexOf('.');
  return { service: target.slice(0, dot), operation: target.slice(dot + 1), contentType: req.headers['content-type'] ?? 'application/x-amz-json-1.1' };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/x-amz-json-1.1'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': 'local' });
  res.end(text);
}

/** An error in the AWS JSON protocol shape: `{ __type, message }` plus `x-amzn-ErrorType`. */
export function sendAwsError(res: ServerResponse, status: number, type: string, message: string, contentType = 'application/x-amz-json-1.1'): void {
  const text = JSON.stringify({ __type: type, message });
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'x-amzn-errortype': type, 'x-amzn-requestid': 'local' });
  res.end(text);
}

/** Seeded PRNG so that injected faults are reproducible. */
export { seededRandom } from '../../src/util/prng.js';
