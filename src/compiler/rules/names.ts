/**
 * ARA202 (two entries produce the same physical name) and ARA203 (a physical name AWS rejects).
 * Physical names come from naming.ts, the functions the compilers use, so what is checked here is
 * exactly what will be deployed.
 */
import type { SpecPath } from '../document.js';
import { KNOWN_REGIONS } from '../aws-regions.js';
import { type NameContext, PSEUDO_ACCOUNT, PSEUDO_REGION, accessLogsBucketName, athenaResultsBucketName, glueName, glueTableName, layerBucketName, resourceName } from '../naming.js';
import type { Rule, SpecView } from './spec-view.js';
import { warehouseName } from './references.js';

/** Why `name` is not a valid S3 bucket name, or undefined. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `is ${name.length} characters long (S3 allows 3 to 63)`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return 'must be lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'must not look like an IP address';
  if (name.startsWith('xn--') || name.startsWith('sthree-')) return `must not start with '${name.startsWith('xn--') ? 'xn--' : 'sthree-'}'`;
  if (name.endsWith('-s3alias') || name.endsWith('--ol-s3') || name.endsWith('.mrap')) return 'must not end with a reserved suffix (-s3alias, --ol-s3, .mrap)';
  return undefined;
}

/** Lambda function of a replayer (shared with resolve(): one definition of the name). */
export function replayerFunctionName(c: NameContext, replayer: string): string {
  return resourceName(c, `${replayer}-replayer`);
}

/** Lambda function of a stream-fed sink (shared with resolve()). */
export function sinkFunctionName(c: NameContext, sink: string): string {
  return resourceName(c, `${sink}-sink`);
}

interface Kind {
  readonly what: string;
  readonly max: number;
  readonly pattern: RegExp;
  /** One allowed character (to find which part of a derived name brings a bad one). */
  readonly char: RegExp;
  readonly chars: string;
}

const GLUE: Kind = { what: 'Glue name', max: 255, pattern: /^[a-z0-9_]+$/, char: /[a-z0-9_]/, chars: 'lower-case letters, digits and underscores' };
const GLUE_RESOURCE: Kind = { what: 'Glue name', max: 255, pattern: /^[\w.-]+$/, char: /[\w.-]/, chars: 'letters, digits, ., - and _' };
const KINESIS: Kind = { what: 'Kinesis stream name', max: 128, pattern: /^[a-zA-Z0-9_.-]+$/, char: /[a-zA-Z0-9_.-]/, chars: 'letters, digits, ., - and _' };
const FIREHOSE: Kind = { what: 'Firehose stream name', max: 64, pattern: /^[a-zA-Z0-9_.-]+$/, char: /[a-zA-Z0-9_.-]/, chars: 'letters, digits, ., - and _' };
const LAMBDA: Kind = { what: 'Lambda function name', max: 64, pattern: /^[a-zA-Z0-9_-]+$/, char: /[a-zA-Z0-9_-]/, chars: 'letters, digits, - and _' };
const REDSHIFT_ID: Kind = { what: 'Redshift identifier', max: 63, pattern: /^[a-z][a-z0-9-]*$/, char: /[a-z0-9-]/, chars: 'lower-case letters, digits and hyphens, starting with a letter' };
const REDSHIFT_DB: Kind = { what: 'Redshift database name', max: 64, pattern: /^[a-z_][a-z0-9_$]*$/, char: /[a-z0-9_$]/, chars: 'lower-case letters, digits, _ and $, starting with a letter or _' };
const S3_CHAR = /[a-z0-9.-]/;
const S3_MAX = 63;

/** Why `name` is not a valid name of `kind`, or undefined. */
export function nameProblem(kind: Kind, name: string): string | undefined {
  if (name.length < 1 || name.length > kind.max) return `is ${name.length} characters long (at most ${kind.max})`;
  if (!kind.pattern.test(name)) return `may only contain ${kind.chars}`;
  return undefined;
}

/** The longest known region: an environment-agnostic name must fit with it. */
const LONGEST_REGION = KNOWN_REGIONS.reduce((a, b) => (b.length > a.length ? b : a));

/**
 * The instance of a name that is longest and checked: in an environment-agnostic spec the
 * deploy-time account (always 12 digits) and the longest known region stand in for the
 * pseudo-parameters, so a name that passes here fits in every account and known region.
 */
function checkedInstance(name: string): string {
  return name.replaceAll(PSEUDO_ACCOUNT, '123456789012').replaceAll(PSEUDO_REGION, LONGEST_REGION);
}

/** How a name's length reads in a message: `64 characters long` or, environment-agnostic, `up to 64 characters long (in a region such as ap-southeast-1)`. */
function lengthOf(p: Pick<Physical, 'name' | 'checked'>): string {
  return p.checked === p.name ? `${p.checked.length} characters long` : `up to ${p.checked.length} characters long (in a region such as ${LONGEST_REGION})`;
}

/** The other fix for an environment-agnostic name too long for the longest region. */
const AGNOSTIC_FIX = ", or declare 'environments:' with an account and region (names then hold that region, not the longest one)";

interface Physical {
  readonly namespace: string;
  /** The name as the model has it (with ${AWS::AccountId}/${AWS::Region} when environment-agnostic). */
  readonly name: string;
  /** What is checked: `name`, or its longest instance (checkedInstance). */
  readonly checked: string;
  /** Spec entry, for messages: `layer 'raw'`. */
  readonly entry: string;
  readonly path: SpecPath;
  readonly problem?: string;
  /** The problem is the length (as opposed to the characters). */
  readonly tooLong?: boolean;
  readonly max: number;
  readonly char: RegExp;
  readonly what: string;
}

function physicalNames(view: SpecView): Physical[] {
  const c = view.nameContext();
  if (!c) return [];
  const out: Physical[] = [];
  const bucket = (name: string, entry: string, path: SpecPath): void => {
    const checked = checkedInstance(name);
    const raw = bucketNameProblem(checked);
    const problem = raw && checked !== name && checked.length > S3_MAX ? `is ${lengthOf({ name, checked })} (S3 allows 3 to 63)` : raw;
    out.push({ namespace: 's3', what: 'S3 bucket name', name, checked, entry, path, problem, tooLong: checked.length > S3_MAX, max: S3_MAX, char: S3_CHAR });
  };
  const named = (kind: Kind, namespace: string, name: string, entry: string, path: SpecPath): void => {
    const problem = nameProblem(kind, name);
    out.push({ namespace, what: kind.what, name, checked: name, entry, path, problem, tooLong: name.length > kind.max, max: kind.max, char: kind.char });
  };

  const spec = view.spec;
  bucket(accessLogsBucketName(c), 'the access-logs bucket', spec.pathOf('name'));
  for (const [n, l] of spec.node('storage').entries('layers')) bucket(layerBucketName(c, n), `layer '${n}'`, l.path);
  for (const [n, w] of spec.node('athena').entries('workgroups')) bucket(athenaResultsBucketName(c, n), `workgroup '${n}' (results bucket)`, w.path);
  for (const [n, d] of spec.node('catalog').entries('databases')) named(GLUE, 'glue-database', glueName(c, n), `database '${n}'`, d.path);
  for (const [n, cr] of spec.entries('crawlers')) named(GLUE_RESOURCE, 'glue-crawler', resourceName(c, n), `crawler '${n}'`, cr.path);
  for (const [n, j] of spec.entries('jobs')) {
    named(GLUE_RESOURCE, 'glue-job', resourceName(c, n), `job '${n}'`, j.path);
    const target = j.node('target');
    const table = target.str('table');
    if (table !== undefined) named(GLUE, `glue-table:${n}`, glueTableName(table), `job '${n}' (target table)`, target.pathOf('table'));
  }
  for (const [n, t] of spec.entries('triggers')) named(GLUE_RESOURCE, 'glue-trigger', resourceName(c, n), `trigger '${n}'`, t.path);
  for (const [n, st] of spec.entries('streams')) named(KINESIS, 'kinesis', resourceName(c, n), `stream '${n}'`, st.path);
  for (const [n, d] of spec.entries('deliveryStreams')) named(FIREHOSE, 'firehose', resourceName(c, n), `delivery stream '${n}'`, d.path);
  for (const [n, r] of spec.entries('replayers')) named(LAMBDA, 'lambda', replayerFunctionName(c, n), `replayer '${n}' (Lambda function)`, r.path);
  for (const [n, si] of spec.entries('sinks')) {
    const source = si.node('source');
    if (source.isObject) named(LAMBDA, 'lambda', sinkFunctionName(c, n), `sink '${n}' (Lambda function)`, source.path);
  }
  const w = spec.node('warehouse');
  if (w.isObject) {
    const wn = warehouseName(w.value);
    if (wn !== undefined) named(REDSHIFT_ID, 'redshift', resourceName(c, wn), 'the warehouse', w.pathOf(w.raw('name') !== undefined ? 'name' : 'database'));
    const db = w.str('database');
    if (db !== undefined) named(REDSHIFT_DB, 'redshift-db', db, 'the warehouse database', w.pathOf('database'));
  }
  return out;
}

/** A finding of one environment, kept until every environment has been seen. */
interface Pending {
  readonly view: SpecView;
  readonly p: Physical;
  readonly code: 'ARA202' | 'ARA203';
  readonly first?: Physical;
}

const overBy = (p: Physical): number => p.checked.length - p.max;

/**
 * The part of a derived name that brings characters the service rejects: the platform name, the
 * environment name or the entry name (so `name: MyStore` is reported at `name`, not at every entry).
 */
function blame(view: SpecView, p: Physical): { path: SpecPath; part: 'key' | 'value'; text: string; what: string } | undefined {
  const c = view.nameContext();
  if (!c) return undefined;
  const bad = (text: string) => [...text].some((ch) => !p.char.test(ch));
  if (bad(c.platform)) return { path: ['name'], part: 'value', text: c.platform, what: 'the platform name' };
  if (bad(c.env)) return { path: ['environments', c.env], part: 'key', text: c.env, what: 'the environment name' };
  return undefined;
}

export const nameRule: Rule = {
  name: 'names',
  codes: ['ARA202', 'ARA203'],
  check(view) {
    this.checkAll!([view]);
  },
  checkAll(views) {
    // Every environment derives its own names; the same cause (a long platform name, an upper-case
    // letter, two entries colliding) would repeat once per environment. Collect, then report each
    // cause once, for the environment where it is worst.
    const pending = new Map<string, Pending>();
    const keep = (key: string, f: Pending, worse: (a: Pending, b: Pending) => boolean) => {
      const old = pending.get(key);
      if (!old || worse(f, old)) pending.set(key, f);
    };
    const longByView = new Map<SpecView, Physical[]>();
    for (const view of views) {
      const seen = new Map<string, Physical>();
      const long: Physical[] = [];
      for (const p of physicalNames(view)) {
        if (p.problem && p.tooLong) long.push(p);
        else if (p.problem) {
          const b = blame(view, p);
          keep(`203|${b ? b.path.join('/') : p.path.join('/')}|${p.what}`, { view, p, code: 'ARA203' }, () => false);
        }
        const key = `${p.namespace}\0${p.name}`;
        const first = seen.get(key);
        if (first) keep(`202|${p.path.join('/')}|${first.path.join('/')}`, { view, p, code: 'ARA202', first }, () => false);
        else seen.set(key, p);
      }
      longByView.set(view, long);
    }
    // Names too long: a name that would be too long even with a one-character platform name is its
    // entry's fault. The others are the platform name's when there are several (or one is the
    // access-logs bucket, which derives from nothing else): then one finding at 'name'.
    let platformBlame: { view: SpecView; long: Physical[] } | undefined;
    for (const [view, all] of longByView) {
      const platformLength = view.nameContext()?.platform.length ?? 0;
      const entryFault = (p: Physical) => overBy(p) > platformLength - 1;
      const long = all.filter((p) => !entryFault(p));
      const platformWide = long.length > 1 || long.some((p) => p.path.length === 1 && p.path[0] === 'name');
      const individual = platformWide ? all.filter(entryFault) : all;
      for (const p of individual) keep(`203|${p.path.join('/')}|long`, { view, p, code: 'ARA203' }, (a, b) => overBy(a.p) > overBy(b.p));
      if (platformWide) {
        const worst = Math.max(...long.map(overBy));
        if (!platformBlame || worst > Math.max(...platformBlame.long.map(overBy))) platformBlame = { view, long };
      }
    }
    if (platformBlame) {
      const { view, long } = platformBlame;
      const c = view.nameContext()!;
      const worst = long.reduce((a, b) => (overBy(b) > overBy(a) ? b : a));
      const fit = c.platform.length - overBy(worst);
      view.report({
        code: 'ARA203',
        message: `platform name '${c.platform}' with environment '${c.env}' makes ${long.length} physical name${long.length === 1 ? '' : 's'} too long, e.g. ${worst.entry}: the ${worst.what} '${worst.name}' is ${worst.checked === worst.name ? `${worst.name.length} characters` : lengthOf(worst)} (at most ${worst.max})`,
        path: ['name'],
        hint: `shorten 'name' to at most ${fit} characters${worst.checked !== worst.name ? AGNOSTIC_FIX : `, or shorten the environment name '${c.env}'`}`,
      });
      // In other environments the same names may be individually long only because of the platform name.
      for (const [key, f] of [...pending]) if (key.endsWith('|long') && overBy(f.p) <= c.platform.length - 1) pending.delete(key);
    }
    for (const { view, p, code, first } of pending.values()) {
      if (code === 'ARA202') {
        view.report({
          code,
          message: `${p.entry} and ${first!.entry} both give the ${p.what} '${p.name}'`,
          path: p.path,
          part: 'key',
          hint: `rename one of them (names differing only in case, '-' or '_' can map to the same AWS name)`,
        });
        continue;
      }
      const b = p.tooLong ? undefined : blame(view, p);
      view.report({
        code,
        message: b ? `${b.what} '${b.text}' gives the ${p.what} '${p.name}' (${p.entry}), which ${p.problem}` : `${p.entry} gives the ${p.what} '${p.name}', which ${p.problem}`,
        path: b ? b.path : p.path,
        part: b ? b.part : 'key',
        hint: b
          ? [...b.text.toLowerCase()].every((ch) => p.char.test(ch))
            ? `write ${b.what} in lower case, e.g. '${b.text.toLowerCase()}'`
            : `rename ${b.what} '${b.text}' (the ${p.what} allows only the characters above)`
          : p.tooLong
            ? `shorten the entry name (at most ${p.max} characters in all: the ${p.what} is ${p.checked === p.name ? p.name.length : lengthOf(p)})${p.checked !== p.name ? AGNOSTIC_FIX : ''}`
            : 'rename the entry (physical names are derived from the platform, environment and entry names)',
      });
    }
  },
};
