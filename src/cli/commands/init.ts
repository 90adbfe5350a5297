/**
 * `ara-gen init [FILE]`: writes a starter spec (a small working platform, with comments and the
 * editor modeline pointing at this installation's schema) and validates it.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { validateSpec } from '../../compiler/load.js';
import { platformsDir, schemaDir } from '../../paths.js';
import { type CommandSpec, UsageError } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { colourEnabled, err } from '../io.js';
import { formatText } from '../../compiler/format/text.js';

/** The starter shipped with the default blueprint; `name:` and the modeline are filled in. */
const STARTER = join(platformsDir, 'aws-native', 'starter.yaml');
const NAME = /^[a-z][a-z0-9-]{0,19}$/;

export const command: CommandSpec = {
  name: 'init',
  summary: 'Write a starter spec (a small working platform with comments) and validate it',
  usage: 'ara-gen init [FILE] [--name NAME] [--force]',
  description: [
    'Writes FILE (default platform.yaml): a data lake with two layers, a replayer, a crawler, a Glue job and',
    'its triggers, with a comment on each section and the editor modeline',
    '  # yaml-language-server: $schema=<path to this installation>/schema/platform.schema.json',
    '(relative when the schema is inside the current directory, e.g. node_modules/ara-gen/schema/...).',
    'Then validates it. An existing FILE is kept unless --force. Exit codes: 0 written, 2 usage error.',
  ].join('\n'),
  options: [
    { name: 'name', short: 'n', type: 'string', valueName: 'NAME', description: "Platform name (lower case, digits, '-'; default: from the directory name, else 'starter')." },
    { name: 'force', type: 'boolean', description: 'Overwrite FILE if it exists.' },
  ],
  positionals: { min: 0, max: 1 },
  examples: ['ara-gen init platform.yaml', 'ara-gen init specs/shop.yaml --name shop', 'npx ara-gen init && npx ara-gen synth platform.yaml'],
  async run(args) {
    const file = args.positionals[0] ?? 'platform.yaml';
    const target = resolve(file);
    if (existsSync(target) && statSync(target).isDirectory()) throw new UsageError(`'${file}' is a directory`, `name the spec file, e.g. 'ara-gen init ${join(file, 'platform.yaml')}'`);
    if (existsSync(target) && args.options.force !== true) throw new UsageError(`'${file}' already exists; nothing was written`, 'pass another file name, or --force to overwrite it');
    if (!existsSync(dirname(target))) throw new UsageError(`the directory of '${file}' does not exist`, `create it first: mkdir -p ${dirname(file)}`);
    const name = typeof args.options.name === 'string' ? args.options.name : defaultName(dirname(target));
    if (!NAME.test(name)) {
      throw new UsageError(`platform name '${name}' is not usable`, "use 1-20 lower-case letters, digits and '-', starting with a letter (it prefixes every AWS name), e.g. --name shop");
    }
    const text = starterText(name, modelinePath(target));
    const checked = await validateSpec(file, text);
    if (checked.diagnostics.some((d) => d.severity === 'error')) {
      // The starter is part of ara-gen: a finding here is a defect, not the user's mistake.
      err(formatText([{ file, diagnostics: checked.diagnostics, text }], { colour: colourEnabled() }));
      return ExitCode.Internal;
    }
    writeFileSync(target, text);
    err(`wrote ${file} (platform '${name}', validated: no problems)\nnext: set your account id under environments.dev, then 'ara-gen synth ${file}'`);
    return ExitCode.Ok;
  },
};

/** The starter with its name and modeline filled in. */
export function starterText(name: string, schemaPath: string): string {
  return readFileSync(STARTER, 'utf8')
    .replace(/^# yaml-language-server: \$schema=.*$/m, `# yaml-language-server: $schema=${schemaPath}`)
    .replace(/^name: starter$/m, `name: ${name}`);
}

/**
 * The schema path for the modeline of a spec at `specFile`: relative when the schema lies under the
 * spec's directory (a project with ara-gen in node_modules, or this repository), else absolute (a
 * global install). Forward slashes, as editors expect.
 */
export function modelinePath(specFile: string): string {
  const schema = join(schemaDir, 'platform.schema.json');
  const rel = relative(dirname(specFile), schema);
  const inside = !rel.startsWith('..') && !isAbsolute(rel);
  return (inside ? rel : schema).split(sep).join('/');
}

function defaultName(dir: string): string {
  const fromDir = basename(dir).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+|-+$/g, '').slice(0, 20).replace(/-+$/, '');
  return NAME.test(fromDir) ? fromDir : 'starter';
}
