/**
 * Amazon Data Firehose destination: one PutRecordBatch per batch; `FailedPutCount` and the
 * per-record `ErrorCode`s mapped to entry failures.
 */
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { BatchOutcome, Destination, DestinationLimits, ElementConverter, EntryFailure } from '../destination.js';
import { sdkClient, type AwsCredentials } from './aws-client.js';
import { awsEntryFailure, classifyAwsError } from './aws-errors.js';
import { isPlainObject } from './event-fields.js';
import { FIREHOSE_DEFAULTS } from '../../contract/defaults.js';
import { FIREHOSE_LIMITS } from '../../contract/limits.js';

export interface FirehoseEntry {
  readonly data: Uint8Array;
}


export { FIREHOSE_DEFAULTS, FIREHOSE_LIMITS };


export interface FirehoseDestinationOptions {
  readonly deliveryStreamName: string;
  readonly region?: string;
  readonly endpoint?: string;
  /** Absent = the SDK's default credential chain. */
  readonly credentials?: AwsCredentials;
  /** A caller-owned client (not destroyed by close()). */
  readonly client?: FirehoseClient;
  readonly maxSockets?: number;
}

export function createFirehoseDestination(options: FirehoseDestinationOptions): Destination<FirehoseEntry> {
  const { deliveryStreamName } = options;
  const aws = sdkClient('Firehose', options, () => import('@aws-sdk/client-firehose'), (m, config) => new m.FirehoseClient(config));

  return {
    description: `Firehose delivery stream ${deliveryStreamName}`,
    limits: FIREHOSE_LIMITS,
    defaults: FIREHOSE_DEFAULTS,
    sizeOf: (entry) => entry.data.byteLength,

    async submit(batch: readonly FirehoseEntry[], signal: AbortSignal): Promise<BatchOutcome> {
      const records = batch.map((e) => ({ Data: e.data }));
      const { PutRecordBatchCommand } = await aws.sdk();
      const response = await aws.client().send(new PutRecordBatchCommand({ DeliveryStreamName: deliveryStreamName, Records: records }), { abortSignal: signal });
      const results = response.RequestResponses ?? [];
      if (!response.FailedPutCount && results.length === batch.length) return { failures: [] };
      const failures: EntryFailure[] = [];
      for (let i = 0; i < batch.length; i++) {
        const result = results[i];
        if (!result) {
          failures.push(awsEntryFailure(i, 'ServiceUnavailableException', `PutRecordBatch returned no result for record ${i}`));
        } else if (result.ErrorCode) {
          failures.push(awsEntryFailure(i, result.ErrorCode, result.ErrorMessage ?? result.ErrorCode));
        }
      }
      return { failures };
    },

    classifyError: classifyAwsError,
    // The producer's line (without the newline the converter appends).
    describeEntry: (entry) => Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength).toString('utf8').replace(/\n$/, ''),

    encodeEntry: (entry) => ({ data: Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength).toString('base64') }),

    decodeEntry(json: unknown): FirehoseEntry {
      if (!isPlainObject(json) || typeof json.data !== 'string') throw new TypeError('not an encoded Firehose entry: expected { data: <base64> }');
      return { data: Buffer.from(json.data, 'base64') };
    },

    async close(): Promise<void> {
      aws.close();
    },
  };
}

export interface FirehoseConverterOptions {
  /** Append `\n` to every record so that the objects Firehose writes to S3 are NDJSON (default true). */
  readonly newlineDelimited?: boolean;
}

export function firehoseConverter(options: FirehoseConverterOptions = {}): ElementConverter<FirehoseEntry> {
  const suffix = options.newlineDelimited === false ? '' : '\n';
  return (event: unknown, raw?: string) => ({ data: Buffer.from((raw ?? JSON.stringify(event)) + suffix, 'utf8') });
}
