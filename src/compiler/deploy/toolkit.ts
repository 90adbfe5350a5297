/**
 * Thin layer over @aws-cdk/toolkit-lib: a Toolkit bound to our IoHost and to the cloud assembly
 * `synth` just wrote (fromAssemblyDirectory: the toolkit never re-synthesizes), stack selection by
 * stack name or module, and the translation of toolkit errors into one readable sentence plus its
 * kind (failed resources mapped back to their spec entries).
 */
import { ExpandStackSelection, StackSelectionStrategy, Toolkit, ToolkitError, type ICloudAssemblySource, type StackSelector } from '@aws-cdk/toolkit-lib';
import type { EnvironmentModel } from '../model.js';
import type { AssemblyStack } from './assembly-reader.js';
import { SourceIndex, formatSource } from './failure-map.js';
import type { AraIoHost } from './io-host.js';

export interface ToolkitSession {
  readonly toolkit: Toolkit;
  readonly source: ICloudAssemblySource;
}

export async function openAssembly(assemblyDir: string, ioHost: AraIoHost, colour: boolean): Promise<ToolkitSession> {
  const toolkit = new Toolkit({ ioHost, color: colour, emojis: false });
  const source = await toolkit.fromAssemblyDirectory(assemblyDir);
  return { toolkit, source };
}

export { resolveStacks } from './assembly-reader.js';

export function selector(stacks: readonly AssemblyStack[], expand: ExpandStackSelection = ExpandStackSelection.NONE): StackSelector {
  return { strategy: StackSelectionStrategy.PATTERN_MUST_MATCH, patterns: stacks.map((s) => s.id), expand };
}

export { ExpandStackSelection };

export interface FailureExplanation {
  /**
   * `request`: the request or its setting is wrong (credentials, bootstrap, approval refused,
   * cancelled): fix it and try again. `failed`: the action itself failed in AWS.
   */
  readonly kind: 'request' | 'failed';
  /** Lines for people; the first is the one-sentence summary. */
  readonly lines: string[];
}

export interface ExplainContext {
  readonly action: 'deploy' | 'destroy' | 'diff';
  readonly environment: EnvironmentModel;
  readonly host: AraIoHost;
  readonly assemblyDir: string;
}

/** Turns whatever the toolkit threw into a message for people and its kind. */
export function explainFailure(e: unknown, ctx: ExplainContext): FailureExplanation {
  const { host, environment: env } = ctx;
  const message = e instanceof Error ? e.message : String(e);
  const refusal = host.approvalRefusal;
  if (refusal) {
    const stacks = refusal.stacks.join(', ') || 'the stack';
    return {
      kind: 'request',
      lines: [
        refusal.reason === 'no-tty'
          ? `${stacks} includes security-sensitive changes (IAM or security-group broadening, listed above) that need approval, and there is no terminal to ask on: review them and re-run with --yes.`
          : `Deployment of ${stacks} cancelled: the security-sensitive changes were not approved; nothing was changed.`,
      ],
    };
  }
  const mismatch = /account (\d{12}), but the current credentials are for (\d{12})/.exec(message);
  if (mismatch) {
    return {
      kind: 'request',
      lines: [
        `The AWS credentials are for account ${mismatch[2]} but environment '${env.name}' deploys to account ${mismatch[1]}: use credentials for ${mismatch[1]} (e.g. AWS_PROFILE) or correct environments.${env.name}.account in the spec.`,
      ],
    };
  }
  if (ToolkitError.isAuthenticationError(e)) {
    return { kind: 'request', lines: [`AWS did not accept the credentials${env.account !== undefined ? ` for account ${env.account}` : ''}: ${firstLine(message)}`] };
  }
  if (ToolkitError.isBootstrapError(e) || /has the environment been bootstrapped|requires bootstrap stack version/i.test(message)) {
    return {
      kind: 'request',
      lines: [
        env.account !== undefined && env.region !== undefined
          ? `Environment '${env.name}' (aws://${env.account}/${env.region}) is not bootstrapped for the CDK (or its bootstrap is too old): run 'npx cdk bootstrap aws://${env.account}/${env.region}' once, then ${ctx.action} again.`
          : `The credentials' account and region (environment-agnostic spec) are not bootstrapped for the CDK (or the bootstrap is too old): run 'npx cdk bootstrap' once with the same credentials, then ${ctx.action} again.`,
        `  cause: ${firstLine(message)}`,
      ],
    };
  }
  if (ToolkitError.isAbortError(e)) {
    return { kind: 'request', lines: [`${capitalise(ctx.action)} cancelled: ${firstLine(message)}`] };
  }
  const lines = [`${capitalise(ctx.action)} failed: ${firstLine(message.replace(/^[^A-Za-z]*/, ''))}`];
  if (host.failedResources.length) {
    let index: SourceIndex | undefined;
    try {
      index = SourceIndex.fromAssemblyDirectory(ctx.assemblyDir);
    } catch {
      /* the assembly is gone: report without spec locations */
    }
    lines.push('Failed resources:');
    for (const f of host.failedResources) {
      const origin = index?.locate(f.stackName, f.logicalId);
      lines.push(`  ${f.stackName}/${f.logicalId} (${f.type ?? origin?.type ?? 'unknown type'}) ${f.status}${f.reason ? `: ${f.reason}` : ''}`);
      lines.push(origin?.source ? `    from ${formatSource(origin.source)}` : `    (no spec entry recorded${origin?.constructPath ? ` for construct ${origin.constructPath}` : ''})`);
    }
  }
  return { kind: 'failed', lines };
}

const firstLine = (s: string): string => s.split('\n').map((l) => l.trim()).find(Boolean) ?? s;
const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
