/** `ara-gen destroy <spec>`: list what survives, confirm, then delete the stacks. */
import type { CommandSpec, ParsedArgs } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { err, out, paint } from '../io.js';
import { askYesNo, deployTarget, openSession, options, runAction } from '../deploy-support.js';
import { formatRetained, listRetained } from '../../compiler/deploy/retained.js';

export const command: CommandSpec = {
  name: 'destroy',
  summary: "Delete the spec's stacks (retained resources are listed first)",
  usage: 'ara-gen destroy <spec> [--env NAME] [--yes] [--stack NAME] [-o DIR | --assembly DIR]',
  description: [
    'Lists the resources that survive deletion (DeletionPolicy Retain: with removalPolicy retain, the data',
    'lake buckets and the KMS key) and asks for confirmation: a prompt on a terminal, --yes otherwise;',
    'without a terminal and without --yes nothing is deleted (exit 2).',
    'Exit codes: 0 deleted, 1 spec findings, 2 usage/credentials/not confirmed, 3 deletion failed.',
  ].join('\n'),
  options: [options.env, options.yes, options.stack, options.output, options.assembly, options.progress, options.verbose],
  positionals: { min: 1, max: 1 },
  examples: ['ara-gen destroy examples/mystore.yaml --env dev', 'ara-gen destroy examples/mystore.yaml --env dev --yes'],
  run,
};

async function run(args: ParsedArgs): Promise<number> {
  const opened = await openSession('destroy', args, { needsCredentials: true });
  if (!opened.session) return opened.exitCode;
  const s = opened.session;
  const { ExpandStackSelection, selector } = await import('../../compiler/deploy/toolkit.js');
  const names = s.stacks.map((x) => x.stackName);
  const retained = listRetained(s.stacks);
  err(`Stacks to delete: ${names.join(', ')} (${deployTarget(s.model.environment)})`);
  if (retained.length) {
    err(`Kept after destroy (${retained.length}; DeletionPolicy Retain: delete them yourself if you no longer need the data):`);
    for (const r of retained) err(`  ${formatRetained(r)}`);
  } else {
    err('Nothing is retained: every resource of these stacks is deleted, including the data in their buckets.');
  }
  if (args.options.yes !== true) {
    if (!s.interactive) {
      err(`${paint('error', 'red', s.colour)}: destroy needs confirmation and there is no terminal to ask on: review the list above and re-run with --yes.`);
      return ExitCode.Usage;
    }
    if (!(await askYesNo(`Delete ${names.join(', ')}? (y/N) `))) {
      err('Destroy cancelled: nothing was deleted.');
      return ExitCode.Usage;
    }
  }
  const r = await runAction(s, () => s.toolkit.destroy(s.source, { stacks: selector(s.stacks, ExpandStackSelection.DOWNSTREAM) }));
  if (r.value === undefined) return r.exitCode;
  out(`Destroyed ${r.value.stacks.map((x) => x.stackName).join(', ')}${retained.length ? `; ${retained.length} retained resource(s) remain (listed above)` : ''}`);
  return ExitCode.Ok;
}
