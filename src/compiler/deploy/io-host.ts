/**
 * The toolkit-lib IoHost of ara-gen: routes the toolkit's messages to our terminal conventions
 * (results on stdout, progress and warnings on stderr), draws a progress bar on a TTY or prints
 * one plain line per stack event in CI, records failed resources for the failure mapping, and
 * answers the toolkit's approval requests.
 *
 * Approval policy: security-sensitive changes (IAM or security-group broadening) need a yes from a
 * person; `--yes` gives it in advance. Without a TTY we never prompt: the request is refused, the
 * host remembers why, and the action stops with a clear message (see explainFailure).
 *
 * The host writes only through the `stdout`/`stderr` functions it is given (results and
 * everything else); it never touches the process.
 */
import type { IIoHost, IoMessage, IoRequest, StackActivity, DeployConfirmationRequest, StackMonitoringControlEvent } from '@aws-cdk/toolkit-lib';
import { paint } from '../../util/ansi.js';

export interface FailedResource {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type?: string;
  readonly status: string;
  readonly reason?: string;
}

export interface ApprovalRefusal {
  readonly stacks: readonly string[];
  readonly reason: 'no-tty' | 'declined';
}

export interface AraIoHostOptions {
  /** A person can answer prompts (stdin and stderr are terminals). */
  readonly interactive: boolean;
  /** Approvals given in advance (`--yes`). */
  readonly yes: boolean;
  /** `bar`: one redrawn line per stack (TTY); `events`: one line per stack event (CI logs). */
  readonly progress: 'bar' | 'events';
  readonly colour: boolean;
  /** Also show the toolkit's debug and trace messages. */
  readonly verbose?: boolean;
  /** Where results go (one stack's diff). */
  readonly stdout: (s: string) => void;
  /** Where progress, warnings and errors go. */
  readonly stderr: (s: string) => void;
  /** Width of the progress bar line. Default: 100 characters. */
  readonly columns?: number;
  /** Asks a yes/no question on the terminal (only called when interactive). */
  readonly ask?: (question: string) => Promise<boolean>;
}

const FAILED = /_FAILED$/;

export class AraIoHost implements IIoHost {
  readonly failedResources: FailedResource[] = [];
  approvalRefusal?: ApprovalRefusal;
  /** Approval requests seen, for the record (and for tests). */
  readonly approvals: { stacks: string[]; permissionChangeType: string; approved: boolean }[] = [];
  private readonly stdout: (s: string) => void;
  private readonly stderr: (s: string) => void;
  private barOpen = false;

  constructor(private readonly options: AraIoHostOptions) {
    this.stdout = options.stdout;
    this.stderr = options.stderr;
  }

  async notify(msg: IoMessage<unknown>): Promise<void> {
    switch (msg.code) {
      case 'CDK_TOOLKIT_I5502':
        return this.onActivity(msg.data as StackActivity);
      case 'CDK_TOOLKIT_I5503':
        return this.endBar();
      case 'CDK_TOOLKIT_I5501': {
        const d = msg.data as StackMonitoringControlEvent;
        return this.line(`${d.stackName}: ${d.isStackUpdate ? 'updating' : 'creating'}${d.resourcesTotal ? ` ${d.resourcesTotal} resources` : ''}`);
      }
      case 'CDK_TOOLKIT_I4002':
        // One stack's diff: the command's result.
        return this.result(msg.message);
      default:
        break;
    }
    if (msg.level === 'trace' || msg.level === 'debug') {
      if (this.options.verbose) this.line(paint(msg.message, 'grey', this.options.colour));
      return;
    }
    if (msg.level === 'result') return this.result(msg.message);
    if (!msg.message.trim()) return;
    if (msg.level === 'error') return this.line(paint(msg.message, 'red', this.options.colour));
    if (msg.level === 'warn') return this.line(paint(msg.message, 'yellow', this.options.colour));
    this.line(msg.message);
  }

  async requestResponse<T>(msg: IoRequest<unknown, T>): Promise<T> {
    if (msg.code === 'CDK_TOOLKIT_I5060') return (await this.approveDeploy(msg as IoRequest<DeployConfirmationRequest, boolean>)) as T;
    // Destroy confirmation: the destroy command has already listed what is retained and asked.
    if (msg.code === 'CDK_TOOLKIT_I7010') return true as T;
    return msg.defaultResponse;
  }

  private async approveDeploy(msg: IoRequest<DeployConfirmationRequest, boolean>): Promise<boolean> {
    const { permissionChangeType, templateDiffs } = msg.data;
    const stacks = Object.keys(templateDiffs ?? {});
    if (permissionChangeType !== 'broadening') {
      this.approvals.push({ stacks, permissionChangeType, approved: true });
      return true;
    }
    // Show what is being approved in every case: CI logs must say what --yes let through.
    this.line(msg.message.replace(/\n*[^\n]*Do you wish to deploy these changes\?\s*$/, ''));
    let approved: boolean;
    if (this.options.yes) {
      this.line(`${stacks.join(', ')}: security-sensitive changes approved by --yes`);
      approved = true;
    } else if (!this.options.interactive || !this.options.ask) {
      this.approvalRefusal = { stacks, reason: 'no-tty' };
      approved = false;
    } else {
      this.endBar();
      approved = await this.options.ask(`Deploy these security-sensitive changes to ${stacks.join(', ')}? (y/N) `);
      if (!approved) this.approvalRefusal = { stacks, reason: 'declined' };
    }
    this.approvals.push({ stacks, permissionChangeType, approved });
    return approved;
  }

  private onActivity(a: StackActivity): void {
    const e = a.event;
    const status = e.ResourceStatus ?? '';
    const isStack = e.ResourceType === 'AWS::CloudFormation::Stack';
    if (FAILED.test(status) && !isStack && e.LogicalResourceId) {
      const reason = e.ResourceStatusReason;
      // CloudFormation reports the resources it cancelled after the first failure too; they are noise.
      if (!/Resource creation cancelled|Resource update cancelled/i.test(reason ?? '')) {
        this.failedResources.push({ stackName: e.StackName ?? '', logicalId: e.LogicalResourceId, type: e.ResourceType, status, reason });
      }
    }
    const colour = FAILED.test(status) ? 'red' : /COMPLETE$/.test(status) && !/ROLLBACK|DELETE/.test(status) ? 'green' : 'grey';
    const text = `${e.StackName} ${a.progress.formatted} ${paint(status, colour, this.options.colour)} ${e.ResourceType ?? ''} ${e.LogicalResourceId ?? ''}${
      FAILED.test(status) && e.ResourceStatusReason ? ` ${e.ResourceStatusReason}` : ''
    }`;
    if (this.options.progress === 'events' || FAILED.test(status)) {
      this.line(text);
      return;
    }
    const { completed, total } = a.progress;
    const width = 24;
    const filled = total ? Math.min(width, Math.round((completed / total) * width)) : 0;
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const columns = this.options.columns || 100;
    const lineText = `${e.StackName} ${bar} ${a.progress.formatted} ${status} ${e.LogicalResourceId ?? ''}`.slice(0, columns - 1);
    this.stderr(`\r\u001b[2K${lineText}`);
    this.barOpen = true;
  }

  private endBar(): void {
    if (this.barOpen) this.stderr('\n');
    this.barOpen = false;
  }

  private line(s: string): void {
    this.endBar();
    this.stderr(s.endsWith('\n') ? s : s + '\n');
  }

  private result(s: string): void {
    this.endBar();
    this.stdout(s.endsWith('\n') ? s : s + '\n');
  }
}
