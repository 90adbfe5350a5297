/** ARA250-ARA251: replayers replay a dataset that exists, on a schedule EventBridge can run. */
import { DATASET_GROUPS } from '../../contract/datasets.js';
import { didYouMean } from '../../util/suggest.js';
import { parseDuration } from '../units.js';
import { type Rule, dict } from './spec-view.js';

/** Datasets the replayer can generate, by group (the dataset contract's tables). */
export const DATASETS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(DATASET_GROUPS).map(([group, tables]) => [group, Object.keys(tables)]),
);

export const replayerRule: Rule = {
  name: 'replayers',
  codes: ['ARA250', 'ARA251'],
  check(view) {
    const all = Object.entries(DATASETS).flatMap(([g, ts]) => ts.map((t) => `${g}/${t}`));
    for (const [n, r] of view.spec.entries('replayers')) {
      const dataset = r.str('dataset');
      if (dataset !== undefined && !all.includes(dataset)) {
        const group = dataset.split('/')[0]!;
        const dym = didYouMean(dataset, all);
        view.report({
          code: 'ARA250',
          message: DATASETS[group]
            ? `replayer '${n}' replays '${dataset}', but the '${group}' dataset has no such table`
            : `replayer '${n}' replays '${dataset}', but there is no dataset group '${group}'`,
          path: r.pathOf('dataset'),
          hint: dym || `available: ${all.join(', ')}`,
        });
      }
      const freq = r.raw('frequency') ?? dict(view.defaults('replayer')).frequency;
      const seconds = parseDuration(freq, 's');
      if (seconds.ok && (seconds.value < 60 || seconds.value % 60 !== 0)) {
        view.report({
          code: 'ARA251',
          message: `replayer '${n}' runs every ${freq}, but its EventBridge schedule needs whole minutes (at least 1m)`,
          path: r.pathOf('frequency'),
          hint: `use e.g. '${Math.max(1, Math.round(seconds.value / 60))}m'`,
        });
      }
    }
  },
};
