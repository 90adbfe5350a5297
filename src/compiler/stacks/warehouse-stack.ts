/**
 * The `warehouse` module: the network (created or existing), the Spectrum role, Redshift
 * Serverless or a provisioned cluster, the SQL migrations applied at deploy time, and the
 * scheduled incremental load. The key comes from the foundations stack; bucket and Glue database
 * names are the model's deterministic physical names.
 */
import { cfnName } from './physical-name.js';
import { RemovalPolicy, Stack, type StackProps } from '../cdk-core.js';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { DataLakeStorage } from '../constructs/data-lake-storage.js';
import { RedshiftWarehouse } from '../constructs/redshift-warehouse.js';
import { SpectrumRole } from '../constructs/spectrum-role.js';
import { iamRoleDatabaseUser, WarehouseLoadSchedule } from '../constructs/warehouse-load-schedule.js';
import { WarehouseMigrations } from '../constructs/warehouse-migrations.js';
import { WarehouseNetwork } from '../constructs/warehouse-network.js';
import type { PlatformModel, WarehouseModel } from '../model.js';
import { modelNameContext, resourceName } from '../naming.js';
import { editedReleasedMigrations, quoteIdent, renderMigrations, type WarehouseSqlInput } from '../warehouse/sql.js';
import { recordSource } from './source.js';

export interface WarehouseStackProps extends StackProps {
  readonly model: PlatformModel;
  readonly storage: DataLakeStorage;
}

/** Schema of the star schema's tables and procedures. */
export const WAREHOUSE_SCHEMA = 'dw';
/** Database user of the dashboards (QuickSight). */
export const READER_USER = 'quicksight_reader';
/** Database user of the load on a provisioned cluster (Serverless uses the rule role's IAMR: user). */
export const CLUSTER_LOAD_USER = 'ara_loader';

export class WarehouseStackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WarehouseStackError';
  }
}

/** Partition of a region, for ARNs written into SQL (which must not hold CloudFormation tokens). */
function partitionOf(region: string): string {
  return region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

/** The SQL input of a warehouse: what the templates render with. */
export function warehouseSqlInput(model: PlatformModel, w: WarehouseModel): WarehouseSqlInput {
  const names = modelNameContext(model);
  const loadRole = resourceName(names, 'warehouse-load');
  const spectrumRole = resourceName(names, 'warehouse-spectrum');
  const ref = (s?: { externalSchema: string; table: string }) => (s ? { schema: s.externalSchema, table: s.table } : undefined);
  const customer = ref(w.sources.customer);
  if (!customer) throw new WarehouseStackError("the warehouse's star schema needs a 'customer' table in one of its spectrum.databases (rule ARA306)");
  const storeSale = ref(w.sources.storeSale);
  const webSale = ref(w.sources.webSale);
  return {
    schema: WAREHOUSE_SCHEMA,
    loadUser: w.engine === 'redshift-serverless' ? iamRoleDatabaseUser(loadRole) : CLUSTER_LOAD_USER,
    readerUser: READER_USER,
    ...(w.engine === 'redshift-provisioned' ? { spectrumRoleArn: `arn:${partitionOf(names.region)}:iam::${names.account}:role/${spectrumRole}` } : {}),
    externalSchemas: w.spectrum.map((d) => ({ name: d.externalSchema, glueDatabase: d.glueName })),
    sources: { customer, ...(storeSale ? { storeSale } : {}), ...(webSale ? { webSale } : {}) },
  };
}

export class WarehouseStack extends Stack {
  readonly network: WarehouseNetwork;
  readonly warehouse: RedshiftWarehouse;
  readonly spectrumRole: SpectrumRole;
  readonly migrations: WarehouseMigrations;
  readonly load: WarehouseLoadSchedule;

  constructor(scope: Construct, id: string, props: WarehouseStackProps) {
    super(scope, id, props);
    const { model, storage } = props;
    const w = model.warehouse;
    if (!w) throw new WarehouseStackError('the model declares no warehouse');
    const network = model.environment.network;
    if (!network) throw new WarehouseStackError(`environment '${model.environment.name}' has no network for the warehouse (rule ARA304)`);
    const edited = editedReleasedMigrations(model.platform);
    if (edited.length) throw new WarehouseStackError(edited.join('; '));
    recordSource(this, w.source);
    const names = modelNameContext(model);
    const prefix = resourceName(names, 'warehouse');

    this.network = new WarehouseNetwork(
      this,
      'Network',
      network.kind === 'created'
        ? { kind: 'created', cidr: network.cidr, availabilityZones: network.availabilityZones, name: prefix }
        : { kind: 'existing', vpcId: network.vpcId, subnetIds: network.subnetIds, name: prefix },
    );
    recordSource(this.network, network.source);

    this.spectrumRole = new SpectrumRole(this, 'Spectrum', {
      roleName: resourceName(names, 'warehouse-spectrum'),
      databases: w.spectrum.map((d) => ({ glueName: d.glueName, bucketName: cfnName(model.storage.layers[d.layer]!.bucketName), prefix: d.prefix })),
      ...(model.storage.encryption === 'kms' ? { key: storage.key } : {}),
    });
    // The platform key; with S3-managed lake encryption, a key of the warehouse's own.
    const key =
      storage.key ??
      new kms.Key(this, 'Key', {
        description: `ara-gen ${prefix}: Redshift data and its admin secret`,
        enableKeyRotation: true,
        removalPolicy: model.storage.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      });

    this.warehouse = new RedshiftWarehouse(this, 'Redshift', {
      ...(w.engine === 'redshift-serverless' ? { engine: 'redshift-serverless', baseCapacity: w.baseCapacity ?? 8 } : { engine: 'redshift-provisioned', nodeType: w.nodeType ?? 'ra3.xlplus', nodes: w.nodes ?? 2 }),
      name: w.physicalName,
      databaseName: w.database,
      subnetIds: this.network.subnetIds,
      securityGroupId: this.network.securityGroupId,
      key,
      defaultRole: this.spectrumRole.role,
    });

    const sql = warehouseSqlInput(model, w);
    this.migrations = new WarehouseMigrations(this, 'Migrations', { warehouse: this.warehouse, migrations: renderMigrations(model.platform, sql, 'redshift'), key, name: prefix });

    this.load = new WarehouseLoadSchedule(this, 'Load', {
      warehouse: this.warehouse,
      name: resourceName(names, 'warehouse-load'),
      scheduleSeconds: w.loadScheduleSeconds,
      sql: `CALL ${quoteIdent(WAREHOUSE_SCHEMA)}.sp_run_incremental_load()`,
      ...(w.engine === 'redshift-provisioned' ? { dbUser: CLUSTER_LOAD_USER } : {}),
    });
    // The load user and procedure exist only once the migrations ran.
    this.load.rule.node.addDependency(this.migrations.resource);
  }
}
