/**
 * ARA202 (two entries produce the same physical name) and ARA203 (a physical name AWS rejects).
 * Physical names come from naming.ts, the functions the compilers use, so what is checked here is
 * exactly what will be deployed.
 */
import type { SpecPath } from '../document.js';
import { type NameContext, accessLogsBucketName, athenaResultsBucketName, glueName, glueTableName, layerBucketName, resourceName } from '../naming.js';
import { type Rule, type SpecView, dict, entries, isDict, str } from './context.js';
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

interface Kind {
  readonly what: string;
  readonly max: number;
  readonly pattern: RegExp;
  readonly chars: string;
}

const GLUE: Kind = { what: 'Glue name', max: 255, pattern: /^[a-z0-9_]+$/, chars: 'lower-case letters, digits and underscores' };
const GLUE_RESOURCE: Kind = { what: 'Glue name', max: 255, pattern: /^[\w.-]+$/, chars: 'letters, digits, ., - and _' };
const KINESIS: Kind = { what: 'Kinesis stream name', max: 128, pattern: /^[a-zA-Z0-9_.-]+$/, chars: 'letters, digits, ., - and _' };
const FIREHOSE: Kind = { what: 'Firehose stream name', max: 64, pattern: /^[a-zA-Z0-9_.-]+$/, chars: 'letters, digits, ., - and _' };
const LAMBDA: Kind = { what: 'Lambda function name', max: 64, pattern: /^[a-zA-Z0-9_-]+$/, chars: 'letters, digits, - and _' };
const REDSHIFT_ID: Kind = { what: 'Redshift identifier', max: 63, pattern: /^[a-z][a-z0-9-]*$/, chars: 'lower-case letters, digits and hyphens, starting with a letter' };
const REDSHIFT_DB: Kind = { what: 'Redshift database name', max: 64, pattern: /^[a-z_][a-z0-9_$]*$/, chars: 'lower-case letters, digits, _ and $, starting with a letter or _' };

/** Why `name` is not a valid name of `kind`, or undefined. */
export function nameProblem(kind: Kind, name: string): string | undefined {
  if (name.length < 1 || name.length > kind.max) return `is ${name.length} characters long (at most ${kind.max})`;
  if (!kind.pattern.test(name)) return `may only contain ${kind.chars}`;
  return undefined;
}

interface Physical {
  readonly namespace: string;
  readonly name: string;
  /** Spec entry, for messages: `layer 'raw'`. */
  readonly entry: string;
  readonly path: SpecPath;
  readonly problem?: string;
  readonly what: string;
}

function physicalNames(view: SpecView): Physical[] {
  const c = view.nameContext();
  if (!c) return [];
  const out: Physical[] = [];
  const add = (namespace: string, what: string, name: string, entry: string, path: SpecPath, problem: string | undefined): void => {
    out.push({ namespace, what, name, entry, path, problem });
  };
  const bucket = (name: string, entry: string, path: SpecPath): void => add('s3', 'S3 bucket name', name, entry, path, bucketNameProblem(name));
  const named = (kind: Kind, namespace: string, name: string, entry: string, path: SpecPath): void => add(namespace, kind.what, name, entry, path, nameProblem(kind, name));

  bucket(accessLogsBucketName(c), 'the access-logs bucket', ['name']);
  for (const [n] of entries(dict(view.data.storage).layers)) bucket(layerBucketName(c, n), `layer '${n}'`, ['storage', 'layers', n]);
  for (const [n] of entries(dict(view.data.athena).workgroups)) bucket(athenaResultsBucketName(c, n), `workgroup '${n}' (results bucket)`, ['athena', 'workgroups', n]);
  for (const [n] of entries(dict(view.data.catalog).databases)) named(GLUE, 'glue-database', glueName(c, n), `database '${n}'`, ['catalog', 'databases', n]);
  for (const [n] of entries(view.data.crawlers)) named(GLUE_RESOURCE, 'glue-crawler', resourceName(c, n), `crawler '${n}'`, ['crawlers', n]);
  for (const [n, j] of entries(view.data.jobs)) {
    named(GLUE_RESOURCE, 'glue-job', resourceName(c, n), `job '${n}'`, ['jobs', n]);
    const table = str(dict(j.target).table);
    if (table !== undefined) named(GLUE, `glue-table:${n}`, glueTableName(table), `job '${n}' (target table)`, ['jobs', n, 'target', 'table']);
  }
  for (const [n] of entries(view.data.triggers)) named(GLUE_RESOURCE, 'glue-trigger', resourceName(c, n), `trigger '${n}'`, ['triggers', n]);
  for (const [n] of entries(view.data.streams)) named(KINESIS, 'kinesis', resourceName(c, n), `stream '${n}'`, ['streams', n]);
  for (const [n] of entries(view.data.deliveryStreams)) named(FIREHOSE, 'firehose', resourceName(c, n), `delivery stream '${n}'`, ['deliveryStreams', n]);
  for (const [n] of entries(view.data.replayers)) named(LAMBDA, 'lambda', replayerFunctionName(c, n), `replayer '${n}' (Lambda function)`, ['replayers', n]);
  if (isDict(view.data.warehouse)) {
    const wn = warehouseName(view.data.warehouse);
    if (wn !== undefined) named(REDSHIFT_ID, 'redshift', resourceName(c, wn), 'the warehouse', ['warehouse', view.data.warehouse.name !== undefined ? 'name' : 'database']);
    const db = str(view.data.warehouse.database);
    if (db !== undefined) named(REDSHIFT_DB, 'redshift-db', db, 'the warehouse database', ['warehouse', 'database']);
  }
  return out;
}

export const nameRule: Rule = {
  name: 'names',
  codes: ['ARA202', 'ARA203'],
  check(view) {
    const seen = new Map<string, Physical>();
    const env = view.env ?? '';
    for (const p of physicalNames(view)) {
      if (p.problem) {
        view.report({
          code: 'ARA203',
          message: `${p.entry} gives the ${p.what} '${p.name}', which ${p.problem}`,
          path: p.path,
          part: 'key',
          hint: p.name.length > 40 ? `shorten the entry name, the platform name or the environment name '${env}'` : 'rename the entry (physical names are derived from the platform, environment and entry names)',
        });
      }
      const key = `${p.namespace}\0${p.name}`;
      const first = seen.get(key);
      if (first) {
        view.report({
          code: 'ARA202',
          message: `${p.entry} and ${first.entry} both give the ${p.what} '${p.name}'`,
          path: p.path,
          part: 'key',
          hint: `rename one of them (names differing only in case, '-' or '_' can map to the same AWS name)`,
        });
      } else seen.set(key, p);
    }
  },
};
