/**
 * Physical AWS names derived from spec names. One module so that the validator (which checks the
 * names are legal), the CDK compiler and the sink-config compiler always agree.
 */

export interface NameContext {
  readonly platform: string;
  readonly env: string;
  /** The account id, or PSEUDO_ACCOUNT in an environment-agnostic spec. */
  readonly account: string;
  /** The region, or PSEUDO_REGION in an environment-agnostic spec. */
  readonly region: string;
}

/**
 * In an environment-agnostic spec (no `environments:`) the account and region are known only at
 * deploy time: names that embed them hold these CloudFormation `Fn::Sub` references, written here
 * and nowhere else (spec strings never become references: every part of a name that comes from
 * the spec is reduced to `[a-z0-9-]` first). The CDK stacks turn such a name into `Fn::Sub`
 * (stacks/physical-name.ts).
 */
export const PSEUDO_ACCOUNT = '${AWS::AccountId}';
export const PSEUDO_REGION = '${AWS::Region}';

/** The names of a resolved model's environment (the pseudo-parameters when it is environment-agnostic). */
export function modelNameContext(model: { readonly name: string; readonly environment: { readonly name: string; readonly account?: string; readonly region?: string } }): NameContext {
  return { platform: model.name, env: model.environment.name, account: model.environment.account ?? PSEUDO_ACCOUNT, region: model.environment.region ?? PSEUDO_REGION };
}

/** True when `name` holds the deploy-time account or region (an environment-agnostic name). */
export function hasPseudoReference(name: string): boolean {
  return name.includes(PSEUDO_ACCOUNT) || name.includes(PSEUDO_REGION);
}

const dashed = (s: string): string => s.toLowerCase().replace(/[^a-z0-9-]+/g, '-');

/** S3 bucket of a data-lake layer: `<platform>-<env>-<layer>-<account>-<region>`. */
export function layerBucketName(c: NameContext, layer: string): string {
  return `${dashed(c.platform)}-${dashed(c.env)}-${dashed(layer)}-${c.account}-${c.region}`;
}

export function accessLogsBucketName(c: NameContext): string {
  return layerBucketName(c, 'access-logs');
}

export function athenaResultsBucketName(c: NameContext, workgroup: string): string {
  return layerBucketName(c, `${workgroup}-athena-results`);
}

/** Names of Glue crawlers, jobs, triggers, workflows, Kinesis and Firehose streams, Lambda functions... */
export function resourceName(c: NameContext, name: string): string {
  return `${c.platform}-${c.env}-${name}`;
}

/** Glue database and table names: lower case, underscores (what Athena and Spectrum accept unquoted). */
export function glueName(c: NameContext, name: string): string {
  return `${c.platform}_${c.env}_${name}`.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
}

/** Glue table names inside a database (no platform prefix). */
export function glueTableName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
}

/** CloudFormation stack of a module: `<platform>-<env>-<module>`. */
export function stackName(c: Pick<NameContext, 'platform' | 'env'>, module: string): string {
  return `${c.platform}-${c.env}-${module}`;
}

/** A CDK construct id from a spec name, stable across runs (never derived from list positions). */
export function constructId(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

/** Prefix inside a bucket: no leading `/`, no empty segments, a trailing `/` unless empty. */
export function canonicalS3Prefix(prefix: unknown): string {
  const parts = (typeof prefix === 'string' ? prefix : '').split('/').filter(Boolean);
  return parts.length ? `${parts.join('/')}/` : '';
}
