/**
 * The retail dataset generator: determinism per (seed, table, window), schema (web_sale columns as
 * in ARA), half-open time windows, referential ranges, and the CSV / NDJSON encoders.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  datasetTables,
  formatNumber,
  formatTimestamp,
  generateWindow,
  RETAIL_CARDINALITY,
  tableColumns,
  timeColumn,
  toCsv,
  toNdjson,
  type Column,
} from '../../src/datasets/retail.js';

const t = suite('datasets retail');

const START = new Date('2024-03-01T10:00:00Z');
const END = new Date('2024-03-01T10:05:00Z');
const window = (seed: number, recordsPerWindow = 500) => ({ seed, start: START, end: END, recordsPerWindow });

const WEB_SALE_COLUMNS = [
  'item_id', 'order_id', 'quantity', 'wholesale_cost', 'list_price', 'sales_price', 'ext_discount_amt',
  'ext_sales_price', 'ext_wholesale_cost', 'ext_list_price', 'ext_tax', 'coupon_amt', 'ext_ship_cost',
  'net_paid', 'net_paid_inc_tax', 'net_paid_inc_ship', 'net_paid_inc_ship_tax', 'net_profit',
  'bill_customer_id', 'ship_customer_id', 'warehouse_id', 'promo_id', 'ship_delay', 'ship_mode',
  'ship_carrier', 'sale_datetime',
];

/** Splits one RFC 4180 document into records of fields (test-side parser, independent of the encoder). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === ',') { record.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { record.push(field); records.push(record); record = []; field = ''; i += 2; continue; }
    field += c; i++;
  }
  assert.is(field, '', 'document ends with CRLF');
  return records;
}

t('the dataset has the eight ARA retail tables, each with its replay time column', () => {
  assert.equal(datasetTables(), ['web_sale', 'store_sale', 'customer', 'customer_address', 'item', 'promo', 'store', 'warehouse']);
  const expected: Record<string, string> = {
    web_sale: 'sale_datetime', store_sale: 'sale_datetime', customer: 'customer_datetime', customer_address: 'address_datetime',
    item: 'item_datetime', promo: 'promo_datetime', store: 'store_datetime', warehouse: 'warehouse_datetime',
  };
  for (const table of datasetTables()) {
    assert.is(timeColumn(table), expected[table], table);
    const time = tableColumns(table).find((c) => c.name === expected[table]);
    assert.equal(time, { name: expected[table], type: 'timestamp' }, table);
    const names = tableColumns(table).map((c) => c.name);
    assert.is(new Set(names).size, names.length, `${table}: column names are unique`);
  }
});

t('web_sale columns are exactly ARA web_sale columns, in order', () => {
  assert.equal(tableColumns('web_sale').map((c) => c.name), WEB_SALE_COLUMNS);
  const types = Object.fromEntries(tableColumns('web_sale').map((c) => [c.name, c.type]));
  assert.is(types['order_id'], 'int');
  assert.is(types['net_paid'], 'double');
  assert.is(types['ship_carrier'], 'string');
});

t('every generated row has exactly the declared columns, with values of the declared type', () => {
  for (const table of datasetTables()) {
    const columns = tableColumns(table);
    for (const row of generateWindow(table, window(3, 200))) {
      assert.equal(Object.keys(row), columns.map((c) => c.name), table);
      for (const c of columns) {
        const v = row[c.name];
        if (c.type === 'int') assert.ok(Number.isSafeInteger(v), `${table}.${c.name} int: ${v}`);
        else if (c.type === 'double') assert.ok(typeof v === 'number' && Number.isFinite(v), `${table}.${c.name} double: ${v}`);
        else if (c.type === 'timestamp') assert.match(String(v), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/, `${table}.${c.name}`);
        else if (c.type === 'date') assert.match(String(v), /^\d{4}-\d\d-\d\d$/, `${table}.${c.name}`);
        else assert.type(v, 'string', `${table}.${c.name}`);
      }
    }
  }
});

t('same (seed, table, window) gives the same rows; another seed or window gives other rows', () => {
  for (const table of datasetTables()) {
    const a = generateWindow(table, window(42));
    const b = generateWindow(table, window(42));
    assert.equal(a, b, table);
    const c = generateWindow(table, window(43));
    assert.is.not(JSON.stringify(c), JSON.stringify(a), `${table}: seed changes the rows`);
  }
  const next = generateWindow('web_sale', { seed: 42, start: END, end: new Date(END.getTime() + 300_000), recordsPerWindow: 500 });
  const first = generateWindow('web_sale', window(42));
  assert.is.not(next[0]!['item_id'] === first[0]!['item_id'] && next[1]!['item_id'] === first[1]!['item_id'], true);
  // Windows are independent: generating another window first does not change this one.
  generateWindow('web_sale', window(7));
  assert.equal(generateWindow('web_sale', window(42)), first);
});

t('a fixed seed and window always produce the same first row (regression anchor)', () => {
  const [row] = generateWindow('web_sale', { seed: 1, start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-01T00:01:00Z'), recordsPerWindow: 3 });
  assert.is(row!['order_id'], 170406720000001);
  assert.is(row!['sale_datetime'], '2024-01-01T00:00:08');
  assert.is(row!['item_id'], 2172);
  assert.is(row!['ship_carrier'], 'HARMSTORF');
});

t('every row time lies in the half-open window [start, end) and rows ascend in time', () => {
  for (const table of datasetTables()) {
    const col = timeColumn(table);
    const rows = generateWindow(table, window(9, 2000));
    assert.is(rows.length, 2000);
    let previous = '';
    for (const row of rows) {
      const ms = Date.parse(`${row[col]}Z`);
      assert.ok(ms >= START.getTime() && ms < END.getTime(), `${table}: ${row[col]} outside [10:00:00, 10:05:00)`);
      assert.ok(String(row[col]) >= previous, `${table}: ascending`);
      previous = String(row[col]);
    }
  }
  // A one-second window: every row is at its start, none at its end.
  const tiny = generateWindow('customer', { seed: 1, start: new Date('2024-03-01T10:00:00Z'), end: new Date('2024-03-01T10:00:01Z'), recordsPerWindow: 50 });
  assert.ok(tiny.every((r) => r['customer_datetime'] === '2024-03-01T10:00:00'));
  // Unaligned bounds: rows start at the first whole second inside the window.
  const odd = generateWindow('item', { seed: 1, start: new Date('2024-03-01T10:00:00.400Z'), end: new Date('2024-03-01T10:00:02.000Z'), recordsPerWindow: 40 });
  assert.ok(odd.every((r) => r['item_datetime'] === '2024-03-01T10:00:01'));
});

t('row counts follow recordsPerWindow, including zero', () => {
  assert.is(generateWindow('store', window(1, 0)).length, 0);
  assert.is(generateWindow('store', window(1, 1)).length, 1);
  assert.is(generateWindow('web_sale', window(1, 12_345)).length, 12_345);
  assert.is(generateWindow('web_sale', { seed: 1, start: START, end: END }).length, 1000, 'default records per window');
});

t('bad arguments fail with a clear message', () => {
  assert.throws(() => generateWindow('web_sales', window(1)), /unknown retail table 'web_sales': did you mean 'web_sale'\?/);
  assert.throws(() => tableColumns('custmer'), /did you mean 'customer'/);
  assert.throws(() => generateWindow('item', { seed: 1, start: END, end: START }), /empty window/);
  assert.throws(() => generateWindow('item', { seed: 1, start: START, end: END, recordsPerWindow: -1 }), /non-negative integer/);
  assert.throws(() => generateWindow('item', { seed: 1.5, start: START, end: END }), /seed must be an integer/);
  assert.throws(() => generateWindow('item', { seed: 1, start: new Date('2024-03-01T10:00:00.100Z'), end: new Date('2024-03-01T10:00:00.900Z') }), /no whole second/);
});

t('ids reference their dimensions: sales point at existing customers, items, promos, warehouses, stores', () => {
  const web = generateWindow('web_sale', window(5, 3000));
  const within = (v: unknown, max: number) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= max;
  for (const r of web) {
    assert.ok(within(r['bill_customer_id'], RETAIL_CARDINALITY.customer));
    assert.ok(within(r['ship_customer_id'], RETAIL_CARDINALITY.customer));
    assert.ok(within(r['item_id'], RETAIL_CARDINALITY.item));
    assert.ok(within(r['promo_id'], RETAIL_CARDINALITY.promo));
    assert.ok(within(r['warehouse_id'], RETAIL_CARDINALITY.warehouse));
    // Derived amounts are consistent with the drawn prices.
    assert.ok(Math.abs((r['ext_sales_price'] as number) - (r['sales_price'] as number) * (r['quantity'] as number)) < 0.011);
    assert.ok(Math.abs((r['net_paid_inc_tax'] as number) - (r['net_paid'] as number) - (r['ext_tax'] as number)) < 0.011);
  }
  for (const r of generateWindow('store_sale', window(5, 3000))) {
    assert.ok(within(r['customer_id'], RETAIL_CARDINALITY.customer));
    assert.ok(within(r['store_id'], RETAIL_CARDINALITY.store));
    assert.is(r['sale_date'], String(r['sale_datetime']).slice(0, 10));
  }
  for (const r of generateWindow('customer', window(5, 3000))) {
    assert.ok(within(r['customer_id'], RETAIL_CARDINALITY.customer));
    assert.ok(within(r['address_id'], RETAIL_CARDINALITY.customer_address));
  }
  // Lines of one order share the order's customer; order ids ascend and are unique per window.
  const byOrder = new Map<number, Set<number>>();
  for (const r of web) {
    const s = byOrder.get(r['order_id'] as number) ?? new Set<number>();
    s.add(r['bill_customer_id'] as number);
    byOrder.set(r['order_id'] as number, s);
  }
  assert.ok([...byOrder.values()].every((s) => s.size === 1));
  assert.ok(byOrder.size > 3000 / 4 && byOrder.size < 3000, `orders hold 1-4 lines (${byOrder.size} orders)`);
  // Orders of consecutive windows never collide.
  const later = generateWindow('web_sale', { seed: 5, start: END, end: new Date(END.getTime() + 300_000), recordsPerWindow: 3000 });
  const ids = new Set(web.map((r) => r['order_id']));
  assert.ok(later.every((r) => !ids.has(r['order_id'])));
});

t('a dimension entity keeps its descriptive attributes across windows', () => {
  const a = generateWindow('customer', window(11, 20_000));
  const b = generateWindow('customer', { seed: 11, start: END, end: new Date(END.getTime() + 300_000), recordsPerWindow: 20_000 });
  const names = new Map(a.map((r) => [r['customer_id'], `${r['first_name']} ${r['last_name']} ${r['birth_date']}`]));
  let shared = 0;
  for (const r of b) {
    const before = names.get(r['customer_id']);
    if (before === undefined) continue;
    shared++;
    assert.is(`${r['first_name']} ${r['last_name']} ${r['birth_date']}`, before);
  }
  assert.ok(shared > 100, `customers seen in both windows: ${shared}`);
});

t('toCsv writes a header and RFC 4180 records (CRLF, quotes doubled, fields with , " CR LF quoted)', () => {
  const columns: Column[] = [
    { name: 'id', type: 'int' },
    { name: 'text', type: 'string' },
    { name: 'price', type: 'double' },
  ];
  const csv = toCsv(
    [
      { id: 1, text: 'plain', price: 1.5 },
      { id: 2, text: 'a, b', price: -2 },
      { id: 3, text: 'say "hi"', price: 0 },
      { id: 4, text: 'two\nlines', price: 3.25 },
      { id: 5, text: '', price: 1e-7 },
    ],
    columns,
  );
  assert.is(csv, 'id,text,price\r\n1,plain,1.5\r\n2,"a, b",-2\r\n3,"say ""hi""",0\r\n4,"two\nlines",3.25\r\n5,,1e-7\r\n');
  assert.is(toCsv([], columns), 'id,text,price\r\n');
  assert.is(
    toCsv([{ id: 1, text: 'x', price: 2 }], columns, { ingestion_start: '2024-03-01T10:00:00', ingestion_end: '2024-03-01T10:05:00' }),
    'id,text,price,ingestion_start,ingestion_end\r\n1,x,2,2024-03-01T10:00:00,2024-03-01T10:05:00\r\n',
  );
});

t('generated CSV round-trips through an RFC 4180 parser with the declared header and row count', () => {
  for (const table of datasetTables()) {
    const columns = tableColumns(table);
    const rows = generateWindow(table, window(21, 300));
    const records = parseCsv(toCsv(rows, columns));
    assert.equal(records[0], columns.map((c) => c.name), table);
    assert.is(records.length, 301, table);
    for (let i = 0; i < rows.length; i++) {
      assert.equal(records[i + 1], columns.map((c) => String(rows[i]![c.name])), `${table} row ${i}`);
    }
  }
  // No generated value needs quoting: the catalog reads these files with LazySimpleSerDe, which has no quoting.
  assert.not.ok(toCsv(generateWindow('item', window(1, 50)), tableColumns('item')).includes('"'));
  assert.ok(toCsv(generateWindow('customer_address', window(1, 200)), tableColumns('customer_address')).includes(' Suite '));
});

t('toNdjson writes one JSON object per line, in column order', () => {
  const rows = generateWindow('warehouse', window(2, 5));
  const text = toNdjson(rows, tableColumns('warehouse'));
  const lines = text.split('\n');
  assert.is(lines.length, 6);
  assert.is(lines[5], '');
  assert.equal(JSON.parse(lines[0]!), rows[0]);
  assert.equal(Object.keys(JSON.parse(lines[0]!)), tableColumns('warehouse').map((c) => c.name));
  assert.is(toNdjson([{ b: 1, a: 'x' }]), '{"b":1,"a":"x"}\n');
});

t('formatNumber writes exactly what String() writes, for cents, integers and any other double', () => {
  const samples = [0, -0, 1, -1, 0.1, 0.07, -0.05, 1.005, 3.25, -2.5, 12.85, 1e-7, 1e21, 123456789.12, 2 ** 53, -(2 ** 60), 1 / 3, Math.PI, NaN, Infinity];
  for (let i = 0; i < 20_000; i++) samples.push(Math.round((i * 7919.37) % 1e7) / 100 * (i % 3 ? 1 : -1), i * 0.001, i / 7);
  for (const n of samples) assert.is(formatNumber(n), String(n), String(n));
});

t('formatTimestamp is UTC, second precision, without zone', () => {
  assert.is(formatTimestamp(Date.UTC(2024, 1, 29, 23, 59, 59, 999)), '2024-02-29T23:59:59');
  assert.is(formatTimestamp(0), '1970-01-01T00:00:00');
});

t.run();
