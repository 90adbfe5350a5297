/**
 * A warehouse migration as the compiler renders it and the deploy-time custom resource applies it
 * (Flyway's model): `versioned` migrations (`V0001__name`) run once, in name order, and may never
 * change after they ran; `repeatable` ones (`R__name`) run again whenever their checksum changes.
 */
export interface Migration {
  /** Template name without extension, e.g. `V0001__star-schema`. */
  readonly name: string;
  readonly kind: 'versioned' | 'repeatable';
  /** sha256 (hex) of the rendered statements, joined by NUL. */
  readonly checksum: string;
  /** Single SQL statements, in order (a Data API batch runs them in one transaction). */
  readonly statements: readonly string[];
}

/** The Redshift Data API runs at most this many statements in one BatchExecuteStatement. */
export const MAX_BATCH_STATEMENTS = 40;

/** Schema and table recording applied migrations. */
export const MIGRATIONS_TABLE = { schema: 'ara_gen', table: 'schema_migrations' } as const;
