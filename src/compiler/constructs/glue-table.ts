/**
 * GlueTable: an external table in the Glue catalog with the columns, types, partition keys and
 * storage (location, input/output formats, SerDe) of what ara-gen writes there, so that Athena,
 * Spectrum, Glue jobs and Firehose's Parquet conversion read the data as the generator typed it.
 *
 * - `csv`: the replayer's windows. LazySimpleSerDe with `,` fields, a header line to skip and the
 *   generator's timestamp pattern (OpenCSVSerde would read timestamps only as epoch numbers). The
 *   generator never writes a value that needs CSV quoting (a test proves it), which LazySimpleSerDe
 *   could not read; Hadoop's line reader accepts the CRLF line ends.
 * - `parquet`: Firehose's converted output (ParquetHiveSerDe).
 * - `json`: Firehose's unconverted output, one JSON object per line (OpenX JsonSerDe).
 */
import { Stack } from '../cdk-core.js';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import { TIMESTAMP_PATTERN, type Column, type ColumnType } from '../../contract/datasets.js';

export type GlueTableFormat = 'csv' | 'parquet' | 'json';

export interface GlueTableProps {
  /** Physical Glue database name. */
  readonly databaseName: string;
  readonly tableName: string;
  /** `s3://bucket/prefix/` of the table's folder. */
  readonly location: string;
  readonly format: GlueTableFormat;
  readonly columns: readonly Column[];
  /**
   * String-typed partition keys (`key=value` folders under the location); none may be a column.
   * @default no partitions
   */
  readonly partitionKeys?: readonly string[];
  /** @default no description */
  readonly description?: string;
}

/**
 * Catalog types of the generator's types: `int` values are JavaScript safe integers (ids reach about
 * 2^47), hence `bigint`.
 */
export const GLUE_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'string',
  int: 'bigint',
  double: 'double',
  date: 'date',
  timestamp: 'timestamp',
};

const TEXT_INPUT = 'org.apache.hadoop.mapred.TextInputFormat';
const TEXT_OUTPUT = 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat';

/** Input/output formats, SerDe and table parameters per format. */
function storageOf(format: GlueTableFormat): {
  inputFormat: string;
  outputFormat: string;
  serde: glue.CfnTable.SerdeInfoProperty;
  parameters: Record<string, string>;
} {
  switch (format) {
    case 'csv':
      return {
        inputFormat: TEXT_INPUT,
        outputFormat: TEXT_OUTPUT,
        serde: {
          serializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
          parameters: { 'field.delim': ',', 'serialization.format': ',', 'timestamp.formats': TIMESTAMP_PATTERN },
        },
        parameters: { classification: 'csv', 'skip.header.line.count': '1', delimiter: ',', areColumnsQuoted: 'false' },
      };
    case 'parquet':
      return {
        inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        serde: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', parameters: { 'serialization.format': '1' } },
        parameters: { classification: 'parquet', 'parquet.compression': 'SNAPPY' },
      };
    case 'json':
      return {
        inputFormat: TEXT_INPUT,
        outputFormat: TEXT_OUTPUT,
        serde: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', parameters: { 'serialization.format': '1' } },
        parameters: { classification: 'json' },
      };
  }
}

export class GlueTable extends Construct {
  readonly table: glue.CfnTable;
  readonly tableName: string;
  readonly databaseName: string;

  constructor(scope: Construct, id: string, props: GlueTableProps) {
    super(scope, id);
    const where = `GlueTable '${props.databaseName}.${props.tableName}'`;
    if (props.columns.length === 0) throw new Error(`${where}: a table needs at least one column`);
    const partitionKeys = props.partitionKeys ?? [];
    const names = new Set(props.columns.map((c) => c.name));
    const clash = partitionKeys.find((k) => names.has(k));
    if (clash) throw new Error(`${where}: '${clash}' is both a column and a partition key; Athena rejects such tables`);
    if (!props.location.startsWith('s3://') || !props.location.endsWith('/')) throw new Error(`${where}: location must be an s3:// folder ending with '/', got '${props.location}'`);
    const storage = storageOf(props.format);
    this.tableName = props.tableName;
    this.databaseName = props.databaseName;
    this.table = new glue.CfnTable(this, 'Table', {
      catalogId: Stack.of(this).account,
      databaseName: props.databaseName,
      tableInput: {
        name: props.tableName,
        description: props.description,
        tableType: 'EXTERNAL_TABLE',
        parameters: { EXTERNAL: 'TRUE', typeOfData: 'file', ...storage.parameters },
        partitionKeys: partitionKeys.map((name) => ({ name, type: 'string' })),
        storageDescriptor: {
          location: props.location,
          inputFormat: storage.inputFormat,
          outputFormat: storage.outputFormat,
          serdeInfo: storage.serde,
          columns: props.columns.map((c) => ({ name: c.name, type: GLUE_TYPES[c.type] })),
          compressed: false,
          storedAsSubDirectories: false,
        },
      },
    });
  }
}
