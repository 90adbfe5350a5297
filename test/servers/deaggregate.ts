/** Deaggregation with the reference consumer library (aws-kinesis-agg), checksums verified. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const agg = require('aws-kinesis-agg') as {
  deaggregateSync(
    record: { data: string; partitionKey: string; explicitPartitionKey?: string; sequenceNumber: string },
    computeChecksums: boolean,
    callback: (err: Error | null, records?: { partitionKey: string; explicitPartitionKey?: string; data: string }[]) => void,
  ): void;
};

export interface Deaggregated {
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  readonly data: Buffer;
}

/** The user records of one Kinesis record (itself when it is not an aggregate). */
export function deaggregate(data: Uint8Array, partitionKey: string): Deaggregated[] {
  let out: Deaggregated[] = [];
  agg.deaggregateSync({ data: Buffer.from(data).toString('base64'), partitionKey, sequenceNumber: '1' }, true, (err, records) => {
    if (err) throw err;
    out = (records ?? []).map((r) => ({ partitionKey: r.partitionKey, explicitHashKey: r.explicitPartitionKey, data: Buffer.from(r.data, 'base64') }));
  });
  return out;
}
