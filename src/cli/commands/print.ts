/** `ara-gen print <spec> [--env NAME]`: the resolved platform model, as later stages will see it. */
import { stringify } from 'yaml';
import { isUsageProblem, loadPlatform } from '../../compiler/load.js';
import type { CommandSpec } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { out } from '../io.js';
import { defaultFormat, writeReport } from '../report.js';

export const command: CommandSpec = {
  name: 'print',
  summary: 'Print the resolved platform model: blueprint defaults merged, environment applied, references resolved.',
  usage: 'ara-gen print <spec.yaml> [--env NAME] [--format yaml|json] [--origins]',
  description: [
    'The model goes to stdout. If the spec has findings they are reported on stderr (as by validate) and',
    'the exit code is 1; an unreadable file or an --env the spec does not declare is a usage error (exit 2).',
  ].join('\n'),
  options: [
    { name: 'env', short: 'e', type: 'string', valueName: 'NAME', description: 'Environment to apply (default: the first one declared)' },
    { name: 'format', short: 'f', type: 'string', valueName: 'FORMAT', choices: ['yaml', 'json'], description: 'Output format of the model (default yaml)' },
    { name: 'origins', type: 'boolean', description: "Print the environment's effective spec instead, each value with where it comes from (spec line, environment, blueprint spec or blueprint defaults)" },
  ],
  positionals: { min: 1, max: 1 },
  examples: ['ara-gen print examples/mystore.yaml --env prod', 'ara-gen print examples/mystore.yaml --env prod --origins', 'ara-gen print examples/mystore.yaml --format json | jq .sinks'],
  async run(args) {
    const file = args.positionals[0]!;
    const env = typeof args.options.env === 'string' ? args.options.env : undefined;
    const result = await loadPlatform(file, env === undefined ? {} : { env });
    if (result.diagnostics.length) {
      const shown = [{ file, diagnostics: result.diagnostics, ...(result.document ? { text: result.document.text } : {}) }];
      await writeReport(shown, defaultFormat(undefined), process.stderr, { quiet: Boolean(result.model) });
    }
    if (result.diagnostics.some(isUsageProblem)) return ExitCode.Usage;
    if (!result.model) return ExitCode.Findings;
    if (args.options.origins === true) {
      const { explainOrigins } = await import('../../compiler/provenance.js');
      out(explainOrigins(result.document!, result.model.environment.name));
      return ExitCode.Ok;
    }
    // Through JSON first: drops undefined fields so both formats show the same keys.
    const plain: unknown = JSON.parse(JSON.stringify(result.model));
    if (args.options.format === 'json') out(JSON.stringify(plain, null, 2));
    else out(stringify(plain, { lineWidth: 0 }));
    return ExitCode.Ok;
  },
};
