/** `ara-gen deploy <spec>`: synthesize, then deploy the stacks through @aws-cdk/toolkit-lib. */
import type { CommandSpec, ParsedArgs } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { out } from '../io.js';
import { deployTarget, options, openSession, runAction } from '../deploy-support.js';

export const command: CommandSpec = {
  name: 'deploy',
  summary: "Deploy the spec's stacks to AWS",
  usage: 'ara-gen deploy <spec> [--env NAME] [--yes] [--stack NAME] [-o DIR | --assembly DIR]',
  description: [
    'Synthesizes the spec into DIR (default cdk.out) and deploys that assembly. Security-sensitive changes',
    '(IAM or security-group broadening) are shown and need approval: a prompt on a terminal, --yes otherwise;',
    'without a terminal and without --yes nothing is deployed (exit 2). Failed resources are reported with',
    'the spec entry that produced them. Needs AWS credentials and a CDK-bootstrapped environment.',
    'Exit codes: 0 deployed, 1 spec findings, 2 usage/credentials/approval, 3 deployment failed.',
  ].join('\n'),
  options: [options.env, options.yes, options.stack, options.output, options.assembly, options.progress, options.verbose],
  positionals: { min: 1, max: 1 },
  examples: ['ara-gen deploy examples/mystore.yaml --env dev', 'ara-gen deploy examples/mystore.yaml --env prod --yes --progress events'],
  run,
};

async function run(args: ParsedArgs): Promise<number> {
  const opened = await openSession('deploy', args, { needsCredentials: true });
  if (!opened.session) return opened.exitCode;
  const s = opened.session;
  const { ExpandStackSelection, selector } = await import('../../compiler/deploy/toolkit.js');
  const r = await runAction(s, () => s.toolkit.deploy(s.source, { stacks: selector(s.stacks, ExpandStackSelection.UPSTREAM) }));
  if (r.value === undefined) return r.exitCode;
  const env = s.model.environment;
  const lines = [`Deployed ${r.value.stacks.map((x) => x.stackName).join(', ')} (${deployTarget(env)})`];
  for (const stack of r.value.stacks) {
    for (const [k, v] of Object.entries(stack.outputs).sort(([a], [b]) => (a < b ? -1 : 1))) lines.push(`  ${stack.stackName}.${k} = ${v}`);
  }
  out(lines.join('\n'));
  return ExitCode.Ok;
}
