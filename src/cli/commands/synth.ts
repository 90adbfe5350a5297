/**
 * `ara-gen synth <spec>`: validate, compile to a cloud assembly (plus sink-runtime configs), and
 * print what was produced. The summary is the result (stdout); findings and progress go to stderr.
 */
import type { CommandSpec, ParsedArgs } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { colourEnabled, err, out, paint } from '../io.js';
import { deployTarget, loadModel, options, stringOption, synthesizeForCommand } from '../deploy-support.js';
import { SourceIndex, formatSource } from '../../compiler/deploy/failure-map.js';
import type { SynthesisResult } from '../../compiler/deploy/synthesize.js';
import type { PlatformModel } from '../../compiler/model.js';

export const command: CommandSpec = {
  name: 'synth',
  summary: 'Compile a spec to a CDK cloud assembly and sink-runtime configs',
  usage: 'ara-gen synth <spec> [--env NAME] [-o DIR] [--strict] [--quiet]',
  description: [
    'Writes a standard cloud assembly (one stack per module, <platform>-<env>-<module>) that the CDK CLI',
    'accepts as is, plus DIR/sinks/<sink>.json for every sink and DIR/sinks/<sink>.flink.sql (Apache Flink',
    'SQL) for kinesis, firehose and dynamodb sinks. The output is deterministic. An existing DIR is',
    'emptied first, but only when it holds nothing but a cloud assembly.',
    'Exit codes: 0 ok, 1 spec findings (or cdk-nag findings with --strict), 2 usage error.',
  ].join('\n'),
  options: [
    options.env,
    options.output,
    { name: 'strict', type: 'boolean', description: 'Fail (exit 1) on any unsuppressed cdk-nag finding.' },
    { name: 'quiet', short: 'q', type: 'boolean', description: 'Print only warnings and errors, no summary.' },
  ],
  positionals: { min: 1, max: 1 },
  examples: ['ara-gen synth examples/mystore.yaml', 'ara-gen synth examples/mystore.yaml --env prod -o cdk.out.prod --strict'],
  run,
};

async function run(args: ParsedArgs): Promise<number> {
  const file = args.positionals[0]!;
  const outdir = stringOption(args.options.output) ?? 'cdk.out';
  const strict = args.options.strict === true;
  const quiet = args.options.quiet === true;
  const colour = colourEnabled();

  const loaded = await loadModel(file, stringOption(args.options.env));
  if (!loaded.model) return loaded.exitCode;
  const model = loaded.model;
  if (!quiet) err(`Synthesizing ${model.name} (environment ${model.environment.name}) into ${outdir} ...`);
  const synthesized = await synthesizeForCommand(model, outdir, strict);
  if (!synthesized.result) return synthesized.exitCode;
  const result = synthesized.result;

  const findings = result.build.nagFindings;
  if (findings.length) {
    const index = SourceIndex.fromAssemblyDirectory(outdir);
    for (const f of findings) {
      const where = index.locatePath(f.stack, f.path);
      const label = strict || f.level === 'error' ? paint('error', 'red', colour) : paint('warning', 'yellow', colour);
      err(`${label}: cdk-nag ${f.rule} on ${f.path}: ${f.message}${where ? `\n  from ${formatSource(where)}` : ''}`);
    }
  }
  if (!quiet) out(summary(model, result, strict));
  return strict && findings.length ? ExitCode.Findings : ExitCode.Ok;
}

/** The result text: stacks with resource counts per type, sink configs, what was not compiled, cdk-nag status. */
export function summary(model: PlatformModel, result: SynthesisResult, strict: boolean): string {
  const { build } = result;
  const env = model.environment;
  const lines = [`Synthesized ${model.name} for environment ${env.name} (${deployTarget(env)}) into ${result.outdir}`, ''];
  const nameWidth = Math.max(...build.stacks.map((s) => s.name.length), 10);
  lines.push('Stacks:');
  for (const s of build.stacks) {
    lines.push(`  ${s.name.padEnd(nameWidth)}  ${String(s.total).padStart(4)} resources  (module ${s.module})`);
    const types = Object.entries(s.resourceCounts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const typeWidth = Math.max(...types.map(([t]) => t.length), 10);
    for (const [type, count] of types) lines.push(`      ${type.padEnd(typeWidth)} ${String(count).padStart(4)}`);
  }
  lines.push('', result.sinkFiles.length ? `Sink configs (${result.sinkFiles.length}):` : 'Sink configs: none (the spec declares no sinks)');
  for (const f of result.sinkFiles) lines.push(`  ${f}`);
  if (result.flinkFiles.length || result.flinkSkipped.length) {
    lines.push('', `Apache Flink SQL (${result.flinkFiles.length}):`);
    for (const f of result.flinkFiles) lines.push(`  ${f}`);
    for (const s of result.flinkSkipped) lines.push(`  ${s.sink}: none (${s.reason})`);
  }
  if (build.notCompiled.length) {
    lines.push('', 'Not compiled yet (declared in the spec but NOT in the assembly):');
    for (const n of build.notCompiled) {
      lines.push(`  ${n.section}${n.entries.length ? `: ${n.entries.join(', ')}` : ''}${n.reason ? ` (${n.reason})` : ''}`);
    }
  }
  if (build.prerequisites.length) {
    lines.push('', 'Before the first deploy:');
    for (const p of build.prerequisites) lines.push(`  ${p}`);
  }
  const n = build.nagFindings.length;
  lines.push(
    '',
    n === 0
      ? 'cdk-nag AwsSolutions: no unsuppressed findings'
      : `cdk-nag AwsSolutions: ${n} unsuppressed finding${n === 1 ? '' : 's'} (listed on stderr)${strict ? '; failing because of --strict' : '; --strict fails on them'}`,
  );
  return lines.join('\n');
}
