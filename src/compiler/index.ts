/**
 * ara-gen's public compiler API (`import ... from 'ara-gen'` or `'ara-gen/compiler'`):
 *
 *   spec file ──loadPlatform──▶ PlatformModel ──buildAssembly──▶ cloud assembly (+ compileSinkConfigs)
 *
 * In a CDK app of your own, `new Platform(app, 'MyStore', { spec: 'mystore.yaml', environment: 'dev' })`
 * adds the spec's module stacks and exposes their buckets, key and databases (src/compiler/platform.ts).
 * Validation without the CDK (validateFiles, formatters), the resolved model types, the stacks and
 * the reusable L3 constructs (each usable from a hand-written CDK app), naming helpers, and the
 * assembly helpers behind `deploy` (failure mapping, retained resources). Everything else under
 * src/compiler is internal and may change.
 */

// ---- loading and validating specs --------------------------------------------------------------
export {
  loadPlatform,
  loadPlatformOrThrow,
  validateFiles,
  validateSpec,
  isUsageProblem,
  LoaderCode,
  type FileResult,
  type LoadResult,
  type ValidateOptions,
} from './load.js';
export { loadPlatformSync, loadPlatformSyncOrThrow } from './load-sync.js';
export { resolve, type ResolveOptions } from './resolve.js';
export { parseSpec } from './parse.js';
export type { SpecDocument, SpecPath, SourceRange } from './document.js';
export { SpecError, type Diagnostic, type Severity, type SourcePosition } from './diagnostics.js';
export { formatText } from './format/text.js';
export { formatJson } from './format/json.js';
export { formatGithub } from './format/github.js';
export { formatSarif } from './format/sarif.js';
export type { FormatInput, FormatOptions, Formatter } from './format/summary.js';

// ---- the resolved model ------------------------------------------------------------------------
export type * from './model.js';

// ---- naming ------------------------------------------------------------------------------------
export {
  accessLogsBucketName,
  athenaResultsBucketName,
  constructId,
  glueName,
  glueTableName,
  layerBucketName,
  resourceName,
  stackName,
  type NameContext,
} from './naming.js';

// ---- compiling to CDK --------------------------------------------------------------------------
export { Platform, type PlatformProps } from './platform.js';
export {
  addModuleStacks,
  buildApp,
  buildAssembly,
  notCompiled,
  MAX_RESOURCES_PER_STACK,
  StackResourceLimitError,
  type BuildOptions,
  type BuildResult,
  type ModuleStacks,
  type NotCompiledSection,
  type StackSummary,
} from './app.js';
export { synthesize, type SynthesisOptions, type SynthesisResult } from './deploy/synthesize.js';
export { compileSinkConfig, compileSinkConfigs, formatSinkConfig } from './sink-config.js';
export type { SinkConfig } from '../contract/sink-config.js';
export { runNag, listAcknowledgements, acknowledge, NagFindingsError, type NagFinding, type NagAcknowledgement } from './nag.js';
export { renderTemplate, listTemplates, TemplateError, type RenderedTemplate } from './templates.js';

// ---- stacks ------------------------------------------------------------------------------------
export { FoundationsStack, GLUE_LOG_GROUP_PREFIX, type FoundationsStackProps } from './stacks/foundations-stack.js';
export { BatchStack, CSV_TIMESTAMP_FORMAT, hasBatchContent, type BatchStackProps } from './stacks/batch-stack.js';
export { StreamingStack, hasStreamingContent, type StreamingStackProps } from './stacks/streaming-stack.js';
export { recordSource, portableSpecPath } from './stacks/source.js';

// ---- constructs --------------------------------------------------------------------------------
export { DataLakeStorage, type DataLakeLayerProps, type DataLakeStorageProps } from './constructs/data-lake-storage.js';
export { MIN_ARCHIVE_DAYS, MIN_INFREQUENT_ACCESS_DAYS } from '../contract/aws-limits.js';
export { DataLakeCatalog, type CatalogDatabaseProps, type CatalogTableProps, type DataLakeCatalogProps } from './constructs/data-lake-catalog.js';
export { AthenaWorkgroup, ATHENA_RESULTS_PREFIX, type AthenaWorkgroupProps } from './constructs/athena-workgroup.js';
export { secureBucket, toRemovalPolicy, type RemovalPolicyName, type SecureBucketOptions } from './constructs/secure-bucket.js';
export { GlueSecurityConfiguration, type GlueSecurityConfigurationProps } from './constructs/glue-security-configuration.js';
export {
  GlueDataAccessRole,
  IAM_WILDCARD_EXCEPTIONS,
  wildcardExceptionFor,
  type GlueDataAccessRoleProps,
  type GlueTableRef,
  type S3Location,
  type S3Object,
  type WildcardException,
} from './constructs/glue-data-access-role.js';
export { GlueCrawler, type GlueCrawlerProps } from './constructs/glue-crawler.js';
export { GlueTable, GLUE_TYPES, type GlueTableFormat, type GlueTableProps } from './constructs/glue-table.js';
export { KinesisStream, KINESIS_RETENTION_HOURS, type KinesisStreamProps } from './constructs/kinesis-stream.js';
export { GlueJob, type GlueJobProps, type GlueJobScript } from './constructs/glue-job.js';
export { GlueTrigger, type GlueCondition, type GlueTarget, type GlueTriggerProps } from './constructs/glue-trigger.js';
export { GlueWorkflow, type GlueWorkflowProps, type GlueWorkflowTriggerProps } from './constructs/glue-workflow.js';
export { BatchReplayer, bundleReplayerHandler, replayerSizing, REPLAYER_RUNTIME, type BatchReplayerProps } from './constructs/batch-replayer.js';
export { WarehouseNetwork, REDSHIFT_PORT, type WarehouseNetworkProps } from './constructs/warehouse-network.js';
export { SpectrumRole, type SpectrumDatabase, type SpectrumRoleProps } from './constructs/spectrum-role.js';
export { RedshiftWarehouse, ADMIN_USER, type RedshiftEngineProps, type RedshiftWarehouseProps } from './constructs/redshift-warehouse.js';
export { WarehouseMigrations, type WarehouseMigrationsProps } from './constructs/warehouse-migrations.js';
export { WarehouseLoadSchedule, iamRoleDatabaseUser, type WarehouseLoadScheduleProps } from './constructs/warehouse-load-schedule.js';
export { QuickSightDashboard, type DashboardColumn, type DashboardSource, type QuickSightDashboardProps } from './constructs/quicksight-dashboard.js';
export { WarehouseStack, warehouseSqlInput, type WarehouseStackProps } from './stacks/warehouse-stack.js';
export { DashboardsStack, type DashboardsStackProps } from './stacks/dashboards-stack.js';
export { renderMigrations, splitStatements, quoteIdent, quoteLiteral, type SqlDialect, type WarehouseSqlInput } from './warehouse/sql.js';

// ---- assemblies and deployments ----------------------------------------------------------------
export { readAssemblyStacks, resolveStacks, type AssemblyStack, type TemplateResource } from './deploy/assembly-reader.js';
export { SourceIndex, SOURCE_METADATA_KEY, describeOrigin, formatSource, type ResourceOrigin } from './deploy/failure-map.js';
export { listRetained, formatRetained, type RetainedResource } from './deploy/retained.js';
// Deploy, diff and destroy as a library (no argv, printing, exit codes or process.env).
export {
  openDeployment,
  selectStacks,
  runAction,
  DeploymentRequestError,
  type StackSelection,
  type ActionResult,
  type DeployAction,
  type Deployment,
  type DeploymentOptions,
} from './deploy/session.js';
export { AraIoHost, type AraIoHostOptions, type ApprovalRefusal, type FailedResource } from './deploy/io-host.js';
export { explainFailure, selector, ExpandStackSelection, type FailureExplanation } from './deploy/toolkit.js';
export { checkCredentials, type CredentialCheck, type CredentialCheckOptions } from './deploy/credentials.js';
