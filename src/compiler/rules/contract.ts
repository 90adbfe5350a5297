/**
 * The contract between `validate`, `synth` and CloudFormation (issue "what validate accepts, synth
 * compiles"): spec strings are data (ARA205), prefixes/partitions/excludes use the characters S3,
 * IAM and Glue accept (ARA204), tag values AWS accepts (ARA206), numbers within service bounds
 * (ARA207), Glue job templates that exist (ARA213) with worker types their job type offers (ARA214).
 * The limits live in src/contract/aws-limits.ts; the constructs assert the same ones.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CDK_TOKEN,
  COLUMN_NAME,
  GLOB_CHARS,
  MAX_COLUMN_NAME,
  MAX_DAYS,
  MAX_SPEC_INTEGER,
  MAX_TAG_VALUE,
  MIN_BYTES_SCANNED_CUTOFF,
  PREFIX_CHARS,
  PREFIX_CHARS_TEXT,
  TAG_CHARS,
  WORKER_TYPES_BY_COMMAND,
} from '../../contract/aws-limits.js';
import { platformsDir } from '../../paths.js';
import { didYouMean } from '../../util/suggest.js';
import type { SpecPath } from '../document.js';
import { parseSize } from '../units.js';
import { type Rule, type SpecView, dict, isDict, num, str } from './spec-view.js';

/** Template names by `<root>\0<platform>`: a platform's templates are part of the installed package. */
const templateNameCache = new Map<string, string[]>();

/** Template names a platform ships (`platforms/<platform>/templates/<name>.<ext>.hbs`). */
export function templateNames(platform: string, root: string = platformsDir): string[] {
  const key = `${root}\0${platform}`;
  let names = templateNameCache.get(key);
  if (names === undefined) {
    const dir = join(root, platform, 'templates');
    names =
      !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(platform) || !existsSync(dir)
        ? []
        : readdirSync(dir)
            .filter((f) => /^[^.]+\.[A-Za-z0-9]+\.hbs$/.test(f))
            .map((f) => f.split('.')[0]!)
            .sort();
    templateNameCache.set(key, names);
  }
  // A copy: callers may sort or extend what they get.
  return [...names];
}

/** A character for messages: printable as itself, controls as an escape. */
function showChar(c: string): string {
  if (c === '\n') return "a newline ('\\n')";
  if (c === '\t') return "a tab ('\\t')";
  if (c === ' ') return 'a space';
  const code = c.codePointAt(0)!;
  return code < 0x20 || code === 0x7f ? `control character U+${code.toString(16).padStart(4, '0')}` : `'${c}'`;
}

function firstBad(value: string, allowed: RegExp): string | undefined {
  for (const c of value) if (!allowed.test(c)) return c;
  return undefined;
}

/** Every [path, key, value] under `node` (objects and lists), depth first, keys in order. */
function* walk(node: unknown, at: SpecPath = []): Generator<[SpecPath, string | number, unknown]> {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      yield [[...at, i], i, node[i]];
      yield* walk(node[i], [...at, i]);
    }
  } else if (isDict(node)) {
    for (const [k, v] of Object.entries(node)) {
      yield [[...at, k], k, v];
      yield* walk(v, [...at, k]);
    }
  }
}

const WILDCARD_WHY: Record<string, string> = {
  '*': ' (an IAM wildcard: the grant would cover other prefixes)',
  '?': ' (an IAM wildcard: the grant would cover other prefixes)',
  '{': ' (template and token syntax; not valid in an ARN)',
  '}': ' (template and token syntax; not valid in an ARN)',
  '[': ' (not valid in an ARN)',
  ']': ' (not valid in an ARN)',
};

export const contractRule: Rule = {
  name: 'contract',
  codes: ['ARA204', 'ARA206', 'ARA207', 'ARA213', 'ARA214'],
  check(view) {
    checkCharacters(view);
    checkTags(view);
    checkBounds(view);
    checkJobs(view);
  },
};

/** ARA205 runs once over the file as written (every environment's overrides included). */
export const tokenRule: Rule = {
  name: 'tokens',
  codes: ['ARA205'],
  once: true,
  check(view) {
    for (const [path, key, value] of walk(view.doc.data)) {
      const isKeyToken = typeof key === 'string' && CDK_TOKEN.test(key);
      if ((typeof value === 'string' && CDK_TOKEN.test(value)) || isKeyToken) {
        view.report({
          code: 'ARA205',
          message: `${isKeyToken ? 'key' : 'value'} ${JSON.stringify(isKeyToken ? key : value).slice(0, 80)} holds CDK token syntax ('\${Token[' or '#{Token['): the CDK would turn it into a reference to another resource`,
          path,
          ...(isKeyToken ? { part: 'key' as const } : {}),
          hint: "spec strings are plain data: remove the '${Token[...]}' text",
        });
      } else if (typeof value === 'number' && Math.abs(value) > MAX_SPEC_INTEGER) {
        // Also the CDK's numeric token markers (about -1.89e289) are numbers of this size.
        view.report({
          code: 'ARA207',
          message: `number ${value} is beyond the range a spec number can hold exactly (±${MAX_SPEC_INTEGER})`,
          path,
          hint: 'use a smaller value (sizes can carry a unit, e.g. 10GiB)',
        });
      }
    }
  },
};

function checkCharacters(view: SpecView): void {
  for (const [path, key, value] of walk(view.data)) {
    if (view.isDoubtful(path)) continue;
    if (key === 'prefix' && typeof value === 'string') {
      const bad = firstBad(value, /[A-Za-z0-9!_.'()=/-]/);
      if (bad !== undefined || !PREFIX_CHARS.test(value)) {
        const c = bad ?? '';
        view.report({
          code: 'ARA204',
          message: `prefix ${JSON.stringify(value)} contains ${showChar(c)}${WILDCARD_WHY[c] ?? ''}; S3 prefixes in ARNs and IAM policies use ${PREFIX_CHARS_TEXT}`,
          path,
          hint: `remove ${showChar(c)} from the prefix, e.g. ${JSON.stringify(value.replace(/[^A-Za-z0-9!_.'()=/-]/g, '') || 'data/')}`,
        });
      }
    }
    if (key === 'partitionBy' && Array.isArray(value)) {
      value.forEach((col, i) => {
        if (typeof col !== 'string' || (COLUMN_NAME.test(col) && col.length <= MAX_COLUMN_NAME)) return;
        view.report({
          code: 'ARA204',
          message: `partition column ${JSON.stringify(col)} is not a Glue column name (lower case letters, digits and '_', not starting with a digit, at most ${MAX_COLUMN_NAME})`,
          path: [...path, i],
          hint: `use e.g. '${col.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^(?=[0-9])/, '_') || 'sale_date'}'`,
        });
      });
    }
    if (key === 'exclude' && Array.isArray(value)) {
      value.forEach((glob, i) => {
        if (typeof glob !== 'string' || GLOB_CHARS.test(glob)) return;
        view.report({
          code: 'ARA204',
          message: `exclude pattern ${JSON.stringify(glob)} contains ${showChar(firstBad(glob, /[^\u0000-\u001f\u007f]/) ?? '')}; Glue exclude patterns are single-line globs`,
          path: [...path, i],
          hint: 'remove the control character (a glob such as "**_SUCCESS" matches across folders)',
        });
      });
    }
  }
}

function checkTags(view: SpecView): void {
  const tags = view.spec.node('tags');
  for (const k of view.spec.keys('tags')) {
    const v = tags.str(k);
    // A token is ARA205's root cause, not a character problem.
    if (v === undefined || view.isDoubtful(tags.pathOf(k)) || CDK_TOKEN.test(v)) continue;
    const bad = firstBad(v, /[\p{L}\p{Z}\p{N}_.:/=+\-@]/u);
    if (bad === undefined && TAG_CHARS.test(v) && v.length <= MAX_TAG_VALUE) continue;
    view.report({
      code: 'ARA206',
      message:
        bad !== undefined
          ? `tag '${k}' has value ${JSON.stringify(v)} with ${showChar(bad)}, which AWS tags do not accept`
          : `tag '${k}' has a value longer than ${MAX_TAG_VALUE} characters`,
      path: tags.pathOf(k),
      hint: 'tag values use letters, digits, spaces and _ . : / = + - @',
    });
  }
}

function checkBounds(view: SpecView): void {
  const wgDefaults = dict(view.defaults('workgroup'));
  for (const [n, w] of view.spec.node('athena').entries('workgroups')) {
    const cutoff = w.raw('bytesScannedCutoff');
    // A number past 2^53 is the token rule's finding (ARA207 at the same place): one per root cause.
    const huge = typeof cutoff === 'number' && cutoff > MAX_SPEC_INTEGER;
    if (cutoff !== undefined && !huge && !view.isDoubtful(w.pathOf('bytesScannedCutoff'))) {
      const bytes = parseSize(cutoff);
      if (bytes.ok && (bytes.value < MIN_BYTES_SCANNED_CUTOFF || bytes.value > MAX_SPEC_INTEGER)) {
        view.report({
          code: 'ARA207',
          message: `workgroup '${n}' has bytesScannedCutoff ${String(cutoff)}; Athena accepts ${MIN_BYTES_SCANNED_CUTOFF} bytes (10 MB) up to ${MAX_SPEC_INTEGER}`,
          path: w.pathOf('bytesScannedCutoff'),
          hint: "use e.g. '10GiB', or remove it for no limit",
        });
      }
    }
    const days = num(w.raw('resultsRetentionDays') ?? wgDefaults.resultsRetentionDays);
    if (days !== undefined && days > MAX_DAYS) {
      view.report({
        code: 'ARA207',
        message: `workgroup '${n}' keeps results for ${days} days; S3 lifecycle days are at most ${MAX_DAYS}`,
        path: w.pathOf('resultsRetentionDays'),
        hint: 'use e.g. 30 or 365',
      });
    }
  }
  for (const [n, l] of view.spec.node('storage').entries('layers')) {
    for (const f of ['infrequentAccessDelay', 'archiveDelay'] as const) {
      const d = l.num(f);
      if (d !== undefined && d > MAX_DAYS) {
        view.report({ code: 'ARA207', message: `layer '${n}' has ${f} ${d} days; S3 lifecycle days are at most ${MAX_DAYS}`, path: l.pathOf(f), hint: 'use e.g. 90 or 365' });
      }
    }
  }
}

function checkJobs(view: SpecView): void {
  const platform = view.spec.str('platform') ?? 'aws-native';
  const templates = templateNames(platform);
  const jobDefaults = dict(view.defaults('job'));
  for (const [n, j] of view.spec.entries('jobs')) {
    const template = j.str('template');
    if (template !== undefined && !view.isDoubtful(j.pathOf('template')) && !templates.includes(template)) {
      view.report({
        code: 'ARA213',
        message: `job '${n}' uses template '${template}', which the ${platform} platform does not have`,
        path: j.pathOf('template'),
        hint: didYouMean(template, templates) || (templates.length ? `available: ${templates.join(', ')}` : `platforms/${platform}/templates/ holds no templates`),
      });
    }
    // Every job template compiles to a batch (glueetl) job today.
    const command = 'glueetl';
    const workerType = str(j.raw('workerType') ?? jobDefaults.workerType);
    const allowed = WORKER_TYPES_BY_COMMAND[command]!;
    if (workerType !== undefined && !allowed.includes(workerType) && !view.isDoubtful(j.pathOf('workerType'))) {
      view.report({
        code: 'ARA214',
        message: `job '${n}' is a batch (${command}) job, which cannot run on worker type ${workerType}${workerType === 'G.025X' ? ' (G.025X is for streaming jobs only)' : ''}`,
        path: j.pathOf('workerType'),
        hint: `use one of ${allowed.join(', ')}`,
      });
    }
  }
}

