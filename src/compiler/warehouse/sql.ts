/**
 * Renders the warehouse SQL templates (`platforms/<platform>/templates/warehouse/*.sql.hbs`) into
 * migrations. Two dialects from the same templates: `redshift` (what is deployed) and `postgres`
 * (what the tests run: Redshift-only clauses switched off, Spectrum's external schemas replaced by
 * plain tables with the lake's columns). Every identifier goes through `{{id}}` (double-quoted,
 * quotes doubled) and every string through `{{lit}}` (single-quoted, quotes doubled): no spec
 * string reaches SQL unescaped.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { platformsDir } from '../../paths.js';
import { TemplateSet } from '../handlebars.js';
import type { Migration } from '../../contract/warehouse-migration.js';
import { tableColumns, type ColumnType } from '../../datasets/retail.js';

export type SqlDialect = 'redshift' | 'postgres';

/** A table the warehouse reads: its external schema (one per Spectrum database) and its name. */
export interface SqlTableRef {
  readonly schema: string;
  readonly table: string;
}

export interface WarehouseSqlInput {
  /** Schema of the star schema's tables and procedures. */
  readonly schema: string;
  /** Database user the scheduled load runs as. */
  readonly loadUser: string;
  /** Database user the dashboards read as. */
  readonly readerUser: string;
  /** Role external schemas use: its ARN, or undefined for the warehouse's default IAM role. @default default role */
  readonly spectrumRoleArn?: string;
  /** External schemas, one per Spectrum database: name in Redshift, Glue database behind it. */
  readonly externalSchemas: readonly { readonly name: string; readonly glueDatabase: string }[];
  /** Where the retail tables the load reads live; `customer` and at least one sale table are needed. */
  readonly sources: {
    readonly customer: SqlTableRef;
    readonly storeSale?: SqlTableRef;
    readonly webSale?: SqlTableRef;
  };
}

/** Identifiers: what Redshift accepts unquoted-equivalent (lower case start, `[a-z0-9_:.-]`), ≤ 127 bytes. */
const SAFE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_:.-]{0,126}$/;

export function quoteIdent(v: unknown): string {
  const s = String(v);
  // Validated upstream (spec rules); this guard keeps a template bug from emitting broken SQL.
  if (!SAFE_IDENTIFIER.test(s)) throw new Error(`not a usable SQL identifier: ${JSON.stringify(s)}`);
  return `"${s.replace(/"/g, '""')}"`;
}

export function quoteLiteral(v: unknown): string {
  const s = String(v);
  if (/[\u0000]/.test(s)) throw new Error('SQL literal contains a NUL character');
  return `'${s.replace(/'/g, "''")}'`;
}

const templates = new TemplateSet({
  id: (v: unknown) => quoteIdent(v),
  lit: (v: unknown) => quoteLiteral(v),
  ref: (v: SqlTableRef) => `${quoteIdent(v.schema)}.${quoteIdent(v.table)}`,
  json: (v: unknown) => JSON.stringify(v),
});

const PG_TYPES: Record<ColumnType, string> = {
  int: 'BIGINT',
  double: 'DOUBLE PRECISION',
  string: 'VARCHAR(256)',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
};

/** Customer columns copied into the dimension; the tracked ones decide whether a new version starts. */
const CUSTOMER_COLUMNS = ['customer_id', 'salutation', 'first_name', 'last_name', 'birth_country', 'email_address', 'birth_date', 'gender', 'marital_status', 'education_status', 'purchase_estimate', 'credit_rating', 'buy_potential', 'vehicle_count', 'lower_bound', 'upper_bound', 'address_id'];
export const TRACKED_CUSTOMER_COLUMNS = CUSTOMER_COLUMNS.filter((c) => c !== 'customer_id');

/** The retail tables the star schema reads, by the key of `WarehouseSqlInput.sources`. */
export const STAR_SCHEMA_TABLES = { customer: 'customer', storeSale: 'store_sale', webSale: 'web_sale' } as const;

export function warehouseTemplatesDir(platform: string, root: string = platformsDir): string {
  return join(root, platform, 'templates', 'warehouse');
}

/** Template names in apply order: versioned by number, then repeatables by name. */
export function listMigrationTemplates(platform: string, root: string = platformsDir): string[] {
  const dir = warehouseTemplatesDir(platform, root);
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.sql.hbs'))
    .map((f) => f.slice(0, -'.sql.hbs'.length));
  const bad = names.filter((n) => !/^(V\d{4}|R)__[a-z0-9-]+$/.test(n));
  if (bad.length) throw new Error(`warehouse templates must be named V<4 digits>__<name>.sql.hbs or R__<name>.sql.hbs: ${bad.join(', ')}`);
  const versioned = names.filter((n) => n.startsWith('V')).sort();
  const repeatable = names.filter((n) => n.startsWith('R')).sort();
  return [...versioned, ...repeatable];
}

/**
 * Splits a script into statements at `;` outside quotes, quoted identifiers, `$$` bodies and
 * comments; comment-only pieces are dropped.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  let i = 0;
  const push = () => {
    const stmt = cur.trim();
    const code = stmt.replace(/--[^\n]*/g, '').trim();
    if (code) out.push(stmt);
    cur = '';
  };
  while (i < sql.length) {
    const ch = sql[i]!;
    const two = sql.slice(i, i + 2);
    if (two === '--') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      cur += sql.slice(i, stop);
      i = stop;
    } else if (two === '$$') {
      const end = sql.indexOf('$$', i + 2);
      if (end === -1) throw new Error('unterminated $$ body in SQL template');
      cur += sql.slice(i, end + 2);
      i = end + 2;
    } else if (ch === "'" || ch === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new Error(`unterminated ${ch} quote in SQL template`);
        if (sql[j] === ch) {
          if (sql[j + 1] === ch) j += 2;
          else break;
        } else j++;
      }
      cur += sql.slice(i, j + 1);
      i = j + 1;
    } else if (ch === ';') {
      push();
      i++;
    } else {
      cur += ch;
      i++;
    }
  }
  push();
  return out;
}

function context(input: WarehouseSqlInput, dialect: SqlDialect): Record<string, unknown> {
  const redshift = dialect === 'redshift';
  const { sources } = input;
  const byTable = new Map<string, { name: string; columns: { name: string; type: string }[] }[]>();
  if (!redshift) {
    // The PostgreSQL stand-ins of the external tables, with the generator's columns.
    for (const [key, ref] of Object.entries(sources) as [keyof typeof STAR_SCHEMA_TABLES, SqlTableRef | undefined][]) {
      if (!ref) continue;
      const columns = tableColumns(STAR_SCHEMA_TABLES[key]).map((c) => ({ name: c.name, type: PG_TYPES[c.type] }));
      byTable.set(ref.schema, [...(byTable.get(ref.schema) ?? []), { name: ref.table, columns }]);
    }
  }
  const saleSources = [
    ...(sources.storeSale ? [{ channel: 'store', table: sources.storeSale, orderColumn: 'ticket_id', customerColumn: 'customer_id' }] : []),
    ...(sources.webSale ? [{ channel: 'web', table: sources.webSale, orderColumn: 'order_id', customerColumn: 'bill_customer_id' }] : []),
  ];
  if (!saleSources.length) throw new Error('the star schema needs at least one sale table (store_sale or web_sale)');
  return {
    redshift,
    schema: input.schema,
    loadUser: input.loadUser,
    readerUser: input.readerUser,
    iamRole: input.spectrumRoleArn === undefined ? 'default' : quoteLiteral(input.spectrumRoleArn),
    externalSchemas: input.externalSchemas.map((e) => ({ ...e, tables: byTable.get(e.name) ?? [] })),
    sources,
    saleSources,
    customerColumns: CUSTOMER_COLUMNS,
    trackedColumns: TRACKED_CUSTOMER_COLUMNS,
    now: redshift ? 'GETDATE()' : 'LOCALTIMESTAMP',
  };
}

const template = (file: string) => templates.file(file);

/**
 * Renders `platforms/<platform>/templates/<dir>/<file>` with the SQL-safe helpers (`id`, `lit`,
 * `ref`, `json`), strict: a variable missing from the context is an error.
 */
export function renderPlatformTemplate(platform: string, dir: string, file: string, ctx: Record<string, unknown>, root: string = platformsDir): string {
  try {
    return template(join(root, platform, 'templates', dir, file))(ctx);
  } catch (e) {
    throw new Error(`template ${dir}/${file} (${platform}): ${(e as Error).message.replace(/ in \[object Object\]/, '')}`);
  }
}

export function checksum(statements: readonly string[]): string {
  return createHash('sha256').update(statements.join('\0')).digest('hex');
}

/** Renders every warehouse template of `platform` into migrations, in apply order. */
export function renderMigrations(platform: string, input: WarehouseSqlInput, dialect: SqlDialect, root: string = platformsDir): Migration[] {
  const dir = warehouseTemplatesDir(platform, root);
  const ctx = context(input, dialect);
  return listMigrationTemplates(platform, root).map((name) => {
    let text: string;
    try {
      text = template(join(dir, `${name}.sql.hbs`))(ctx);
    } catch (e) {
      throw new Error(`warehouse template '${name}' (${platform}): ${(e as Error).message.replace(/ in \[object Object\]/, '')}`);
    }
    const statements = splitStatements(text);
    return { name, kind: name.startsWith('V') ? 'versioned' : 'repeatable', checksum: checksum(statements), statements };
  });
}

/** sha256 of a template's source: what `migrations.lock.json` records for released migrations. */
export function templateHash(platform: string, name: string, root: string = platformsDir): string {
  return createHash('sha256').update(readFileSync(join(warehouseTemplatesDir(platform, root), `${name}.sql.hbs`))).digest('hex');
}

export const MIGRATIONS_LOCK = 'migrations.lock.json';

/**
 * Versioned templates whose source differs from the hash recorded when they were released
 * (`migrations.lock.json`): editing a released migration would leave deployed warehouses and new
 * ones with different schemas, so it is an error that says to add a new migration instead.
 * Also released migrations whose template was deleted.
 */
export function editedReleasedMigrations(platform: string, root: string = platformsDir): string[] {
  const lockFile = join(warehouseTemplatesDir(platform, root), MIGRATIONS_LOCK);
  if (!existsSync(lockFile)) return [];
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { released?: Record<string, string> };
  const present = new Set(listMigrationTemplates(platform, root));
  const problems: string[] = [];
  for (const [name, hash] of Object.entries(lock.released ?? {})) {
    if (!present.has(name)) problems.push(`released warehouse migration '${name}' was deleted; restore it (migrations are append-only)`);
    else if (templateHash(platform, name, root) !== hash) {
      problems.push(`released warehouse migration '${name}' was edited; restore it and add a new migration (e.g. V${String(nextVersion([...present])).padStart(4, '0')}__<change>.sql.hbs) with the change`);
    }
  }
  return problems;
}

function nextVersion(names: readonly string[]): number {
  return Math.max(0, ...names.filter((n) => n.startsWith('V')).map((n) => Number(n.slice(1, 5)))) + 1;
}
