/**
 * The warehouse SQL for real: the templates rendered in their PostgreSQL form run on a PostgreSQL
 * server on 127.0.0.1. Two replay windows of the retail generator land in the stand-ins of the
 * Spectrum tables; the load procedure runs (as the load user) after each, twice after the second,
 * and once more after the marks were reset. Row counts, the type-2 history of changed customers
 * and the absence of duplicates are checked against what the generator produced.
 */
import { createHash } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type pg from 'pg';
import { renderMigrations, splitStatements, TRACKED_CUSTOMER_COLUMNS, type WarehouseSqlInput } from '../../src/compiler/warehouse/sql.js';
import { generateWindow, tableColumns, type Row } from '../../src/datasets/retail.js';
import { findPostgres, startPostgres, type PostgresServer } from '../servers/postgres.js';

const INPUT: WarehouseSqlInput = {
  schema: 'dw',
  loadUser: 'IAMR:shop-dev-warehouse-load',
  readerUser: 'quicksight_reader',
  externalSchemas: [
    { name: 'spectrum_clean', glueDatabase: 'shop_dev_clean' },
    { name: 'spectrum_raw', glueDatabase: 'shop_dev_raw' },
  ],
  sources: {
    customer: { schema: 'spectrum_clean', table: 'customer' },
    storeSale: { schema: 'spectrum_clean', table: 'store_sale' },
    webSale: { schema: 'spectrum_raw', table: 'web_sale' },
  },
};

const SEED = 7;
const T0 = Date.UTC(2024, 2, 1, 10, 0, 0);
const WINDOW_MS = 5 * 60_000;
const win = (i: number) => ({ seed: SEED, start: new Date(T0 + i * WINDOW_MS), end: new Date(T0 + (i + 1) * WINDOW_MS) });
// Enough customers per window that some appear in both (about 40 of 100,000), with new attributes.
const CUSTOMERS = 2000;
const SALES = 300;

const bin = findPostgres();
const t = suite('warehouse sql on postgresql');
let server: PostgresServer | undefined;
let db: pg.Client;

t.before(async () => {
  if (!bin) return;
  server = await startPostgres(bin);
  await server.createDatabase('warehouse');
  db = await server.connect('warehouse');
});
t.after(async () => {
  await db?.end();
  await server?.stop();
});

async function insertRows(schema: string, table: string, rows: readonly Row[]): Promise<void> {
  const cols = tableColumns(table).map((c) => c.name);
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200);
    const params: unknown[] = [];
    const values = chunk.map((r) => `(${cols.map((c) => (params.push(r[c]), `$${params.length}`)).join(', ')})`);
    await db.query(`INSERT INTO "${schema}"."${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES ${values.join(', ')}`, params);
  }
}

async function land(i: number): Promise<{ customers: Row[]; store: Row[]; web: Row[] }> {
  const customers = generateWindow('customer', { ...win(i), recordsPerWindow: CUSTOMERS });
  const store = generateWindow('store_sale', { ...win(i), recordsPerWindow: SALES });
  const web = generateWindow('web_sale', { ...win(i), recordsPerWindow: SALES });
  await insertRows('spectrum_clean', 'customer', customers);
  await insertRows('spectrum_clean', 'store_sale', store);
  await insertRows('spectrum_raw', 'web_sale', web);
  return { customers, store, web };
}

/** The procedure runs as the load user, as the scheduled rule does. */
async function runLoad(): Promise<void> {
  await db.query(`SET ROLE "${INPUT.loadUser}"`);
  try {
    await db.query('CALL dw.sp_run_incremental_load()');
  } finally {
    await db.query('RESET ROLE');
  }
}

const count = async (sql: string): Promise<number> => Number((await db.query(sql)).rows[0].n);

const attrHash = (r: Row): string => createHash('md5').update(TRACKED_CUSTOMER_COLUMNS.map((c) => String(r[c] ?? '')).join('|')).digest('hex');

/** The latest version of each customer in a window (ties in the same second: the larger hash), as the procedure picks it. */
function latest(rows: readonly Row[]): Map<number, Row & { hash: string }> {
  const out = new Map<number, Row & { hash: string }>();
  for (const r of rows) {
    const v: Row & { hash: string } = { ...r, hash: attrHash(r) };
    const id = r.customer_id as number;
    const cur = out.get(id);
    if (!cur || (v.customer_datetime as string) > (cur.customer_datetime as string) || (v.customer_datetime === cur.customer_datetime && v.hash > cur.hash)) out.set(id, v);
  }
  return out;
}

t('the PostgreSQL form keeps Redshift-only clauses out and declares no keys', () => {
  const pgSql = renderMigrations('aws-native', INPUT, 'postgres').flatMap((m) => m.statements).join('\n');
  const rsSql = renderMigrations('aws-native', INPUT, 'redshift').flatMap((m) => m.statements).join('\n');
  for (const clause of ['DISTKEY', 'SORTKEY', 'DISTSTYLE', 'EXTERNAL SCHEMA', 'PASSWORD DISABLE', 'GETDATE']) {
    assert.not.ok(pgSql.includes(clause), `postgres form has ${clause}`);
    assert.ok(rsSql.includes(clause), `redshift form lacks ${clause}`);
  }
  for (const sql of [pgSql, rsSql].map((x) => x.replace(/--[^\n]*/g, ''))) {
    assert.not.match(sql, /PRIMARY KEY|UNIQUE|FOREIGN KEY|REFERENCES|ON CONFLICT|RETURNING|SERIAL|CREATE TRIGGER|IDENTITY/i);
  }
  assert.match(rsSql, /CREATE EXTERNAL SCHEMA IF NOT EXISTS "spectrum_raw" FROM DATA CATALOG DATABASE 'shop_dev_raw' IAM_ROLE default/);
});

t('splitStatements keeps $$ bodies, quotes and comments together', () => {
  const s = splitStatements("SELECT ';' AS a; -- x; y\nCREATE PROCEDURE p() AS $$ BEGIN SELECT 1; END; $$ LANGUAGE plpgsql;\nSELECT \"a;b\" FROM t;\n-- only a comment;\n");
  assert.equal(s.length, 3);
  assert.ok(s[1]!.includes('END; $$ LANGUAGE plpgsql'));
});

t('identifiers and literals from the spec are quoted, bad identifiers refused', () => {
  const sql = renderMigrations('aws-native', { ...INPUT, externalSchemas: [{ name: 'spectrum_clean', glueDatabase: "it's" }] }, 'redshift').flatMap((m) => m.statements).join('\n');
  assert.ok(sql.includes("DATABASE 'it''s'"));
  assert.throws(() => renderMigrations('aws-native', { ...INPUT, schema: 'dw"; DROP TABLE x; --' }, 'redshift'), /not a usable SQL identifier/);
});

t('two windows, loads run twice and after a mark reset: counts, SCD2 history, no duplicates', async () => {
  if (!server) {
    console.log('  skipped: PostgreSQL binaries (initdb, pg_ctl) not found; install them with `apt-get install -y postgresql`');
    return;
  }
  for (const m of renderMigrations('aws-native', INPUT, 'postgres')) for (const s of m.statements) await db.query(s);

  const w1 = await land(0);
  await runLoad();
  const c1 = latest(w1.customers);
  assert.is(await count('SELECT COUNT(*) AS n FROM dw.sale_fact'), w1.store.length + w1.web.length);
  assert.is(await count('SELECT COUNT(*) AS n FROM dw.customer_dim'), c1.size);
  assert.is(await count('SELECT COUNT(*) AS n FROM dw.customer_dim WHERE is_current'), c1.size);

  const w2 = await land(1);
  await runLoad();
  await runLoad(); // a second run finds nothing after the marks

  const c2 = latest(w2.customers);
  const changed = [...c2.values()].filter((v) => c1.has(v.customer_id as number) && c1.get(v.customer_id as number)!.hash !== v.hash);
  const unchangedRepeat = [...c2.keys()].filter((id) => c1.has(id) && c1.get(id)!.hash === c2.get(id)!.hash).length;
  assert.ok(changed.length >= 5, `expected some customers in both windows with new attributes, got ${changed.length}`);
  const distinct = new Set([...c1.keys(), ...c2.keys()]).size;

  const expectState = async () => {
    assert.is(await count('SELECT COUNT(*) AS n FROM dw.sale_fact'), w1.store.length + w1.web.length + w2.store.length + w2.web.length);
    assert.is(await count("SELECT COUNT(*) AS n FROM dw.sale_fact WHERE channel = 'web'"), w1.web.length + w2.web.length);
    assert.is(await count('SELECT COUNT(*) AS n FROM dw.customer_dim'), distinct + changed.length, `customer_dim rows (repeats without change: ${unchangedRepeat})`);
    assert.is(await count('SELECT COUNT(*) AS n FROM dw.customer_dim WHERE is_current'), distinct);
    assert.is(await count('SELECT COUNT(*) AS n FROM (SELECT customer_id FROM dw.customer_dim WHERE is_current GROUP BY customer_id HAVING COUNT(*) > 1) d'), 0);
    assert.is(await count('SELECT COUNT(*) AS n FROM (SELECT customer_sk FROM dw.customer_dim GROUP BY customer_sk HAVING COUNT(*) > 1) d'), 0);
    // Every fact line once: the generator's rows, compared as multisets.
    const lines = (rows: Row[], channel: string, order: string) => rows.map((r) => `${channel}|${r[order]}|${r.item_id}|${r.sale_datetime}|${Number(r.ext_sales_price).toFixed(2)}`).sort();
    const expected = [...lines(w1.store, 'store', 'ticket_id'), ...lines(w2.store, 'store', 'ticket_id'), ...lines(w1.web, 'web', 'order_id'), ...lines(w2.web, 'web', 'order_id')].sort();
    const got = (
      await db.query("SELECT channel || '|' || order_id || '|' || item_id || '|' || TO_CHAR(sale_datetime, 'YYYY-MM-DD\"T\"HH24:MI:SS') || '|' || ext_sales_price AS k FROM dw.sale_fact")
    ).rows.map((r: { k: string }) => r.k).sort();
    assert.equal(got, expected);
    const days = new Set([...w1.store, ...w1.web, ...w2.store, ...w2.web].map((r) => String(r.sale_datetime).slice(0, 10)));
    assert.is(await count('SELECT COUNT(*) AS n FROM dw.date_dim'), days.size);
  };
  await expectState();

  // The history of one changed customer: the window-1 version closed when the window-2 one started.
  const v2 = changed[0]!;
  const v1 = c1.get(v2.customer_id as number)!;
  const history = (
    await db.query(
      "SELECT TO_CHAR(valid_from, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS f, TO_CHAR(valid_to, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS t, is_current, purchase_estimate, credit_rating, buy_potential, attr_hash FROM dw.customer_dim WHERE customer_id = $1 ORDER BY valid_from",
      [v2.customer_id],
    )
  ).rows;
  assert.equal(history, [
    { f: v1.customer_datetime, t: v2.customer_datetime, is_current: false, purchase_estimate: v1.purchase_estimate, credit_rating: v1.credit_rating, buy_potential: v1.buy_potential, attr_hash: v1.hash },
    { f: v2.customer_datetime, t: null, is_current: true, purchase_estimate: v2.purchase_estimate, credit_rating: v2.credit_rating, buy_potential: v2.buy_potential, attr_hash: v2.hash },
  ]);

  // Facts point at the customer version valid at the time of the sale (0: none known then).
  const versions = new Map<number, { from: string; to?: string; sk?: number }[]>();
  for (const [id, v] of c1) versions.set(id, [{ from: v.customer_datetime as string, ...(changed.some((c) => c.customer_id === id) ? { to: c2.get(id)!.customer_datetime as string } : {}) }]);
  for (const v of changed) versions.get(v.customer_id as number)!.push({ from: v.customer_datetime as string });
  for (const [id, v] of c2) if (!c1.has(id)) versions.set(id, [{ from: v.customer_datetime as string }]);
  const known = [...w1.store, ...w2.store].filter((s) => (versions.get(s.customer_id as number) ?? []).some((v) => (s.sale_datetime as string) >= v.from && (v.to === undefined || (s.sale_datetime as string) < v.to)));
  assert.is(await count("SELECT COUNT(*) AS n FROM dw.sale_fact WHERE channel = 'store' AND customer_sk <> 0"), known.length);

  // A lost mark (a failed deploy, a manual backfill): the next run reloads and still adds nothing twice.
  await db.query('DELETE FROM dw.etl_watermark');
  await runLoad();
  await expectState();
  assert.is(await count('SELECT COUNT(*) AS n FROM dw.etl_watermark'), 2);
});

t('the load user may run the load and nothing else', async () => {
  if (!server) return;
  await db.query(`SET ROLE "${INPUT.loadUser}"`);
  try {
    await assert_rejects(() => db.query('SELECT COUNT(*) FROM dw.sale_fact'), /permission denied/);
    await assert_rejects(() => db.query("CALL dw.sp_set_watermark('sale_fact', LOCALTIMESTAMP)"), /permission denied/);
  } finally {
    await db.query('RESET ROLE');
  }
});

t('the dashboard reader reads the star schema and changes nothing', async () => {
  if (!server) return;
  await db.query(`SET ROLE "${INPUT.readerUser}"`);
  try {
    assert.ok((await count('SELECT COUNT(*) AS n FROM dw.sale_fact')) > 0);
    await assert_rejects(() => db.query('DELETE FROM dw.sale_fact'), /permission denied/);
    await assert_rejects(() => db.query('CALL dw.sp_run_incremental_load()'), /permission denied/);
  } finally {
    await db.query('RESET ROLE');
  }
});

async function assert_rejects(fn: () => Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await fn();
  } catch (e) {
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable('expected an error');
}

t.run();
