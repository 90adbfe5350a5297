/**
 * Differential check of the contract "validate ⇒ synth ⇒ CloudFormation": generate specs by
 * seeded mutation of the flagship and the valid fixtures, with values taken from the schema's own
 * enums and bounds (and their neighbours) plus the characters and numbers AWS or the CDK reject;
 * for every spec `validate` accepts, synthesize each environment in-process (any throw is the
 * CLI's exit 70) and lint every template with cfn-lint (in batches: it starts slowly).
 * Used by test/differential.test.ts (25 fixed seeds) and bench/differential.bench.js (≥ 1,000).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { buildAssembly } from '../../src/compiler/app.js';
import { loadPlatform, validateSpec } from '../../src/compiler/load.js';
import { packageRoot } from '../../src/paths.js';
import { seededRandom } from '../../src/util/prng.js';
import { assemblyTemplates, type CfnLintMatch, lintTemplates } from './cfn-lint.js';

type Json = any;

export interface DifferentialResult {
  generated: number;
  /** Specs `validate` rejected, by first error code. */
  rejected: number;
  rejectedByCode: Record<string, number>;
  /** Specs `validate` accepted (no errors; warnings allowed). */
  accepted: number;
  /** Environments synthesized. */
  synthesized: number;
  /** Accepted specs whose synth threw (the CLI's exit 70), with the spec file kept for replay. */
  synthFailures: { seed: number; file: string; env: string; error: string }[];
  templates: number;
  cfnLintErrors: CfnLintMatch[];
}

/** Base specs: the flagship and every valid fixture. */
export function baseSpecs(): { name: string; data: Json }[] {
  const files = [join(packageRoot, 'examples', 'mystore.yaml')];
  for (const d of ['specs', 'cdk']) {
    const dir = join(packageRoot, 'test', 'fixtures', d);
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml')).sort()) files.push(join(dir, f));
  }
  return files.map((f) => ({ name: f.split('/').pop()!, data: parse(readFileSync(f, 'utf8')) }));
}

interface Constraint {
  type?: string;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
}

/** Property name → the schema's constraints on it (enums, integer bounds), from every definition. */
function schemaConstraints(): Map<string, Constraint[]> {
  const schema = JSON.parse(readFileSync(join(packageRoot, 'schema', 'platform.schema.json'), 'utf8'));
  const out = new Map<string, Constraint[]>();
  const visit = (n: Json): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(visit);
    for (const [k, v] of Object.entries<Json>(n.properties ?? {})) {
      if (v && (v.enum || v.minimum !== undefined || v.maximum !== undefined)) {
        out.set(k, [...(out.get(k) ?? []), { type: v.type, minimum: v.minimum, maximum: v.maximum, enum: v.enum }]);
      }
    }
    for (const v of Object.values(n)) visit(v);
  };
  visit(schema);
  return out;
}

/** Every [parent, key] of a JSON value, depth first. */
function slots(root: Json): [Json, string | number][] {
  const out: [Json, string | number][] = [];
  const walk = (n: Json) => {
    if (Array.isArray(n)) n.forEach((v, i) => (out.push([n, i]), walk(v)));
    else if (n && typeof n === 'object') for (const [k, v] of Object.entries(n)) out.push([n, k]), walk(v);
  };
  walk(root);
  return out;
}

const NASTY_CHARS = ['*', '?', '{', '}', '[', ']', '\n', ' ', '<', '{{x}}', 'é', '=', '_', '.', '-', '/'];
const NASTY_STRINGS = ['${Token[AWS.AccountId.1]}', '${Token[TOKEN.60]}', '#{Token[TOKEN.1]}', 'ok', ''];
const NASTY_NUMBERS = [0, -1, 1, 1.5, 29, 30, 60, 89, 90, 120, 180, 2147483647, 2147483648, 1e300];
const SIZES = ['1.5B', '0.0000001MiB', '1B', '10MB', '64MiB', '5MiB', '1TiB', '9.5MB'];
const DURATIONS = ['1500ms', '1s', '60s', '1m', '5m', '90s', '1h'];
const SCHEDULES = ['cron(0/5 * * * ? *)', 'rate(1 hour)', 'rate(7 minutes)', 'cron(0 25 * * ? *)'];

/** One spec: the base of `seed`, with 1-4 mutations. */
export function generateSpec(seed: number, bases = baseSpecs(), constraints = schemaConstraints()): { base: string; text: string; mutations: string[] } {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const base = bases[seed % bases.length]!;
  const data = structuredClone(base.data);
  const mutations: string[] = [];
  const count = 1 + Math.floor(rnd() * 4);
  for (let m = 0; m < count; m++) {
    const all = slots(data);
    if (!all.length) break;
    const kind = pick(['schema', 'schema', 'schema', 'prefix', 'string', 'number', 'unit', 'clone', 'delete', 'template', 'lifecycle']);
    if (kind === 'schema') {
      const candidates = all.filter(([p, k]) => typeof k === 'string' && constraints.has(k) && typeof p[k] !== 'object');
      if (!candidates.length) continue;
      const [p, k] = pick(candidates);
      const c = pick(constraints.get(k as string)!);
      const values: unknown[] = c.enum ? [...c.enum] : [];
      for (const b of [c.minimum, c.maximum]) if (b !== undefined) values.push(b, b - 1, b + 1);
      if (!values.length) continue;
      p[k] = pick(values);
      mutations.push(`${k}=${JSON.stringify(p[k])}`);
    } else if (kind === 'prefix' || kind === 'string') {
      const candidates = all.filter(([p, k]) => typeof p[k] === 'string' && (kind === 'string' || k === 'prefix'));
      if (!candidates.length) continue;
      const [p, k] = pick(candidates);
      const v = p[k] as string;
      p[k] = rnd() < 0.3 ? pick(NASTY_STRINGS) : ((i) => v.slice(0, i) + pick(NASTY_CHARS) + v.slice(i))(Math.floor(rnd() * (v.length + 1)));
      mutations.push(`${k}=${JSON.stringify(p[k])}`);
    } else if (kind === 'number') {
      const candidates = all.filter(([p, k]) => typeof p[k] === 'number');
      if (!candidates.length) continue;
      const [p, k] = pick(candidates);
      p[k] = pick(NASTY_NUMBERS);
      mutations.push(`${k}=${p[k]}`);
    } else if (kind === 'unit') {
      const candidates = all.filter(([p, k]) => typeof p[k] === 'string' && /^[0-9.]+ ?[A-Za-z]+$/.test(p[k]));
      if (!candidates.length) continue;
      const [p, k] = pick(candidates);
      p[k] = /B$/.test(p[k]) ? pick(SIZES) : pick(DURATIONS);
      mutations.push(`${k}=${p[k]}`);
    } else if (kind === 'clone') {
      const sections = ['crawlers', 'jobs', 'triggers', 'replayers', 'streams', 'sinks'].filter((s) => data[s] && Object.keys(data[s]).length);
      if (!sections.length) continue;
      const s = pick(sections);
      const [name, entry] = pick(Object.entries<Json>(data[s]));
      const copy = `${name}-c${seed % 1000}`;
      data[s][copy] = structuredClone(entry);
      if (s === 'triggers' && data[s][copy].schedule) data[s][copy].schedule = pick(SCHEDULES);
      mutations.push(`clone ${s}.${name}`);
    } else if (kind === 'delete') {
      const candidates = all.filter(([p]) => p !== data || rnd() < 0.2);
      if (!candidates.length) continue;
      const [p, k] = pick(candidates);
      if (Array.isArray(p)) p.splice(k as number, 1);
      else delete p[k];
      mutations.push(`delete ${k}`);
    } else if (kind === 'template') {
      if (!data.jobs || !Object.keys(data.jobs).length) continue;
      const [name] = pick(Object.entries<Json>(data.jobs));
      data.jobs[name].template = pick(['csv-to-parquet', 'csv-to-parqet']);
      data.jobs[name].workerType = pick(['G.025X', 'G.1X', 'G.2X', 'G.8X']);
      mutations.push(`jobs.${name} template/workerType`);
    } else if (kind === 'lifecycle') {
      const layers = data.storage?.layers;
      if (!layers || !Object.keys(layers).length) continue;
      const [name, l] = pick(Object.entries<Json>(layers));
      l.infrequentAccessDelay = pick([30, 45, 60, 61, 70, 90, 120]);
      if (rnd() < 0.5) l.archiveDelay = pick([90, 100, 120, 150, 180]);
      else delete l.archiveDelay;
      mutations.push(`layers.${name} ${l.infrequentAccessDelay}/${l.archiveDelay}`);
    }
  }
  return { base: base.name, text: stringify(data, { lineWidth: 0 }), mutations };
}

/** Generates one spec per seed, validates, synthesizes what validates clean, lints all templates. */
export async function runDifferential(seeds: readonly number[], workdir: string, onProgress?: (done: number) => void): Promise<DifferentialResult> {
  const bases = baseSpecs();
  const constraints = schemaConstraints();
  const result: DifferentialResult = { generated: 0, rejected: 0, rejectedByCode: {}, accepted: 0, synthesized: 0, synthFailures: [], templates: 0, cfnLintErrors: [] };
  const templates: string[] = [];
  mkdirSync(workdir, { recursive: true });
  for (const seed of seeds) {
    const spec = generateSpec(seed, bases, constraints);
    const file = join(workdir, `seed-${seed}.yaml`);
    writeFileSync(file, `# base ${spec.base}; ${spec.mutations.join('; ')}\n${spec.text}`);
    result.generated++;
    const checked = await validateSpec(file);
    const errors = checked.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) {
      result.rejected++;
      result.rejectedByCode[errors[0]!.code] = (result.rejectedByCode[errors[0]!.code] ?? 0) + 1;
      onProgress?.(result.generated);
      continue;
    }
    result.accepted++;
    const envs = Object.keys((parse(spec.text) as Json)?.environments ?? {});
    for (const env of envs.length ? envs : [undefined]) {
      try {
        const loaded = await loadPlatform(file, env === undefined ? {} : { env });
        if (!loaded.model) throw new Error(`validate accepted it, load did not: ${loaded.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
        const outdir = join(workdir, `seed-${seed}-${env ?? 'default'}.out`);
        buildAssembly(loaded.model, { outdir });
        result.synthesized++;
        templates.push(...assemblyTemplates(outdir));
      } catch (e) {
        result.synthFailures.push({ seed, file, env: env ?? 'default', error: (e as Error).message.split('\n')[0]!.slice(0, 300) });
      }
    }
    onProgress?.(result.generated);
  }
  result.templates = templates.length;
  for (let i = 0; i < templates.length; i += 200) result.cfnLintErrors.push(...(await lintTemplates(templates.slice(i, i + 200))));
  return result;
}
