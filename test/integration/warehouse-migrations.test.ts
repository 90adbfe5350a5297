/**
 * The migrations custom resource end to end: its on-event and is-complete handlers, with the real
 * AWS SDK Redshift Data client, against a local Redshift Data API server that runs the statements
 * on PostgreSQL. Create, an idempotent re-run, an update that re-applies a repeatable migration,
 * an edited released migration, a failing statement (rolled back, reported with its migration),
 * a poll that runs out of time and the next one that picks the running batch up, and delete.
 */
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type pg from 'pg';
import { renderMigrations, type WarehouseSqlInput } from '../../src/compiler/warehouse/sql.js';
import { createHandlers, type ProviderEvent } from '../../src/runtime/warehouse/handler.js';
import type { Migration } from '../../src/contract/warehouse-migration.js';
import { findPostgres, startPostgres, type PostgresServer } from '../servers/postgres.js';
import { startRedshiftData, type RedshiftDataServer } from '../servers/redshift-data.js';

const INPUT: WarehouseSqlInput = {
  schema: 'dw',
  loadUser: 'IAMR:shop-dev-warehouse-load',
  readerUser: 'quicksight_reader',
  externalSchemas: [{ name: 'spectrum_clean', glueDatabase: 'shop_dev_clean' }],
  sources: { customer: { schema: 'spectrum_clean', table: 'customer' }, storeSale: { schema: 'spectrum_clean', table: 'store_sale' } },
};
const PREFIX = 'ara-gen:shop-dev-warehouse:';

const bin = findPostgres();
const t = suite('warehouse migrations custom resource');
let server: PostgresServer | undefined;
let api: RedshiftDataServer;
let db: pg.Client;
let handlers: ReturnType<typeof createHandlers>;

t.before(async () => {
  if (!bin) return;
  server = await startPostgres(bin);
  await server.createDatabase('mystore');
  db = await server.connect('mystore');
  api = await startRedshiftData((database) => server!.connect(database));
  const client = new RedshiftDataClient({
    endpoint: api.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
  });
  handlers = createHandlers(client, { pollMs: 20 });
});
t.after(async () => {
  await api?.close();
  await db?.end();
  await server?.stop();
});

const event = (RequestType: ProviderEvent['RequestType'], migrations: readonly Migration[]): ProviderEvent => ({
  RequestType,
  PhysicalResourceId: RequestType === 'Create' ? undefined : `${PREFIX}shop-dev-warehouse/mystore`,
  ResourceProperties: {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    Database: 'mystore',
    SecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:redshift!shop-dev-admin-AbCdEf',
    WorkgroupName: 'shop-dev-warehouse',
    StatementPrefix: PREFIX,
    Migrations: JSON.stringify(migrations),
  },
});
const context = (remainingMs = 120_000) => ({ getRemainingTimeInMillis: () => remainingMs });
const recorded = async () => (await db.query('SELECT name, checksum FROM ara_gen.schema_migrations ORDER BY name')).rows as { name: string; checksum: string }[];
const batchesFor = (name: string) => api.requests.filter((r) => r.operation === 'BatchExecuteStatement' && r.body.StatementName === `${PREFIX}${name}`).length;
const skip = () => {
  if (server) return false;
  console.log('  skipped: PostgreSQL binaries (initdb, pg_ctl) not found; install them with `apt-get install -y postgresql`');
  return true;
};

const base = () => renderMigrations('aws-native', INPUT, 'postgres');

t('create applies every migration through the Data API, recorded with its checksum', async () => {
  if (skip()) return;
  const migrations = base();
  const created = await handlers.onEvent(event('Create', migrations));
  assert.is(created.PhysicalResourceId, `${PREFIX}shop-dev-warehouse/mystore`);
  const r = await handlers.isComplete(event('Create', migrations), context());
  assert.equal(r, { IsComplete: true, Data: { Migrations: migrations.map((m) => m.name).join(',') } });
  assert.equal(await recorded(), migrations.map((m) => ({ name: m.name, checksum: m.checksum })).sort((a, b) => (a.name < b.name ? -1 : 1)));
  assert.is(Number((await db.query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'dw'")).rows[0].n), 4); // watermark, customer_dim, date_dim, sale_fact
  // Every statement ran on the named workgroup with the admin secret.
  for (const req of api.requests.filter((x) => x.operation.endsWith('ExecuteStatement'))) {
    assert.is(req.body.WorkgroupName, 'shop-dev-warehouse');
    assert.match(String(req.body.SecretArn), /^arn:aws:secretsmanager:/);
    assert.is(req.body.Database, 'mystore');
  }
});

t('a re-run applies nothing again', async () => {
  if (skip()) return;
  const migrations = base();
  const before = api.requests.length;
  const r = await handlers.isComplete(event('Update', migrations), context());
  assert.is(r.IsComplete, true);
  for (const m of migrations) assert.is(batchesFor(m.name), 1, m.name);
  // Only the bookkeeping: list, bootstrap, read and their polls.
  assert.not.ok(api.requests.slice(before).some((x) => x.operation === 'BatchExecuteStatement' && String(x.body.StatementName).match(/__/)));
});

t('an update re-applies only the repeatable migration whose SQL changed', async () => {
  if (skip()) return;
  const changed = renderMigrations('aws-native', { ...INPUT, externalSchemas: [...INPUT.externalSchemas, { name: 'spectrum_raw', glueDatabase: 'shop_dev_raw' }] }, 'postgres');
  const diff = changed.filter((m, i) => m.checksum !== base()[i]!.checksum).map((m) => m.name);
  assert.equal(diff, ['R__external-schemas']);
  const r = await handlers.isComplete(event('Update', changed), context());
  assert.is(r.IsComplete, true);
  assert.is(batchesFor('R__external-schemas'), 2);
  assert.is(batchesFor('V0001__star-schema'), 1);
  assert.is((await recorded()).find((x) => x.name === 'R__external-schemas')!.checksum, changed.find((m) => m.name === 'R__external-schemas')!.checksum);
  assert.is((await recorded()).length, changed.length);
  assert.is(Number((await db.query("SELECT COUNT(*) AS n FROM information_schema.schemata WHERE schema_name = 'spectrum_raw'")).rows[0].n), 1);
});

t('an edited released migration fails the deploy and says to add a new one', async () => {
  if (skip()) return;
  const edited = base().map((m) => (m.name === 'V0001__star-schema' ? { ...m, checksum: 'f'.repeat(64), statements: [...m.statements, 'CREATE TABLE dw.extra (a INTEGER)'] } : m));
  try {
    await handlers.isComplete(event('Update', edited), context());
    assert.unreachable('expected a failure');
  } catch (e) {
    assert.match((e as Error).message, /warehouse migration 'V0001__star-schema' was applied with checksum .* append-only; restore it and add a new migration/);
  }
  assert.is(Number((await db.query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = 'extra'")).rows[0].n), 0);
});

t('a failing statement is reported with its migration, statement and SQL error; nothing of it stays', async () => {
  if (skip()) return;
  const broken: Migration = { name: 'V0003__broken', kind: 'versioned', checksum: 'b'.repeat(64), statements: ['CREATE TABLE dw.half_done (a INTEGER)', 'INSERT INTO dw.no_such_table VALUES (1)'] };
  try {
    await handlers.isComplete(event('Update', [...base(), broken]), context());
    assert.unreachable('expected a failure');
  } catch (e) {
    const msg = (e as Error).message;
    assert.match(msg, /warehouse migration 'V0003__broken' \(template V0003__broken\.sql\.hbs\) failed at statement 2 of 2: ERROR: relation "dw\.no_such_table" does not exist/);
    assert.match(msg, /INSERT INTO dw\.no_such_table VALUES \(1\)/);
  }
  assert.is(Number((await db.query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = 'half_done'")).rows[0].n), 0);
  assert.not.ok((await recorded()).some((r) => r.name === 'V0003__broken'));
});

t('a poll that runs out of time leaves the batch running; the next poll waits for it and submits nothing twice', async () => {
  if (skip()) return;
  const late: Migration = { name: 'V0003__late', kind: 'versioned', checksum: 'c'.repeat(64), statements: ['CREATE TABLE dw.late (a INTEGER)'] };
  api.delay = (name) => (name === `${PREFIX}V0003__late` ? 1500 : 0);
  // 15 s are kept back for the answer: this poll may wait about one second.
  const first = await handlers.isComplete(event('Update', [...base(), late]), context(15_000 + 1000));
  assert.equal(first, { IsComplete: false });
  assert.is(batchesFor('V0003__late'), 1);
  api.delay = () => 0;
  const second = await handlers.isComplete(event('Update', [...base(), late]), context());
  assert.is(second.IsComplete, true);
  assert.is(batchesFor('V0003__late'), 1);
  assert.is((await recorded()).filter((r) => r.name === 'V0003__late').length, 1);
});

t('delete keeps the warehouse as it is and calls nothing', async () => {
  if (skip()) return;
  const before = api.requests.length;
  assert.equal(await handlers.isComplete(event('Delete', base()), context()), { IsComplete: true });
  assert.is(api.requests.length, before);
  await api.settle();
});

t.run();
