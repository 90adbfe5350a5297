/**
 * Renders the handlebars templates of a platform blueprint (`platforms/<platform>/templates/`).
 * A template `csv-to-parquet` is the file `csv-to-parquet.<ext>.hbs`; each file is compiled once per
 * process and cached (precompiled by the build: see handlebars.ts). Strict mode: a variable missing
 * from the context is an error, never an empty string silently written into a script.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TemplateSet, type TemplateDelegate } from './handlebars.js';
import { platformsDir } from '../paths.js';
import { closest } from '../util/suggest.js';

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

export interface RenderedTemplate {
  /** File extension of the rendered output, e.g. `py` for `csv-to-parquet.py.hbs`. */
  readonly extension: string;
  readonly text: string;
}

type Compiled = { extension: string; render: TemplateDelegate };

const templates = new TemplateSet({
  /** `{{json value}}`: a JSON literal (also a valid Python literal for lists of strings and numbers). */
  json: (value: unknown) => JSON.stringify(value),
});

const cache = new Map<string, Compiled>();

/** Template names available for a platform (file names without `.<ext>.hbs`). */
export function listTemplates(platform: string, root: string = platformsDir): string[] {
  const dir = join(root, platform, 'templates');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^[^.]+\.[A-Za-z0-9]+\.hbs$/.test(f))
    .map((f) => f.split('.')[0]!)
    .sort();
}

function load(platform: string, name: string, root: string): Compiled {
  const key = `${root}\0${platform}\0${name}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const dir = join(root, platform, 'templates');
  const file = existsSync(dir) ? readdirSync(dir).find((f) => f.startsWith(`${name}.`) && f.endsWith('.hbs')) : undefined;
  if (!file) {
    const available = listTemplates(platform, root);
    const guess = closest(name, available);
    throw new TemplateError(
      `template '${name}' not found in ${dir}` +
        (guess ? `; did you mean '${guess}'?` : available.length ? ` (available: ${available.join(', ')})` : ''),
    );
  }
  const extension = file.slice(name.length + 1, -'.hbs'.length);
  const render = templates.file(join(dir, file));
  const compiled = { extension, render };
  cache.set(key, compiled);
  return compiled;
}

/** Renders `platforms/<platform>/templates/<name>.<ext>.hbs` with `context`. */
export function renderTemplate(
  platform: string,
  name: string,
  context: Readonly<Record<string, unknown>>,
  root: string = platformsDir,
): RenderedTemplate {
  const { extension, render } = load(platform, name, root);
  try {
    return { extension, text: render(context) };
  } catch (e) {
    // Handlebars reports a missing variable as `"x" not defined in [object Object]`: say which template.
    throw new TemplateError(`template '${name}' (${platform}): ${(e as Error).message.replace(/ in \[object Object\]/, '')}`);
  }
}
