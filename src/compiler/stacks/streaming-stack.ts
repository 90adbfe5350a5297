/**
 * The `streaming` module: Kinesis streams, Firehose delivery streams into the lake, and the Lambdas
 * that run the async-sink engine inside the platform (replayers into sinks, stream-fed sinks).
 * Buckets, key and catalog tables come from the foundations stack. IAM policies name streams,
 * buckets and tables by their deterministic physical names, like the batch module.
 */
import { cfnName } from './physical-name.js';
import { Duration, Stack, type StackProps } from '../cdk-core.js';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { DataLakeStorage } from '../constructs/data-lake-storage.js';
import { FirehoseDeliveryStream } from '../constructs/firehose-delivery-stream.js';
import { KinesisStream } from '../constructs/kinesis-stream.js';
import { SinkReplayer } from '../constructs/sink-replayer.js';
import type { SinkDestinationAccess } from '../constructs/sink-destination-access.js';
import { StreamSinkFunction } from '../constructs/stream-sink-function.js';
import { compileSinkConfig } from '../sink-config.js';
import { deliveryErrorPrefix, deliveryObjectPrefix } from '../catalog-tables.js';
import type { PlatformModel } from '../model.js';
import { constructId, glueTableName } from '../naming.js';
import type { ReplayerModel, SinkModel } from '../model.js';
import { PLATFORM_SINK_TYPES } from '../rules/stream-sinks.js';
import { recordSource } from './source.js';

export interface StreamingStackProps extends StackProps {
  readonly model: PlatformModel;
  readonly storage: DataLakeStorage;
}

/** Whether the model has anything for the streaming module to compile. */
export function hasStreamingContent(model: PlatformModel): boolean {
  return (
    Object.keys(model.streams).length > 0 ||
    Object.keys(model.deliveryStreams).length > 0 ||
    Object.values(model.replayers).some((r) => r.target.kind === 'sink') ||
    Object.values(model.sinks).some((s) => s.input !== undefined)
  );
}


/** Whether a replayer into a sink runs in the platform: only for AWS destinations ara-gen can grant. */
export function sinkReplayerSupport(model: PlatformModel, r: ReplayerModel): { supported: true } | { supported: false; reason: string } {
  if (r.target.kind !== 'sink') return { supported: false, reason: 'not a replayer into a sink' };
  const sink = model.sinks[r.target.sink];
  if (!sink) return { supported: false, reason: `unknown sink '${r.target.sink}'` };
  if (PLATFORM_SINK_TYPES.includes(sink.destination.type)) return { supported: true };
  return { supported: false, reason: `its sink '${sink.name}' is of type '${sink.type}', which runs with 'ara-gen sink run', not in the platform` };
}

export class StreamingStack extends Stack {
  readonly streams: Readonly<Record<string, KinesisStream>>;
  readonly deliveryStreams: Readonly<Record<string, FirehoseDeliveryStream>>;
  readonly replayers: Readonly<Record<string, SinkReplayer>>;
  /** Lambdas of the sinks fed by a stream, by sink name. */
  readonly sinkFunctions: Readonly<Record<string, StreamSinkFunction>>;

  constructor(scope: Construct, id: string, props: StreamingStackProps) {
    super(scope, id, props);
    const { model, storage } = props;
    recordSource(this, model.source);

    const streams: Record<string, KinesisStream> = {};
    for (const s of Object.values(model.streams)) {
      streams[s.name] = new KinesisStream(this, `${constructId(s.name)}Stream`, {
        streamName: s.physicalName,
        mode: s.mode,
        shards: s.shards,
        retentionHours: s.retentionHours,
        encryption: s.encryption,
        key: storage.key,
        removalPolicy: model.storage.removalPolicy,
      });
      recordSource(streams[s.name]!, s.source);
    }
    this.streams = streams;

    const deliveryStreams: Record<string, FirehoseDeliveryStream> = {};
    for (const d of Object.values(model.deliveryStreams)) {
      const layer = model.storage.layers[d.target.layer]!;
      const db = d.table ? model.catalog.databases[d.table.database] : undefined;
      // The conversion schema: the declared table, or (ARA273) a table the user creates by that name.
      const table = d.table && db ? { databaseName: db.glueName, tableName: glueTableName(d.table.name) } : undefined;
      deliveryStreams[d.name] = new FirehoseDeliveryStream(this, `${constructId(d.name)}DeliveryStream`, {
        deliveryStreamName: d.physicalName,
        sourceStream: d.input.kind === 'stream' ? streams[d.input.stream]!.stream : undefined,
        bucketName: cfnName(layer.bucketName),
        // Arrival-hour folders: the declared table's partition keys (catalog-tables.ts).
        prefix: deliveryObjectPrefix(d.target.prefix),
        errorOutputPrefix: deliveryErrorPrefix(d.name),
        format: d.format,
        table,
        sizeMiB: d.bufferingHints.sizeMiB,
        intervalSeconds: d.bufferingHints.intervalSeconds,
        key: storage.key,
      });
      recordSource(deliveryStreams[d.name]!, d.source);
    }
    this.deliveryStreams = deliveryStreams;

    // Replayers into sinks that run in the platform (see sinkReplayerSupport).
    const raw = model.storage.layers['raw'] ?? Object.values(model.storage.layers)[0];
    const replayers: Record<string, SinkReplayer> = {};
    for (const r of Object.values(model.replayers)) {
      if (r.target.kind !== 'sink' || !sinkReplayerSupport(model, r).supported || !raw) continue;
      const sink = model.sinks[r.target.sink]!;
      const destination = this.destinationAccess(sink, streams);
      replayers[r.name] = new SinkReplayer(this, `${constructId(r.name)}Replayer`, {
        replayerName: r.name,
        table: r.dataset.table,
        frequencySeconds: r.frequencySeconds,
        seed: r.seed,
        recordsPerWindow: r.recordsPerWindow,
        functionName: r.physicalName,
        sinkConfig: compileSinkConfig(model, sink),
        destination,
        deadLetterBucketName: cfnName(raw.bucketName),
        key: storage.key,
      });
      recordSource(replayers[r.name]!, r.source);
    }
    this.replayers = replayers;

    // Sinks fed by a stream (the validator keeps their types to PLATFORM_SINK_TYPES).
    const sinkFunctions: Record<string, StreamSinkFunction> = {};
    for (const sink of Object.values(model.sinks)) {
      const input = sink.input;
      if (!input || !raw || !PLATFORM_SINK_TYPES.includes(sink.destination.type)) continue;
      const source = streams[input.stream];
      if (!source) continue;
      sinkFunctions[sink.name] = new StreamSinkFunction(this, `${constructId(sink.name)}StreamSink`, {
        functionName: input.functionName,
        sinkConfig: compileSinkConfig(model, sink),
        sourceStreamArn: source.stream.streamArn,
        destination: this.destinationAccess(sink, streams),
        deadLetterBucketName: cfnName(raw.bucketName),
        key: storage.key,
        batchSize: input.batchSize,
        maxBatchingWindow: Duration.seconds(input.maxBatchingWindowSeconds),
        parallelizationFactor: input.parallelizationFactor,
        bisectOnError: input.bisectOnError,
        maxRetryAttempts: input.maxRetryAttempts,
        startingPosition: input.startingPosition === 'LATEST' ? lambda.StartingPosition.LATEST : lambda.StartingPosition.TRIM_HORIZON,
      });
      recordSource(sinkFunctions[sink.name]!, sink.source);
    }
    this.sinkFunctions = sinkFunctions;
  }

  /** The sink's destination with the names its Lambda's grants need (streams of this stack by reference). */
  private destinationAccess(sink: SinkModel, streams: Readonly<Record<string, KinesisStream>>): SinkDestinationAccess {
    const dest = sink.destination;
    switch (dest.type) {
      case 'kinesis':
        return { kind: 'kinesis', streamArn: streams[dest.stream]?.stream.streamArn ?? this.formatArn({ service: 'kinesis', resource: 'stream', resourceName: dest.streamName }) };
      case 'firehose':
        return { kind: 'firehose', deliveryStreamArn: this.formatArn({ service: 'firehose', resource: 'deliverystream', resourceName: dest.deliveryStreamName }) };
      case 'dynamodb':
        return { kind: 'dynamodb', tableArn: this.formatArn({ service: 'dynamodb', resource: 'table', resourceName: dest.tableName }) };
      case 'cloudwatch-logs':
        return { kind: 'cloudwatch-logs', logGroupName: dest.logGroup, logStreamName: dest.logStream, createLogStream: dest.createLogStream };
      case 'cloudwatch-metrics':
        return { kind: 'cloudwatch-metrics', namespace: dest.namespace };
      default:
        throw new Error(`sink '${sink.name}' of type '${dest.type}' does not run in the platform`);
    }
  }
}
