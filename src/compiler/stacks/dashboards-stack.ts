/**
 * The `dashboards` module: one QuickSight data source, dataset and dashboard per `dashboards:`
 * entry, shared with its principal. A Redshift source takes the warehouse stack's endpoint and
 * network (CDK cross-stack references); an Athena source names the foundations workgroup.
 * Prerequisite outside CloudFormation: a QuickSight subscription in the account (said by synth).
 */
import { Stack, type StackProps } from '../cdk-core.js';
import type { Construct } from 'constructs';
import { QuickSightDashboard, type DashboardColumn, type DashboardSource } from '../constructs/quicksight-dashboard.js';
import type { DashboardModel, PlatformModel } from '../model.js';
import { constructId } from '../naming.js';
import { renderPlatformTemplate } from '../warehouse/sql.js';
import { recordSource } from './source.js';
import { READER_USER, WAREHOUSE_SCHEMA, type WarehouseStack } from './warehouse-stack.js';

export interface DashboardsStackProps extends StackProps {
  readonly model: PlatformModel;
  /**
   * Needed when a dashboard reads the warehouse.
   * @default - none: only Athena dashboards can be built
   */
  readonly warehouse?: WarehouseStack;
}

/** Bars in the "top items" visual. */
export const TOP_ITEMS = 10;
/** The dataset's columns (the template's SELECT list). */
export const SALES_COLUMNS: readonly DashboardColumn[] = [
  { name: 'channel', type: 'STRING' },
  { name: 'item_id', type: 'INTEGER' },
  { name: 'sale_datetime', type: 'DATETIME' },
  { name: 'calendar_date', type: 'DATETIME' },
  { name: 'quantity', type: 'INTEGER' },
  { name: 'revenue', type: 'DECIMAL' },
  { name: 'net_profit', type: 'DECIMAL' },
];
export const QUICKSIGHT_PREREQUISITE = 'QuickSight dashboards need a QuickSight subscription (Enterprise edition) in the account before the first deploy; ara-gen does not create it.';

export function dashboardSql(model: PlatformModel, d: DashboardModel): string {
  const ctx =
    d.input.kind === 'warehouse'
      ? { warehouse: true, schema: WAREHOUSE_SCHEMA }
      : { warehouse: false, tables: d.input.tables.map((t) => ({ channel: t.channel, database: t.glueDatabase, table: t.table })) };
  return renderPlatformTemplate(model.platform, 'dashboards', 'sales-dataset.sql.hbs', ctx).trim();
}

export function dashboardDefinition(model: PlatformModel): Record<string, unknown> {
  return JSON.parse(renderPlatformTemplate(model.platform, 'dashboards', 'sales.json.hbs', { dataSet: 'sales', topItems: TOP_ITEMS })) as Record<string, unknown>;
}

export class DashboardsStack extends Stack {
  readonly dashboards: Readonly<Record<string, QuickSightDashboard>>;

  constructor(scope: Construct, id: string, props: DashboardsStackProps) {
    super(scope, id, props);
    const { model } = props;
    recordSource(this, model.source);
    const out: Record<string, QuickSightDashboard> = {};
    for (const d of Object.values(model.dashboards)) {
      let source: DashboardSource;
      if (d.input.kind === 'warehouse') {
        const w = props.warehouse;
        if (!w || !model.warehouse) throw new Error(`dashboard '${d.name}' reads the warehouse, but the model has none (rule ARA201)`);
        source = {
          kind: 'redshift',
          engine: w.warehouse.engine,
          identifier: w.warehouse.identifier,
          arn: w.warehouse.arn,
          host: w.warehouse.host,
          port: w.warehouse.port,
          database: w.warehouse.databaseName,
          databaseUser: READER_USER,
          subnetIds: w.network.subnetIds,
          securityGroupId: w.network.securityGroupId,
        };
      } else {
        const wg = model.athena.workgroups[d.input.workgroup];
        if (!wg) throw new Error(`dashboard '${d.name}' reads Athena workgroup '${d.input.workgroup}', which the model does not declare (rule ARA201)`);
        source = { kind: 'athena', workgroup: wg.physicalName };
      }
      out[d.name] = new QuickSightDashboard(this, `${constructId(d.name)}Dashboard`, {
        name: d.physicalName,
        title: `${model.name} ${d.name}`,
        source,
        sql: dashboardSql(model, d),
        columns: SALES_COLUMNS,
        definition: dashboardDefinition(model),
        dataSetIdentifier: 'sales',
        principal: d.principal,
      });
      recordSource(out[d.name]!, d.source);
    }
    this.dashboards = out;
  }
}
