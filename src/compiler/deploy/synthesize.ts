/**
 * The synth pipeline shared by `synth`, `diff`, `deploy` and `destroy`: stage a fresh directory
 * beside the output directory (see outdir.ts), build the cloud assembly and write one sink-runtime
 * config per sink there, then swap it in. A failure anywhere leaves the previous output untouched. Deploy-type
 * commands always operate on the assembly this writes, so what is deployed is exactly what
 * `synth` shows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { type BuildResult, buildAssembly } from '../app.js';
import type { PlatformModel } from '../model.js';
import { compileFlinkSql, flinkSupport } from '../flink-sql.js';
import { compileSinkConfigs, formatSinkConfig } from '../sink-config.js';
import { commitOutdir, discardStaged, stageOutdir } from './outdir.js';

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
  /** Written Flink SQL tables, `<outdir>/sinks/<name>.flink.sql` (kinesis, firehose, dynamodb sinks). */
  readonly flinkFiles: readonly string[];
  /** Sinks without Flink SQL, and why. */
  readonly flinkSkipped: readonly { readonly sink: string; readonly reason: string }[];
}

export async function synthesize(model: PlatformModel, options: SynthesisOptions): Promise<SynthesisResult> {
  const staged = stageOutdir(options.outdir);
  try {
    const build = buildAssembly(model, { outdir: staged, strict: options.strict ?? false });
    const configs = compileSinkConfigs(model);
    const names = Object.keys(configs);
    if (names.length) mkdirSync(join(staged, 'sinks'));
    for (const name of names) writeFileSync(join(staged, 'sinks', `${name}.json`), formatSinkConfig(configs[name]!));
    const flinkFiles: string[] = [];
    const flinkSkipped: { sink: string; reason: string }[] = [];
    for (const sink of Object.values(model.sinks)) {
      const support = flinkSupport(sink, model.environment);
      if (!support.supported) {
        flinkSkipped.push({ sink: sink.name, reason: support.reason });
        continue;
      }
      writeFileSync(join(staged, 'sinks', `${sink.name}.flink.sql`), compileFlinkSql(model, sink)!);
      flinkFiles.push(join(options.outdir, 'sinks', `${sink.name}.flink.sql`));
    }
    commitOutdir(staged, options.outdir);
    const sinkFiles = names.map((name) => join(options.outdir, 'sinks', `${name}.json`));
    // The assembly object was read from the staging directory: reopen it where it now lives.
    const assembly = new CloudAssembly(options.outdir);
    return { outdir: options.outdir, build: { ...build, assembly }, sinkFiles, flinkFiles, flinkSkipped };
  } catch (e) {
    discardStaged(staged);
    throw e;
  }
}
