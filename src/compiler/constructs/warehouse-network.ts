/**
 * WarehouseNetwork: the VPC the warehouse runs in. Either created — a VPC in three availability
 * zones named by id (never looked up: synth stays offline), one isolated subnet per zone (no
 * internet or NAT gateway), flow logs, an S3 gateway endpoint (free) and the one interface
 * endpoint Redshift Spectrum needs with enhanced VPC routing (AWS Glue, for the Data Catalog) — or
 * an existing VPC named by id with three subnets. Either way, one security group for the warehouse
 * (clients inside it reach port 5439 of each other) is created here.
 */
import { Fn, RemovalPolicy, Stack } from '../cdk-core.js';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export type WarehouseNetworkProps =
  | {
      /** ara-gen creates the VPC. */
      readonly kind: 'created';
      /** IPv4 range, /16 to /24 (checked by the spec rules, ARA300); split into 4 equal parts, 3 used. */
      readonly cidr: string;
      /** Three distinct availability zone ids of the stack's region, e.g. `euw1-az1`. */
      readonly availabilityZones: readonly string[];
      /** Name prefix of the VPC's resources (tags), e.g. `mystore-dev-warehouse`. */
      readonly name: string;
      /** Days flow logs are kept. @default 30 */
      readonly flowLogRetentionDays?: number;
    }
  | {
      /** A VPC the user owns. */
      readonly kind: 'existing';
      readonly vpcId: string;
      /** Three subnets in three availability zones. */
      readonly subnetIds: readonly string[];
      readonly name: string;
    };

/** Redshift's port. */
export const REDSHIFT_PORT = 5439;

export class WarehouseNetwork extends Construct {
  readonly vpcId: string;
  readonly subnetIds: string[];
  /** The warehouse's security group; its members reach Redshift on REDSHIFT_PORT. */
  readonly securityGroupId: string;
  /** Interface endpoints created, by service (for docs and tests). */
  readonly interfaceEndpoints: string[] = [];

  constructor(scope: Construct, id: string, props: WarehouseNetworkProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const tag = (suffix: string) => [{ key: 'Name', value: `${props.name}-${suffix}` }];

    if (props.kind === 'existing') {
      this.vpcId = props.vpcId;
      this.subnetIds = [...props.subnetIds];
    } else {
      if (props.availabilityZones.length !== 3) throw new Error(`WarehouseNetwork: three availability zones are needed, got ${props.availabilityZones.length}`);
      const vpc = new ec2.CfnVPC(this, 'Vpc', { cidrBlock: props.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tag('vpc') });
      this.vpcId = vpc.ref;
      // Four equal parts of the range (cidr + 2 bits): three subnets, one part left for growth.
      const bits = String(32 - Number(props.cidr.split('/')[1]) - 2);
      const cidrs = Fn.cidr(vpc.attrCidrBlock, 4, bits);
      const routeTable = new ec2.CfnRouteTable(this, 'RouteTable', { vpcId: vpc.ref, tags: tag('isolated') });
      this.subnetIds = props.availabilityZones.map((az, i) => {
        const subnet = new ec2.CfnSubnet(this, `Subnet${i + 1}`, {
          vpcId: vpc.ref,
          availabilityZoneId: az,
          cidrBlock: Fn.select(i, cidrs),
          mapPublicIpOnLaunch: false,
          tags: tag(`isolated-${az}`),
        });
        new ec2.CfnSubnetRouteTableAssociation(this, `Subnet${i + 1}RouteTable`, { subnetId: subnet.ref, routeTableId: routeTable.ref });
        return subnet.ref;
      });
      new ec2.CfnVPCEndpoint(this, 'S3Endpoint', {
        vpcId: vpc.ref,
        serviceName: `com.amazonaws.${stack.region}.s3`,
        vpcEndpointType: 'Gateway',
        routeTableIds: [routeTable.ref],
      });

      const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
        logGroupName: `/aws/vpc/${props.name}`,
        retention: props.flowLogRetentionDays ?? logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const flowLogRole = new iam.Role(this, 'FlowLogRole', {
        description: `ara-gen ${props.name}: VPC flow logs into ${flowLogs.logGroupName}`,
        assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com'),
      });
      flowLogRole.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], resources: [flowLogs.logGroupArn] }));
      new ec2.CfnFlowLog(this, 'FlowLog', {
        resourceId: vpc.ref,
        resourceType: 'VPC',
        trafficType: 'ALL',
        logDestinationType: 'cloud-watch-logs',
        logGroupName: flowLogs.logGroupName,
        deliverLogsPermissionArn: flowLogRole.roleArn,
      });
    }

    const sg = new ec2.CfnSecurityGroup(this, 'SecurityGroup', {
      vpcId: this.vpcId,
      groupDescription: `ara-gen ${props.name}: Redshift and its clients`,
      securityGroupEgress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '0.0.0.0/0', description: 'HTTPS to AWS endpoints (S3, Glue)' }],
      tags: tag('redshift'),
    });
    this.securityGroupId = sg.attrGroupId;
    new ec2.CfnSecurityGroupIngress(this, 'RedshiftFromGroup', {
      groupId: sg.attrGroupId,
      sourceSecurityGroupId: sg.attrGroupId,
      ipProtocol: 'tcp',
      fromPort: REDSHIFT_PORT,
      toPort: REDSHIFT_PORT,
      description: 'Redshift from members of this group (QuickSight VPC connection)',
    });
    new ec2.CfnSecurityGroupEgress(this, 'RedshiftToGroup', {
      groupId: sg.attrGroupId,
      destinationSecurityGroupId: sg.attrGroupId,
      ipProtocol: 'tcp',
      fromPort: REDSHIFT_PORT,
      toPort: REDSHIFT_PORT,
      description: 'Redshift to members of this group',
    });

    if (props.kind === 'created') {
      const endpointSg = new ec2.CfnSecurityGroup(this, 'EndpointSecurityGroup', {
        vpcId: this.vpcId,
        groupDescription: `ara-gen ${props.name}: interface endpoints, HTTPS from the warehouse`,
        securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, sourceSecurityGroupId: sg.attrGroupId, description: 'HTTPS from the warehouse' }],
        securityGroupEgress: [{ ipProtocol: 'icmp', fromPort: -1, toPort: -1, cidrIp: '255.255.255.255/32', description: 'no outbound traffic' }],
        tags: tag('endpoints'),
      });
      // Spectrum reads table metadata from the Glue Data Catalog; with enhanced VPC routing that
      // call goes through the VPC, and isolated subnets have no other way out.
      new ec2.CfnVPCEndpoint(this, 'GlueEndpoint', {
        vpcId: this.vpcId,
        serviceName: `com.amazonaws.${stack.region}.glue`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: this.subnetIds,
        securityGroupIds: [endpointSg.attrGroupId],
      });
      this.interfaceEndpoints.push('glue');
    }
  }
}
