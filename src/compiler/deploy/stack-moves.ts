/**
 * Entries that change stacks between two assemblies (an earlier one, e.g. the one deployed, and
 * the new one). A module split into numbered part stacks assigns entries by a stable hash, so this
 * is rare, but it happens when a module grows from N to N+1 parts, or when an entry changes module
 * (a replayer retargeted from a layer to a sink). CloudFormation creates the resources in the new
 * stack before deleting them from the old one, so every named resource of a moved entry collides
 * with itself and the deploy fails: `diff --previous` names each such entry before it is tried.
 */
import type { SourceRef } from '../model.js';
import { type AssemblyStack, readAssemblyStacks } from './assembly-reader.js';
import { SourceIndex } from './failure-map.js';
import { physicalNameOf } from './retained.js';

export interface EntryMove {
  /** JSON pointer of the spec entry, e.g. `/crawlers/p12`. */
  readonly entry: string;
  /** Where the new spec declares it. */
  readonly source: SourceRef;
  /** Stacks holding its resources before and after. */
  readonly from: readonly string[];
  readonly to: readonly string[];
  /** Named resources that move (`AWS::Glue::Crawler lake-dev-p12`): each would fail the deploy. */
  readonly named: readonly string[];
}

interface Placement {
  readonly stacks: Set<string>;
  readonly source: SourceRef;
  /** `<type> <physical name>` → the stack holding it. */
  readonly named: Map<string, string>;
}

/** Stacks of every spec entry (by pointer) that owns resources in the assembly. */
export function entryPlacement(stacks: readonly AssemblyStack[]): Map<string, Placement> {
  const index = new SourceIndex(stacks);
  const out = new Map<string, Placement>();
  for (const stack of stacks) {
    for (const [logicalId, r] of Object.entries(stack.resources)) {
      const source = index.locate(stack.stackName, logicalId)?.source;
      // Resources of the spec as a whole (a stack's shared security configuration) belong to no entry.
      if (!source || source.path === '') continue;
      let p = out.get(source.path);
      if (!p) out.set(source.path, (p = { stacks: new Set(), source, named: new Map() }));
      p.stacks.add(stack.stackName);
      const name = physicalNameOf(r);
      if (name !== undefined) p.named.set(`${r.Type} ${name}`, stack.stackName);
    }
  }
  return out;
}

/** Entries present in both assemblies whose stacks differ, in spec-pointer order. */
export function stackMoves(previous: readonly AssemblyStack[], current: readonly AssemblyStack[]): EntryMove[] {
  const before = entryPlacement(previous);
  const after = entryPlacement(current);
  const moves: EntryMove[] = [];
  for (const [entry, now] of after) {
    const was = before.get(entry);
    if (!was) continue;
    const from = [...was.stacks].sort();
    const to = [...now.stacks].sort();
    if (from.join('\0') === to.join('\0')) continue;
    // A named resource that changes stacks collides with itself; a new or unnamed one does not.
    const named = [...now.named].filter(([name, stack]) => was.named.has(name) && was.named.get(name) !== stack).map(([name]) => name).sort();
    moves.push({ entry, source: now.source, from, to, named });
  }
  return moves.sort((a, b) => a.entry.localeCompare(b.entry, 'en', { numeric: true }));
}

/** stackMoves of two assembly directories. */
export function stackMovesBetween(previousDir: string, currentDir: string): EntryMove[] {
  return stackMoves(readAssemblyStacks(previousDir), readAssemblyStacks(currentDir));
}
