package resources_test

// How each type recognises "it no longer exists": its registration's Gone, which
// Register applies to every error Delete and Tags return. The table gives every
// registered type its service's not-found answers in AWS's own codes and words
// (the SDK's typed errors where the service has one, so the codes are the ones
// the SDK reports), each of which must count as gone, and the answers that must
// not: throttling, AccessDenied, and a not-found about something else.

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	smithy "github.com/aws/smithy-go"

	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	evtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	macietypes "github.com/aws/aws-sdk-go-v2/service/macie2/types"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	xraytypes "github.com/aws/aws-sdk-go-v2/service/xray/types"

	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
)

// generic is an error the SDK decodes for a code without a typed error (EC2's,
// the Query services' ValidationError …).
func generic(code, msg string) error {
	return &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient}
}

// goneRow is one answer a type's service may give.
type goneRow struct {
	name string
	err  error
	gone bool
}

// goneTable is, per type, a resource of it (in account 111122223333, us-east-1)
// and its service's not-found answers, every one of which means gone.
var goneTable = map[string]struct {
	ref      resources.Ref
	notFound []goneRow
}{
	"AWS::ACMPCA::CertificateAuthority": {ref("arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555"), []goneRow{
		{"ResourceNotFoundException", &pcatypes.ResourceNotFoundException{Message: aws.String("Could not find certificate authority arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555.")}, true},
	}},
	"AWS::CertificateManager::Certificate": {ref("arn:aws:acm:us-east-1:111122223333:certificate/11111111-2222-3333-4444-555555555555"), []goneRow{
		{"ResourceNotFoundException", &acmtypes.ResourceNotFoundException{Message: aws.String("Could not find certificate arn:aws:acm:us-east-1:111122223333:certificate/11111111-2222-3333-4444-555555555555.")}, true},
		{"in use is not gone", &acmtypes.ResourceInUseException{Message: aws.String("Certificate arn:aws:acm:us-east-1:111122223333:certificate/11111111-2222-3333-4444-555555555555 in use.")}, false},
	}},
	"AWS::ApplicationAutoScaling::ScalableTarget": {ref("ecs:service/c7k2qs01-cluster/c7k2qs01-svc"), []goneRow{
		{"ObjectNotFoundException", &aastypes.ObjectNotFoundException{Message: aws.String("No scalable target registered for service namespace: ecs, resource ID: service/c7k2qs01-cluster/c7k2qs01-svc, scalable dimension: ecs:service:DesiredCount")}, true},
		{"moto's ValidationException", &aastypes.ValidationException{Message: aws.String("No scalable target found for service namespace: ecs, resource ID: service/c7k2qs01-cluster/c7k2qs01-svc, scalable dimension: ecs:service:DesiredCount")}, true},
		{"another ValidationException", &aastypes.ValidationException{Message: aws.String("1 validation error detected: Value 'x' at 'scalableDimension' failed to satisfy constraint")}, false},
	}},
	"AWS::ApplicationAutoScaling::ScalingPolicy": {ref("arn:aws:autoscaling:us-east-1:111122223333:scalingPolicy:6d8972f3-efc8-437c-92d1-6270f29a66e7:resource/ecs/service/c7k2qs01-cluster/c7k2qs01-svc:policyName/cpu50"), []goneRow{
		{"ObjectNotFoundException", &aastypes.ObjectNotFoundException{Message: aws.String("No scaling policy found for service namespace: ecs, resource ID: service/c7k2qs01-cluster/c7k2qs01-svc, scalable dimension: ecs:service:DesiredCount, policy name: cpu50")}, true},
		{"moto's ValidationException", &aastypes.ValidationException{Message: aws.String("No scaling policy found for service namespace: ecs, resource ID: service/c7k2qs01-cluster/c7k2qs01-svc, scalable dimension: ecs:service:DesiredCount, policy name: cpu50")}, true},
	}},
	"AWS::AutoScaling::AutoScalingGroup": {ref("arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:1b2e5d7a-3c4f-4a1b-9d8e-0f1e2d3c4b5a:autoScalingGroupName/c7k2qs01-asg"), []goneRow{
		{"ValidationError: name not found", generic("ValidationError", "AutoScalingGroup name not found - AutoScalingGroup 'c7k2qs01-asg' not found"), true},
		{"ValidationError: pending delete", generic("ValidationError", "The AutoScaling group may not be modified while it is pending delete"), false},
	}},
	"AWS::CloudFormation::Stack": {ref("arn:aws:cloudformation:us-east-1:111122223333:stack/c7k2qs01-fargate-pre/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"), []goneRow{
		{"ValidationError: does not exist", generic("ValidationError", "Stack with id arn:aws:cloudformation:us-east-1:111122223333:stack/c7k2qs01-fargate-pre/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d does not exist"), true},
		{"ValidationError: something else", generic("ValidationError", "Stack [c7k2qs01-fargate-pre] cannot be deleted while in status UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"), false},
	}},
	"AWS::CloudWatch::Alarm": {ref("arn:aws:cloudwatch:us-east-1:111122223333:alarm:c7k2qs01-high-cpu"), []goneRow{
		{"ResourceNotFound (DeleteAlarms)", &cwtypes.ResourceNotFound{Message: aws.String("Alarm c7k2qs01-high-cpu does not exist")}, true},
		{"ResourceNotFoundException (ListTagsForResource)", &cwtypes.ResourceNotFoundException{Message: aws.String("Alarm c7k2qs01-high-cpu not found")}, true},
	}},
	"AWS::Cognito::IdentityPool": {ref("arn:aws:cognito-identity:us-east-1:111122223333:identitypool/us-east-1:0f1e2d3c-4b5a-6978-8899-aabbccddeeff"), []goneRow{
		{"ResourceNotFoundException", &citypes.ResourceNotFoundException{Message: aws.String("IdentityPool 'us-east-1:0f1e2d3c-4b5a-6978-8899-aabbccddeeff' not found.")}, true},
		{"TooManyRequestsException", &citypes.TooManyRequestsException{Message: aws.String("Rate exceeded")}, false},
	}},
	"AWS::Cognito::UserPool": {ref("arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_AbCdEfGhI"), []goneRow{
		{"ResourceNotFoundException", &ciptypes.ResourceNotFoundException{Message: aws.String("User pool us-east-1_AbCdEfGhI does not exist.")}, true},
		{"InvalidParameterException: has a domain", &ciptypes.InvalidParameterException{Message: aws.String("User pool cannot be deleted. It has a domain configured that should be deleted first.")}, false},
	}},
	"AWS::Cognito::UserPoolDomain": {ref("arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_AbCdEfGhI/domain/c7k2qs01-photos"), []goneRow{
		{"its pool: ResourceNotFoundException", &ciptypes.ResourceNotFoundException{Message: aws.String("User pool us-east-1_AbCdEfGhI does not exist.")}, true},
		{"InvalidParameterException: no such domain", &ciptypes.InvalidParameterException{Message: aws.String("No such domain or user pool exists.")}, true},
		{"InvalidParameterException: something else", &ciptypes.InvalidParameterException{Message: aws.String("Domain already associated with another user pool.")}, false},
	}},
	"AWS::DynamoDB::Table": {ref("arn:aws:dynamodb:us-east-1:111122223333:table/c7k2qs01-slotWheels"), []goneRow{
		{"ResourceNotFoundException", &ddbtypes.ResourceNotFoundException{Message: aws.String("Requested resource not found: Table: c7k2qs01-slotWheels not found")}, true},
	}},
	"AWS::EC2::Instance": {ref("arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0"), []goneRow{
		{"InvalidInstanceID.NotFound", generic("InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist"), true},
	}},
	"AWS::EC2::LaunchTemplate": {ref("arn:aws:ec2:us-east-1:111122223333:launch-template/lt-0123456789abcdef0"), []goneRow{
		{"InvalidLaunchTemplateId.NotFound", generic("InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID lt-0123456789abcdef0, does not exist."), true},
		{"InvalidLaunchTemplateName.NotFoundException", generic("InvalidLaunchTemplateName.NotFoundException", "The specified launch template, with template name c7k2qs01-lt, does not exist."), true},
	}},
	"AWS::EC2::NatGateway": {ref("arn:aws:ec2:us-east-1:111122223333:natgateway/nat-0123456789abcdef0"), []goneRow{
		{"NatGatewayNotFound", generic("NatGatewayNotFound", "The Nat Gateway nat-0123456789abcdef0 was not found"), true},
		{"NatGatewayMalformed", generic("NatGatewayMalformed", "The Nat Gateway ID 'nat-0123456789abcdef0' is malformed"), false},
	}},
	"AWS::EC2::EIP": {ref("arn:aws:ec2:us-east-1:111122223333:elastic-ip/eipalloc-0123456789abcdef0"), []goneRow{
		{"InvalidAllocationID.NotFound", generic("InvalidAllocationID.NotFound", "The allocation ID 'eipalloc-0123456789abcdef0' does not exist"), true},
		{"InvalidIPAddress.InUse", generic("InvalidIPAddress.InUse", "Address 52.10.1.1 is in use."), false},
	}},
	"AWS::EC2::VPCEndpoint": {ref("arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-0123456789abcdef0"), []goneRow{
		{"InvalidVpcEndpointId.NotFound", generic("InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id 'vpce-0123456789abcdef0' does not exist"), true},
		{"InvalidVpcEndpointId.Malformed", generic("InvalidVpcEndpointId.Malformed", "Invalid Id: 'vpce-0123456789abcdef0'"), false},
	}},
	"AWS::EC2::SecurityGroup": {ref("arn:aws:ec2:us-east-1:111122223333:security-group/sg-0123456789abcdef0"), []goneRow{
		{"InvalidGroup.NotFound", generic("InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist"), true},
		{"DependencyViolation", generic("DependencyViolation", "resource sg-0123456789abcdef0 has a dependent object"), false},
	}},
	"AWS::EC2::SpotInstanceRequest": {ref("arn:aws:ec2:us-east-1:111122223333:spot-instances-request/sir-0a1b2c3d"), []goneRow{
		{"InvalidSpotInstanceRequestID.NotFound", generic("InvalidSpotInstanceRequestID.NotFound", "The spot instance request ID 'sir-0a1b2c3d' does not exist"), true},
	}},
	"AWS::ECS::Cluster": {ref("arn:aws:ecs:us-east-1:111122223333:cluster/c7k2qs01-cluster"), []goneRow{
		{"ClusterNotFoundException", &ecstypes.ClusterNotFoundException{Message: aws.String("Cluster not found.")}, true},
		{"ClusterContainsServicesException", &ecstypes.ClusterContainsServicesException{Message: aws.String("The Cluster cannot be deleted while Services are active.")}, false},
	}},
	"AWS::ECS::Service": {ref("arn:aws:ecs:us-east-1:111122223333:service/c7k2qs01-cluster/c7k2qs01-svc"), []goneRow{
		{"ServiceNotFoundException", &ecstypes.ServiceNotFoundException{Message: aws.String("Service not found.")}, true},
		{"its cluster: ClusterNotFoundException", &ecstypes.ClusterNotFoundException{Message: aws.String("Cluster not found.")}, true},
		{"ServiceNotActiveException (draining)", &ecstypes.ServiceNotActiveException{Message: aws.String("Service was not ACTIVE.")}, false},
	}},
	"AWS::ECS::TaskDefinition": {ref("arn:aws:ecs:us-east-1:111122223333:task-definition/c7k2qs01-hello:3"), []goneRow{
		{"DescribeTaskDefinition's ClientException", &ecstypes.ClientException{Message: aws.String("Unable to describe task definition.")}, true},
		{"DeregisterTaskDefinition's ClientException", &ecstypes.ClientException{Message: aws.String("The specified task definition does not exist.")}, true},
		{"another ClientException", &ecstypes.ClientException{Message: aws.String("Invalid revision number. Number: c7k2qs01-hello")}, false},
	}},
	"AWS::ElasticBeanstalk::Application": {ref("arn:aws:elasticbeanstalk:us-east-1:111122223333:application/c7k2qs01-signup"), []goneRow{
		{"InvalidParameterValue: No Application named", generic("InvalidParameterValue", "No Application named 'c7k2qs01-signup' found."), true},
		{"ResourceNotFoundException (ListTagsForResource)", &ebtypes.ResourceNotFoundException{Message: aws.String("Resource not found for ARN 'arn:aws:elasticbeanstalk:us-east-1:111122223333:application/c7k2qs01-signup'.")}, true},
		{"InvalidParameterValue: something else", generic("InvalidParameterValue", "Unable to delete application c7k2qs01-signup because it has running environments"), false},
	}},
	"AWS::ElasticBeanstalk::Environment": {ref("arn:aws:elasticbeanstalk:us-east-1:111122223333:environment/c7k2qs01-signup/c7k2qs01-signup-env"), []goneRow{
		{"InvalidParameterValue: No Environment found", generic("InvalidParameterValue", "No Environment found for EnvironmentName = 'c7k2qs01-signup-env'."), true},
		{"ResourceNotFoundException (ListTagsForResource)", &ebtypes.ResourceNotFoundException{Message: aws.String("Resource not found for ARN 'arn:aws:elasticbeanstalk:us-east-1:111122223333:environment/c7k2qs01-signup/c7k2qs01-signup-env'.")}, true},
	}},
	"AWS::ElasticLoadBalancingV2::Listener": {ref("arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/c7k2qs01-alb/50dc6c495c0c9188/f2f7dc8efc522ab2"), []goneRow{
		{"ListenerNotFound", &elbtypes.ListenerNotFoundException{Message: aws.String("One or more listeners not found")}, true},
		{"its load balancer: LoadBalancerNotFound", &elbtypes.LoadBalancerNotFoundException{Message: aws.String("One or more load balancers not found")}, true},
		{"TargetGroupNotFound", &elbtypes.TargetGroupNotFoundException{Message: aws.String("One or more target groups not found")}, false},
	}},
	"AWS::ElasticLoadBalancingV2::LoadBalancer": {ref("arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/c7k2qs01-alb/50dc6c495c0c9188"), []goneRow{
		{"LoadBalancerNotFound", &elbtypes.LoadBalancerNotFoundException{Message: aws.String("One or more load balancers not found")}, true},
		{"ListenerNotFound", &elbtypes.ListenerNotFoundException{Message: aws.String("One or more listeners not found")}, false},
	}},
	"AWS::ElasticLoadBalancingV2::TargetGroup": {ref("arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/c7k2qs01-tg/73e2d6bc24d8a067"), []goneRow{
		{"TargetGroupNotFound", &elbtypes.TargetGroupNotFoundException{Message: aws.String("One or more target groups not found")}, true},
		{"LoadBalancerNotFound", &elbtypes.LoadBalancerNotFoundException{Message: aws.String("One or more load balancers not found")}, false},
	}},
	"AWS::GlobalAccelerator::Accelerator": {ref("arn:aws:globalaccelerator::111122223333:accelerator/1234abcd-abcd-1234-abcd-1234abcdefgh"), []goneRow{
		{"AcceleratorNotFoundException", &gatypes.AcceleratorNotFoundException{Message: aws.String("The accelerator that you specified doesn't exist.")}, true},
		{"ListenerNotFoundException", &gatypes.ListenerNotFoundException{Message: aws.String("The listener that you specified doesn't exist.")}, false},
	}},
	"AWS::GlobalAccelerator::Listener": {ref("arn:aws:globalaccelerator::111122223333:accelerator/1234abcd-abcd-1234-abcd-1234abcdefgh/listener/0123vxyz"), []goneRow{
		{"ListenerNotFoundException", &gatypes.ListenerNotFoundException{Message: aws.String("The listener that you specified doesn't exist.")}, true},
		{"its accelerator: AcceleratorNotFoundException", &gatypes.AcceleratorNotFoundException{Message: aws.String("The accelerator that you specified doesn't exist.")}, true},
		{"AssociatedEndpointGroupFoundException", &gatypes.AssociatedEndpointGroupFoundException{Message: aws.String("The listener has associated endpoint groups.")}, false},
	}},
	"AWS::GlobalAccelerator::EndpointGroup": {ref("arn:aws:globalaccelerator::111122223333:accelerator/1234abcd-abcd-1234-abcd-1234abcdefgh/listener/0123vxyz/endpoint-group/098765zyxwvu"), []goneRow{
		{"EndpointGroupNotFoundException", &gatypes.EndpointGroupNotFoundException{Message: aws.String("The endpoint group that you specified doesn't exist.")}, true},
		{"its listener: ListenerNotFoundException", &gatypes.ListenerNotFoundException{Message: aws.String("The listener that you specified doesn't exist.")}, true},
	}},
	"AWS::IAM::InstanceProfile": {ref("arn:aws:iam::111122223333:instance-profile/labdash/c7k2q/s01/web"), []goneRow{
		{"NoSuchEntity", &iamtypes.NoSuchEntityException{Message: aws.String("Instance Profile web cannot be found.")}, true},
		{"DeleteConflict", &iamtypes.DeleteConflictException{Message: aws.String("Cannot delete entity, must remove roles from instance profile first.")}, false},
	}},
	"AWS::IAM::ManagedPolicy": {ref("arn:aws:iam::111122223333:policy/c7k2q-student-boundary"), []goneRow{
		{"NoSuchEntity", &iamtypes.NoSuchEntityException{Message: aws.String("Policy arn:aws:iam::111122223333:policy/c7k2q-student-boundary does not exist or is not attachable.")}, true},
	}},
	"AWS::IAM::Role": {ref("arn:aws:iam::111122223333:role/labdash/c7k2q/s01/sandbox"), []goneRow{
		{"NoSuchEntity", &iamtypes.NoSuchEntityException{Message: aws.String("The role with name sandbox cannot be found.")}, true},
	}},
	"AWS::Lambda::Function": {ref("arn:aws:lambda:us-east-1:111122223333:function:c7k2qs01-label"), []goneRow{
		{"ResourceNotFoundException", &lambdatypes.ResourceNotFoundException{Message: aws.String("Function not found: arn:aws:lambda:us-east-1:111122223333:function:c7k2qs01-label")}, true},
	}},
	"AWS::Logs::LogGroup": {ref("arn:aws:logs:us-east-1:111122223333:log-group:/ecs/c7k2qs01-hello"), []goneRow{
		{"ResourceNotFoundException", &logstypes.ResourceNotFoundException{Message: aws.String("The specified log group does not exist.")}, true},
	}},
	"AWS::Macie::Session": {resources.Ref{ARN: "arn:aws:macie2:us-east-1:111122223333:session", Type: "AWS::Macie::Session", Region: "us-east-1", Account: "111122223333", Student: "s01"}, []goneRow{
		{"AccessDeniedException: Macie is not enabled", &macietypes.AccessDeniedException{Message: aws.String("Macie is not enabled.")}, true},
		{"moto's ResourceNotFoundException", &macietypes.ResourceNotFoundException{Message: aws.String("The request failed because the specified resource doesn't exist.")}, true},
		{"AccessDeniedException: not authorized", &macietypes.AccessDeniedException{Message: aws.String("User: arn:aws:sts::111122223333:assumed-role/labdash-cleanup/x is not authorized to perform: macie2:DisableMacie")}, false},
	}},
	"AWS::RDS::DBInstance": {ref("arn:aws:rds:us-east-1:111122223333:db:c7k2qs01-db"), []goneRow{
		{"DBInstanceNotFound", &rdstypes.DBInstanceNotFoundFault{Message: aws.String("DBInstance c7k2qs01-db not found.")}, true},
		{"InvalidDBInstanceState", &rdstypes.InvalidDBInstanceStateFault{Message: aws.String("Instance c7k2qs01-db is already being deleted.")}, false},
	}},
	"AWS::RDS::DBSubnetGroup": {ref("arn:aws:rds:us-east-1:111122223333:subgrp:c7k2qs01-photos"), []goneRow{
		{"DBSubnetGroupNotFoundFault", &rdstypes.DBSubnetGroupNotFoundFault{Message: aws.String("DB Subnet group 'c7k2qs01-photos' not found.")}, true},
		{"InvalidDBSubnetGroupStateFault", &rdstypes.InvalidDBSubnetGroupStateFault{Message: aws.String("Cannot delete the subnet group 'c7k2qs01-photos' because at least one database instance: c7k2qs01-db is still using it.")}, false},
	}},
	"AWS::Route53::HostedZone": {ref("arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"), []goneRow{
		{"NoSuchHostedZone", &r53types.NoSuchHostedZone{Message: aws.String("No hosted zone found with ID: Z0123456789ABCDEFGHIJ")}, true},
		{"HostedZoneNotEmpty", &r53types.HostedZoneNotEmpty{Message: aws.String("The specified hosted zone contains non-required resource record sets and so cannot be deleted.")}, false},
	}},
	"AWS::Route53::RecordSet": {ref("arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ/recordset/c7k2qs01-app.example.com./A"), []goneRow{
		{"its zone: NoSuchHostedZone", &r53types.NoSuchHostedZone{Message: aws.String("No hosted zone found with ID: Z0123456789ABCDEFGHIJ")}, true},
		{"InvalidChangeBatch: not found", &r53types.InvalidChangeBatch{Message: aws.String("[Tried to delete resource record set [name='c7k2qs01-app.example.com.', type='A'] but it was not found]")}, true},
		{"InvalidChangeBatch: values differ", &r53types.InvalidChangeBatch{Message: aws.String("[Tried to delete resource record set [name='c7k2qs01-app.example.com.', type='A'] but the values provided do not match the current values]")}, false},
	}},
	"AWS::S3::Bucket": {ref("arn:aws:s3:::c7k2qs01-photos"), []goneRow{
		{"NoSuchBucket", &s3types.NoSuchBucket{Message: aws.String("The specified bucket does not exist")}, true},
		{"BucketNotEmpty", generic("BucketNotEmpty", "The bucket you tried to delete is not empty"), false},
		{"NoSuchKey", &s3types.NoSuchKey{Message: aws.String("The specified key does not exist.")}, false},
	}},
	"AWS::SNS::Subscription": {ref("arn:aws:sns:us-east-1:111122223333:c7k2qs01-photos:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"), []goneRow{
		{"NotFound", &snstypes.NotFoundException{Message: aws.String("Subscription does not exist")}, true},
		{"ResourceNotFound", &snstypes.ResourceNotFoundException{Message: aws.String("Resource does not exist")}, true},
	}},
	"AWS::SNS::Topic": {ref("arn:aws:sns:us-east-1:111122223333:c7k2qs01-photos"), []goneRow{
		{"NotFound", &snstypes.NotFoundException{Message: aws.String("Topic does not exist")}, true},
		{"ResourceNotFound (ListTagsForResource)", &snstypes.ResourceNotFoundException{Message: aws.String("Resource does not exist")}, true},
	}},
	"AWS::SQS::Queue": {ref("arn:aws:sqs:us-east-1:111122223333:c7k2qs01-print"), []goneRow{
		{"AWS.SimpleQueueService.NonExistentQueue", &sqstypes.QueueDoesNotExist{Message: aws.String("The specified queue does not exist."), ErrorCodeOverride: aws.String("AWS.SimpleQueueService.NonExistentQueue")}, true},
		{"QueueDoesNotExist", &sqstypes.QueueDoesNotExist{Message: aws.String("The specified queue does not exist.")}, true},
	}},
	"AWS::Events::Rule": {ref("arn:aws:events:us-east-1:111122223333:rule/labdash-c7k2q-asg"), []goneRow{
		{"ResourceNotFoundException", &evtypes.ResourceNotFoundException{Message: aws.String("Rule labdash-c7k2q-asg does not exist on EventBus default.")}, true},
		{"ValidationException: has targets", &smithy.GenericAPIError{Code: "ValidationException", Message: "Rule can't be deleted since it has targets."}, false},
	}},
	"AWS::XRay::Group": {ref("arn:aws:xray:us-east-1:111122223333:group/c7k2qs01/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), []goneRow{
		{"InvalidRequestException: Group not found", &xraytypes.InvalidRequestException{Message: aws.String("Group not found")}, true},
		{"ResourceNotFoundException (ListTagsForResource)", &xraytypes.ResourceNotFoundException{Message: aws.String("Resource not found: arn:aws:xray:us-east-1:111122223333:group/c7k2qs01/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}, true},
		{"InvalidRequestException: something else", &xraytypes.InvalidRequestException{Message: aws.String("Invalid filter expression")}, false},
	}},
}

// neverGone are answers no type may take for "gone": throttling (the engine backs
// off), AccessDenied (terminal: reported), and the not-found of something the
// resource is not (a subnet, a KMS key).
var neverGone = []goneRow{
	{"ThrottlingException", generic("ThrottlingException", "Rate exceeded"), false},
	{"RequestLimitExceeded", generic("RequestLimitExceeded", "Request limit exceeded."), false},
	{"AccessDenied", generic("AccessDenied", "User: arn:aws:sts::111122223333:assumed-role/labdash-cleanup/x is not authorized to perform this operation"), false},
	{"AccessDeniedException", generic("AccessDeniedException", "User: arn:aws:sts::111122223333:assumed-role/labdash-cleanup/x is not authorized to perform this operation"), false},
	{"another resource's InvalidSubnetID.NotFound", generic("InvalidSubnetID.NotFound", "The subnet ID 'subnet-0a1b2c3d' does not exist"), false},
	{"another resource's KMSNotFoundException", generic("KMSNotFoundException", "Key 'arn:aws:kms:us-east-1:111122223333:key/1' does not exist"), false},
}

func ref(arn string) resources.Ref {
	t, _ := resources.ForARN(arn)
	return resources.Ref{ARN: arn, Type: t.Name, Region: resources.Region(arn), Account: "111122223333", Student: "s01"}
}

// failing is c with every call answered by err.
func failing(c *cloud.Clients, err error) *cloud.Clients {
	return cloud.Intercept(c, func(context.Context, cloud.Call) error { return err })
}

// TestEveryTypeKnowsGone: for every registered type, each of its service's
// not-found answers makes Delete (and Tags, for a taggable type) report it gone,
// and none of the answers that do not mean gone does; those come back with AWS's
// code intact, for the engine to back off on or report.
func TestEveryTypeKnowsGone(t *testing.T) {
	e := simEnv(t)
	for _, typ := range resources.All() {
		tc, ok := goneTable[typ.Name]
		if !ok {
			t.Errorf("%s has no row in goneTable: give it its service's not-found answers", typ.Name)
			continue
		}
		t.Run(typ.Name, func(t *testing.T) {
			if !typ.Match(tc.ref.ARN) || tc.ref.Type != typ.Name {
				t.Fatalf("%s is not an ARN of %s", tc.ref.ARN, typ.Name)
			}
			var gone, not int
			for _, row := range append(append([]goneRow(nil), tc.notFound...), neverGone...) {
				if row.gone {
					gone++
				} else {
					not++
				}
				c := failing(e.c, row.err)
				check := func(call string, err error) {
					t.Helper()
					switch {
					case row.gone && !errors.Is(err, resources.ErrGone):
						t.Errorf("%s given %s (%v): %v, want gone", call, row.name, row.err, err)
					case !row.gone && (err == nil || errors.Is(err, resources.ErrGone)):
						t.Errorf("%s given %s (%v): %v, want an error that is not gone", call, row.name, row.err, err)
					case !row.gone && !errors.Is(err, resources.ErrWaiting) && resources.ErrorCode(err) != resources.ErrorCode(row.err):
						t.Errorf("%s given %s: %v, AWS's code %s is lost", call, row.name, err, resources.ErrorCode(row.err))
					}
					if got := typ.IsGone(row.err); got != row.gone {
						t.Errorf("IsGone(%s) = %v, want %v", row.name, got, row.gone)
					}
				}
				check("Delete", typ.Delete(e.ctx, c, tc.ref))
				if typ.Tags != nil {
					_, err := typ.Tags(e.ctx, c, tc.ref)
					check("Tags", err)
				}
			}
			if gone == 0 || not == 0 {
				t.Errorf("%d gone and %d not-gone answers: the table needs both", gone, not)
			}
		})
	}
	for name := range goneTable {
		if _, ok := resources.Lookup(name); !ok {
			t.Errorf("goneTable has %s, which is not registered", name)
		}
	}
}

// TestTaskDefinitionGoneAtEveryStep: a revision deleted behind the engine's back
// (a resumed cleanup whose killed predecessor finished it) is gone at whichever
// call learns it — DescribeTaskDefinition, DeregisterTaskDefinition, or a
// DeleteTaskDefinitions failure entry — while a failure for another reason (still
// ACTIVE) is not gone.
func TestTaskDefinitionGoneAtEveryStep(t *testing.T) {
	e := simEnv(t)
	typ, _ := resources.Lookup("AWS::ECS::TaskDefinition")
	out, err := e.c.ECS.RegisterTaskDefinition(e.ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("c7k2qs01-hello"),
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("hello"), Image: aws.String("nginxdemos/hello")}}})
	if err != nil {
		t.Fatal(err)
	}
	r := ref(aws.ToString(out.TaskDefinition.TaskDefinitionArn))
	for _, tc := range []struct {
		name   string
		op     string
		err    error
		reason string // a DeleteTaskDefinitions failure entry instead of err
		gone   bool
	}{
		{"Deregister: does not exist", "DeregisterTaskDefinition", &ecstypes.ClientException{Message: aws.String("The specified task definition does not exist.")}, "", true},
		{"Deregister: throttled", "DeregisterTaskDefinition", &ecstypes.ClientException{Message: aws.String("Rate exceeded")}, "", false},
		{"DeleteTaskDefinitions: failure, does not exist", "", nil, "The specified task definition does not exist. Specify a valid account, family, revision and try again.", true},
		{"DeleteTaskDefinitions: failure, still ACTIVE", "", nil, "The specified task definition is still in ACTIVE status. Deregister the task definition before deleting it.", false},
		{"DeleteTaskDefinitions: AccessDenied", "DeleteTaskDefinitions", &ecstypes.AccessDeniedException{Message: aws.String("User is not authorized to perform: ecs:DeleteTaskDefinitions")}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cloud.Intercept(e.c, func(_ context.Context, call cloud.Call) error {
				if call.Op == tc.op {
					return tc.err
				}
				return nil
			})
			if tc.reason != "" {
				c.ECS = failingDelete{c.ECS, tc.reason}
			}
			err := typ.Delete(e.ctx, c, r)
			if errors.Is(err, resources.ErrGone) != tc.gone || err == nil {
				t.Errorf("Delete: %v, want gone=%v", err, tc.gone)
			}
		})
	}
}

// failingDelete answers DeleteTaskDefinitions with a failure entry, as ECS does for
// a revision it cannot delete, and deletes nothing.
type failingDelete struct {
	cloud.ECS
	reason string
}

func (f failingDelete) DeleteTaskDefinitions(_ context.Context, in *ecs.DeleteTaskDefinitionsInput, _ ...func(*ecs.Options)) (*ecs.DeleteTaskDefinitionsOutput, error) {
	return &ecs.DeleteTaskDefinitionsOutput{Failures: []ecstypes.Failure{{Arn: aws.String(in.TaskDefinitions[0]), Reason: aws.String(f.reason)}}}, nil
}
