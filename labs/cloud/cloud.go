// Package cloud is labdash's seam to AWS: one narrow interface per service, using
// the SDK's own input and output types, listing only the operations labdash calls.
// The real SDK clients satisfy them as they are (asserted below); the simulator in
// labs/cloud/sim implements the same methods over its world model. Lab checks,
// widgets, provisioning and cleanup are written once against these interfaces.
package cloud

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// ECS is the Elastic Container Service operations labdash uses.
type ECS interface {
	CreateCluster(ctx context.Context, in *ecs.CreateClusterInput, optFns ...func(*ecs.Options)) (*ecs.CreateClusterOutput, error)
	DescribeClusters(ctx context.Context, in *ecs.DescribeClustersInput, optFns ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error)
	DeleteCluster(ctx context.Context, in *ecs.DeleteClusterInput, optFns ...func(*ecs.Options)) (*ecs.DeleteClusterOutput, error)
	RegisterTaskDefinition(ctx context.Context, in *ecs.RegisterTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.RegisterTaskDefinitionOutput, error)
	DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
	DeregisterTaskDefinition(ctx context.Context, in *ecs.DeregisterTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DeregisterTaskDefinitionOutput, error)
	ListTaskDefinitions(ctx context.Context, in *ecs.ListTaskDefinitionsInput, optFns ...func(*ecs.Options)) (*ecs.ListTaskDefinitionsOutput, error)
	ListTaskDefinitionFamilies(ctx context.Context, in *ecs.ListTaskDefinitionFamiliesInput, optFns ...func(*ecs.Options)) (*ecs.ListTaskDefinitionFamiliesOutput, error)
	CreateService(ctx context.Context, in *ecs.CreateServiceInput, optFns ...func(*ecs.Options)) (*ecs.CreateServiceOutput, error)
	UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, optFns ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error)
	DeleteService(ctx context.Context, in *ecs.DeleteServiceInput, optFns ...func(*ecs.Options)) (*ecs.DeleteServiceOutput, error)
	DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
	ListServices(ctx context.Context, in *ecs.ListServicesInput, optFns ...func(*ecs.Options)) (*ecs.ListServicesOutput, error)
	ListTasks(ctx context.Context, in *ecs.ListTasksInput, optFns ...func(*ecs.Options)) (*ecs.ListTasksOutput, error)
	DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error)
	StopTask(ctx context.Context, in *ecs.StopTaskInput, optFns ...func(*ecs.Options)) (*ecs.StopTaskOutput, error)
	DeleteTaskDefinitions(ctx context.Context, in *ecs.DeleteTaskDefinitionsInput, optFns ...func(*ecs.Options)) (*ecs.DeleteTaskDefinitionsOutput, error)
}

// ELBv2 is the Elastic Load Balancing (v2) operations labdash uses.
type ELBv2 interface {
	CreateLoadBalancer(ctx context.Context, in *elbv2.CreateLoadBalancerInput, optFns ...func(*elbv2.Options)) (*elbv2.CreateLoadBalancerOutput, error)
	DescribeLoadBalancers(ctx context.Context, in *elbv2.DescribeLoadBalancersInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error)
	DeleteLoadBalancer(ctx context.Context, in *elbv2.DeleteLoadBalancerInput, optFns ...func(*elbv2.Options)) (*elbv2.DeleteLoadBalancerOutput, error)
	CreateTargetGroup(ctx context.Context, in *elbv2.CreateTargetGroupInput, optFns ...func(*elbv2.Options)) (*elbv2.CreateTargetGroupOutput, error)
	DescribeTargetGroups(ctx context.Context, in *elbv2.DescribeTargetGroupsInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupsOutput, error)
	DeleteTargetGroup(ctx context.Context, in *elbv2.DeleteTargetGroupInput, optFns ...func(*elbv2.Options)) (*elbv2.DeleteTargetGroupOutput, error)
	DescribeTargetGroupAttributes(ctx context.Context, in *elbv2.DescribeTargetGroupAttributesInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupAttributesOutput, error)
	CreateListener(ctx context.Context, in *elbv2.CreateListenerInput, optFns ...func(*elbv2.Options)) (*elbv2.CreateListenerOutput, error)
	DescribeListeners(ctx context.Context, in *elbv2.DescribeListenersInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeListenersOutput, error)
	DeleteListener(ctx context.Context, in *elbv2.DeleteListenerInput, optFns ...func(*elbv2.Options)) (*elbv2.DeleteListenerOutput, error)
	DescribeTargetHealth(ctx context.Context, in *elbv2.DescribeTargetHealthInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTargetHealthOutput, error)
	RegisterTargets(ctx context.Context, in *elbv2.RegisterTargetsInput, optFns ...func(*elbv2.Options)) (*elbv2.RegisterTargetsOutput, error)
	DeregisterTargets(ctx context.Context, in *elbv2.DeregisterTargetsInput, optFns ...func(*elbv2.Options)) (*elbv2.DeregisterTargetsOutput, error)
	DescribeTags(ctx context.Context, in *elbv2.DescribeTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTagsOutput, error)
	ModifyLoadBalancerAttributes(ctx context.Context, in *elbv2.ModifyLoadBalancerAttributesInput, optFns ...func(*elbv2.Options)) (*elbv2.ModifyLoadBalancerAttributesOutput, error)
	DescribeRules(ctx context.Context, in *elbv2.DescribeRulesInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeRulesOutput, error)
	CreateRule(ctx context.Context, in *elbv2.CreateRuleInput, optFns ...func(*elbv2.Options)) (*elbv2.CreateRuleOutput, error)
	DeleteRule(ctx context.Context, in *elbv2.DeleteRuleInput, optFns ...func(*elbv2.Options)) (*elbv2.DeleteRuleOutput, error)
}

// CloudWatch is the CloudWatch (metrics and alarms) operations labdash uses.
type CloudWatch interface {
	DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
	DescribeAlarmHistory(ctx context.Context, in *cloudwatch.DescribeAlarmHistoryInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmHistoryOutput, error)
	GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
	PutMetricAlarm(ctx context.Context, in *cloudwatch.PutMetricAlarmInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error)
	DeleteAlarms(ctx context.Context, in *cloudwatch.DeleteAlarmsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.DeleteAlarmsOutput, error)
	ListTagsForResource(ctx context.Context, in *cloudwatch.ListTagsForResourceInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error)
}

// AutoScaling is the Application Auto Scaling operations labdash uses (ECS service scaling).
type AutoScaling interface {
	RegisterScalableTarget(ctx context.Context, in *applicationautoscaling.RegisterScalableTargetInput, optFns ...func(*applicationautoscaling.Options)) (*applicationautoscaling.RegisterScalableTargetOutput, error)
	DescribeScalableTargets(ctx context.Context, in *applicationautoscaling.DescribeScalableTargetsInput, optFns ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DescribeScalableTargetsOutput, error)
	DeregisterScalableTarget(ctx context.Context, in *applicationautoscaling.DeregisterScalableTargetInput, optFns ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DeregisterScalableTargetOutput, error)
	PutScalingPolicy(ctx context.Context, in *applicationautoscaling.PutScalingPolicyInput, optFns ...func(*applicationautoscaling.Options)) (*applicationautoscaling.PutScalingPolicyOutput, error)
	DescribeScalingPolicies(ctx context.Context, in *applicationautoscaling.DescribeScalingPoliciesInput, optFns ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DescribeScalingPoliciesOutput, error)
	DeleteScalingPolicy(ctx context.Context, in *applicationautoscaling.DeleteScalingPolicyInput, optFns ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DeleteScalingPolicyOutput, error)
	DescribeScalingActivities(ctx context.Context, in *applicationautoscaling.DescribeScalingActivitiesInput, optFns ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DescribeScalingActivitiesOutput, error)
}

// EC2 is the EC2 networking operations labdash uses.
type EC2 interface {
	DescribeVpcs(ctx context.Context, in *ec2.DescribeVpcsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error)
	DescribeSubnets(ctx context.Context, in *ec2.DescribeSubnetsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error)
	DescribeSecurityGroups(ctx context.Context, in *ec2.DescribeSecurityGroupsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error)
	DescribeAvailabilityZones(ctx context.Context, in *ec2.DescribeAvailabilityZonesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeAvailabilityZonesOutput, error)
	CreateSecurityGroup(ctx context.Context, in *ec2.CreateSecurityGroupInput, optFns ...func(*ec2.Options)) (*ec2.CreateSecurityGroupOutput, error)
	AuthorizeSecurityGroupIngress(ctx context.Context, in *ec2.AuthorizeSecurityGroupIngressInput, optFns ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupIngressOutput, error)
	DeleteSecurityGroup(ctx context.Context, in *ec2.DeleteSecurityGroupInput, optFns ...func(*ec2.Options)) (*ec2.DeleteSecurityGroupOutput, error)
	DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
	RunInstances(ctx context.Context, in *ec2.RunInstancesInput, optFns ...func(*ec2.Options)) (*ec2.RunInstancesOutput, error)
	TerminateInstances(ctx context.Context, in *ec2.TerminateInstancesInput, optFns ...func(*ec2.Options)) (*ec2.TerminateInstancesOutput, error)
	CreateLaunchTemplate(ctx context.Context, in *ec2.CreateLaunchTemplateInput, optFns ...func(*ec2.Options)) (*ec2.CreateLaunchTemplateOutput, error)
	DescribeLaunchTemplates(ctx context.Context, in *ec2.DescribeLaunchTemplatesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeLaunchTemplatesOutput, error)
	DeleteLaunchTemplate(ctx context.Context, in *ec2.DeleteLaunchTemplateInput, optFns ...func(*ec2.Options)) (*ec2.DeleteLaunchTemplateOutput, error)
	DescribeLaunchTemplateVersions(ctx context.Context, in *ec2.DescribeLaunchTemplateVersionsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeLaunchTemplateVersionsOutput, error)
	DescribeSpotPriceHistory(ctx context.Context, in *ec2.DescribeSpotPriceHistoryInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSpotPriceHistoryOutput, error)
	DescribeSpotInstanceRequests(ctx context.Context, in *ec2.DescribeSpotInstanceRequestsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSpotInstanceRequestsOutput, error)
	CancelSpotInstanceRequests(ctx context.Context, in *ec2.CancelSpotInstanceRequestsInput, optFns ...func(*ec2.Options)) (*ec2.CancelSpotInstanceRequestsOutput, error)
	StopInstances(ctx context.Context, in *ec2.StopInstancesInput, optFns ...func(*ec2.Options)) (*ec2.StopInstancesOutput, error)
	StartInstances(ctx context.Context, in *ec2.StartInstancesInput, optFns ...func(*ec2.Options)) (*ec2.StartInstancesOutput, error)
	DescribeNetworkInterfaces(ctx context.Context, in *ec2.DescribeNetworkInterfacesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error)
	AllocateAddress(ctx context.Context, in *ec2.AllocateAddressInput, optFns ...func(*ec2.Options)) (*ec2.AllocateAddressOutput, error)
	DescribeAddresses(ctx context.Context, in *ec2.DescribeAddressesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error)
	ReleaseAddress(ctx context.Context, in *ec2.ReleaseAddressInput, optFns ...func(*ec2.Options)) (*ec2.ReleaseAddressOutput, error)
	CreateNatGateway(ctx context.Context, in *ec2.CreateNatGatewayInput, optFns ...func(*ec2.Options)) (*ec2.CreateNatGatewayOutput, error)
	DescribeNatGateways(ctx context.Context, in *ec2.DescribeNatGatewaysInput, optFns ...func(*ec2.Options)) (*ec2.DescribeNatGatewaysOutput, error)
	DeleteNatGateway(ctx context.Context, in *ec2.DeleteNatGatewayInput, optFns ...func(*ec2.Options)) (*ec2.DeleteNatGatewayOutput, error)
	CreateVpcEndpoint(ctx context.Context, in *ec2.CreateVpcEndpointInput, optFns ...func(*ec2.Options)) (*ec2.CreateVpcEndpointOutput, error)
	DescribeVpcEndpoints(ctx context.Context, in *ec2.DescribeVpcEndpointsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVpcEndpointsOutput, error)
	DeleteVpcEndpoints(ctx context.Context, in *ec2.DeleteVpcEndpointsInput, optFns ...func(*ec2.Options)) (*ec2.DeleteVpcEndpointsOutput, error)
}

// CloudFormation is the CloudFormation operations labdash uses (prerequisite stacks).
type CloudFormation interface {
	CreateStack(ctx context.Context, in *cloudformation.CreateStackInput, optFns ...func(*cloudformation.Options)) (*cloudformation.CreateStackOutput, error)
	DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
	DescribeStackEvents(ctx context.Context, in *cloudformation.DescribeStackEventsInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStackEventsOutput, error)
	DeleteStack(ctx context.Context, in *cloudformation.DeleteStackInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DeleteStackOutput, error)
	DescribeStackResources(ctx context.Context, in *cloudformation.DescribeStackResourcesInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStackResourcesOutput, error)
}

// IAM is the IAM operations labdash uses.
type IAM interface {
	GetRole(ctx context.Context, in *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	CreateRole(ctx context.Context, in *iam.CreateRoleInput, optFns ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	DeleteRole(ctx context.Context, in *iam.DeleteRoleInput, optFns ...func(*iam.Options)) (*iam.DeleteRoleOutput, error)
	AttachRolePolicy(ctx context.Context, in *iam.AttachRolePolicyInput, optFns ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error)
	ListAttachedRolePolicies(ctx context.Context, in *iam.ListAttachedRolePoliciesInput, optFns ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error)
	DetachRolePolicy(ctx context.Context, in *iam.DetachRolePolicyInput, optFns ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error)
	CreatePolicy(ctx context.Context, in *iam.CreatePolicyInput, optFns ...func(*iam.Options)) (*iam.CreatePolicyOutput, error)
	DeletePolicy(ctx context.Context, in *iam.DeletePolicyInput, optFns ...func(*iam.Options)) (*iam.DeletePolicyOutput, error)
	GetPolicy(ctx context.Context, in *iam.GetPolicyInput, optFns ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
	GetPolicyVersion(ctx context.Context, in *iam.GetPolicyVersionInput, optFns ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error)
	CreatePolicyVersion(ctx context.Context, in *iam.CreatePolicyVersionInput, optFns ...func(*iam.Options)) (*iam.CreatePolicyVersionOutput, error)
	ListPolicyVersions(ctx context.Context, in *iam.ListPolicyVersionsInput, optFns ...func(*iam.Options)) (*iam.ListPolicyVersionsOutput, error)
	DeletePolicyVersion(ctx context.Context, in *iam.DeletePolicyVersionInput, optFns ...func(*iam.Options)) (*iam.DeletePolicyVersionOutput, error)
	PutRolePolicy(ctx context.Context, in *iam.PutRolePolicyInput, optFns ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
	UpdateAssumeRolePolicy(ctx context.Context, in *iam.UpdateAssumeRolePolicyInput, optFns ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
	ListRolePolicies(ctx context.Context, in *iam.ListRolePoliciesInput, optFns ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error)
	DeleteRolePolicy(ctx context.Context, in *iam.DeleteRolePolicyInput, optFns ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error)
	SimulatePrincipalPolicy(ctx context.Context, in *iam.SimulatePrincipalPolicyInput, optFns ...func(*iam.Options)) (*iam.SimulatePrincipalPolicyOutput, error)
	ListRoles(ctx context.Context, in *iam.ListRolesInput, optFns ...func(*iam.Options)) (*iam.ListRolesOutput, error)
	ListPolicyTags(ctx context.Context, in *iam.ListPolicyTagsInput, optFns ...func(*iam.Options)) (*iam.ListPolicyTagsOutput, error)
	ListEntitiesForPolicy(ctx context.Context, in *iam.ListEntitiesForPolicyInput, optFns ...func(*iam.Options)) (*iam.ListEntitiesForPolicyOutput, error)
	CreateInstanceProfile(ctx context.Context, in *iam.CreateInstanceProfileInput, optFns ...func(*iam.Options)) (*iam.CreateInstanceProfileOutput, error)
	GetInstanceProfile(ctx context.Context, in *iam.GetInstanceProfileInput, optFns ...func(*iam.Options)) (*iam.GetInstanceProfileOutput, error)
	ListInstanceProfiles(ctx context.Context, in *iam.ListInstanceProfilesInput, optFns ...func(*iam.Options)) (*iam.ListInstanceProfilesOutput, error)
	ListInstanceProfilesForRole(ctx context.Context, in *iam.ListInstanceProfilesForRoleInput, optFns ...func(*iam.Options)) (*iam.ListInstanceProfilesForRoleOutput, error)
	ListInstanceProfileTags(ctx context.Context, in *iam.ListInstanceProfileTagsInput, optFns ...func(*iam.Options)) (*iam.ListInstanceProfileTagsOutput, error)
	AddRoleToInstanceProfile(ctx context.Context, in *iam.AddRoleToInstanceProfileInput, optFns ...func(*iam.Options)) (*iam.AddRoleToInstanceProfileOutput, error)
	RemoveRoleFromInstanceProfile(ctx context.Context, in *iam.RemoveRoleFromInstanceProfileInput, optFns ...func(*iam.Options)) (*iam.RemoveRoleFromInstanceProfileOutput, error)
	DeleteInstanceProfile(ctx context.Context, in *iam.DeleteInstanceProfileInput, optFns ...func(*iam.Options)) (*iam.DeleteInstanceProfileOutput, error)
}

// GlobalAccelerator is the Global Accelerator operations labdash uses. Its API lives
// in us-west-2 only, whatever region the rest of the class uses (LABS.md Lab 5).
type GlobalAccelerator interface {
	ListAccelerators(ctx context.Context, in *globalaccelerator.ListAcceleratorsInput, optFns ...func(*globalaccelerator.Options)) (*globalaccelerator.ListAcceleratorsOutput, error)
	CreateAccelerator(ctx context.Context, in *globalaccelerator.CreateAcceleratorInput, optFns ...func(*globalaccelerator.Options)) (*globalaccelerator.CreateAcceleratorOutput, error)
	DescribeAccelerator(ctx context.Context, in *globalaccelerator.DescribeAcceleratorInput, optFns ...func(*globalaccelerator.Options)) (*globalaccelerator.DescribeAcceleratorOutput, error)
	UpdateAccelerator(ctx context.Context, in *globalaccelerator.UpdateAcceleratorInput, optFns ...func(*globalaccelerator.Options)) (*globalaccelerator.UpdateAcceleratorOutput, error)
	DeleteAccelerator(ctx context.Context, in *globalaccelerator.DeleteAcceleratorInput, optFns ...func(*globalaccelerator.Options)) (*globalaccelerator.DeleteAcceleratorOutput, error)
	ListListeners(ctx context.Context, in *globalaccelerator.ListListenersInput, optFns ...func(*globalaccelerator.Options)) (*globalaccelerator.ListListenersOutput, error)
	CreateListener(ctx context.Context, in *globalaccelerator.CreateListenerInput, optFns ...func(*globalaccelerator.Options)) (*globalaccelerator.CreateListenerOutput, error)
	DeleteListener(ctx context.Context, in *globalaccelerator.DeleteListenerInput, optFns ...func(*globalaccelerator.Options)) (*globalaccelerator.DeleteListenerOutput, error)
	ListEndpointGroups(ctx context.Context, in *globalaccelerator.ListEndpointGroupsInput, optFns ...func(*globalaccelerator.Options)) (*globalaccelerator.ListEndpointGroupsOutput, error)
	CreateEndpointGroup(ctx context.Context, in *globalaccelerator.CreateEndpointGroupInput, optFns ...func(*globalaccelerator.Options)) (*globalaccelerator.CreateEndpointGroupOutput, error)
	DescribeEndpointGroup(ctx context.Context, in *globalaccelerator.DescribeEndpointGroupInput, optFns ...func(*globalaccelerator.Options)) (*globalaccelerator.DescribeEndpointGroupOutput, error)
	DeleteEndpointGroup(ctx context.Context, in *globalaccelerator.DeleteEndpointGroupInput, optFns ...func(*globalaccelerator.Options)) (*globalaccelerator.DeleteEndpointGroupOutput, error)
	ListTagsForResource(ctx context.Context, in *globalaccelerator.ListTagsForResourceInput, optFns ...func(*globalaccelerator.Options)) (*globalaccelerator.ListTagsForResourceOutput, error)
	UpdateEndpointGroup(ctx context.Context, in *globalaccelerator.UpdateEndpointGroupInput, optFns ...func(*globalaccelerator.Options)) (*globalaccelerator.UpdateEndpointGroupOutput, error)
	DescribeListener(ctx context.Context, in *globalaccelerator.DescribeListenerInput, optFns ...func(*globalaccelerator.Options)) (*globalaccelerator.DescribeListenerOutput, error)
}

// ServiceQuotas is the Service Quotas operations labdash's preflight uses.
type ServiceQuotas interface {
	GetServiceQuota(ctx context.Context, in *servicequotas.GetServiceQuotaInput, optFns ...func(*servicequotas.Options)) (*servicequotas.GetServiceQuotaOutput, error)
}

// STS is the Security Token Service operations labdash uses.
type STS interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
	// AssumeRoleWithWebIdentity is Lab 4's basic (classic) Cognito flow: an OpenID token for a role. Unsigned on AWS.
	AssumeRoleWithWebIdentity(ctx context.Context, in *sts.AssumeRoleWithWebIdentityInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleWithWebIdentityOutput, error)
}

// Tagging is the Resource Groups Tagging API, used to discover what a class owns.
type Tagging interface {
	GetResources(ctx context.Context, in *resourcegroupstaggingapi.GetResourcesInput, optFns ...func(*resourcegroupstaggingapi.Options)) (*resourcegroupstaggingapi.GetResourcesOutput, error)
}

// The SDK clients satisfy the interfaces as they are.
var (
	_ ECS               = (*ecs.Client)(nil)
	_ ELBv2             = (*elbv2.Client)(nil)
	_ CloudWatch        = (*cloudwatch.Client)(nil)
	_ AutoScaling       = (*applicationautoscaling.Client)(nil)
	_ EC2               = (*ec2.Client)(nil)
	_ CloudFormation    = (*cloudformation.Client)(nil)
	_ IAM               = (*iam.Client)(nil)
	_ Tagging           = (*resourcegroupstaggingapi.Client)(nil)
	_ STS               = (*sts.Client)(nil)
	_ ServiceQuotas     = (*servicequotas.Client)(nil)
	_ GlobalAccelerator = (*globalaccelerator.Client)(nil)
)

// Clients is every service client for one (account, region). Global services
// (IAM) answer the same in every region.
type Clients struct {
	Account, Region string
	// Now is the provider's clock: simulated time in the simulator, wall time on AWS.
	// Nil means time.Now.
	Now            func() time.Time
	ECS            ECS
	ELBv2          ELBv2
	CloudWatch     CloudWatch
	AutoScaling    AutoScaling
	EC2            EC2
	CloudFormation CloudFormation
	IAM            IAM
	Tagging        Tagging
	STS            STS
	Quotas         ServiceQuotas
	// GlobalAccelerator is always the us-west-2 client, whatever Region says.
	GlobalAccelerator GlobalAccelerator
	Logs              Logs
	S3                S3
	RDS               RDS
	// Route53 is global: every region's client answers the same.
	Route53  Route53
	Lambda   Lambda
	DynamoDB DynamoDB
	SNS      SNS
	SQS      SQS
	Cognito  Cognito
	// CognitoIdentity is Cognito identity pools (Lab 4's guest credentials).
	CognitoIdentity  CognitoIdentity
	ElasticBeanstalk ElasticBeanstalk
	Macie            Macie
	PCA              PCA
	ACM              ACM
	ASG              ASG
	XRay             XRay
	// Rekognition is Amazon Rekognition (Lab 1's photo labels).
	Rekognition Rekognition
	// CloudTrail reads the event history of this Region; Route 53's and IAM's
	// events are in us-east-1's (InRegion).
	CloudTrail CloudTrail
	// Events is Amazon EventBridge (event mode's rules).
	Events EventBridge
	// HTTP fetches a URL the way a student's browser would (Lab 5's probe of an
	// accelerator's static IP): over the network on AWS, routed by the simulated
	// accelerator on the simulator. Probes must be short: they run in the monitor.
	HTTP Prober
	// Dial opens a TCP connection the way a student's client would (Lab 9's TLS
	// probe of an HTTPS listener): over the network on AWS; on the simulator a
	// load balancer's DNS name and listener port reach the loopback TLS port that
	// presents the listener's certificate chain. Nil means net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// DNS resolves a name the way a student's resolver would, answer by answer with
	// each answer's TTL (Lab 3's resolution trace): the system's resolver on AWS,
	// the simulated zones and load balancers on the simulator. Nil where there is
	// none; lookups must be short: they run in the monitor.
	DNS Resolver
	// Browse turns a URL a student opens in their browser (Lab 4's S3 website
	// endpoint) into one a browser on this machine can open: the URL itself on
	// AWS; on the simulator, the same page on the loopback address where the
	// simulated websites are served (ServeWebsite), or "" when none answers it.
	// Nil means the URL itself.
	Browse func(url string) string
	// InRegion returns the same account's clients in another region (a lab whose
	// resources span regions: Global Accelerator's endpoint groups).
	InRegion func(ctx context.Context, region string) (*Clients, error)
	// Dashboard returns labdash's own account's clients (the provider's default
	// account, Clients(ctx, "", region)) in the same region: where Lab 3 keeps the
	// parent zone that delegates to each student account's zone in an
	// account-per-student class. Nil where there is none: a sandbox role's
	// clients, which must not reach labdash's account.
	Dashboard func(ctx context.Context) (*Clients, error)
}

// Prober fetches one URL.
type Prober interface {
	// Get returns the status, up to 4 KiB of the body and how long the answer took.
	Get(ctx context.Context, url string) (ProbeResult, error)
}

// Resolver looks up one DNS question.
type Resolver interface {
	// Resolve asks for name's records of type qtype ("A", "CNAME") and returns the
	// answer section in order: a CNAME chain first, then the records it ends at.
	// A name that does not exist answers ErrNXDomain.
	Resolve(ctx context.Context, name, qtype string) ([]DNSAnswer, error)
}

// DNSAnswer is one record of a DNS answer section.
type DNSAnswer struct {
	Name string // the owner name, absolute, lowercase ("www.s07.c42.labs.example.com.")
	Type string // "A", "CNAME" …
	TTL  uint32 // seconds
	Data string // "203.0.113.7", "c42s07-r53-alb-1234.us-east-1.elb.amazonaws.com."
}

// ErrNXDomain is a resolver's answer for a name that does not exist.
var ErrNXDomain = errors.New("cloud: NXDOMAIN: no such name")

// ProbeResult is one HTTP probe's answer.
type ProbeResult struct {
	Status  int
	Body    string
	Latency time.Duration
}

// Provider hands out clients per (account, region): the simulator or real AWS.
type Provider interface {
	// Name is "sim" or "aws"; pages label the simulated one.
	Name() string
	// Clients returns the clients for account in region. account "" means the provider's default account.
	Clients(ctx context.Context, account, region string) (*Clients, error)
}

// RoleProvider is a Provider that can also act as an IAM role: the simulator's
// clients for a sandbox role, every call judged by IAM evaluation of the role's
// policies (virtual students in shared-account mode).
type RoleProvider interface {
	ClientsAs(ctx context.Context, roleARN, session, region string) (*Clients, error)
}

// BrowseURL is c.Browse(u), or u when the provider set no Browse.
func (c *Clients) BrowseURL(u string) string {
	if c.Browse != nil {
		return c.Browse(u)
	}
	return u
}

// CredentialsProvider is a Provider that can act as temporary credentials it
// issued (the simulator: Cognito guest credentials, AssumeRoleWithWebIdentity),
// for virtual students whose page would hold them.
type CredentialsProvider interface {
	ClientsWithCredentials(ctx context.Context, accessKeyID, secretAccessKey, sessionToken, region string) (*Clients, error)
}

// Clock returns c.Now, or time.Now when the provider did not set one.
func (c *Clients) Clock() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// ARN builds an ARN of service in this client's partition, region and account.
// Global services (IAM, Route 53) leave the region out themselves.
func (c *Clients) ARN(service, resource string) string {
	return "arn:aws:" + service + ":" + c.Region + ":" + c.Account + ":" + resource
}
