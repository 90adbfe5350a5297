/** `ara-gen schema [platform|sink-config]`: prints a JSON Schema of the package (for editors, CI). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { schemaDir } from '../../paths.js';
import { didYouMean } from '../../util/suggest.js';
import { type CommandSpec, UsageError } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { err, out } from '../io.js';

const SCHEMAS = ['platform', 'sink-config'] as const;

export const command: CommandSpec = {
  name: 'schema',
  summary: 'Print the JSON Schema of the spec language (platform, default) or of sink-runtime configs (sink-config).',
  usage: 'ara-gen schema [platform|sink-config]',
  description: 'The platform schema is what editors use through the modeline\n  # yaml-language-server: $schema=<path>/platform.schema.json',
  options: [],
  positionals: { min: 0, max: 1 },
  examples: ['ara-gen schema > platform.schema.json', 'ara-gen schema sink-config'],
  async run(args) {
    const name = args.positionals[0] ?? 'platform';
    if (!(SCHEMAS as readonly string[]).includes(name)) {
      throw new UsageError(`unknown schema '${name}'; choose one of ${SCHEMAS.join(', ')}`, didYouMean(name, SCHEMAS) || undefined);
    }
    const file = join(schemaDir, `${name}.schema.json`);
    try {
      out(await readFile(file, 'utf8'));
      return ExitCode.Ok;
    } catch (e) {
      err(`error: cannot read ${file}: ${(e as Error).message}\n  hint: the installation is incomplete; reinstall ara-gen`);
      return ExitCode.Internal;
    }
  },
};
