/**
 * ARA210-ARA212: lifecycle transitions S3 accepts (and ARA enforces): Standard-IA after at least
 * 30 days, Glacier after at least 90 days and at least 30 days after the Standard-IA transition
 * (objects stay 30 days in Standard-IA before a later transition).
 */
import { MIN_ARCHIVE_DAYS, MIN_DAYS_IN_INFREQUENT_ACCESS, MIN_INFREQUENT_ACCESS_DAYS } from '../../contract/aws-limits.js';
import { type Rule, dict, num } from './spec-view.js';

export { MIN_ARCHIVE_DAYS, MIN_INFREQUENT_ACCESS_DAYS };

export const lifecycleRule: Rule = {
  name: 'lifecycle',
  codes: ['ARA210', 'ARA211', 'ARA212'],
  check(view) {
    const layerDefaults = dict(view.defaults('layer'));
    for (const [n, layer] of view.spec.node('storage').entries('layers')) {
      const at = layer.path;
      const ia = num(layer.raw('infrequentAccessDelay') ?? layerDefaults.infrequentAccessDelay);
      const archive = layer.num('archiveDelay');
      if (ia !== undefined && ia < MIN_INFREQUENT_ACCESS_DAYS) {
        view.report({
          code: 'ARA210',
          message: `layer '${n}' moves objects to Standard-IA after ${ia} days; S3 requires at least ${MIN_INFREQUENT_ACCESS_DAYS}`,
          path: [...at, 'infrequentAccessDelay'],
          hint: `set infrequentAccessDelay to ${MIN_INFREQUENT_ACCESS_DAYS} or more`,
        });
      }
      if (archive === undefined) continue;
      if (archive < MIN_ARCHIVE_DAYS) {
        view.report({
          code: 'ARA211',
          message: `layer '${n}' archives objects to Glacier after ${archive} days; the minimum is ${MIN_ARCHIVE_DAYS}`,
          path: [...at, 'archiveDelay'],
          hint: `set archiveDelay to ${MIN_ARCHIVE_DAYS} or more, or remove it to never archive`,
        });
      } else if (ia !== undefined && archive < ia + MIN_DAYS_IN_INFREQUENT_ACCESS) {
        const fromBlueprint = !view.isUserSet([...at, 'archiveDelay']);
        view.report({
          code: 'ARA212',
          message: `layer '${n}' archives after ${archive} days${fromBlueprint ? ` (the ${view.blueprint.name} blueprint default)` : ''}, less than ${MIN_DAYS_IN_INFREQUENT_ACCESS} days after its Standard-IA transition at ${ia} days`,
          // A blueprint value is reported at what the user wrote: the Standard-IA delay.
          path: [...at, fromBlueprint && view.isUserSet([...at, 'infrequentAccessDelay']) ? 'infrequentAccessDelay' : 'archiveDelay'],
          hint: `set archiveDelay to at least ${Math.max(MIN_ARCHIVE_DAYS, ia + MIN_DAYS_IN_INFREQUENT_ACCESS)} (S3 keeps objects ${MIN_DAYS_IN_INFREQUENT_ACCESS} days in Standard-IA before archiving)`,
        });
      }
    }
  },
};
