/**
 * CloudWatch Logs destination: PutLogEvents into one log stream. The service wants the events of a
 * request in time order and within 24 hours, so a batch is sorted (stable) by timestamp and split
 * where its span would pass 24 hours; the parts go out one after another. Events the service
 * refuses as too old, too new or past the group's retention (`rejectedLogEventsInfo`) are rejected
 * per entry: the engine dead-letters them. A missing stream is created first when the spec asks
 * for it (`createLogStream`); a missing group stays fatal.
 */
import type { CloudWatchLogsClient, InputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { ConversionError, type BatchOutcome, type Destination, type ElementConverter, type EntryFailure, type FailureClass } from '../destination.js';
import { sdkClient, type AwsCredentials } from './aws-client.js';
import { classifyAwsError } from './aws-errors.js';
import { describeType, isPlainObject, readField } from './event-fields.js';
import { CLOUDWATCH_LOGS_DEFAULTS } from '../../contract/defaults.js';
import { CLOUDWATCH_LOGS_EVENT_OVERHEAD, CLOUDWATCH_LOGS_LIMITS, CLOUDWATCH_LOGS_MAX_SPAN_MS } from '../../contract/limits.js';

export interface CloudWatchLogsEntry {
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly message: string;
}

export { CLOUDWATCH_LOGS_DEFAULTS, CLOUDWATCH_LOGS_LIMITS };

export interface CloudWatchLogsDestinationOptions {
  readonly logGroup: string;
  readonly logStream: string;
  /** Create the log stream when PutLogEvents says it does not exist (default false). */
  readonly createLogStream?: boolean;
  readonly region?: string;
  readonly endpoint?: string;
  /** Absent = the SDK's default credential chain. */
  readonly credentials?: AwsCredentials;
  /** A caller-owned client (not destroyed by close()). */
  readonly client?: CloudWatchLogsClient;
  readonly maxSockets?: number;
}

/** Bytes PutLogEvents counts for an event: its UTF-8 message plus 26. */
export const logEventSize = (entry: CloudWatchLogsEntry): number => Buffer.byteLength(entry.message, 'utf8') + CLOUDWATCH_LOGS_EVENT_OVERHEAD;

/** Batch positions in time order (stable), cut wherever a part would span more than 24 hours. */
export function timeOrderedParts(batch: readonly CloudWatchLogsEntry[]): number[][] {
  const order = batch.map((_, i) => i);
  order.sort((a, b) => batch[a]!.timestamp - batch[b]!.timestamp || a - b);
  const parts: number[][] = [];
  let part: number[] = [];
  for (const i of order) {
    if (part.length && batch[i]!.timestamp - batch[part[0]!]!.timestamp >= CLOUDWATCH_LOGS_MAX_SPAN_MS) {
      parts.push(part);
      part = [];
    }
    part.push(i);
  }
  if (part.length) parts.push(part);
  return parts;
}

const isNotFound = (err: unknown): boolean => (err as { name?: unknown } | null)?.name === 'ResourceNotFoundException';

/** The AWS classification, with fixes that name this destination's resources and permissions. */
function classifyLogsError(err: unknown, group: string, createLogStream: boolean): FailureClass {
  const c = classifyAwsError(err);
  if (c.kind !== 'fatal') return c;
  if (c.code.startsWith('ResourceNotFound')) {
    const fix = createLogStream ? `create the log group ${group} (ara-gen does not create it)` : `create the log group ${group} and its stream, or set createLogStream: true in the sink to have the stream created`;
    return { ...c, fix };
  }
  if (c.code.startsWith('AccessDenied')) return { ...c, fix: `grant the identity running the sink logs:PutLogEvents${createLogStream ? ' and logs:CreateLogStream' : ''} on log group ${group}` };
  return c;
}

export function createCloudWatchLogsDestination(options: CloudWatchLogsDestinationOptions): Destination<CloudWatchLogsEntry> {
  const { logGroup, logStream } = options;
  const aws = sdkClient('CloudWatch Logs', options, () => import('@aws-sdk/client-cloudwatch-logs'), (m, config) => new m.CloudWatchLogsClient(config));
  const where = `log group ${logGroup}`;

  async function createStream(signal: AbortSignal): Promise<void> {
    try {
      const { CreateLogStreamCommand } = await aws.sdk();
      await aws.client().send(new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: logStream }), { abortSignal: signal });
    } catch (err) {
      // Another writer created it meanwhile: fine.
      if ((err as { name?: unknown }).name !== 'ResourceAlreadyExistsException') throw err;
    }
  }

  async function put(batch: readonly CloudWatchLogsEntry[], part: readonly number[], signal: AbortSignal): Promise<EntryFailure[]> {
    const logEvents: InputLogEvent[] = part.map((i) => ({ timestamp: batch[i]!.timestamp, message: batch[i]!.message }));
    const { PutLogEventsCommand } = await aws.sdk();
    const command = new PutLogEventsCommand({ logGroupName: logGroup, logStreamName: logStream, logEvents });
    let response;
    try {
      response = await aws.client().send(command, { abortSignal: signal });
    } catch (err) {
      if (!options.createLogStream || !isNotFound(err)) throw err;
      await createStream(signal);
      response = await aws.client().send(command, { abortSignal: signal });
    }
    const info = response.rejectedLogEventsInfo;
    if (!info) return [];
    const failures: EntryFailure[] = [];
    const reject = (k: number, why: string): void => void failures.push({ index: part[k]!, code: 'InvalidParameterException', message: `${why} (${where})`, kind: 'rejected' });
    for (let k = 0; k < part.length; k++) {
      if (info.tooNewLogEventStartIndex !== undefined && k >= info.tooNewLogEventStartIndex) reject(k, 'the event is more than 2 hours in the future');
      else if (info.expiredLogEventEndIndex !== undefined && k <= info.expiredLogEventEndIndex) reject(k, "the event is older than the log group's retention");
      else if (info.tooOldLogEventEndIndex !== undefined && k <= info.tooOldLogEventEndIndex) reject(k, 'the event is more than 14 days old');
    }
    return failures;
  }

  return {
    description: `CloudWatch Logs stream ${logStream} in ${where}`,
    limits: CLOUDWATCH_LOGS_LIMITS,
    defaults: CLOUDWATCH_LOGS_DEFAULTS,
    sizeOf: logEventSize,

    async submit(batch: readonly CloudWatchLogsEntry[], signal: AbortSignal): Promise<BatchOutcome> {
      const parts = timeOrderedParts(batch);
      const failures: EntryFailure[] = [];
      for (let p = 0; p < parts.length; p++) {
        try {
          failures.push(...(await put(batch, parts[p]!, signal)));
        } catch (err) {
          // Nothing sent yet: the whole request failed. Otherwise only the parts not yet accepted
          // fail, under the error's code, so the accepted ones are not sent twice.
          if (p === 0) throw err;
          const { kind, code, message, fix } = classifyLogsError(err, logGroup, !!options.createLogStream);
          for (const rest of parts.slice(p)) for (const index of rest) failures.push({ index, code, message, kind, fix });
          break;
        }
      }
      if (failures.length > 1) failures.sort((a, b) => a.index - b.index);
      return { failures };
    },

    classifyError: (err) => classifyLogsError(err, logGroup, !!options.createLogStream),
    describeEntry: (entry) => entry.message,
    encodeEntry: (entry) => ({ timestamp: entry.timestamp, message: entry.message }),

    decodeEntry(json: unknown): CloudWatchLogsEntry {
      if (!isPlainObject(json) || typeof json.timestamp !== 'number' || typeof json.message !== 'string') {
        throw new TypeError('not an encoded CloudWatch Logs entry: expected { timestamp: <ms>, message: <string> }');
      }
      return { timestamp: json.timestamp, message: json.message };
    },

    async close(): Promise<void> {
      aws.close();
    },
  };
}

export interface CloudWatchLogsConverterOptions {
  /** Event field with the event time (ms since the epoch, or an ISO 8601 string); absent = the read time. */
  readonly timestampField?: string;
  /** The read time (tests pass a fixed one). */
  readonly now?: () => number;
}

/** Event → log event: the JSON line as read is the message. */
export function cloudWatchLogsConverter(options: CloudWatchLogsConverterOptions = {}): ElementConverter<CloudWatchLogsEntry> {
  const { timestampField: field } = options;
  const now = options.now ?? Date.now;
  return (event: unknown, raw?: string): CloudWatchLogsEntry => {
    const message = raw ?? JSON.stringify(event);
    if (field === undefined) return { timestamp: now(), message };
    const lookup = readField(event, field);
    if (!lookup.found) throw new ConversionError(`timestamp field "${field}" is missing: ${lookup.reason}`);
    const v = lookup.value;
    const timestamp = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : Number.NaN;
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
      const shown = typeof v === 'string' ? `"${v.slice(0, 40)}"` : typeof v === 'number' ? String(v) : describeType(v);
      throw new ConversionError(`timestamp field "${field}" is ${shown}; expected milliseconds since the epoch (a whole number) or an ISO 8601 date-time`);
    }
    return { timestamp, message };
  };
}
