/**
 * cdk-nag (AwsSolutions pack) over the compiled stacks. Findings are either fixed in the
 * constructs or acknowledged there, on the narrowest construct, with a written reason
 * (`Validations.of(construct).acknowledge`, cdk-nag v3's replacement for NagSuppressions); this
 * module runs the checks, returns what is left, and lists the acknowledgements for reports and docs.
 */
import { Validations, type Stack } from './cdk-core.js';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

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

/** Runs AwsSolutionsChecks on each stack; returns the findings not acknowledged, sorted by path and rule. */
export function runNag(stacks: readonly Stack[]): NagFinding[] {
  const findings: NagFinding[] = [];
  for (const stack of stacks) {
    const report = new AwsSolutionsChecks().validateScope(stack);
    for (const v of report.violations) {
      for (const r of v.violatingResources) {
        findings.push({
          stack: stack.stackName,
          path: r.constructPath ?? '',
          rule: v.ruleName,
          message: v.description,
          level: v.severity === 'error' ? 'error' : 'warning',
        });
      }
    }
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
