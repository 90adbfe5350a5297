/**
 * A local Redshift Data API (AWS JSON 1.1, `RedshiftData.<Operation>`) on 127.0.0.1 that runs the
 * statements on a PostgreSQL database: ExecuteStatement, BatchExecuteStatement (one transaction;
 * the failing sub-statement FAILED, the rest ABORTED), DescribeStatement, GetStatementResult and
 * ListStatements (statement-name prefix). Statements run asynchronously after an optional delay,
 * as the real API reports SUBMITTED/STARTED before FINISHED or FAILED.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { awsJsonTarget, closeServer, listenLoopback, readBody, sendAwsError, sendJson } from './aws-json.js';

interface SubStatement {
  Id: string;
  QueryString: string;
  Status: string;
  Error?: string;
}

interface Statement {
  Id: string;
  StatementName?: string;
  Status: string;
  Error?: string;
  Database: string;
  WorkgroupName?: string;
  ClusterIdentifier?: string;
  SecretArn?: string;
  QueryString?: string;
  SubStatements?: SubStatement[];
  CreatedAt: number;
  rows?: pg.QueryResult;
  done: Promise<void>;
}

export interface RedshiftDataServer {
  readonly endpoint: string;
  /** Every request received, by operation, with its parsed body. */
  readonly requests: { operation: string; body: Record<string, unknown> }[];
  /** Milliseconds a statement waits before it runs, by its statement name (default none). */
  delay: (statementName: string) => number;
  /** Resolves when every submitted statement has ended. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function startRedshiftData(connect: (database: string) => Promise<pg.Client>): Promise<RedshiftDataServer> {
  const statements = new Map<string, Statement>();
  const requests: { operation: string; body: Record<string, unknown> }[] = [];
  const state = { delay: (_name: string): number => 0 };

  const submit = (body: Record<string, unknown>, sqls: string[], batch: boolean): Statement => {
    const id = randomUUID();
    const s: Statement = {
      Id: id,
      StatementName: body.StatementName as string | undefined,
      Status: 'SUBMITTED',
      Database: String(body.Database),
      WorkgroupName: body.WorkgroupName as string | undefined,
      ClusterIdentifier: body.ClusterIdentifier as string | undefined,
      SecretArn: body.SecretArn as string | undefined,
      ...(batch ? { SubStatements: sqls.map((q, i) => ({ Id: `${id}:${i + 1}`, QueryString: q, Status: 'SUBMITTED' })) } : { QueryString: sqls[0] }),
      CreatedAt: Date.now() / 1000,
      done: Promise.resolve(),
    };
    s.done = (async () => {
      const ms = state.delay(s.StatementName ?? '');
      if (ms) await new Promise((r) => setTimeout(r, ms));
      s.Status = 'STARTED';
      const client = await connect(s.Database);
      let current = -1;
      try {
        if (batch) await client.query('BEGIN');
        for (current = 0; current < sqls.length; current++) {
          const r = await client.query(sqls[current]!);
          if (!batch) s.rows = r;
        }
        if (batch) await client.query('COMMIT');
        s.Status = 'FINISHED';
        for (const sub of s.SubStatements ?? []) sub.Status = 'FINISHED';
      } catch (e) {
        if (batch) await client.query('ROLLBACK').catch(() => undefined);
        s.Status = 'FAILED';
        s.Error = `ERROR: ${(e as Error).message}`;
        (s.SubStatements ?? []).forEach((sub, i) => {
          sub.Status = i < current ? 'FINISHED' : i === current ? 'FAILED' : 'ABORTED';
          if (i === current) sub.Error = s.Error;
        });
      } finally {
        await client.end();
      }
    })();
    statements.set(id, s);
    return s;
  };

  const describe = (s: Statement) => ({
    Id: s.Id,
    Status: s.Status,
    ...(s.Error ? { Error: s.Error } : {}),
    Database: s.Database,
    ...(s.WorkgroupName ? { WorkgroupName: s.WorkgroupName } : {}),
    ...(s.ClusterIdentifier ? { ClusterIdentifier: s.ClusterIdentifier } : {}),
    ...(s.QueryString ? { QueryString: s.QueryString } : {}),
    ...(s.SubStatements ? { SubStatements: s.SubStatements.map((x) => ({ ...x, CreatedAt: s.CreatedAt, UpdatedAt: s.CreatedAt })) } : {}),
    HasResultSet: Boolean(s.rows?.fields?.length),
    CreatedAt: s.CreatedAt,
    UpdatedAt: s.CreatedAt,
  });

  const server: Server = createServer(async (req, res) => {
    const target = awsJsonTarget(req);
    const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, unknown>;
    if (!target) return sendAwsError(res, 400, 'ValidationException', 'missing X-Amz-Target');
    requests.push({ operation: target.operation, body });
    const need = (s: Statement | undefined) => {
      if (!s) sendAwsError(res, 400, 'ResourceNotFoundException', `statement ${String(body.Id)} not found`);
      return s;
    };
    if ((target.operation === 'ExecuteStatement' || target.operation === 'BatchExecuteStatement') && !body.WorkgroupName && !body.ClusterIdentifier) {
      return sendAwsError(res, 400, 'ValidationException', 'either WorkgroupName or ClusterIdentifier is required');
    }
    switch (target.operation) {
      case 'ExecuteStatement': {
        const s = submit(body, [String(body.Sql)], false);
        return sendJson(res, 200, { Id: s.Id, Database: s.Database, CreatedAt: s.CreatedAt });
      }
      case 'BatchExecuteStatement': {
        const sqls = body.Sqls as string[];
        if (!Array.isArray(sqls) || sqls.length < 1 || sqls.length > 40) return sendAwsError(res, 400, 'ValidationException', 'Sqls must hold 1 to 40 statements');
        const s = submit(body, sqls, true);
        return sendJson(res, 200, { Id: s.Id, Database: s.Database, CreatedAt: s.CreatedAt });
      }
      case 'DescribeStatement': {
        const s = need(statements.get(String(body.Id)));
        return s && sendJson(res, 200, describe(s));
      }
      case 'GetStatementResult': {
        const s = need(statements.get(String(body.Id)));
        if (!s) return;
        if (s.Status !== 'FINISHED' || !s.rows) return sendAwsError(res, 400, 'ValidationException', 'Query does not have result');
        const fields = s.rows.fields;
        const Records = s.rows.rows.map((r: Record<string, unknown>) =>
          fields.map((f) => {
            const v = r[f.name];
            return v === null || v === undefined ? { isNull: true } : typeof v === 'number' ? { longValue: v } : typeof v === 'boolean' ? { booleanValue: v } : { stringValue: String(v) };
          }),
        );
        return sendJson(res, 200, { Records, ColumnMetadata: fields.map((f) => ({ name: f.name })), TotalNumRows: Records.length });
      }
      case 'ListStatements': {
        const prefix = String(body.StatementName ?? '');
        const status = String(body.Status ?? 'ALL');
        const list = [...statements.values()]
          .filter((s) => (s.StatementName ?? '').startsWith(prefix) && (status === 'ALL' || s.Status === status))
          .map((s) => ({ Id: s.Id, StatementName: s.StatementName, Status: s.Status, CreatedAt: s.CreatedAt, UpdatedAt: s.CreatedAt, IsBatchStatement: Boolean(s.SubStatements) }));
        return sendJson(res, 200, { Statements: list });
      }
      default:
        return sendAwsError(res, 400, 'UnknownOperationException', `operation ${target.operation} is not supported by this local server`);
    }
  });
  const { endpoint } = await listenLoopback(server);
  return {
    endpoint,
    requests,
    get delay() {
      return state.delay;
    },
    set delay(f: (statementName: string) => number) {
      state.delay = f;
    },
    async settle() {
      await Promise.all([...statements.values()].map((s) => s.done));
    },
    close: () => closeServer(server),
  };
}
