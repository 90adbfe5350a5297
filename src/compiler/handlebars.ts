/**
 * The one place that turns a blueprint's handlebars template (Glue scripts, warehouse SQL,
 * dashboard definitions) into a render function. Templates are data with one fixed set of options:
 * strict (a variable missing from the context is an error, never an empty string written into a
 * script) and no HTML escaping (the outputs are code, not HTML).
 *
 * scripts/build.js precompiles every template of the package's platforms into
 * `<build>/platforms/precompiled-templates.cjs`, keyed by the SHA-256 of the template text. A
 * template whose text is there runs on handlebars' small runtime; any other (a platform outside the
 * package, a template edited since the last build) is compiled here by the full handlebars, which is
 * loaded only then: synth of a spec pays for neither the compiler nor the parsing of its templates.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type HandlebarsNamespace from 'handlebars';
import { buildDir } from '../paths.js';

export type TemplateDelegate = HandlebarsNamespace.TemplateDelegate;
type HelperDelegate = HandlebarsNamespace.HelperDelegate;
type Environment = typeof HandlebarsNamespace;
/** What `Handlebars.precompile` produces (the typings keep the name global, not exported). */
type TemplateSpecification = Parameters<typeof HandlebarsNamespace.template>[0];

/** The compile options of every template; scripts/build.js precompiles with the same. */
export const TEMPLATE_OPTIONS = { strict: true, noEscape: true } as const;

/** Where scripts/build.js writes the precompiled templates (under the build directory). */
export const PRECOMPILED_TEMPLATES = join('platforms', 'precompiled-templates.cjs');

const require = createRequire(import.meta.url);

/** SHA-256 (hex) of a template's text: the key of its precompiled form. */
export const templateKey = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

let precompiled: Readonly<Record<string, TemplateSpecification>> | undefined;
function precompiledSpecs(): Readonly<Record<string, TemplateSpecification>> {
  if (!precompiled) {
    try {
      precompiled = require(join(buildDir, PRECOMPILED_TEMPLATES)) as Record<string, TemplateSpecification>;
    } catch {
      precompiled = {}; // a build without them: every template is compiled on first use
    }
  }
  return precompiled;
}

/**
 * Templates that share a set of helpers. Each environment is isolated: helpers registered here never
 * leak into other users of handlebars in the same process.
 */
export class TemplateSet {
  private runtimeEnv?: Environment;
  private compilerEnv?: Environment;
  private readonly compiled = new Map<string, TemplateDelegate>();

  constructor(private readonly helpers: Readonly<Record<string, HelperDelegate>> = {}) {}

  /** The render function of the template in `file`, compiled once per set. */
  file(file: string): TemplateDelegate {
    let t = this.compiled.get(file);
    if (!t) {
      t = this.text(readFileSync(file, 'utf8'));
      this.compiled.set(file, t);
    }
    return t;
  }

  /** The render function of a template text. */
  text(text: string): TemplateDelegate {
    const spec = precompiledSpecs()[templateKey(text)];
    if (spec) {
      this.runtimeEnv ??= this.environment(require('handlebars/runtime') as Environment);
      return this.runtimeEnv.template(spec);
    }
    this.compilerEnv ??= this.environment(require('handlebars') as Environment);
    return this.compilerEnv.compile(text, TEMPLATE_OPTIONS);
  }

  private environment(handlebars: Environment): Environment {
    const env = handlebars.create();
    for (const [name, fn] of Object.entries(this.helpers)) env.registerHelper(name, fn);
    return env;
  }
}
