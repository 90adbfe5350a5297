/**
 * What `destroy` leaves behind: resources whose DeletionPolicy keeps them (Retain,
 * RetainExceptOnCreate) or keeps a snapshot of them (Snapshot), read from the synthesized templates.
 */
import type { AssemblyStack, TemplateResource } from './assembly-reader.js';
import { SourceIndex, type ResourceOrigin } from './failure-map.js';

export interface RetainedResource extends ResourceOrigin {
  readonly policy: 'Retain' | 'RetainExceptOnCreate' | 'Snapshot';
  /** Physical name when the template sets one (bucket name, key alias...). */
  readonly physicalName?: string;
}

const KEPT = new Set(['Retain', 'RetainExceptOnCreate', 'Snapshot']);
const NAME_PROPERTIES = ['BucketName', 'TableName', 'Name', 'StreamName', 'DeliveryStreamName', 'AliasName', 'LogGroupName', 'RoleName', 'FunctionName'];

/** The physical name a template gives a resource (a literal or an `Fn::Sub` text), if any. */
export function physicalNameOf(r: TemplateResource): string | undefined {
  for (const p of NAME_PROPERTIES) {
    const v = r.Properties?.[p];
    if (typeof v === 'string') return v;
    const sub = v && typeof v === 'object' ? (v as Record<string, unknown>)['Fn::Sub'] : undefined;
    if (typeof sub === 'string') return sub;
  }
  return undefined;
}

export function listRetained(stacks: readonly AssemblyStack[]): RetainedResource[] {
  const index = new SourceIndex(stacks);
  const out: RetainedResource[] = [];
  for (const stack of stacks) {
    for (const [logicalId, r] of Object.entries(stack.resources)) {
      if (!r.DeletionPolicy || !KEPT.has(r.DeletionPolicy)) continue;
      const origin = index.locate(stack.stackName, logicalId)!;
      const name = physicalNameOf(r);
      out.push({ ...origin, policy: r.DeletionPolicy as RetainedResource['policy'], physicalName: name });
    }
  }
  return out;
}

export function formatRetained(r: RetainedResource): string {
  const name = r.physicalName ? ` ${r.physicalName}` : '';
  const from = r.source ? `  from ${r.source.file}:${r.source.line}:${r.source.col} (${r.source.path})` : '';
  const kept = r.policy === 'Snapshot' ? ' (deleted, snapshot kept)' : '';
  return `${r.stackName}  ${r.type ?? '?'}${name} [${r.logicalId}]${kept}${from}`;
}
