/**
 * QuickSightDashboard: a QuickSight data source, a direct-query dataset over the star schema (or
 * over the lake through Athena) and a dashboard whose definition is rendered from a template in
 * `platforms/` — all shared with one QuickSight user or group, read-only.
 *
 * A Redshift source connects through a QuickSight VPC connection in the warehouse's subnets and
 * security group, and signs in with IAM (a role QuickSight assumes, allowed to get temporary
 * credentials for the read-only database user only): no password anywhere.
 */
import { ArnFormat, Stack } from '../cdk-core.js';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as quicksight from 'aws-cdk-lib/aws-quicksight';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

export type DashboardSource =
  | {
      readonly kind: 'redshift';
      readonly engine: 'redshift-serverless' | 'redshift-provisioned';
      /** Workgroup name or cluster identifier. */
      readonly identifier: string;
      /** Workgroup or cluster ARN. */
      readonly arn: string;
      readonly host: string;
      readonly port: number;
      readonly database: string;
      /** The read-only database user QuickSight signs in as. */
      readonly databaseUser: string;
      readonly subnetIds: readonly string[];
      readonly securityGroupId: string;
    }
  | { readonly kind: 'athena'; /** Athena workgroup name. */ readonly workgroup: string };

export interface DashboardColumn {
  readonly name: string;
  readonly type: 'STRING' | 'INTEGER' | 'DECIMAL' | 'DATETIME';
}

export interface QuickSightDashboardProps {
  /** Physical id prefix, e.g. `mystore-dev-sales`. */
  readonly name: string;
  /** Display name. */
  readonly title: string;
  readonly source: DashboardSource;
  /** The dataset's SQL and its columns. */
  readonly sql: string;
  readonly columns: readonly DashboardColumn[];
  /** The dashboard definition without DataSetIdentifierDeclarations (added here). */
  readonly definition: Record<string, unknown>;
  /** Identifier the definition uses for the dataset. */
  readonly dataSetIdentifier: string;
  /** QuickSight user or group ARN given read access. */
  readonly principal: string;
}

const READ_DATA_SOURCE = ['quicksight:DescribeDataSource', 'quicksight:DescribeDataSourcePermissions', 'quicksight:PassDataSource'];
const READ_DATA_SET = ['quicksight:DescribeDataSet', 'quicksight:DescribeDataSetPermissions', 'quicksight:PassDataSet', 'quicksight:DescribeIngestion', 'quicksight:ListIngestions'];
const READ_DASHBOARD = ['quicksight:DescribeDashboard', 'quicksight:ListDashboardVersions', 'quicksight:QueryDashboard'];

export class QuickSightDashboard extends Construct {
  readonly dataSource: quicksight.CfnDataSource;
  readonly dataSet: quicksight.CfnDataSet;
  readonly dashboard: quicksight.CfnDashboard;

  constructor(scope: Construct, id: string, props: QuickSightDashboardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const account = stack.account;
    const src = props.source;
    let parameters: quicksight.CfnDataSource.DataSourceParametersProperty;
    let vpc: quicksight.CfnDataSource.VpcConnectionPropertiesProperty | undefined;
    if (src.kind === 'redshift') {
      const networkRole = new iam.Role(this, 'VpcConnectionRole', {
        description: `ara-gen ${props.name}: QuickSight network interfaces in the warehouse's subnets`,
        assumedBy: new iam.ServicePrincipal('quicksight.amazonaws.com'),
      });
      const networkPolicy = new iam.Policy(this, 'VpcConnectionPolicy', {
        statements: [
          new iam.PolicyStatement({
            actions: ['ec2:CreateNetworkInterface', 'ec2:ModifyNetworkInterfaceAttribute', 'ec2:DeleteNetworkInterface', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
            resources: ['*'],
          }),
        ],
      });
      networkPolicy.attachToRole(networkRole);
      acknowledge(networkPolicy, {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'QuickSight VPC connections create and describe network interfaces whose ids do not exist before; EC2 offers no narrower resource for these calls.',
      });
      const connection = new quicksight.CfnVPCConnection(this, 'VpcConnection', {
        awsAccountId: account,
        vpcConnectionId: props.name,
        name: `${props.name} (ara-gen)`,
        roleArn: networkRole.roleArn,
        subnetIds: [...src.subnetIds],
        securityGroupIds: [src.securityGroupId],
      });
      connection.node.addDependency(networkPolicy);
      vpc = { vpcConnectionArn: connection.attrArn };

      const signIn = new iam.Role(this, 'RedshiftSignInRole', {
        description: `ara-gen ${props.name}: QuickSight signs in to Redshift as ${src.databaseUser}`,
        assumedBy: new iam.ServicePrincipal('quicksight.amazonaws.com'),
      });
      signIn.addToPolicy(
        src.engine === 'redshift-serverless'
          ? new iam.PolicyStatement({ actions: ['redshift-serverless:GetCredentials'], resources: [src.arn] })
          : new iam.PolicyStatement({
              actions: ['redshift:GetClusterCredentials'],
              resources: [
                stack.formatArn({ service: 'redshift', resource: 'dbuser', resourceName: `${src.identifier}/${src.databaseUser}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
                stack.formatArn({ service: 'redshift', resource: 'dbname', resourceName: `${src.identifier}/${src.database}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
              ],
            }),
      );
      parameters = {
        redshiftParameters: {
          host: src.host,
          port: src.port,
          database: src.database,
          ...(src.engine === 'redshift-provisioned' ? { clusterId: src.identifier } : {}),
          iamParameters: { roleArn: signIn.roleArn, databaseUser: src.databaseUser, autoCreateDatabaseUser: false },
        },
      };
    } else {
      parameters = { athenaParameters: { workGroup: src.workgroup } };
    }

    this.dataSource = new quicksight.CfnDataSource(this, 'DataSource', {
      awsAccountId: account,
      dataSourceId: `${props.name}-source`,
      name: `${props.title} source`,
      type: src.kind === 'redshift' ? 'REDSHIFT' : 'ATHENA',
      dataSourceParameters: parameters,
      ...(vpc ? { vpcConnectionProperties: vpc } : {}),
      sslProperties: { disableSsl: false },
      permissions: [{ principal: props.principal, actions: READ_DATA_SOURCE }],
    });

    this.dataSet = new quicksight.CfnDataSet(this, 'DataSet', {
      awsAccountId: account,
      dataSetId: `${props.name}-sales`,
      name: `${props.title} sales`,
      importMode: 'DIRECT_QUERY',
      physicalTableMap: {
        sales: {
          customSql: { dataSourceArn: this.dataSource.attrArn, name: 'sales', sqlQuery: props.sql, columns: props.columns.map((c) => ({ name: c.name, type: c.type })) },
        },
      },
      permissions: [{ principal: props.principal, actions: READ_DATA_SET }],
    });

    this.dashboard = new quicksight.CfnDashboard(this, 'Dashboard', {
      awsAccountId: account,
      dashboardId: props.name,
      name: props.title,
      permissions: [{ principal: props.principal, actions: READ_DASHBOARD }],
      dashboardPublishOptions: { adHocFilteringOption: { availabilityStatus: 'ENABLED' }, exportToCsvOption: { availabilityStatus: 'ENABLED' } },
    });
    // The definition is written in CloudFormation's own (PascalCase) form, as the template renders it.
    this.dashboard.addPropertyOverride('Definition', {
      DataSetIdentifierDeclarations: [{ Identifier: props.dataSetIdentifier, DataSetArn: this.dataSet.attrArn }],
      ...props.definition,
    });
  }
}
