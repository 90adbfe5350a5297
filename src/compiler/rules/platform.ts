/** ARA200: `platform` names a blueprint shipped in `platforms/`. */
import { didYouMean } from '../../util/suggest.js';
import { blueprintNames, findBlueprint } from './blueprint.js';
import type { Rule } from './spec-view.js';

export const platformRule: Rule = {
  name: 'platform',
  codes: ['ARA200'],
  once: true,
  check(view) {
    const name = view.written.str('platform');
    if (name === undefined || findBlueprint(name)) return;
    const known = blueprintNames();
    view.report({
      code: 'ARA200',
      message: `platform '${name}' has no blueprint (platforms/${name}/blueprint.yaml); defaults cannot be applied`,
      path: ['platform'],
      hint: didYouMean(name, known) || `available platforms: ${known.join(', ') || 'none'}`,
    });
  },
};
