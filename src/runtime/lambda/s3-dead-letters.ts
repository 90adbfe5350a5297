/**
 * A dead-letter store for Lambda: letters are kept in memory (a Lambda has no durable disk) and
 * written as one NDJSON object under an S3 prefix of the raw layer when the store closes, which the
 * sink job does before it returns. Nothing is lost silently: a failed upload fails the invocation
 * (Lambda retries it; the window is regenerated identically).
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DeadLetter, DeadLetterStore } from '../dead-letter.js';

export interface S3DeadLetterOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** Object key (e.g. `_dead-letters/<sink>/<window>.ndjson`). */
  readonly key: string;
  /** SSE-KMS with this key when set. */
  readonly kmsKeyArn?: string;
}

export class S3DeadLetterStore implements DeadLetterStore {
  private readonly lines: string[] = [];
  readonly location: string;

  constructor(private readonly options: S3DeadLetterOptions) {
    this.location = `s3://${options.bucket}/${options.key}`;
  }

  get letters(): number {
    return this.lines.length;
  }

  write(letter: DeadLetter): void {
    this.lines.push(JSON.stringify({ reason: letter.reason, input: letter.input, sink: letter.sink, at: letter.at }) + '\n');
  }

  /** Uploads the letters, if any (no empty objects). */
  async close(): Promise<void> {
    if (this.lines.length === 0) return;
    const o = this.options;
    await o.s3.send(
      new PutObjectCommand({
        Bucket: o.bucket,
        Key: o.key,
        Body: this.lines.join(''),
        ContentType: 'application/x-ndjson',
        ...(o.kmsKeyArn ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: o.kmsKeyArn, BucketKeyEnabled: true } : {}),
      }),
    );
  }
}
