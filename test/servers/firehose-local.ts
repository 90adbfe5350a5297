/**
 * A minimal Firehose for tests: the JSON 1.1 protocol for PutRecordBatch and
 * DescribeDeliveryStream, records kept in memory per delivery stream. No emulator exists on npm;
 * failures are injected by putting the fault proxy in front of it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { awsJsonTarget, closeServer, listenLoopback, readBody, sendAwsError, sendJson } from './aws-json.js';

export interface LocalFirehose {
  readonly endpoint: string;
  readonly port: number;
  createDeliveryStream(name: string): void;
  /** Records delivered to the stream, in arrival order. */
  records(name: string): Buffer[];
  stop(): Promise<void>;
}

const SERVICE = 'Firehose_20150804';
const MAX_BATCH_RECORDS = 500;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const MAX_RECORD_BYTES = 1000 * 1024;

export async function startFirehoseLocal(streamNames: readonly string[] = []): Promise<LocalFirehose> {
  const streams = new Map<string, Buffer[]>(streamNames.map((n) => [n, []]));
  let recordIds = 0;

  function putRecordBatch(input: { DeliveryStreamName?: string; Records?: { Data?: string }[] }, res: ServerResponse): void {
    const stored = input.DeliveryStreamName === undefined ? undefined : streams.get(input.DeliveryStreamName);
    if (!stored) return sendAwsError(res, 400, 'ResourceNotFoundException', `Firehose ${input.DeliveryStreamName} under account 000000000000 not found.`);
    const records = input.Records ?? [];
    if (records.length === 0 || records.length > MAX_BATCH_RECORDS) {
      return sendAwsError(res, 400, 'ValidationException', `1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length between 1 and ${MAX_BATCH_RECORDS}`);
    }
    const data = records.map((r) => Buffer.from(r.Data ?? '', 'base64'));
    const total = data.reduce((sum, d) => sum + d.length, 0);
    if (total > MAX_BATCH_BYTES || data.some((d) => d.length > MAX_RECORD_BYTES)) {
      return sendAwsError(res, 400, 'InvalidArgumentException', 'Records size exceeds the 4 MiB request limit or a record exceeds 1,000 KiB');
    }
    stored.push(...data);
    sendJson(res, 200, { FailedPutCount: 0, Encrypted: false, RequestResponses: data.map(() => ({ RecordId: String(++recordIds).padStart(56, '0') })) });
  }

  function describe(input: { DeliveryStreamName?: string }, res: ServerResponse): void {
    const name = input.DeliveryStreamName ?? '';
    if (!streams.has(name)) return sendAwsError(res, 400, 'ResourceNotFoundException', `Firehose ${name} under account 000000000000 not found.`);
    sendJson(res, 200, {
      DeliveryStreamDescription: {
        DeliveryStreamName: name,
        DeliveryStreamARN: `arn:aws:firehose:us-east-1:000000000000:deliverystream/${name}`,
        DeliveryStreamStatus: 'ACTIVE',
        DeliveryStreamType: 'DirectPut',
        VersionId: '1',
        Destinations: [],
        HasMoreDestinations: false,
      },
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = awsJsonTarget(req);
    const body = await readBody(req);
    if (!target || target.service !== SERVICE) return sendAwsError(res, 400, 'UnknownOperationException', `expected X-Amz-Target ${SERVICE}.<operation>`);
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return sendAwsError(res, 400, 'SerializationException', 'request body is not JSON');
    }
    if (target.operation === 'PutRecordBatch') return putRecordBatch(input, res);
    if (target.operation === 'DescribeDeliveryStream') return describe(input, res);
    sendAwsError(res, 400, 'UnknownOperationException', `firehose-local implements PutRecordBatch and DescribeDeliveryStream, not ${target.operation}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => sendAwsError(res, 500, 'InternalFailure', String(e)));
  });
  const { port, endpoint } = await listenLoopback(server);
  return {
    endpoint,
    port,
    createDeliveryStream: (name) => void streams.set(name, streams.get(name) ?? []),
    records: (name) => [...(streams.get(name) ?? [])],
    stop: () => closeServer(server),
  };
}
