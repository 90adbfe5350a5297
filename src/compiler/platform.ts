/**
 * Platform: a whole spec as one construct, for a CDK app of your own.
 *
 *   const platform = new Platform(app, 'MyStore', { spec: 'mystore.yaml', environment: 'dev' });
 *   new MyStack(app, 'Reports', { env: platform.env, bucket: platform.bucket('clean') });
 *
 * It loads and validates the spec synchronously (a constructor cannot await), creates the module
 * stacks `ara-gen synth` creates (`<platform>-<env>-foundations`, `-batch`, …) under its scope, and
 * exposes what other stacks build on as typed properties; the CDK turns their use into cross-stack
 * references and deploy order. A spec with findings throws a SpecError listing each as
 * `file:line:col: CODE message`, before any stack exists.
 *
 * cdk-nag is not applied here: `ara-gen synth` runs it; add `AwsSolutionsChecks` to your app to
 * run it there (ara-gen's acknowledgements travel with the resources).
 */
import { Stack, type Environment } from './cdk-core.js';
import type * as glue from 'aws-cdk-lib/aws-glue';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { addModuleStacks } from './app.js';
import type { AthenaWorkgroup } from './constructs/athena-workgroup.js';
import { loadPlatformSyncOrThrow } from './load-sync.js';
import type { PlatformModel } from './model.js';
import type { BatchStack } from './stacks/batch-stack.js';
import type { FoundationsStack } from './stacks/foundations-stack.js';

export interface PlatformProps {
  /**
   * The spec file (YAML), relative to the current directory (the CDK CLI runs an app beside its
   * `cdk.json`). Give `spec` or `model`, not both.
   * @default - `model` is used
   */
  readonly spec?: string;
  /**
   * A model loaded already, e.g. by `await loadPlatformOrThrow(file, { env })` (ara-gen/compiler).
   * @default - loaded from `spec`
   */
  readonly model?: PlatformModel;
  /**
   * The spec environment to build: its account, region, overrides, tags and removal policy. With
   * `model`, it must be the environment the model was resolved for.
   * @default - the first environment the spec declares
   */
  readonly environment?: string;
}

export class Platform extends Construct {
  /** The resolved spec the stacks were built from. */
  readonly model: PlatformModel;
  /** The account and region of every platform stack; give it to the stacks that reference the platform. */
  readonly env: Environment;
  /** Every module stack, in deploy order. */
  readonly stacks: readonly Stack[];
  /** Storage (buckets, key), catalog databases and Athena workgroups. */
  readonly foundations: FoundationsStack;
  /** Replayers, crawlers, Glue jobs and triggers; absent when the spec declares none. */
  readonly batch?: BatchStack;
  /** The platform's KMS key; absent with `storage.encryption: s3`. */
  readonly key?: kms.IKey;
  /** The data-lake bucket of each storage layer, by layer name. */
  readonly buckets: Readonly<Record<string, s3.IBucket>>;
  /** Server access logs of every platform bucket. */
  readonly accessLogsBucket: s3.IBucket;
  /** Glue catalog databases, by their name in the spec. */
  readonly databases: Readonly<Record<string, glue.CfnDatabase>>;
  /** Athena workgroups, by their name in the spec. */
  readonly workgroups: Readonly<Record<string, AthenaWorkgroup>>;

  constructor(scope: Construct, id: string, props: PlatformProps) {
    // Checked before joining the tree: a spec with findings leaves the app as it was.
    const inStack = scope.node.scopes.find((c) => Stack.isStack(c));
    if (inStack) {
      throw new Error(`Platform '${id}' creates stacks of its own: create it in an App or a Stage, not inside the stack '${inStack.node.path}'`);
    }
    const model = modelOf(id, props);
    super(scope, id);
    this.model = model;
    const { account, region } = this.model.environment;
    // Environment-agnostic spec: an empty environment, as the CDK's own agnostic stacks have.
    this.env = account !== undefined && region !== undefined ? { account, region } : {};
    const built = addModuleStacks(this, this.model);
    this.stacks = built.stacks;
    this.foundations = built.foundations;
    if (built.batch) this.batch = built.batch;
    const { storage, catalog } = built.foundations;
    if (storage.key) this.key = storage.key;
    this.buckets = storage.buckets;
    this.accessLogsBucket = storage.accessLogsBucket;
    this.databases = catalog.databases;
    this.workgroups = built.foundations.workgroups;
  }

  /** The bucket of a storage layer; throws naming the layers when the spec has no such layer. */
  bucket(layer: string): s3.IBucket {
    return pick(this.buckets, layer, 'storage layer');
  }

  /** The physical Glue name of a catalog database given by its spec name (as `ara-gen print` shows it). */
  databaseName(database: string): string {
    return pick(this.model.catalog.databases, database, 'catalog database').glueName;
  }
}

function modelOf(id: string, props: PlatformProps): PlatformModel {
  if ((props.spec === undefined) === (props.model === undefined)) {
    throw new Error(`Platform '${id}': give either 'spec' (a spec file) or 'model' (a loaded model), ${props.spec === undefined ? 'not neither' : 'not both'}`);
  }
  if (props.model) {
    if (props.environment !== undefined && props.environment !== props.model.environment.name) {
      throw new Error(`Platform '${id}': the model was resolved for environment '${props.model.environment.name}', not '${props.environment}'`);
    }
    return props.model;
  }
  return loadPlatformSyncOrThrow(props.spec!, props.environment === undefined ? {} : { env: props.environment });
}

function pick<T>(entries: Readonly<Record<string, T>>, name: string, what: string): T {
  const found = Object.hasOwn(entries, name) ? entries[name] : undefined;
  if (found === undefined) throw new Error(`Platform: the spec declares no ${what} '${name}' (it declares: ${Object.keys(entries).join(', ') || 'none'})`);
  return found;
}
