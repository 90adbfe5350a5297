/**
 * The warehouse migrations custom resource (CDK `Provider`: on-event and is-complete handlers),
 * bundled into a Lambda at synth time. `onEvent` only names the resource; `isComplete`, polled by
 * the Provider, applies what is pending (migrate.ts) within the time its invocation has, and says
 * complete once nothing is left. Delete keeps the warehouse's tables: they go with the warehouse.
 *
 * Resource properties: `Database`, `SecretArn`, `WorkgroupName` or `ClusterIdentifier`,
 * `StatementPrefix`, `Migrations` (a JSON string of Migration[]).
 */
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { applyMigrations } from './migrate.js';
import type { Migration } from '../../contract/warehouse-migration.js';

export interface ProviderEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
}

export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

/** Time kept back from the invocation's budget to answer the Provider. */
const MARGIN_MS = 15_000;

export function createHandlers(client: RedshiftDataClient, options: { pollMs?: number } = {}) {
  const props = (e: ProviderEvent) => {
    const p = e.ResourceProperties;
    const s = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : undefined);
    return {
      target: { database: s('Database') ?? '', secretArn: s('SecretArn') ?? '', workgroupName: s('WorkgroupName'), clusterIdentifier: s('ClusterIdentifier') },
      prefix: s('StatementPrefix') ?? 'ara-gen:',
      migrations: JSON.parse(s('Migrations') ?? '[]') as Migration[],
    };
  };
  return {
    async onEvent(event: ProviderEvent) {
      const { target, prefix } = props(event);
      return { PhysicalResourceId: event.PhysicalResourceId ?? `${prefix}${target.workgroupName ?? target.clusterIdentifier}/${target.database}` };
    },
    async isComplete(event: ProviderEvent, context: LambdaContext) {
      if (event.RequestType === 'Delete') return { IsComplete: true };
      const { target, prefix, migrations } = props(event);
      const deadline = Date.now() + Math.max(1000, context.getRemainingTimeInMillis() - MARGIN_MS);
      const r = await applyMigrations(client, target, migrations, { deadline, statementPrefix: prefix, pollMs: options.pollMs });
      return r.complete ? { IsComplete: true, Data: { Migrations: migrations.map((m) => m.name).join(',') } } : { IsComplete: false };
    },
  };
}

const handlers = createHandlers(new RedshiftDataClient({}));
export const onEvent = handlers.onEvent;
export const isComplete = handlers.isComplete;
