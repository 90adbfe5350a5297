/**
 * `ara-gen diff <spec>`: what deploying would change. Against the deployed stacks (needs
 * credentials), or with `--template FILE` against a local template: offline, no credentials.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { basename } from 'node:path';
import { type CommandSpec, type ParsedArgs, UsageError } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { out } from '../io.js';
import type { PlatformModel } from '../../compiler/model.js';
import { stackName } from '../../compiler/naming.js';
import { didYouMean } from '../../util/suggest.js';
import { assemblyStacks, listOption, openSession, options, prepareAssembly, runAction, stringOption } from '../deploy-support.js';
import { type EntryMove, stackMovesBetween } from '../../compiler/deploy/stack-moves.js';
import { readAssemblyStacks } from '../../compiler/deploy/assembly-reader.js';
import { parseDocument } from '../../util/yaml.js';

export const command: CommandSpec = {
  name: 'diff',
  summary: 'Show what deploying the spec would change',
  usage: 'ara-gen diff <spec> [--env NAME] [--template FILE [--stack NAME] | --previous DIR] [-o DIR | --assembly DIR] [--fail]',
  description: [
    'Synthesizes the spec into DIR (default cdk.out) and compares each stack with what is deployed (a',
    'CloudFormation change set; needs AWS credentials). With --template FILE it compares one stack with a',
    'local template file instead: offline, no credentials. The stack is the only one, the one named by',
    '--stack, or the one the file name names (mystore-dev-batch.template.json, or its module: batch.json);',
    'a wrong --template or --stack is reported before synthesizing.',
    'With --previous DIR (an earlier assembly, e.g. the cdk.out that was deployed) it lists, offline, every spec',
    'entry whose resources change stacks (a module split into more part stacks, a replayer moved to another',
    'module): a named resource cannot change stacks in one deploy.',
    'Exit codes: 0 ok (1 with --fail when there are differences), 2 usage/credentials, 3 diff failed.',
  ].join('\n'),
  options: [
    options.env,
    { name: 'template', short: 't', type: 'string', valueName: 'FILE', description: 'Compare with this local template (JSON or YAML) instead of the deployed stack.' },
    options.stack,
    { name: 'previous', type: 'string', valueName: 'DIR', description: 'Compare stack assignments with this earlier assembly (offline): entries that change stacks.' },
    options.output,
    options.assembly,
    { name: 'fail', type: 'boolean', description: 'Exit 1 when there are differences.' },
    options.verbose,
  ],
  positionals: { min: 1, max: 1 },
  examples: [
    'ara-gen diff examples/mystore.yaml --env prod',
    'ara-gen diff examples/mystore.yaml --template old/mystore-dev-batch.template.json',
    'ara-gen diff examples/mystore.yaml --previous deployed.out',
  ],
  run,
};

async function run(args: ParsedArgs): Promise<number> {
  const template = stringOption(args.options.template);
  const previous = stringOption(args.options.previous);
  if (previous !== undefined) {
    if (template !== undefined) throw new UsageError('--previous and --template compare with different things', 'give one of them');
    checkPreviousAssembly(previous);
    return diffPrevious(args, previous);
  }
  if (template !== undefined) checkTemplateFile(template);
  // With --template, the stack is decided (or the usage error reported) before synthesizing.
  let compared: string | undefined;
  // The stack names come from the compiler's modules (aws-cdk-lib): loaded only for --template.
  const modulesOf = template === undefined ? undefined : (await import('../../compiler/app.js')).modulesOf;
  const checkModel = modulesOf === undefined ? undefined : (model: PlatformModel) => void (compared = stackForTemplate(model, template!, listOption(args.options.stack), modulesOf));
  const opened = await openSession('diff', args, { needsCredentials: template === undefined, ...(checkModel ? { checkModel } : {}) });
  if (!opened.session) return opened.exitCode;
  const s = opened.session;
  const stacks = compared === undefined ? s.stacks : s.allStacks.filter((x) => x.stackName === compared);
  if (compared !== undefined && !stacks.length) throw new UsageError(`the assembly in '${s.assemblyDir}' has no stack ${compared}`, 'drop --assembly to synthesize it');
  const [{ DiffMethod }, { selector }] = await Promise.all([import('@aws-cdk/toolkit-lib'), import('../../compiler/deploy/toolkit.js')]);
  const method = template === undefined ? DiffMethod.ChangeSet() : DiffMethod.LocalFile(template);
  const r = await runAction(s, () => s.toolkit.diff(s.source, { stacks: selector(stacks), method }));
  if (r.value === undefined) return r.exitCode;
  const lines = Object.entries(r.value).map(([name, d]) => {
    const n = d.differenceCount;
    const security = d.permissionsBroadened ? ' (security-sensitive: IAM/security-group broadening)' : '';
    return `${name}: ${n === 0 ? 'no differences' : `${n} difference${n === 1 ? '' : 's'}${security}`}${template !== undefined ? ` against ${template}` : ''}`;
  });
  out(lines.join('\n'));
  const changed = Object.values(r.value).some((d) => d.differenceCount > 0);
  return args.options.fail === true && changed ? ExitCode.Findings : ExitCode.Ok;
}

const PREVIOUS_HINT = 'pass the directory of an earlier synth or deploy (the cdk.out holding manifest.json)';

/** Checked before synthesis: --previous must be a cloud assembly directory this command can read. */
function checkPreviousAssembly(dir: string): void {
  if (!existsSync(join(dir, 'manifest.json'))) throw new UsageError(`--previous '${dir}' is not a cloud assembly (no manifest.json in it)`, PREVIOUS_HINT);
  try {
    readAssemblyStacks(dir);
  } catch (e) {
    throw new UsageError(`--previous '${dir}' cannot be read as a cloud assembly: ${(e as Error).message.split('\n')[0]}`, PREVIOUS_HINT);
  }
}

/** `diff --previous DIR`: the entries whose stacks differ between DIR and the new assembly. Offline. */
async function diffPrevious(args: ParsedArgs, previous: string): Promise<number> {
  // Offline and without the CDK toolkit: two assemblies read as JSON.
  const prepared = await prepareAssembly('diff', args, { needsCredentials: false });
  if (!prepared.model) return prepared.exitCode;
  const s = { ...prepared, ...(await assemblyStacks(prepared, args)) };
  const moves = stackMovesBetween(previous, s.assemblyDir);
  const before = new Set(readAssemblyStacks(previous).map((x) => x.stackName));
  const after = s.allStacks.map((x) => x.stackName);
  const lines = [`Compared with the assembly in ${previous}:`];
  const added = after.filter((n) => !before.has(n));
  const gone = [...before].filter((n) => !after.includes(n));
  if (added.length) lines.push(`  new stacks: ${added.join(', ')}`);
  if (gone.length) lines.push(`  stacks no longer synthesized: ${gone.join(', ')}`);
  if (!moves.length) lines.push('  no spec entry changes stacks');
  else {
    lines.push(`  ${moves.length} spec entr${moves.length === 1 ? 'y changes' : 'ies change'} stacks:`);
    for (const m of moves) lines.push(`  ${describeMove(m)}`);
    lines.push(
      'A named resource cannot change stacks in one deploy: CloudFormation creates it in the new stack before deleting it from the old one, so the deploy fails.',
      'Deploy in two steps: first without the moved entries (remove or rename them), then with them.',
    );
  }
  out(lines.join('\n'));
  return args.options.fail === true && moves.length > 0 ? ExitCode.Findings : ExitCode.Ok;
}

/** `/crawlers/p12 (spec.yaml:40:3): lake-dev-batch -> lake-dev-batch-2 (moves AWS::Glue::Crawler lake-dev-p12)` */
function describeMove(m: EntryMove): string {
  const named = m.named.length ? `; named resources that move: ${m.named.join(', ')}` : '';
  return `${m.entry} (${m.source.file}:${m.source.line}:${m.source.col}): ${m.from.join(', ')} -> ${m.to.join(', ')}${named}`;
}

/**
 * `--template` compares exactly one stack: the one --stack names, else the only one, else the one
 * the file name names (`mystore-dev-batch.template.json`, or a module: `batch.json`,
 * `old-batch.yaml`). Decided from the model, before synthesizing.
 */
export function stackForTemplate(model: PlatformModel, template: string, wanted: readonly string[], modulesOf: (model: PlatformModel) => string[]): string {
  const names = { platform: model.name, env: model.environment.name };
  const stacks = modulesOf(model).map((m) => ({ module: m, name: stackName(names, m) }));
  const all = stacks.map((x) => x.name).join(', ');
  if (wanted.length > 1) throw new UsageError(`--template compares one stack, but --stack names ${wanted.length}`, `keep one --stack (stacks: ${all})`);
  if (wanted.length === 1) {
    const w = wanted[0]!;
    const match = stacks.find((x) => x.name === w || x.module === w);
    if (match) return match.name;
    const dym = didYouMean(w, stacks.flatMap((x) => [x.name, x.module]));
    throw new UsageError(`no stack '${w}' in ${model.name} environment ${model.environment.name} (stacks: ${all})`, dym || undefined);
  }
  if (stacks.length === 1) return stacks[0]!.name;
  const file = basename(template);
  const byName = stacks.filter((x) => file.includes(x.name)).sort((a, b) => b.name.length - a.name.length)[0];
  if (byName) return byName.name;
  const words = new Set(file.toLowerCase().split(/[^a-z0-9]+/));
  const byModule = stacks.filter((x) => words.has(x.module));
  if (byModule.length === 1) return byModule[0]!.name;
  throw new UsageError(
    `--template compares one stack, and the file name '${file}' names ${byModule.length ? `several (${byModule.map((x) => x.module).join(', ')})` : 'none'} of ${all}`,
    `add --stack NAME (a stack or module name, e.g. --stack ${stacks[stacks.length - 1]!.module}), or name the file after its stack`,
  );
}

const TEMPLATE_HINT = 'pass a CloudFormation template file, e.g. a *.template.json of an earlier cdk.out';

/**
 * Checked before synthesis: the toolkit would report an unreadable or unparsable file as a failed
 * diff (exit 3) without naming it, and would compare against an empty template when the file holds
 * a list or a scalar. A wrong --template is a usage error.
 */
function checkTemplateFile(template: string): void {
  let text: string;
  try {
    if (statSync(template).isDirectory()) throw new UsageError(`--template '${template}' is a directory, not a template file`, TEMPLATE_HINT);
    text = readFileSync(template, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `template file not found: '${template}'` : `cannot read template file '${template}': ${(e as Error).message}`, TEMPLATE_HINT);
  }
  // YAML covers JSON; CloudFormation's short-form tags (!Ref, !Sub) only produce warnings here.
  const doc = parseDocument(text, { uniqueKeys: false });
  const error = doc.errors[0];
  if (error) {
    throw new UsageError(`template file '${template}' is neither valid JSON nor YAML: ${error.message.split('\n')[0]!.replace(/:$/, '')}`, TEMPLATE_HINT);
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError(`template file '${template}' is not a CloudFormation template: it holds ${Array.isArray(data) ? 'a list' : data === null ? 'nothing' : `a ${typeof data}`}, not a mapping of sections (Resources, ...)`, TEMPLATE_HINT);
  }
}
