/**
 * The `batch` module: replayers into the lake, Glue crawlers and jobs, triggers and workflows.
 * Buckets and key come from the foundations stack (CDK cross-stack references). IAM policies name
 * buckets by their deterministic physical names rather than by imported tokens, which keeps the
 * policies readable and lets cdk-nag acknowledgements name the exact resource.
 */
import { cfnName } from './physical-name.js';
import { Stack, type StackProps } from '../cdk-core.js';
import type { Construct } from 'constructs';
import { BatchReplayer } from '../constructs/batch-replayer.js';
import { GlueCrawler } from '../constructs/glue-crawler.js';
import type { S3Location } from '../constructs/glue-data-access-role.js';
import { GlueJob } from '../constructs/glue-job.js';
import { GlueSecurityConfiguration } from '../constructs/glue-security-configuration.js';
import { GlueTrigger, type GlueCondition, type GlueTarget, type GlueTriggerProps } from '../constructs/glue-trigger.js';
import { GlueWorkflow } from '../constructs/glue-workflow.js';
import type { DataLakeStorage } from '../constructs/data-lake-storage.js';
import type { LayerLocation, PlatformModel, TriggerModel, TriggerTarget } from '../model.js';
import { constructId, glueTableName, modelNameContext, resourceName } from '../naming.js';
import { renderTemplate } from '../templates.js';
import { recordSource } from './source.js';
import { type SplitUnit, type StackPart, WHOLE, unitsOf } from './split.js';
import { catalogTables, tableAt } from '../catalog-tables.js';
import { GLUE_TYPES } from '../constructs/glue-table.js';
import { DATE_PATTERN } from '../../contract/datasets.js';
import { TIMESTAMP_PATTERN } from '../../datasets/retail.js';

export interface BatchStackProps extends StackProps {
  readonly model: PlatformModel;
  readonly storage: DataLakeStorage;
  /**
   * The share of the module this stack builds when the module is split (stacks/split.ts).
   * @default - the whole module
   */
  readonly part?: StackPart;
}

/**
 * The batch module's split units: a Glue workflow with its triggers and the crawlers and jobs they
 * start or watch stay together (keyed by the workflow), every other entry is a unit of its own.
 */
export function batchUnits(model: PlatformModel): SplitUnit[] {
  const entries = [
    ...Object.values(model.replayers).filter((r) => r.target.kind === 'layer').map((r) => ({ kind: 'replayer', name: r.name })),
    ...Object.keys(model.crawlers).map((name) => ({ kind: 'crawler', name })),
    ...Object.keys(model.jobs).map((name) => ({ kind: 'job', name })),
    ...Object.keys(model.triggers).map((name) => ({ kind: 'trigger', name })),
    ...Object.keys(model.workflows).map((name) => ({ kind: 'workflow', name })),
  ];
  const edges: [string, string][] = [];
  for (const t of Object.values(model.triggers)) {
    for (const x of [...t.actions, ...(t.type === 'conditional' ? t.conditions : [])]) edges.push([`trigger:${t.name}`, `${x.kind}:${x.name}`]);
    if (t.workflow !== undefined) edges.push([`trigger:${t.name}`, `workflow:${t.workflow}`]);
  }
  return unitsOf(entries, edges, ['workflow', 'trigger', 'crawler', 'job', 'replayer']);
}

/**
 * Timestamp format the jobs parse: the one the retail generator writes into the replayed CSV files,
 * taken from the generator so the two cannot drift apart.
 */
export const CSV_TIMESTAMP_FORMAT = TIMESTAMP_PATTERN;

/** Whether the model has anything for the batch module to compile. */
export function hasBatchContent(model: PlatformModel): boolean {
  return (
    Object.keys(model.crawlers).length > 0 ||
    Object.keys(model.jobs).length > 0 ||
    Object.keys(model.triggers).length > 0 ||
    Object.values(model.replayers).some((r) => r.target.kind === 'layer')
  );
}

export class BatchStack extends Stack {
  readonly crawlers: Readonly<Record<string, GlueCrawler>>;
  readonly jobs: Readonly<Record<string, GlueJob>>;
  readonly replayers: Readonly<Record<string, BatchReplayer>>;
  readonly workflows: Readonly<Record<string, GlueWorkflow>>;
  readonly triggers: Readonly<Record<string, GlueTrigger>>;
  private readonly model: PlatformModel;

  constructor(scope: Construct, id: string, props: BatchStackProps) {
    super(scope, id, props);
    const { model, storage } = props;
    const part = props.part ?? WHOLE;
    this.model = model;
    const key = storage.key;
    const names = modelNameContext(model);
    // Shared resources (the Glue security configuration) map to the spec as a whole.
    recordSource(this, model.source);

    const replayers: Record<string, BatchReplayer> = {};
    for (const r of Object.values(model.replayers)) {
      if (r.target.kind !== 'layer') continue; // sink targets belong to the streaming module
      if (!part.has('replayer', r.name)) continue;
      replayers[r.name] = new BatchReplayer(this, `${constructId(r.name)}Replayer`, {
        replayerName: r.name,
        dataset: r.dataset,
        frequencySeconds: r.frequencySeconds,
        seed: r.seed,
        recordsPerWindow: r.recordsPerWindow,
        ...(r.reservedConcurrency !== undefined ? { reservedConcurrency: r.reservedConcurrency } : {}),
        bucket: storage.bucket(r.target.layer),
        prefix: r.target.prefix,
        encryptionKey: key,
        functionName: r.physicalName,
      });
      recordSource(replayers[r.name]!, r.source);
    }
    this.replayers = replayers;

    const usesGlue = Object.keys(model.crawlers).some((n) => part.has('crawler', n)) || Object.keys(model.jobs).some((n) => part.has('job', n));
    // One security configuration per part stack (a stack must not depend on a sibling part).
    const securityName = resourceName(names, part.index === 0 ? 'glue-security' : `glue-security-${part.index + 1}`);
    const security = usesGlue ? new GlueSecurityConfiguration(this, 'GlueSecurityConfiguration', { name: securityName, key }) : undefined;

    // Declared tables (foundations) are crawled as catalog targets: partitions only, schema kept.
    const declared = catalogTables(model);
    const crawlers: Record<string, GlueCrawler> = {};
    for (const c of Object.values(model.crawlers)) {
      if (!part.has('crawler', c.name)) continue;
      const catalogTargets = c.targets.flatMap((target) => {
        const t = tableAt(declared, target);
        return t ? [{ databaseName: t.glueDatabase, tableName: t.name, location: this.location(t.location) }] : [];
      });
      crawlers[c.name] = new GlueCrawler(this, `${constructId(c.name)}Crawler`, {
        crawlerName: c.physicalName,
        databaseName: this.glueDatabase(c.database),
        // A crawler mixing both kinds cannot compile: ARA274 reports it at validate, GlueCrawler throws.
        targets: c.targets.filter((t) => !tableAt(declared, t)).map((t) => this.location(t)),
        catalogTargets,
        exclusions: c.exclude,
        schedule: c.schedule,
        securityConfiguration: security!,
        key,
      });
      recordSource(crawlers[c.name]!, c.source);
    }
    this.crawlers = crawlers;

    const jobs: Record<string, GlueJob> = {};
    for (const j of Object.values(model.jobs)) {
      if (!part.has('job', j.name)) continue;
      const source = { database: this.glueDatabase(j.input.database), table: glueTableName(j.input.table) };
      const target = { database: this.glueDatabase(j.target.database), table: glueTableName(j.target.table) };
      jobs[j.name] = new GlueJob(this, `${constructId(j.name)}Job`, {
        jobName: j.physicalName,
        script: renderTemplate(model.platform, j.template, {
          jobName: j.physicalName,
          sourceDatabase: source.database,
          sourceTable: source.table,
          targetDatabase: target.database,
          targetTable: target.table,
          partitionKeys: j.partitionBy,
          timestampFormat: CSV_TIMESTAMP_FORMAT,
          dateFormat: DATE_PATTERN,
          // The declared source table's columns and catalog types: the script casts every column to
          // them (crawled windows may disagree: bigint in one, double in another). Empty when the
          // source table is not one ara-gen declares (its types are then the crawler's).
          sourceColumns: (declared.find((t) => t.database === j.input.database && t.name === source.table)?.columns ?? []).map((c) => [c.name, GLUE_TYPES[c.type]]),
        }),
        source: { ...source, locations: this.tableLocations(j.input.database, j.input.table) },
        target: { ...target, location: this.location(j.target) },
        glueVersion: j.glueVersion,
        workerType: j.workerType,
        workers: j.workers,
        timeoutMinutes: j.timeoutMinutes,
        maxRetries: j.maxRetries,
        securityConfiguration: security!,
        key,
      });
      recordSource(jobs[j.name]!, j.source);
    }
    this.jobs = jobs;

    const workflows: Record<string, GlueWorkflow> = {};
    const triggers: Record<string, GlueTrigger> = {};
    for (const w of Object.values(model.workflows)) {
      if (!part.has('workflow', w.name)) continue;
      const wf = new GlueWorkflow(this, `${constructId(w.name)}Workflow`, {
        workflowName: w.physicalName,
        description: `${model.name} workflow ${w.name}: triggers ${w.triggers.join(', ')}`,
        triggers: w.triggers.map((name) => ({ id: name, ...this.triggerProps(model.triggers[name]!) })),
      });
      workflows[w.name] = wf;
      Object.assign(triggers, wf.triggers);
      // The workflow itself is derived from its triggers: it maps to the first of them.
      const first = model.triggers[w.triggers[0]!];
      if (first) recordSource(wf, first.source);
    }
    for (const t of Object.values(model.triggers)) {
      if (!part.has('trigger', t.name)) continue;
      if (t.workflow === undefined) triggers[t.name] = new GlueTrigger(this, `${constructId(t.name)}Trigger`, this.triggerProps(t));
      recordSource(triggers[t.name]!, t.source);
    }
    this.workflows = workflows;
    this.triggers = triggers;
  }

  private glueDatabase(name: string): string {
    const db = this.model.catalog.databases[name];
    if (!db) throw new Error(`batch stack: unknown catalog database '${name}'`);
    return db.glueName;
  }

  private location(l: LayerLocation): S3Location {
    const layer = this.model.storage.layers[l.layer];
    if (!layer) throw new Error(`batch stack: unknown layer '${l.layer}'`);
    return { bucketName: cfnName(layer.bucketName), prefix: l.prefix };
  }

  /**
   * Where a crawled table's files are: the crawler targets of its database whose folder name gives
   * the table name; otherwise `<database prefix><table>/` in the database's layer.
   */
  private tableLocations(database: string, table: string): S3Location[] {
    const want = glueTableName(table);
    const crawled = Object.values(this.model.crawlers)
      .filter((c) => c.database === database)
      .flatMap((c) => c.targets)
      .filter((t) => glueTableName(t.prefix.replace(/\/$/, '').split('/').pop() ?? '') === want);
    if (crawled.length) return crawled.map((t) => this.location(t));
    const db = this.model.catalog.databases[database]!;
    return [this.location({ layer: db.layer, prefix: `${db.prefix}${table}/` })];
  }

  private target(t: TriggerTarget): GlueTarget {
    if (t.kind === 'crawler') {
      const c = this.crawlers[t.name];
      if (!c) throw new Error(`batch stack: trigger refers to unknown crawler '${t.name}'`);
      return { crawlerName: c.crawlerName };
    }
    const j = this.jobs[t.name];
    if (!j) throw new Error(`batch stack: trigger refers to unknown job '${t.name}'`);
    return { jobName: j.jobName };
  }

  private triggerProps(t: TriggerModel): GlueTriggerProps {
    const base = {
      triggerName: t.physicalName,
      actions: t.actions.map((a) => this.target(a)),
      startOnCreation: t.startOnCreation,
      description: `${this.model.name} trigger ${t.name}`,
    };
    if (t.type === 'scheduled') return { ...base, type: 'scheduled', schedule: t.schedule };
    return {
      ...base,
      type: 'conditional',
      logical: t.logical,
      conditions: t.conditions.map((c): GlueCondition => ({ ...this.target(c), state: c.state })),
    };
  }
}
