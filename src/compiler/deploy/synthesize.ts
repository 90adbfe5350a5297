/**
 * The synth pipeline shared by `synth`, `diff`, `deploy` and `destroy`: clean the output directory
 * (see outdir.ts), build the cloud assembly, write one sink-runtime config per sink. Deploy-type
 * commands always operate on the assembly this writes, so what is deployed is exactly what
 * `synth` shows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildResult, buildAssembly } from '../app.js';
import type { PlatformModel } from '../model.js';
import { compileSinkConfigs, formatSinkConfig } from '../sink-config.js';
import { prepareOutdir } from './outdir.js';

export interface SynthesisOptions {
  readonly outdir: string;
  /** Passed to the compiler: cdk-nag findings are errors. */
  readonly strict?: boolean;
}

export interface SynthesisResult {
  readonly outdir: string;
  readonly build: BuildResult;
  /** Written sink configs, `<outdir>/sinks/<name>.json`, in spec order. */
  readonly sinkFiles: readonly string[];
}

export async function synthesize(model: PlatformModel, options: SynthesisOptions): Promise<SynthesisResult> {
  prepareOutdir(options.outdir);
  const build = await buildAssembly(model, { outdir: options.outdir, strict: options.strict ?? false });
  const configs = compileSinkConfigs(model);
  const sinkFiles: string[] = [];
  const names = Object.keys(configs);
  if (names.length) mkdirSync(join(options.outdir, 'sinks'), { recursive: true });
  for (const name of names) {
    const file = join(options.outdir, 'sinks', `${name}.json`);
    writeFileSync(file, formatSinkConfig(configs[name]!));
    sinkFiles.push(file);
  }
  return { outdir: options.outdir, build, sinkFiles };
}
