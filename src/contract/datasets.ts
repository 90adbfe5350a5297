/**
 * The datasets' shape, shared by the compiler (Glue tables, Firehose conversion schemas, Flink SQL)
 * and the runtime (the retail generator, the replayers). Dependency-free: the one place where a
 * column's name and type are written, so a table in the catalog can never drift from the rows the
 * generator writes.
 *
 * Types are the generator's: `int` is a JavaScript safe integer (ids reach ~2^47, so catalogs map it
 * to a 64-bit `bigint`), `double`, `string`, `date` (`yyyy-MM-dd`) and `timestamp` (UTC, second
 * precision, TIMESTAMP_PATTERN).
 */

export type ColumnType = 'string' | 'int' | 'double' | 'timestamp' | 'date';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
}

export interface DatasetTable {
  /** The column that carries each row's replay time (always a `timestamp` column). */
  readonly timeColumn: string;
  readonly columns: readonly Column[];
}

/**
 * Timestamps are UTC, second precision, ISO 8601 without zone designator (`2024-01-01T00:05:00`):
 * the Spark/Joda pattern every reader of the generated data is configured with.
 */
export const TIMESTAMP_PATTERN = "yyyy-MM-dd'T'HH:mm:ss";
export const DATE_PATTERN = 'yyyy-MM-dd';

/**
 * Partition keys of a replayed window in the lake (`<prefix>ingestion_start=<ts>/ingestion_end=<ts>/`):
 * in the path only, never inside the files (a column both in the data and in the partition keys
 * makes the table unreadable for Athena).
 */
export const REPLAY_PARTITION_KEYS = ['ingestion_start', 'ingestion_end'] as const;

const col = (name: string, type: ColumnType): Column => ({ name, type });
const ints = (...names: string[]): Column[] => names.map((n) => col(n, 'int'));
const doubles = (...names: string[]): Column[] => names.map((n) => col(n, 'double'));
const strings = (...names: string[]): Column[] => names.map((n) => col(n, 'string'));

/** Amount columns of a sales line (web and store), in the order the generator emits them. */
const LINE_COLUMNS = [
  ...ints('quantity'),
  ...doubles('wholesale_cost', 'list_price', 'sales_price', 'ext_discount_amt', 'ext_sales_price', 'ext_wholesale_cost', 'ext_list_price', 'ext_tax', 'coupon_amt'),
];

/** The tables of the built-in `retail` dataset group, in a stable order. */
export const RETAIL_TABLES = {
  web_sale: {
    timeColumn: 'sale_datetime',
    columns: [
      ...ints('item_id', 'order_id'),
      ...LINE_COLUMNS,
      ...doubles('ext_ship_cost', 'net_paid', 'net_paid_inc_tax', 'net_paid_inc_ship', 'net_paid_inc_ship_tax', 'net_profit'),
      ...ints('bill_customer_id', 'ship_customer_id', 'warehouse_id', 'promo_id'),
      ...strings('ship_delay', 'ship_mode', 'ship_carrier'),
      col('sale_datetime', 'timestamp'),
    ],
  },
  store_sale: {
    timeColumn: 'sale_datetime',
    columns: [
      ...ints('item_id', 'ticket_id'),
      ...LINE_COLUMNS,
      ...doubles('net_paid', 'net_paid_inc_tax', 'net_profit'),
      ...ints('customer_id', 'store_id', 'promo_id'),
      col('sale_date', 'date'),
      col('sale_datetime', 'timestamp'),
    ],
  },
  customer: {
    timeColumn: 'customer_datetime',
    columns: [
      ...ints('customer_id'),
      ...strings('salutation', 'first_name', 'last_name', 'birth_country', 'email_address'),
      col('birth_date', 'date'),
      ...strings('gender', 'marital_status', 'education_status'),
      ...ints('purchase_estimate'),
      ...strings('credit_rating', 'buy_potential'),
      ...ints('vehicle_count', 'lower_bound', 'upper_bound', 'address_id'),
      col('customer_datetime', 'timestamp'),
    ],
  },
  customer_address: {
    timeColumn: 'address_datetime',
    columns: [
      ...ints('address_id'),
      ...strings('street', 'city', 'county', 'state', 'zip', 'country'),
      col('gmt_offset', 'double'),
      col('location_type', 'string'),
      col('address_datetime', 'timestamp'),
    ],
  },
  item: {
    timeColumn: 'item_datetime',
    columns: [
      ...ints('item_id'),
      ...strings('product_name', 'item_desc', 'brand', 'class', 'category', 'manufact', 'size', 'color', 'units', 'container'),
      ...doubles('current_price', 'wholesale_cost'),
      col('item_datetime', 'timestamp'),
    ],
  },
  promo: {
    timeColumn: 'promo_datetime',
    columns: [
      ...ints('promo_id'),
      ...strings('promo_name', 'purpose', 'channel'),
      col('cost', 'double'),
      ...ints('response_target'),
      col('start_date', 'date'),
      col('end_date', 'date'),
      col('promo_datetime', 'timestamp'),
    ],
  },
  store: {
    timeColumn: 'store_datetime',
    columns: [
      ...ints('store_id'),
      col('store_name', 'string'),
      ...ints('number_employees', 'floor_space'),
      ...strings('hours', 'manager'),
      ...ints('market_id'),
      ...strings('market_manager', 'city', 'county', 'state', 'zip', 'country'),
      ...doubles('gmt_offset', 'tax_percentage'),
      col('store_datetime', 'timestamp'),
    ],
  },
  warehouse: {
    timeColumn: 'warehouse_datetime',
    columns: [
      ...ints('warehouse_id'),
      col('warehouse_name', 'string'),
      ...ints('sq_ft'),
      ...strings('city', 'county', 'state', 'zip', 'country'),
      col('gmt_offset', 'double'),
      col('warehouse_datetime', 'timestamp'),
    ],
  },
} as const satisfies Readonly<Record<string, DatasetTable>>;

export type RetailTableName = keyof typeof RETAIL_TABLES;

/** The dataset groups ara-gen generates, `<group>/<table>` in a replayer's `dataset:`. */
export const DATASET_GROUPS = { retail: RETAIL_TABLES } as const;

/** A dataset table's shape, or undefined when `group/table` is not a built-in dataset. */
export function datasetTable(group: string, table: string): DatasetTable | undefined {
  if (!Object.prototype.hasOwnProperty.call(DATASET_GROUPS, group)) return undefined;
  const tables = DATASET_GROUPS[group as keyof typeof DATASET_GROUPS] as Readonly<Record<string, DatasetTable>>;
  return Object.prototype.hasOwnProperty.call(tables, table) ? tables[table] : undefined;
}
