/**
 * The ara-gen command line: a thin dispatcher. Each command lives in its own module under
 * commands/ and is imported only when it runs, so `validate` never loads aws-cdk-lib.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { didYouMean } from '../util/suggest.js';
import { type CommandSpec, UsageError, formatHelp, parseArgs } from './command.js';
import { ExitCode } from './exit-codes.js';
import { colourEnabled, err, handleClosedPipes, out, paint } from './io.js';

interface Entry {
  readonly summary: string;
  load(): Promise<{ command: CommandSpec }>;
}

const commands: Record<string, Entry> = {
  init: { summary: 'Write a starter spec (a small working platform with comments) and validate it', load: () => import('./commands/init.js') },
  validate: { summary: 'Check spec files against the schema and the semantic rules', load: () => import('./commands/validate.js') },
  print: { summary: 'Print the resolved platform model (defaults and environment applied)', load: () => import('./commands/print.js') },
  schema: { summary: 'Print the JSON Schema of the spec language (or of sink configs)', load: () => import('./commands/schema.js') },
  synth: { summary: 'Compile a spec to a CDK cloud assembly and sink-runtime configs', load: () => import('./commands/synth.js') },
  diff: { summary: 'Show what deploying the spec would change', load: () => import('./commands/diff.js') },
  deploy: { summary: 'Deploy the spec\'s stacks to AWS', load: () => import('./commands/deploy.js') },
  destroy: { summary: 'Delete the spec\'s stacks (retained resources are listed first)', load: () => import('./commands/destroy.js') },
  'sink run': { summary: 'Run a sink-runtime config over NDJSON input', load: () => import('./commands/sink-run.js') },
};

export function versionText(): string {
  const own = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  let cdk = 'not installed';
  try {
    const require = createRequire(join(packageRoot, 'package.json'));
    cdk = (JSON.parse(readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    /* reported as not installed */
  }
  return `ara-gen ${own.version}\naws-cdk-lib ${cdk}\nnode ${process.version}\n`;
}

function topHelp(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length)) + 2;
  return [
    'ara-gen: declare an AWS analytics platform in one YAML file, validate it, compile it to CDK, deploy it, run its sinks.',
    '',
    'Usage: ara-gen <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([n, c]) => `  ${n.padEnd(width)}${c.summary}`),
    '',
    'Global options: --help, --version',
    '',
    'Examples:',
    '  ara-gen init platform.yaml',
    '  ara-gen validate examples/mystore.yaml',
    '  ara-gen synth examples/mystore.yaml --env prod -o cdk.out',
    "Run 'ara-gen <command> --help' for a command's options.",
    '',
  ].join('\n');
}

/** Group summaries: a command group (`sink`) is the first word of several commands (`sink run`). */
const groups: Record<string, string> = {
  sink: 'Run the sink-runtime configs that synth writes to <outdir>/sinks/',
};

/** Names of the commands of group `group` (`['run']` for `sink`). */
const subcommandsOf = (group: string): string[] => Object.keys(commands).filter((n) => n.startsWith(`${group} `)).map((n) => n.slice(group.length + 1));

/** `ara-gen <group> --help`: the group's subcommands and each one's examples. */
async function groupHelp(group: string): Promise<string> {
  const subs = subcommandsOf(group);
  const specs = await Promise.all(subs.map(async (s) => (await commands[`${group} ${s}`]!.load()).command));
  const width = Math.max(...subs.map((s) => s.length)) + 2;
  return [
    `Usage: ara-gen ${group} <subcommand> [options]`,
    '',
    groups[group] ?? '',
    '',
    'Subcommands:',
    ...subs.map((s, i) => `  ${s.padEnd(width)}${specs[i]!.summary}`),
    '',
    'Examples:',
    ...specs.flatMap((c) => c.examples.map((e) => `  ${e}`)),
    `Run 'ara-gen ${group} <subcommand> --help' for a subcommand's options.`,
    '',
  ].join('\n');
}

/** The message and hint for a first argument that names no command (a mistyped command, subcommand or global option). */
function unknownCommand(first: string, second: string | undefined): { message: string; hint: string } {
  if (first.startsWith('-')) {
    const dym = didYouMean(first, ['--help', '--version']);
    return { message: `unknown option '${first}'`, hint: dym || "global options are --help and --version; command options follow the command (run 'ara-gen --help')" };
  }
  const subs = subcommandsOf(first);
  if (subs.length) {
    const full = subs.map((s) => `${first} ${s}`);
    if (second === undefined || second.startsWith('-')) return { message: `'${first}' needs a subcommand`, hint: `choose one of: ${subs.join(', ')} (e.g. 'ara-gen ${full[0]} --help')` };
    const dym = didYouMean(`${first} ${second}`, full);
    return { message: `unknown command '${first} ${second}'`, hint: dym || `'${first}' subcommands: ${subs.join(', ')}` };
  }
  const dym = didYouMean(first, Object.keys(commands).map((n) => n.split(' ')[0]!));
  return { message: `unknown command '${first}'`, hint: dym || "run 'ara-gen --help' for the commands" };
}

/**
 * The CLI owns its process, so its output carries only ara-gen's words: Node's and dependencies'
 * raw process warnings ("(node:123) Warning: ...") are not printed, except with ARA_DEBUG=1 (for
 * reporting a defect). The library never does this: a library user's process keeps its warnings.
 */
function ownWordsOnly(): void {
  // ara-gen supports Node 20; the AWS SDK's notice about its own future Node 22 requirement is not
  // actionable for our users (set here too so that child processes, e.g. esbuild, inherit it).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (process.env.ARA_DEBUG === '1') err(`debug: ${w.name}: ${w.message}`);
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  ownWordsOnly();
  handleClosedPipes();
  const colour = colourEnabled();
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    if (first === 'help' && rest[0]) return main([...rest, '--help']);
    (first === undefined ? err : out)(topHelp());
    return first === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (first === '--version' || first === '-V' || first === 'version') {
    out(versionText());
    return ExitCode.Ok;
  }
  let name = first;
  let args = rest;
  if (!(name in commands) && rest[0] !== undefined && `${first} ${rest[0]}` in commands) {
    name = `${first} ${rest[0]}`;
    args = rest.slice(1);
  }
  const entry = commands[name];
  if (!entry && subcommandsOf(first).length && (rest[0] === undefined || rest[0].startsWith('-'))) {
    // A group without a subcommand: its help (on stdout with --help, else on stderr as a usage error).
    if (rest.includes('--help') || rest.includes('-h')) {
      out(await groupHelp(first));
      return ExitCode.Ok;
    }
    err(`${paint('error', 'red', colour)}: '${first}' needs a subcommand\n\n${await groupHelp(first)}`);
    return ExitCode.Usage;
  }
  if (!entry) {
    const { message, hint } = unknownCommand(first, rest[0]);
    err(`${paint('error', 'red', colour)}: ${message}\n  hint: ${hint}`);
    return ExitCode.Usage;
  }
  // `--version` is global: also after a command (`ara-gen validate --version`).
  const versionAt = args.findIndex((a) => a === '--version' || a === '-V' || a === '--');
  if (versionAt >= 0 && args[versionAt] !== '--') {
    out(versionText());
    return ExitCode.Ok;
  }
  const { command } = await entry.load();
  try {
    const parsed = parseArgs(command, args);
    if (parsed.options.help) {
      out(formatHelp(command));
      return ExitCode.Ok;
    }
    return await command.run(parsed);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${paint('error', 'red', colour)}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
      return ExitCode.Usage;
    }
    throw e;
  }
}
