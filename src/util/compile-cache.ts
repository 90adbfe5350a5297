/**
 * A V8 code cache for the CommonJS files of the CDK packages (aws-cdk-lib, constructs, cdk-nag,
 * @aws-cdk/*) and of ara-gen's CLI bundle, kept in the user's cache directory: what Node 22's
 * `module.enableCompileCache()` does, for Node 20, which has none.
 *
 * Why: a synth loads ~350 of these files (6 MB of JavaScript). Compiling them is about a quarter of
 * a synth's CPU time, and the largest, aws-cdk-lib's region facts (1.3 MB, reached by every Lambda
 * asset through `Bucket.fromBucketAttributes`), is one function V8 compiles on every run. The cache is
 * taken at exit, after the run, so it holds the functions the command actually compiled, not only
 * each file's top level (which is why the `v8-compile-cache` package gains nothing here).
 *
 * Safety: an entry is used only for a file whose text has the same length and CRC-32 as when the
 * entry was taken (as Node 22 checks) and whose cached bytes have the CRC-32 they were written with;
 * V8 itself rejects data from another V8 version or flag set; a rejected or missing entry only means
 * the file is compiled as usual. A file that may call `import()` is never cached (V8 drops the
 * import callback of cached code in Node 20). One blob per command, Node version, architecture and
 * option set, written to a temporary name and renamed (parallel runs never read half a file), in a
 * directory created private to the user (0700): cached code is code. Output is unaffected.
 * ARA_COMPILE_CACHE=0 turns it off.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join } from 'node:path';
import v8 from 'node:v8';
import { Script } from 'node:vm';
import { crc32 } from 'node:zlib';
import { userCacheDir } from './cache-dir.js';

/**
 * Files whose compilation is cached: the CDK packages (and the packages they bundle), and
 * ara-gen's own CLI bundle (scripts/build.js), which bin/ara-gen.js loads after enabling the cache.
 */
const IN_SCOPE = /[\\/]node_modules[\\/](?:aws-cdk-lib|constructs|cdk-nag|@aws-cdk[\\/][^\\/]+)[\\/]|[\\/]bundle[\\/]cli[\\/]main\.cjs$/;
const MAGIC = 'ara-gen compile cache 1\n';

/**
 * Whether `source` may call import(): `import` followed by `(` or by a space or comment before one.
 * A false match (a method named import, a word in a string) only costs that file its caching.
 * (A scan with indexOf: a regular expression over the 6 MB a synth loads costs ~15 ms.)
 */
function mayImportDynamically(source: string): boolean {
  for (let i = source.indexOf('import'); i !== -1; i = source.indexOf('import', i + 6)) {
    const next = source.charCodeAt(i + 6);
    // ( space tab newline carriage-return slash
    if (next === 40 || next === 32 || next === 9 || next === 10 || next === 13 || next === 47) return true;
  }
  return false;
}

/** [offset, size, length of the source text, CRC-32 of the source text, CRC-32 of the cached bytes] in the blob's data. */
type Entry = [number, number, number, number, number];

interface Compiled {
  readonly file: string;
  readonly script: Script;
  readonly length: number;
  readonly crc: number;
  /** The entry's bytes when V8 accepted them (kept as they are on the next write). */
  readonly reused?: Buffer;
}

interface ModuleInternals {
  _compile(content: string, filename: string, format?: string): unknown;
  require(id: string): unknown;
  exports: unknown;
}
interface ModuleStatics {
  prototype: ModuleInternals;
  wrap(content: string): string;
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  _resolveLookupPaths(request: string, parent: unknown): string[] | null;
  _extensions: unknown;
  _cache: unknown;
}

/**
 * Per process, not per copy of this module: the CLI bundle carries its own copy, and a second hook
 * (with its own blob written at exit) would undo the first's entries.
 */
const state = ((globalThis as Record<symbol, unknown>)[Symbol.for('ara-gen.compile-cache')] ??= { enabled: false, reused: 0, compiled: 0 }) as {
  enabled: boolean;
  reused: number;
  compiled: number;
};

/** Blobs not rewritten for this long (another Node version, a command not run since) are deleted. */
const KEEP_MS = 30 * 24 * 3600 * 1000;

/** Deletes old blobs, and temporary files a killed run left, from the cache directory. */
function prune(dir: string): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    const age = name.endsWith('.bin') ? KEEP_MS : name.endsWith('.tmp') ? 3600 * 1000 : undefined;
    if (age === undefined) continue;
    try {
      if (now - statSync(join(dir, name)).mtimeMs > age) rmSync(join(dir, name), { force: true });
    } catch {
      // Gone already (another run pruned it).
    }
  }
}

/** Files compiled in this process so far from the cache (`reused`) and without it (`compiled`). */
export function compileCacheStats(): { readonly reused: number; readonly compiled: number } {
  return { reused: state.reused, compiled: state.compiled };
}

/** Node's options that load a module before the program (`--import X`, `-r X`, `--require=X`, ...) left out. */
function withoutPreloads(args: readonly string[]): string[] {
  const preload = /^(?:--import|--require|-r|--loader|--experimental-loader)$/;
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (preload.test(args[i]!)) i++;
    else if (!/^(?:--import|--require|--loader|--experimental-loader)=/.test(args[i]!)) out.push(args[i]!);
  }
  return out;
}

/**
 * The default cache file: `$XDG_CACHE_HOME/ara-gen/compile/<key>-<profile>.bin`, else under
 * `~/.cache`. A profile per command (`synth`, `validate`, ...) keeps each blob to the code that
 * command runs: an entry taken by one command holds only the functions that command compiled.
 */
export function defaultCompileCacheFile(profile = 'default'): string | undefined {
  const dir = userCacheDir('compile');
  if (!dir) return undefined;
  // V8 rejects data taken under other flags; one blob per option set keeps runs from overwriting each
  // other's. Preloaded modules are not an option V8 sees, and their paths vary (a temporary
  // directory per run): keyed by them, every run would start a new blob and the directory grow.
  const options = (args: readonly string[]) => withoutPreloads(args).join(' ');
  const key = crc32(`${process.version}\0${process.arch}\0${options(process.execArgv)}\0${options((process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean))}`).toString(16);
  return join(dir, `${key}-${/^[a-z][a-z-]{0,31}$/.test(profile) ? profile : 'other'}.bin`);
}

/**
 * Compiles the CDK packages' CommonJS files from (and into) the cache at `file`. Call before the
 * first of them loads; later calls do nothing. Without a cache location, or with
 * ARA_COMPILE_CACHE=0, nothing changes.
 */
export function enableCompileCache(file: string | undefined = defaultCompileCacheFile()): void {
  if (state.enabled || !file || process.env.ARA_COMPILE_CACHE === '0') return;
  state.enabled = true;
  const M = Module as unknown as ModuleStatics;
  const original = M.prototype._compile;
  let index: Record<string, Entry> | undefined;
  let data = Buffer.alloc(0);
  const compiled: Compiled[] = [];
  let stale = false;

  const load = (): Record<string, Entry> => {
    if (index) return index;
    index = {};
    try {
      const blob = readFileSync(file);
      if (blob.toString('latin1', 0, MAGIC.length) === MAGIC) {
        const headerEnd = MAGIC.length + 4 + blob.readUInt32LE(MAGIC.length);
        const entries = JSON.parse(blob.toString('utf8', MAGIC.length + 4, headerEnd)) as Record<string, unknown>;
        for (const [name, e] of Object.entries(entries)) {
          if (Array.isArray(e) && e.length === 5 && e.every((n) => Number.isSafeInteger(n) && n >= 0)) index[name] = e as Entry;
        }
        data = blob.subarray(headerEnd);
      }
    } catch {
      // No cache yet (or a damaged one): everything compiles as usual and the cache is written at exit.
    }
    return index;
  };

  M.prototype._compile = function (this: ModuleInternals, content: string, filename: string, format?: string) {
    if ((format !== undefined && format !== 'commonjs') || !IN_SCOPE.test(filename)) return original.call(this, content, filename, format);
    // Node 20's V8 drops the dynamic-import callback of a script compiled from cached data, so a
    // file that may call import() is left to Node (a false match, e.g. a method named import, only
    // costs that file its caching).
    if (mayImportDynamically(content)) return original.call(this, content, filename, format);
    const entry = load()[filename];
    const crc = crc32(content);
    let candidate = entry && entry[2] === content.length && entry[3] === crc ? data.subarray(entry[0], entry[0] + entry[1]) : undefined;
    // V8 checks its data's version and flags, not its bytes (outside debug builds): a damaged entry is never run.
    if (candidate && (candidate.length !== entry![1] || crc32(candidate) !== entry![4])) candidate = undefined;
    let script: Script;
    try {
      script = new Script(M.wrap(content), { filename, cachedData: candidate });
    } catch {
      // Let Node compile it, so that a syntax error reads exactly as without the cache.
      return original.call(this, content, filename, format);
    }
    const accepted = candidate !== undefined && !script.cachedDataRejected;
    if (!accepted) stale = true;
    state[accepted ? 'reused' : 'compiled']++;
    compiled.push({ file: filename, script, length: content.length, crc, reused: accepted ? candidate : undefined });
    // The same `require` Node gives a module (resolve, resolve.paths, main, extensions, cache).
    const mod = this;
    const require = ((id: string) => mod.require(id)) as NodeJS.Require;
    const resolve = ((request: string, options?: unknown) => M._resolveFilename(request, mod, false, options)) as NodeJS.RequireResolve;
    resolve.paths = (request: string) => M._resolveLookupPaths(request, mod);
    require.resolve = resolve;
    require.main = process.mainModule;
    require.extensions = M._extensions as NodeJS.Require['extensions'];
    require.cache = M._cache as NodeJS.Require['cache'];
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(mod.exports, mod.exports, require, mod, filename, dirname(filename));
  };

  // Data taken after a run changed V8's flags (sink run tunes the young generation) carries a flag
  // hash no fresh process has: V8 would reject it on every run, and every run would write it again.
  let flagsChanged = false;
  const setFlags = v8.setFlagsFromString;
  v8.setFlagsFromString = (flags: string) => {
    flagsChanged = true;
    setFlags(flags);
  };

  process.once('exit', () => {
    if (!stale || flagsChanged) return;
    const tmp = `${file}.${process.pid}.tmp`;
    let fd: number;
    try {
      // Opened first: where nothing can be written, no run pays for taking the data.
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      fd = openSync(tmp, 'w', 0o600);
    } catch {
      return;
    }
    try {
      const next: Record<string, Entry> = {};
      const parts: Buffer[] = [];
      let offset = 0;
      const add = (name: string, bytes: Buffer, length: number, crc: number) => {
        next[name] = [offset, bytes.length, length, crc, crc32(bytes)];
        parts.push(bytes);
        offset += bytes.length;
      };
      // Taken now, after the run: the data holds every function this run compiled.
      for (const c of compiled) if (!(c.file in next)) add(c.file, c.reused ?? c.script.createCachedData(), c.length, c.crc);
      // Files other commands or platforms load stay cached, while they exist.
      for (const [name, [off, size, length, crc, bytesCrc]] of Object.entries(index ?? {})) {
        const bytes = data.subarray(off, off + size);
        if (!(name in next) && bytes.length === size && crc32(bytes) === bytesCrc && existsSync(name)) add(name, bytes, length, crc);
      }
      const header = Buffer.from(JSON.stringify(next));
      const size = Buffer.alloc(4);
      size.writeUInt32LE(header.length);
      writeFileSync(fd, Buffer.concat([Buffer.from(MAGIC, 'latin1'), size, header, ...parts]));
      closeSync(fd);
      renameSync(tmp, file);
      prune(dirname(file));
    } catch {
      // A full disk only means the next run compiles again.
      try {
        closeSync(fd);
      } catch {
        /* closed already */
      }
      try {
        rmSync(tmp, { force: true });
      } catch {
        /* left for nobody to read: only renamed files are */
      }
    }
  });
}
