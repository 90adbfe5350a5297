/**
 * Which datasets flow into a stream, a delivery stream or a sink: replayer → sink → stream or
 * delivery stream → (stream-fed) sink or delivery stream. One walk for the validator (which sees
 * raw spec data) and the compiler (which sees the model), so that what `validate` says about a
 * table's columns is what `synth` compiles.
 */

/** The spec's streaming edges, by entry name. */
export interface FlowGraph {
  /** Replayers into sinks: dataset `<group>/<table>` and the sink they write to. */
  readonly replayers: Readonly<Record<string, { readonly dataset: string; readonly sink?: string }>>;
  /** Sinks: where they write (a stream or a delivery stream) and the stream they read, if stream-fed. */
  readonly sinks: Readonly<Record<string, { readonly stream?: string; readonly deliveryStream?: string; readonly sourceStream?: string }>>;
  /** Delivery streams: the stream they read, if any (direct PUT otherwise). */
  readonly deliveryStreams: Readonly<Record<string, { readonly sourceStream?: string }>>;
}

export type FlowNode =
  | { readonly kind: 'stream'; readonly name: string }
  | { readonly kind: 'deliveryStream'; readonly name: string }
  | { readonly kind: 'sink'; readonly name: string };

/** The datasets (`<group>/<table>`) whose records reach `node`, sorted, without duplicates. */
export function datasetsInto(graph: FlowGraph, node: FlowNode): string[] {
  const found = new Set<string>();
  const seen = new Set<string>();
  const visit = (n: FlowNode): void => {
    const id = `${n.kind}:${n.name}`;
    if (seen.has(id)) return; // a stream-fed sink writing back to its own stream
    seen.add(id);
    if (n.kind === 'sink') {
      for (const r of Object.values(graph.replayers)) if (r.sink === n.name) found.add(r.dataset);
      const source = graph.sinks[n.name]?.sourceStream;
      if (source !== undefined) visit({ kind: 'stream', name: source });
    } else if (n.kind === 'stream') {
      for (const [s, sink] of Object.entries(graph.sinks)) if (sink.stream === n.name) visit({ kind: 'sink', name: s });
    } else {
      const source = graph.deliveryStreams[n.name]?.sourceStream;
      if (source !== undefined) visit({ kind: 'stream', name: source });
      for (const [s, sink] of Object.entries(graph.sinks)) if (sink.deliveryStream === n.name) visit({ kind: 'sink', name: s });
    }
  };
  visit(node);
  return [...found].sort();
}
