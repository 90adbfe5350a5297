/**
 * The `streaming` module: Kinesis streams, Firehose delivery streams into the lake, and the Lambdas
 * that run the async-sink engine inside the platform (replayers into sinks, stream-fed sinks).
 * Buckets, key and catalog tables come from the foundations stack. IAM policies name streams,
 * buckets and tables by their deterministic physical names, like the batch module.
 */
import { Stack, type StackProps } from '../cdk-core.js';
import type { Construct } from 'constructs';
import type { DataLakeStorage } from '../constructs/data-lake-storage.js';
import { FirehoseDeliveryStream } from '../constructs/firehose-delivery-stream.js';
import { KinesisStream } from '../constructs/kinesis-stream.js';
import { deliveryErrorPrefix, deliveryObjectPrefix } from '../catalog-tables.js';
import type { PlatformModel } from '../model.js';
import { constructId, glueTableName } from '../naming.js';
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
    Object.values(model.replayers).some((r) => r.target.kind === 'sink')
  );
}

export class StreamingStack extends Stack {
  readonly streams: Readonly<Record<string, KinesisStream>>;
  readonly deliveryStreams: Readonly<Record<string, FirehoseDeliveryStream>>;

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
        bucketName: layer.bucketName,
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
  }
}
