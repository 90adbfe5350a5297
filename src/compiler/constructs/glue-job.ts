/**
 * GlueJob: a Glue ETL (Spark) job whose script is rendered from a blueprint template and shipped as
 * a content-addressed S3 asset (same rendered script = same asset hash = byte-identical synth).
 * Job bookmarks are on; the job runs under an encrypting security configuration and a role scoped
 * to its source table/prefixes, its target table/prefix and the platform key.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { GLUE_JOB_DEFAULTS } from '../../contract/defaults.js';
import { GlueDataAccessRole, type S3Location } from './glue-data-access-role.js';
import type { GlueSecurityConfiguration } from './glue-security-configuration.js';

export interface GlueJobScript {
  /** Script text (already rendered). */
  readonly text: string;
  /** File extension, e.g. `py`. */
  readonly extension: string;
}

export interface GlueJobProps {
  readonly jobName: string;
  readonly script: GlueJobScript;
  readonly source: { readonly database: string; readonly table: string; readonly locations: readonly S3Location[] };
  readonly target: { readonly database: string; readonly table: string; readonly location: S3Location };
  /**
   * Glue version of the job.
   * @default '4.0'
   */
  readonly glueVersion?: string;
  /**
   * Glue worker type.
   * @default 'G.1X'
   */
  readonly workerType?: string;
  /**
   * Number of workers.
   * @default 2
   */
  readonly workers?: number;
  /**
   * Minutes before a run is stopped.
   * @default 60
   */
  readonly timeoutMinutes?: number;
  /**
   * Retries of a failed run.
   * @default 0
   */
  readonly maxRetries?: number;
  readonly securityConfiguration: GlueSecurityConfiguration;
  /**
   * The platform key data, logs and bookmarks are encrypted with: the role may use it.
   * @default - no key permissions (S3-managed encryption)
   */
  readonly key?: kms.IKey;
  /**
   * Physical name of the job's role.
   * @default - CloudFormation generates a name
   */
  readonly roleName?: string;
}

export class GlueJob extends Construct {
  readonly job: glue.CfnJob;
  readonly role: GlueDataAccessRole;
  readonly scriptAsset: s3assets.Asset;

  constructor(scope: Construct, id: string, props: GlueJobProps) {
    super(scope, id);
    this.scriptAsset = new s3assets.Asset(this, 'Script', { path: writeScript(props.script) });
    const target = props.target.location;
    this.role = new GlueDataAccessRole(this, 'Role', {
      roleName: props.roleName,
      description: `Glue job ${props.jobName}`,
      read: props.source.locations,
      write: [target],
      readObjects: [{ bucketName: this.scriptAsset.s3BucketName, key: this.scriptAsset.s3ObjectKey }],
      catalogRead: [{ database: props.source.database, table: props.source.table }],
      catalogWrite: [{ database: props.target.database, table: props.target.table }],
      key: props.key,
      // `/aws-glue/jobs/...` (output, error, logs-v2) and, under an encrypting security configuration,
      // groups Glue names after the role and configuration (`/aws-glue/jobs-<role>-<config>/`).
      logGroupPrefix: '/aws-glue/jobs',
      // `--enable-metrics` below publishes job metrics with the job's role.
      publishesMetrics: true,
    });
    this.job = new glue.CfnJob(this, 'Job', {
      name: props.jobName,
      role: this.role.roleArn,
      command: { name: 'glueetl', pythonVersion: '3', scriptLocation: this.scriptAsset.s3ObjectUrl },
      glueVersion: props.glueVersion ?? GLUE_JOB_DEFAULTS.glueVersion,
      workerType: props.workerType ?? GLUE_JOB_DEFAULTS.workerType,
      numberOfWorkers: props.workers ?? GLUE_JOB_DEFAULTS.workers,
      timeout: props.timeoutMinutes ?? GLUE_JOB_DEFAULTS.timeoutMinutes,
      maxRetries: props.maxRetries ?? GLUE_JOB_DEFAULTS.maxRetries,
      // One run at a time: concurrent runs would race on the job bookmark.
      executionProperty: { maxConcurrentRuns: 1 },
      securityConfiguration: props.securityConfiguration.name,
      defaultArguments: {
        '--job-language': 'python',
        '--job-bookmark-option': 'job-bookmark-enable',
        '--enable-metrics': 'true',
        '--enable-continuous-cloudwatch-log': 'true',
        '--target_path': `s3://${target.bucketName}/${target.prefix}`,
      },
    });
    this.job.node.addDependency(props.securityConfiguration);
  }

  get jobName(): string {
    return this.job.ref;
  }
}

/**
 * Assets are staged from files: the rendered script goes to a content-addressed temporary file, so
 * the path never influences the asset hash and concurrent builds never overwrite each other.
 */
function writeScript(script: GlueJobScript): string {
  const hash = createHash('sha256').update(script.text).digest('hex');
  const dir = join(tmpdir(), 'ara-gen-scripts', hash);
  const file = join(dir, `script.${script.extension}`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, script.text);
  }
  return file;
}
