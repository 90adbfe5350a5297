/**
 * cdk-nag (AwsSolutions pack) over the compiled stacks. Findings are either fixed in the
 * constructs or acknowledged there, on the narrowest construct, with a written reason
 * (`Validations.of(construct).acknowledge`, cdk-nag v3's replacement for NagSuppressions); this
 * module runs the checks, returns what is left, and lists the acknowledgements for reports and docs.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { userCacheDir } from '../util/cache-dir.js';
import { CfnResource, Validations, type Stack } from './cdk-core.js';
import type * as cdkNag from 'cdk-nag';
import type { IConstruct } from 'constructs';

const load = createRequire(import.meta.url);

export interface NagFinding {
  readonly stack: string;
  /** Construct path of the offending resource. */
  readonly path: string;
  /** e.g. `AwsSolutions-S1` or `AwsSolutions-IAM5[Resource::*]`. */
  readonly rule: string;
  readonly message: string;
  readonly level: 'error' | 'warning';
}

export interface NagAcknowledgement {
  readonly stack: string;
  readonly path: string;
  readonly rule: string;
  readonly reason: string;
}

/** Thrown in strict mode when findings remain; carries them for the command to print. */
export class NagFindingsError extends Error {
  constructor(readonly findings: readonly NagFinding[]) {
    super(
      `cdk-nag: ${findings.length} unacknowledged finding(s):\n` +
        findings.map((f) => `  ${f.level} ${f.rule} at ${f.path}: ${f.message}`).join('\n'),
    );
    this.name = 'NagFindingsError';
  }
}

/**
 * Acknowledges cdk-nag rules on `scope` with a reason (`Validations.of(scope).acknowledge`), minus the
 * call-site stack trace CDK records beside it: traces hold local file paths and would make the
 * assembly differ between machines.
 */
export function acknowledge(scope: IConstruct, ...rules: { id: string; reason: string }[]): void {
  Validations.of(scope).acknowledge(...rules);
  for (const entry of scope.node.metadata) {
    if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) (entry as { trace?: string[] }).trace = undefined;
  }
}

/** The findings of one stack (cdk-nag loaded here, on first use: its ~270 modules cost a synth ~0.3-0.5 s). */
function checkStack(stack: Stack): NagFinding[] {
  const { AwsSolutionsChecks } = load('cdk-nag') as typeof cdkNag;
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => ({
      stack: stack.stackName,
      path: r.constructPath ?? '',
      rule: v.ruleName,
      message: v.description,
      level: v.severity === 'error' ? ('error' as const) : ('warning' as const),
    })),
  );
}

/**
 * Where checked stacks' findings are kept, by a hash of everything cdk-nag's verdict depends on:
 * the cdk-nag version, the synthesized template (the resolved resource properties the rules
 * read), each resource's construct path and the acknowledgements in the stack. An unchanged stack
 * is not checked again (and cdk-nag not even loaded); ARA_NAG_CACHE=0 turns this off.
 *
 * In the user's own cache directory (`$XDG_CACHE_HOME/ara-gen/nag`, else `~/.cache/ara-gen/nag`),
 * created private (0700): a verdict is a security decision, and a shared temporary directory would
 * let another user plant "no findings" for a template. Without a home directory there is no cache.
 */
function nagCacheDir(): string | undefined {
  return userCacheDir('nag');
}

function cacheKey(stack: Stack, template: string): string {
  const h = createHash('sha256');
  h.update(`cdk-nag ${(load('cdk-nag/package.json') as { version: string }).version}\0${stack.stackName}\0${template}\0`);
  const visit = (node: IConstruct): void => {
    if (CfnResource.isCfnResource(node)) h.update(`${stack.resolve(node.logicalId)} ${node.node.path}\n`);
    for (const entry of node.node.metadata) if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) h.update(`${node.node.path} ${JSON.stringify(entry.data)}\n`);
    for (const child of node.node.children) visit(child);
  };
  visit(stack);
  return h.digest('hex');
}

function cached(dir: string, key: string): NagFinding[] | undefined {
  const file = join(dir, `${key}.json`);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as NagFinding[];
  } catch {
    return undefined; // a damaged entry is checked again
  }
}

function store(dir: string, key: string, findings: readonly NagFinding[]): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, `${key}.json`);
    // Write-then-rename: parallel synths never read half an entry.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(findings));
    renameSync(tmp, file);
  } catch {
    // An unwritable temp directory only costs the next synth the check.
  }
}

/**
 * Runs AwsSolutionsChecks on each stack; returns the findings not acknowledged, sorted by path and
 * rule. With `templateOf` (the stack's synthesized template text) a stack checked before with the
 * same template, paths and acknowledgements reuses that verdict.
 */
export function runNag(stacks: readonly Stack[], templateOf?: (stack: Stack) => string): NagFinding[] {
  const dir = templateOf !== undefined && process.env.ARA_NAG_CACHE !== '0' ? nagCacheDir() : undefined;
  const findings: NagFinding[] = [];
  for (const stack of stacks) {
    const key = dir ? cacheKey(stack, templateOf!(stack)) : undefined;
    const hit = key === undefined ? undefined : cached(dir!, key);
    const own = hit ?? checkStack(stack);
    if (key !== undefined && hit === undefined) store(dir!, key, own);
    findings.push(...own);
  }
  return findings.sort((a, b) => cmp(a.stack, b.stack) || cmp(a.path, b.path) || cmp(a.rule, b.rule));
}

/** Every acknowledgement recorded in the stacks, with the construct it is attached to. */
export function listAcknowledgements(stacks: readonly Stack[]): NagAcknowledgement[] {
  const out: NagAcknowledgement[] = [];
  const visit = (stack: Stack, node: IConstruct) => {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ stack: stack.stackName, path: node.node.path, rule: id.replace(/^annotation::/i, ''), reason: String(reason) });
      }
    }
    for (const child of node.node.children) visit(stack, child);
  };
  for (const stack of stacks) visit(stack, stack);
  return out;
}

/** Guards against blanket suppressions: true when an acknowledgement sits on a stack or the app. */
export function isBlanket(ack: NagAcknowledgement, stacks: readonly Stack[]): boolean {
  return stacks.some((s) => s.node.path === ack.path) || !ack.path.includes('/');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
