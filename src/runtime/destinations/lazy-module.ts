// Client libraries (AWS SDK clients, node-redis) that the destinations load on their first send.

/**
 * Loads a module once, on first use. Destinations load their client library (an AWS SDK client,
 * node-redis) only when they first send: `sink run` of one sink type then loads one client (each
 * AWS SDK client costs 0.1-0.2 s of CPU to load; all of them together were a tenth of a 100,000-record
 * redis-stream run). Their factories stay synchronous and still validate their settings at once.
 */
export function loadOnce<M>(load: () => Promise<M>): () => Promise<M> {
  let loading: Promise<M> | undefined;
  return () => (loading ??= load());
}

/**
 * A client package's exports (an AWS SDK client, node-redis), from a dynamic `import()` of it.
 * These packages are CommonJS: Node's and esbuild's interop give a namespace whose `default` is module.exports, and
 * the CLI bundle loads them with `require` (scripts/build.js: Node then does not lex each package
 * for export names, about a fifth of a `sink run` child's start-up), which leaves module.exports
 * only under `default`. Either way this returns module.exports.
 */
export async function moduleExports<T extends object>(load: Promise<T>): Promise<T> {
  const m = (await load) as T & { default?: T };
  return m.default !== undefined && m.default !== null && typeof m.default === 'object' ? m.default : m;
}
