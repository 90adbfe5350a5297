/**
 * Blueprints: `platforms/<name>/blueprint.yaml`, the defaults of a reference architecture. `spec`
 * is deep-merged under the user's spec; `defaults` fill the fields an entry leaves out.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../util/yaml.js';
import { buildDir, platformsDir } from '../../paths.js';

export interface Blueprint {
  readonly name: string;
  readonly description: string;
  /** Top-level sections merged under the user's spec. */
  readonly spec: Readonly<Record<string, unknown>>;
  /** Per-entry defaults by kind (`job`, `stream`, `sink.kinesis`...). */
  readonly defaults: Readonly<Record<string, unknown>>;
}

const cache = new Map<string, Blueprint | undefined>();

/** Names of the blueprints shipped in `platforms/` (for "did you mean"). */
export function blueprintNames(): string[] {
  if (!existsSync(platformsDir)) return [];
  return readdirSync(platformsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(platformsDir, e.name, 'blueprint.yaml')))
    .map((e) => e.name)
    .sort();
}

/** The blueprint named `name`, parsed once and cached; undefined when there is none. */
export function findBlueprint(name: string): Blueprint | undefined {
  if (cache.has(name)) return cache.get(name);
  let bp: Blueprint | undefined;
  // Only plain names: a spec must not make us read files outside platforms/.
  const file = join(platformsDir, name, 'blueprint.yaml');
  if (/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name) && existsSync(file)) {
    const raw = readBlueprintFile(file, join(buildDir, 'platforms', name, 'blueprint.json'));
    bp = {
      name,
      description: typeof raw.description === 'string' ? raw.description : '',
      spec: (raw.spec ?? {}) as Record<string, unknown>,
      defaults: (raw.defaults ?? {}) as Record<string, unknown>,
    };
  }
  cache.set(name, bp);
  return bp;
}

/**
 * The blueprint's data: from the JSON copy the build writes (parsing YAML is a large share of a
 * cold `validate`), unless the YAML was edited after the build.
 */
function readBlueprintFile(yamlFile: string, jsonFile: string): Record<string, unknown> {
  if (existsSync(jsonFile) && statSync(jsonFile).mtimeMs >= statSync(yamlFile).mtimeMs) {
    return JSON.parse(readFileSync(jsonFile, 'utf8')) as Record<string, unknown>;
  }
  return (parse(readFileSync(yamlFile, 'utf8')) ?? {}) as Record<string, unknown>;
}

/** An empty blueprint: lets the rules carry on (and report everything else) when `platform` is unknown. */
export const EMPTY_BLUEPRINT: Blueprint = { name: '', description: '', spec: {}, defaults: {} };
