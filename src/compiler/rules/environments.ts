/**
 * ARA260 (an override names an entry that does not exist: it would silently add a half-defined
 * entry), ARA261 (a production-looking environment that deletes its data on destroy) and ARA262 (a
 * region AWS does not have: a typo the schema's pattern cannot see).
 */
import type { SpecPath } from '../document.js';
import { didYouMean } from '../../util/suggest.js';
import { MAP_SECTIONS, type Dict, type Rule, type SpecView, applyBlueprint, dict, isDict, listNames } from './spec-view.js';
import { KNOWN_REGIONS } from '../aws-regions.js';

/** Map sections whose keys name entries: path inside a spec. */
const NAMED_SECTIONS = MAP_SECTIONS;

/** The named section `path` lies in an entry of (`['storage', 'layers']` for `storage.layers.raw.x`). */
const sectionOf = (path: SpecPath) => NAMED_SECTIONS.find((s) => path.length > s.length && s.every((k, i) => path[i] === k));

/**
 * True when `path` (of an environment's effective spec) lies in an entry that only the overrides
 * declare: ARA260 reports it, and whatever else is wrong with the half-defined entry is a consequence.
 */
export function inUndeclaredEntry(base: Dict, path: SpecPath): boolean {
  if (path[0] === 'warehouse') return !isDict(base.warehouse);
  const section = sectionOf(path);
  return section !== undefined && !Object.prototype.hasOwnProperty.call(dict(at(base, section)), String(path[section.length]));
}

/** How many segments of `path` name its entry: 2 in `sinks.x.type`, 3 in `storage.layers.raw.archiveDelay`, 1 in `warehouse.nodes`. */
export function entryDepth(path: SpecPath): number {
  const section = sectionOf(path);
  return section ? section.length + 1 : 1;
}

function at(v: unknown, path: readonly string[]): unknown {
  for (const k of path) v = dict(v)[k];
  return v;
}

function checkOverrides(view: SpecView, env: string, overrides: Dict): void {
  const base = applyBlueprint(view.blueprint.spec, dict(view.doc.data)) as Dict;
  const from: SpecPath = ['environments', env, 'overrides'];
  for (const section of NAMED_SECTIONS) {
    const over = at(overrides, section);
    // A section the schema already rejected (a deleted entry-name line) has no reliable entry names.
    if (!isDict(over) || view.isDoubtful(section)) continue;
    const known = Object.keys(dict(at(base, section)));
    for (const name of Object.keys(over)) {
      if (known.includes(name)) continue;
      const dym = didYouMean(name, known);
      view.report({
        code: 'ARA260',
        message: `environment '${env}' overrides ${section.join('.')}.${name}, which is not declared in the spec`,
        path: [...from, ...section, name],
        part: 'key',
        hint: dym ? `${dym} (${listNames(known)})` : `overrides can only change existing entries; declare '${name}' under '${section.join('.')}' first (${listNames(known)})`,
      });
    }
  }
  if (isDict(overrides.warehouse) && !isDict(base.warehouse)) {
    view.report({
      code: 'ARA260',
      message: `environment '${env}' overrides the warehouse, but the spec declares none`,
      path: [...from, 'warehouse'],
      part: 'key',
      hint: "declare 'warehouse' at the top level first",
    });
  }
}

export const overrideRule: Rule = {
  name: 'environment-overrides',
  codes: ['ARA260'],
  once: true,
  check(view) {
    for (const [env, e] of view.written.entries('environments')) if (e.node('overrides').isObject) checkOverrides(view, env, e.raw('overrides') as Dict);
  },
};

export const removalPolicyRule: Rule = {
  name: 'removal-policy',
  codes: ['ARA261'],
  check(view) {
    if (view.env === undefined || !/^prod/i.test(view.env)) return;
    const storage = view.spec.node('storage');
    if (storage.raw('removalPolicy') !== 'destroy') return;
    // `removalPolicyy: retain` in the environment: the typo is the finding, not its consequence.
    if (view.isDoubtful(['environments', view.env, 'removalPolicy']) || view.isDoubtful(['environments', view.env, 'overrides', 'storage', 'removalPolicy'])) return;
    view.report({
      code: 'ARA261',
      severity: 'warning',
      message: `environment '${view.env}' looks like production but its storage removal policy is 'destroy': deleting the stack deletes the data lake`,
      path: storage.pathOf('removalPolicy'),
      hint: `add 'removalPolicy: retain' to environment '${view.env}'`,
    });
  },
};

export { KNOWN_REGIONS };

export const regionRule: Rule = {
  name: 'regions',
  codes: ['ARA262'],
  once: true,
  check(view) {
    for (const [env, e] of view.written.entries('environments')) {
      const region = e.str('region');
      if (region === undefined || KNOWN_REGIONS.includes(region)) continue;
      const dym = didYouMean(region, KNOWN_REGIONS);
      view.report({
        code: 'ARA262',
        severity: 'warning',
        message: `environment '${env}': '${region}' is not a known AWS region`,
        path: e.pathOf('region'),
        hint: dym || 'check the region name (e.g. eu-west-1, us-east-1); a region newer than this ara-gen can be ignored',
      });
    }
  },
};
