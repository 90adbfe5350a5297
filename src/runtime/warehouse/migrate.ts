/**
 * Applies warehouse migrations through the Redshift Data API (the deploy-time custom resource).
 * Stateless on purpose, so that every is-complete poll of the CDK Provider can pick up where the
 * last one stopped: the applied migrations are read from the warehouse itself (a migrations table
 * with name and checksum), a migration still running from an earlier poll is found by its
 * statement name and waited for, never submitted twice.
 *
 * Each pending migration is one BatchExecuteStatement (one transaction) holding its statements and
 * its own bookkeeping row, so a migration is recorded exactly when it took effect.
 */
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  ListStatementsCommand,
  type DescribeStatementCommandOutput,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { MAX_BATCH_STATEMENTS, MIGRATIONS_TABLE, type Migration } from '../../contract/warehouse-migration.js';

/** The warehouse the statements run on, and the secret (the Redshift-managed admin secret) they run with. */
export interface DataApiTarget {
  readonly database: string;
  readonly secretArn: string;
  /** Redshift Serverless workgroup name; or `clusterIdentifier` for a provisioned cluster. */
  readonly workgroupName?: string;
  readonly clusterIdentifier?: string;
}

export interface ApplyOptions {
  /** Epoch ms after which the call stops waiting and reports `complete: false`. */
  readonly deadline: number;
  /** Statement names start with this prefix (one per warehouse), so running ones can be found. */
  readonly statementPrefix: string;
  readonly pollMs?: number;
  /** Time recorded as `applied_at`. */
  readonly now?: () => Date;
}

export interface ApplyResult {
  readonly complete: boolean;
  /** Migrations applied by this call, in order. */
  readonly applied: readonly string[];
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

const IN_FLIGHT = new Set(['SUBMITTED', 'PICKED', 'STARTED']);
const TABLE = `"${MIGRATIONS_TABLE.schema}"."${MIGRATIONS_TABLE.table}"`;
/** Bookkeeping statements added to each migration's batch. */
const BOOKKEEPING = 2;
export const MAX_MIGRATION_STATEMENTS = MAX_BATCH_STATEMENTS - BOOKKEEPING;

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function applyMigrations(client: RedshiftDataClient, target: DataApiTarget, migrations: readonly Migration[], options: ApplyOptions): Promise<ApplyResult> {
  const pollMs = options.pollMs ?? 1000;
  const where = {
    Database: target.database,
    SecretArn: target.secretArn,
    ...(target.workgroupName ? { WorkgroupName: target.workgroupName } : { ClusterIdentifier: target.clusterIdentifier }),
  };
  for (const m of migrations) {
    if (m.statements.length > MAX_MIGRATION_STATEMENTS) {
      throw new MigrationError(`warehouse migration '${m.name}' has ${m.statements.length} statements; one migration runs as one Data API batch of at most ${MAX_MIGRATION_STATEMENTS}: split it`);
    }
  }

  /** Waits for a statement; undefined when the deadline passed first. */
  const wait = async (id: string): Promise<DescribeStatementCommandOutput | undefined> => {
    for (;;) {
      const d = await client.send(new DescribeStatementCommand({ Id: id }));
      if (!IN_FLIGHT.has(d.Status ?? '')) return d;
      if (Date.now() + pollMs > options.deadline) return undefined;
      await sleep(pollMs);
    }
  };
  const run = async (sqls: string[], name: string): Promise<DescribeStatementCommandOutput | undefined> => {
    const { Id } = await client.send(new BatchExecuteStatementCommand({ ...where, Sqls: sqls, StatementName: name }));
    return wait(Id!);
  };

  // 1. A migration an earlier poll submitted and that is still running: wait for it first.
  const listed = await client.send(new ListStatementsCommand({ StatementName: options.statementPrefix, Status: 'ALL', MaxResults: 100 }));
  for (const s of listed.Statements ?? []) {
    if (IN_FLIGHT.has(s.Status ?? '') && (s.StatementName ?? '').startsWith(options.statementPrefix)) {
      if (!(await wait(s.Id!))) return { complete: false, applied: [] };
    }
  }

  // 2. The migrations table, then what it records.
  const boot = await run(
    [
      `CREATE SCHEMA IF NOT EXISTS "${MIGRATIONS_TABLE.schema}"`,
      `CREATE TABLE IF NOT EXISTS ${TABLE} (name VARCHAR(256) NOT NULL, kind VARCHAR(16) NOT NULL, checksum VARCHAR(64) NOT NULL, applied_at TIMESTAMP NOT NULL)`,
    ],
    `${options.statementPrefix}bootstrap`,
  );
  if (!boot) return { complete: false, applied: [] };
  if (boot.Status !== 'FINISHED') throw new MigrationError(`creating the migrations table ${TABLE} failed: ${failure(boot).error}`);
  const { Id: readId } = await client.send(new ExecuteStatementCommand({ ...where, Sql: `SELECT name, checksum FROM ${TABLE} ORDER BY name`, StatementName: `${options.statementPrefix}read` }));
  const read = await wait(readId!);
  if (!read) return { complete: false, applied: [] };
  if (read.Status !== 'FINISHED') throw new MigrationError(`reading ${TABLE} failed: ${failure(read).error}`);
  const applied = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await client.send(new GetStatementResultCommand({ Id: readId!, NextToken: token }));
    for (const rec of page.Records ?? []) applied.set(rec[0]?.stringValue ?? '', rec[1]?.stringValue ?? '');
    token = page.NextToken;
  } while (token);

  // 3. Edited versioned migrations stop everything: they cannot be applied twice.
  for (const m of migrations) {
    const sum = applied.get(m.name);
    if (m.kind === 'versioned' && sum !== undefined && sum !== m.checksum) {
      throw new MigrationError(
        `warehouse migration '${m.name}' was applied with checksum ${sum.slice(0, 12)}…, but its SQL now has checksum ${m.checksum.slice(0, 12)}…: released migrations are append-only; restore it and add a new migration with the change`,
      );
    }
  }

  // 4. Pending migrations, one transaction each, in order.
  const done: string[] = [];
  for (const m of migrations) {
    if (applied.get(m.name) === m.checksum) continue;
    const at = (options.now ?? (() => new Date()))().toISOString().slice(0, 19).replace('T', ' ');
    const sqls = [
      ...m.statements,
      `DELETE FROM ${TABLE} WHERE name = ${lit(m.name)}`,
      `INSERT INTO ${TABLE} (name, kind, checksum, applied_at) VALUES (${lit(m.name)}, ${lit(m.kind)}, ${lit(m.checksum)}, CAST(${lit(at)} AS TIMESTAMP))`,
    ];
    const r = await run(sqls, `${options.statementPrefix}${m.name}`);
    if (!r) return { complete: false, applied: done };
    if (r.Status !== 'FINISHED') {
      const f = failure(r);
      const stmt = f.index !== undefined && f.index < m.statements.length ? `statement ${f.index + 1} of ${m.statements.length}` : 'its bookkeeping';
      const sql = f.index !== undefined ? sqls[f.index] : undefined;
      throw new MigrationError(
        `warehouse migration '${m.name}' (template ${m.name}.sql.hbs) failed at ${stmt}: ${f.error}` + (sql ? `\n  ${excerpt(sql)}` : ''),
      );
    }
    done.push(m.name);
  }
  return { complete: true, applied: done };
}

/** The error of a failed statement and, for a batch, the index of the sub-statement that failed. */
function failure(d: DescribeStatementCommandOutput): { error: string; index?: number } {
  const subs = d.SubStatements ?? [];
  const i = subs.findIndex((s) => s.Status === 'FAILED');
  if (i >= 0) return { error: subs[i]!.Error ?? d.Error ?? 'failed', index: i };
  return { error: d.Error ?? `statement ${d.Status?.toLowerCase() ?? 'failed'}` };
}

function excerpt(sql: string): string {
  const one = sql.replace(/\s+/g, ' ').trim();
  return one.length > 300 ? `${one.slice(0, 300)}…` : one;
}
