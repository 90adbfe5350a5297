/**
 * RedshiftWarehouse: Redshift Serverless (namespace + workgroup) or a provisioned cluster, with the
 * same security settings either way: in the given subnets and security group, not publicly
 * accessible, enhanced VPC routing, `require_ssl`, encrypted with the platform key, the admin
 * password generated and kept by Redshift in Secrets Manager (encrypted with the same key), audit
 * logs (connections, users, user activity) exported to CloudWatch Logs, and the Spectrum role as
 * the default IAM role.
 */
import { createRequire } from 'node:module';
import { ArnFormat, Stack } from '../cdk-core.js';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as redshiftModule from 'aws-cdk-lib/aws-redshift';
import type * as serverlessModule from 'aws-cdk-lib/aws-redshiftserverless';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import { REDSHIFT_PORT } from './warehouse-network.js';

// Loaded when a warehouse is built, not with the compiler: both modules load all their L1 classes
// at once (~5 ms of every synth, also of the many platforms without a warehouse).
const load = createRequire(import.meta.url);
const redshift = () => load('aws-cdk-lib/aws-redshift') as typeof redshiftModule;
const serverless = () => load('aws-cdk-lib/aws-redshiftserverless') as typeof serverlessModule;

export type RedshiftEngineProps =
  | { readonly engine: 'redshift-serverless'; /** Base RPUs, 8 to 512 in steps of 8. */ readonly baseCapacity: number }
  | { readonly engine: 'redshift-provisioned'; readonly nodeType: string; /** @default 2 */ readonly nodes: number };

export type RedshiftWarehouseProps = RedshiftEngineProps & {
  /** Namespace/workgroup or cluster identifier (`<platform>-<env>-<name>`). */
  readonly name: string;
  readonly databaseName: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  readonly key: kms.IKey;
  readonly defaultRole: iam.IRole;
  /** Days automated snapshots are kept (provisioned). @default 7 */
  readonly snapshotRetentionDays?: number;
};

/** The admin user; its password never leaves Secrets Manager. */
export const ADMIN_USER = 'ara_admin';
const AUDIT_LOGS = ['connectionlog', 'userlog', 'useractivitylog'];

/** The Redshift-managed admin secret of a warehouse. */
export interface AdminSecret {
  /** `redshift!<id>-<admin user>`. */
  readonly name: string;
  /**
   * Its ARN.
   * @default - unknown at synth time (Serverless namespaces): policies use the name with Secrets Manager's random suffix
   */
  readonly arn?: string;
}

export class RedshiftWarehouse extends Construct {
  readonly engine: RedshiftWarehouseProps['engine'];
  /** Workgroup name (serverless) or cluster identifier (provisioned): what the Data API addresses. */
  readonly identifier: string;
  /** ARN the EventBridge Redshift target addresses: the workgroup's or the cluster's. */
  readonly arn: string;
  /**
   * The Redshift-managed admin secret: its name (`redshift!<id>-<admin user>`), and its ARN where
   * CloudFormation returns it (provisioned clusters).
   */
  readonly adminSecret: AdminSecret;
  /** The ARN of the admin secret for IAM policies: exact, or the name with Secrets Manager's 6-character suffix. */
  adminSecretResource(): string {
    return this.adminSecret.arn ?? Stack.of(this).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${this.adminSecret.name}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }
  readonly databaseName: string;
  /** Endpoint host and port, for QuickSight. */
  readonly host: string;
  readonly port: number;
  /** The underlying resource (dependency target). */
  readonly resource: Construct;

  constructor(scope: Construct, id: string, props: RedshiftWarehouseProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.engine = props.engine;
    this.identifier = props.name;
    this.databaseName = props.databaseName;
    if (props.engine === 'redshift-serverless') {
      const { CfnNamespace, CfnWorkgroup } = serverless();
      const namespace = new CfnNamespace(this, 'Namespace', {
        namespaceName: props.name,
        dbName: props.databaseName,
        adminUsername: ADMIN_USER,
        manageAdminPassword: true,
        adminPasswordSecretKmsKeyId: props.key.keyArn,
        kmsKeyId: props.key.keyArn,
        iamRoles: [props.defaultRole.roleArn],
        defaultIamRoleArn: props.defaultRole.roleArn,
        logExports: AUDIT_LOGS,
      });
      const workgroup = new CfnWorkgroup(this, 'Workgroup', {
        workgroupName: props.name,
        namespaceName: props.name,
        baseCapacity: props.baseCapacity,
        enhancedVpcRouting: true,
        publiclyAccessible: false,
        subnetIds: [...props.subnetIds],
        securityGroupIds: [props.securityGroupId],
        port: REDSHIFT_PORT,
        configParameters: [
          { parameterKey: 'require_ssl', parameterValue: 'true' },
          { parameterKey: 'enable_user_activity_logging', parameterValue: 'true' },
        ],
      });
      workgroup.addResourceDependency(namespace);
      this.arn = workgroup.attrWorkgroupWorkgroupArn;
      // CloudFormation returns no ARN for the namespace's managed secret; Redshift names it
      // `redshift!<namespace>-<admin user>`, and the Data API accepts a secret's name.
      this.adminSecret = { name: `redshift!${props.name}-${ADMIN_USER}` };
      this.host = workgroup.attrWorkgroupEndpointAddress;
      this.port = REDSHIFT_PORT;
      this.resource = workgroup;
    } else {
      const { CfnCluster, CfnClusterParameterGroup, CfnClusterSubnetGroup } = redshift();
      const subnets = new CfnClusterSubnetGroup(this, 'SubnetGroup', { description: `ara-gen ${props.name}`, subnetIds: [...props.subnetIds] });
      const parameters = new CfnClusterParameterGroup(this, 'Parameters', {
        description: `ara-gen ${props.name}: TLS only, user activity logged`,
        parameterGroupFamily: 'redshift-1.0',
        parameters: [
          { parameterName: 'require_ssl', parameterValue: 'true' },
          { parameterName: 'enable_user_activity_logging', parameterValue: 'true' },
        ],
      });
      // A non-default port (cdk-nag RS3): 5439 is what scanners probe first.
      const port = REDSHIFT_PORT + 1;
      const cluster = new CfnCluster(this, 'Cluster', {
        clusterIdentifier: props.name,
        clusterType: props.nodes > 1 ? 'multi-node' : 'single-node',
        nodeType: props.nodeType,
        ...(props.nodes > 1 ? { numberOfNodes: props.nodes } : {}),
        dbName: props.databaseName,
        masterUsername: ADMIN_USER,
        manageMasterPassword: true,
        masterPasswordSecretKmsKeyId: props.key.keyArn,
        encrypted: true,
        kmsKeyId: props.key.keyArn,
        enhancedVpcRouting: true,
        publiclyAccessible: false,
        port,
        clusterSubnetGroupName: subnets.ref,
        vpcSecurityGroupIds: [props.securityGroupId],
        clusterParameterGroupName: parameters.ref,
        // CloudFormation has no default-role property for clusters: the SQL names the role instead.
        iamRoles: [props.defaultRole.roleArn],
        allowVersionUpgrade: true,
        automatedSnapshotRetentionPeriod: props.snapshotRetentionDays ?? 7,
        loggingProperties: { logDestinationType: 'cloudwatch', logExports: AUDIT_LOGS },
      });
      this.arn = stack.formatArn({ service: 'redshift', resource: 'cluster', resourceName: props.name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
      this.adminSecret = { name: `redshift!${props.name}-${ADMIN_USER}`, arn: cluster.attrMasterPasswordSecretArn };
      this.host = cluster.attrEndpointAddress;
      this.port = port;
      this.resource = cluster;
      acknowledge(cluster, { id: 'AwsSolutions-RS4', reason: 'Audit logs go to CloudWatch Logs (LoggingProperties with LogDestinationType cloudwatch), which this rule does not recognise.' });
    }
  }
}
