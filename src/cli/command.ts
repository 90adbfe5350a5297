/** The shape of a CLI command and a small strict argument parser with "did you mean" for flags. */
import { didYouMean } from '../util/suggest.js';

export interface OptionSpec {
  /** Long name without dashes, e.g. `env`. */
  readonly name: string;
  readonly short?: string;
  readonly type: 'boolean' | 'string';
  /** String options that may repeat collect into an array. */
  readonly multiple?: boolean;
  readonly valueName?: string;
  readonly choices?: readonly string[];
  readonly description: string;
}

export interface CommandSpec {
  /** Full command path, e.g. `validate` or `sink run`. */
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly description?: string;
  readonly options: readonly OptionSpec[];
  /** Minimum and maximum number of positional arguments (max undefined = unbounded). */
  readonly positionals: { readonly min: number; readonly max?: number };
  readonly examples: readonly string[];
  run(args: ParsedArgs): Promise<number>;
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Record<string, string | boolean | string[] | undefined>;
}

/** A mistake in how the command was invoked: reported in one sentence, exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const helpOption: OptionSpec = { name: 'help', short: 'h', type: 'boolean', description: 'Show this help.' };

export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const all = [...spec.options, helpOption];
  const positionals: string[] = [];
  const options: ParsedArgs['options'] = {};
  const byLong = new Map(all.map((o) => [o.name, o]));
  const byShort = new Map(all.filter((o) => o.short).map((o) => [o.short!, o]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const long = a.startsWith('--');
      const [rawName, inline] = long ? splitOnce(a.slice(2), '=') : [a.slice(1), undefined];
      let opt = long ? byLong.get(rawName) : byShort.get(rawName);
      let negated = false;
      if (!opt && long && rawName.startsWith('no-')) {
        const positive = byLong.get(rawName.slice(3));
        if (positive?.type === 'boolean') {
          opt = positive;
          negated = true;
        }
      }
      if (!opt) {
        const names = [...all.map((o) => `--${o.name}`), '--version'];
        const hint = didYouMean(long ? `--${rawName}` : a, names);
        throw new UsageError(`unknown option '${a}' for '${spec.name}'`, hint || `run 'ara-gen ${spec.name} --help' for the options`);
      }
      if (opt.type === 'boolean') {
        if (inline !== undefined) throw new UsageError(`option '--${opt.name}' takes no value`);
        options[opt.name] = !negated;
        continue;
      }
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) {
        throw new UsageError(`option '--${opt.name}' needs a value (${opt.valueName ?? 'VALUE'})`);
      }
      if (opt.choices && !opt.choices.includes(value)) {
        const hint = didYouMean(value, opt.choices);
        throw new UsageError(`option '--${opt.name}' must be one of ${opt.choices.join(', ')}; got '${value}'`, hint || undefined);
      }
      if (opt.multiple) options[opt.name] = [...((options[opt.name] as string[] | undefined) ?? []), value];
      else options[opt.name] = value;
      continue;
    }
    positionals.push(a);
  }
  if (options.help) return { positionals, options };
  if (positionals.length < spec.positionals.min) {
    throw new UsageError(`'${spec.name}' needs more arguments`, `usage: ${spec.usage}`);
  }
  if (spec.positionals.max !== undefined && positionals.length > spec.positionals.max) {
    throw new UsageError(`'${spec.name}' got an unexpected argument '${positionals[spec.positionals.max]}'`, `usage: ${spec.usage}`);
  }
  return { positionals, options };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

export function formatHelp(spec: CommandSpec): string {
  const lines = [`Usage: ${spec.usage}`, '', spec.summary];
  if (spec.description) lines.push('', spec.description);
  const opts = [...spec.options, helpOption];
  lines.push('', 'Options:');
  const left = opts.map((o) => `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : ''}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  opts.forEach((o, i) => {
    const choices = o.choices ? ` (${o.choices.join('|')})` : '';
    lines.push(`  ${left[i]!.padEnd(width)}${o.description}${choices}`);
  });
  if (spec.examples.length) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n') + '\n';
}
