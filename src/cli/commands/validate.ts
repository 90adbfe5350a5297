/** `ara-gen validate <spec...>`: schema + semantic rules, offline; never loads aws-cdk-lib. */
import { isUsageProblem, validateFiles } from '../../compiler/load.js';
import { type CommandSpec, UsageError } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { FORMATS, defaultFormat, writeReport } from '../report.js';

export const command: CommandSpec = {
  name: 'validate',
  summary: 'Check spec files against the schema and the semantic rules (offline, no AWS credentials).',
  usage: 'ara-gen validate <spec.yaml>... [--format text|json|github|sarif] [--strict] [--quiet]',
  description: [
    'Findings go to stdout in the chosen format (text: file:line:col, code, message, code frame, hint);',
    'the summary line goes to stderr. Exit codes: 0 no errors, 1 findings (errors, or warnings with',
    '--strict), 2 usage error (no files, bad flag, a file that cannot be read).',
  ].join('\n'),
  options: [
    { name: 'format', short: 'f', type: 'string', valueName: 'FORMAT', choices: FORMATS, description: 'Output format; default text, or github when GITHUB_ACTIONS=true' },
    { name: 'strict', type: 'boolean', description: 'Treat warnings as failures (exit 1)' },
    { name: 'quiet', short: 'q', type: 'boolean', description: 'Report errors only: no warnings, no summary line' },
  ],
  positionals: { min: 0 },
  examples: [
    'ara-gen validate examples/mystore.yaml',
    'ara-gen validate specs/*.yaml --format json',
    'ara-gen validate specs/*.yaml --format sarif > ara-gen.sarif',
    'ara-gen validate platform.yaml --strict --quiet',
  ],
  async run(args) {
    if (!args.positionals.length) {
      throw new UsageError("'validate' needs at least one spec file", 'usage: ara-gen validate <spec.yaml>...  e.g. ara-gen validate examples/mystore.yaml');
    }
    const quiet = args.options.quiet === true;
    const results = await validateFiles(args.positionals);
    const shown = quiet ? results.map((r) => ({ ...r, diagnostics: r.diagnostics.filter((d) => d.severity === 'error') })) : results;
    await writeReport(shown, defaultFormat(args.options.format), process.stdout, { quiet });
    const all = results.flatMap((r) => r.diagnostics);
    if (all.some(isUsageProblem)) return ExitCode.Usage;
    if (all.some((d) => d.severity === 'error')) return ExitCode.Findings;
    if (args.options.strict === true && all.length) return ExitCode.Findings;
    return ExitCode.Ok;
  },
};
