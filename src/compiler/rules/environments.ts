/**
 * ARA260 (an override names an entry that does not exist: it would silently add a half-defined
 * entry) and ARA261 (a production-looking environment that deletes its data on destroy).
 */
import type { SpecPath } from '../document.js';
import { didYouMean } from '../../util/suggest.js';
import { type Dict, type Rule, type SpecView, dict, deepMerge, entries, isDict, listNames } from './context.js';

/** Map sections whose keys name entries: path inside a spec. */
const NAMED_SECTIONS: readonly (readonly string[])[] = [
  ['storage', 'layers'],
  ['catalog', 'databases'],
  ['athena', 'workgroups'],
  ['replayers'],
  ['crawlers'],
  ['jobs'],
  ['triggers'],
  ['streams'],
  ['sinks'],
  ['deliveryStreams'],
  ['dashboards'],
];

function at(v: unknown, path: readonly string[]): unknown {
  for (const k of path) v = dict(v)[k];
  return v;
}

function checkOverrides(view: SpecView, env: string, overrides: Dict): void {
  const base = deepMerge(view.blueprint.spec, dict(view.doc.data)) as Dict;
  const from: SpecPath = ['environments', env, 'overrides'];
  for (const section of NAMED_SECTIONS) {
    const over = at(overrides, section);
    if (!isDict(over)) continue;
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
    for (const [env, e] of entries(dict(view.doc.data).environments)) if (isDict(e.overrides)) checkOverrides(view, env, e.overrides);
  },
};

export const removalPolicyRule: Rule = {
  name: 'removal-policy',
  codes: ['ARA261'],
  check(view) {
    if (view.env === undefined || !/^prod/i.test(view.env)) return;
    if (dict(view.data.storage).removalPolicy !== 'destroy') return;
    view.report({
      code: 'ARA261',
      severity: 'warning',
      message: `environment '${view.env}' looks like production but its storage removal policy is 'destroy': deleting the stack deletes the data lake`,
      path: ['storage', 'removalPolicy'],
      hint: `add 'removalPolicy: retain' to environment '${view.env}'`,
    });
  },
};
