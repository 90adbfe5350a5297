/**
 * Maps a CloudFormation resource (stack + logical ID, as reported by a failed stack event) back to
 * the spec entry that produced it. The compiler tags each top construct with `ara-gen:source`
 * metadata (a SourceRef). It may sit on the CloudFormation resource itself (template `Metadata`)
 * or on an ancestor construct (manifest metadata); we look at the resource first, then walk up its
 * construct path (from `aws:cdk:logicalId` manifest entries or the `aws:cdk:path` template
 * metadata) to the nearest tagged ancestor.
 */
import type { SourceRef } from '../model.js';
import { type AssemblyStack, readAssemblyStacks } from './assembly-reader.js';

/** Metadata key carrying a construct's spec origin (template `Metadata` or construct metadata). */
export const SOURCE_METADATA_KEY = 'ara-gen:source';

export interface ResourceOrigin {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type?: string;
  readonly constructPath?: string;
  /** The spec entry, when the resource (or an ancestor construct) is tagged. */
  readonly source?: SourceRef;
}

export class SourceIndex {
  private readonly stacks = new Map<string, StackIndex>();

  constructor(stacks: readonly AssemblyStack[]) {
    for (const s of stacks) {
      const index = indexStack(s);
      this.stacks.set(s.stackName, index);
      this.stacks.set(s.id, index);
    }
  }

  static fromAssemblyDirectory(dir: string): SourceIndex {
    return new SourceIndex(readAssemblyStacks(dir));
  }

  /** The origin of a resource; undefined when the stack or logical ID is not in the assembly. */
  locate(stackName: string, logicalId: string): ResourceOrigin | undefined {
    const stack = this.stacks.get(stackName);
    const resource = stack?.stack.resources[logicalId];
    if (!stack || !resource) return undefined;
    const constructPath = stack.pathOf.get(logicalId) ?? stringOr(resource.Metadata?.['aws:cdk:path']);
    const source = asSourceRef(resource.Metadata?.[SOURCE_METADATA_KEY]) ?? (constructPath ? this.sourceOfPath(stack, constructPath) : undefined);
    return { stackName: stack.stack.stackName, logicalId, type: resource.Type, constructPath, source };
  }

  /** The spec entry of a construct path (e.g. of a cdk-nag finding): the nearest tagged ancestor. */
  locatePath(stackName: string, constructPath: string): SourceRef | undefined {
    const stack = this.stacks.get(stackName);
    return stack ? this.sourceOfPath(stack, constructPath) : undefined;
  }

  private sourceOfPath(stack: StackIndex, constructPath: string): SourceRef | undefined {
    for (let p = constructPath.startsWith('/') ? constructPath : `/${constructPath}`; p; p = p.slice(0, Math.max(0, p.lastIndexOf('/')))) {
      const found = stack.sourceOfPath.get(p);
      if (found) return found;
    }
    return undefined;
  }
}

interface StackIndex {
  readonly stack: AssemblyStack;
  readonly pathOf: Map<string, string>;
  readonly sourceOfPath: Map<string, SourceRef>;
}

function indexStack(stack: AssemblyStack): StackIndex {
  const pathOf = new Map<string, string>();
  const sourceOfPath = new Map<string, SourceRef>();
  for (const [path, entries] of Object.entries(stack.metadata)) {
    for (const e of entries) {
      if (e.type === 'aws:cdk:logicalId' && typeof e.data === 'string') pathOf.set(e.data, path);
      const ref = e.type === SOURCE_METADATA_KEY ? asSourceRef(e.data) : undefined;
      if (ref) sourceOfPath.set(path, ref);
    }
  }
  // Template-level tags also describe their construct's subtree (e.g. a role created beside it).
  for (const [logicalId, r] of Object.entries(stack.resources)) {
    const ref = asSourceRef(r.Metadata?.[SOURCE_METADATA_KEY]);
    const path = pathOf.get(logicalId) ?? stringOr(r.Metadata?.['aws:cdk:path']);
    if (ref && path) {
      const p = path.startsWith('/') ? path : `/${path}`;
      // `.../Crawler/Resource` tags the `.../Crawler` construct.
      const owner = p.endsWith('/Resource') ? p.slice(0, -'/Resource'.length) : p;
      if (!sourceOfPath.has(owner)) sourceOfPath.set(owner, ref);
    }
  }
  return { stack, pathOf, sourceOfPath };
}

function stringOr(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function asSourceRef(v: unknown): SourceRef | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.file !== 'string' || typeof o.path !== 'string' || typeof o.line !== 'number' || typeof o.col !== 'number') return undefined;
  return { file: o.file, path: o.path, line: o.line, col: o.col };
}

/** `examples/mystore.yaml:78:3 (/crawlers/raw)` */
export function formatSource(ref: SourceRef): string {
  return `${ref.file}:${ref.line}:${ref.col} (${ref.path || '/'})`;
}

/** One line naming the failed resource and, when known, its spec entry. */
export function describeOrigin(origin: ResourceOrigin): string {
  const what = `${origin.stackName}/${origin.logicalId}${origin.type ? ` (${origin.type})` : ''}`;
  return origin.source ? `${what} comes from ${formatSource(origin.source)}` : `${what} has no recorded spec origin${origin.constructPath ? ` (construct ${origin.constructPath})` : ''}`;
}
