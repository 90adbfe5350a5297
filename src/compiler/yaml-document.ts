/**
 * The SpecDocument implementation over a `yaml` Document: plain data for the checks, and source
 * ranges (through a LineCounter) so every finding points at `file:line:col`.
 */
import type { Document, LineCounter, Node, Pair } from 'yaml';
import { isAlias, isMap, isScalar, isSeq } from '../util/yaml.js';
import type { Diagnostic, SourcePosition } from './diagnostics.js';
import { type SourceRange, type SpecDocument, type SpecPath, toPointer } from './document.js';

type Range = [number, number, number];

/** Steps found while walking a path: each step has the pair key (maps) and the value node. */
interface Step {
  readonly key?: Node;
  readonly value?: Node | null;
}

export class YamlSpecDocument implements SpecDocument {
  constructor(
    readonly file: string,
    readonly text: string,
    readonly data: unknown,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  locate(path: SpecPath, part: 'key' | 'value' = 'value'): SourceRange {
    const steps = this.walk(path);
    const complete = steps.length === path.length;
    const last = steps[steps.length - 1];
    let node: Node | null | undefined;
    if (!last) node = this.doc.contents;
    else if (!complete) node = last.key ?? last.value; // missing key: point at its parent's key
    else node = part === 'key' ? (last.key ?? last.value) : (last.value && rangeOf(last.value) ? last.value : last.key);
    return this.rangeToPositions(node ? rangeOf(node) : undefined);
  }

  diagnostic(d: Parameters<SpecDocument['diagnostic']>[0]): Diagnostic {
    const r = this.locate(d.path, d.part);
    return {
      code: d.code,
      severity: d.severity ?? 'error',
      message: d.message,
      ...(d.hint ? { hint: d.hint } : {}),
      file: this.file,
      path: toPointer(d.path),
      start: r.start,
      end: r.end,
    };
  }

  private walk(path: SpecPath): Step[] {
    const steps: Step[] = [];
    let node: unknown = this.doc.contents;
    for (const seg of path) {
      node = this.deref(node);
      if (isMap(node)) {
        const pair = findPair(node.items as Pair[], String(seg), (n) => this.deref(n));
        if (!pair) break;
        steps.push({ key: pair.key as Node, value: pair.value as Node | null });
        node = pair.value;
      } else if (isSeq(node) && /^\d+$/.test(String(seg))) {
        const item = node.items[Number(seg)] as Node | undefined;
        if (!item) break;
        steps.push({ value: item });
        node = item;
      } else break;
    }
    return steps;
  }

  private deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  private rangeToPositions(range: Range | undefined): SourceRange {
    if (!range) return { start: { line: 1, col: 1 }, end: { line: 1, col: 1 } };
    return { start: this.pos(range[0]), end: this.pos(Math.max(range[0], range[1])) };
  }

  pos(offset: number): SourcePosition {
    const p = this.lines.linePos(offset);
    return { line: Math.max(1, p.line), col: Math.max(1, p.col) };
  }
}

function rangeOf(node: Node): Range | undefined {
  return (node.range as Range | null | undefined) ?? undefined;
}

/** Finds `key` in a map's pairs, then in the maps merged into it with `<<`. */
function findPair(items: Pair[], key: string, deref: (n: unknown) => unknown): Pair | undefined {
  const merges: unknown[] = [];
  for (const pair of items) {
    const k = isScalar(pair.key) ? pair.key.value : pair.key;
    if (typeof k === 'symbol' || k === '<<') merges.push(pair.value);
    else if (String(k) === key) return pair;
  }
  for (const m of merges) {
    const sources = isSeq(m) ? m.items : [m];
    for (const s of sources) {
      const target = deref(s);
      if (isMap(target)) {
        const found = findPair(target.items as Pair[], key, deref);
        if (found) return found;
      }
    }
  }
  return undefined;
}
