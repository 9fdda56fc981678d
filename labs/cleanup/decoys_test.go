package cleanup

// The adversarial decoy suite (issue: cleanup fails closed for every resource
// type). Two classes share one account. For every resource type that students
// name or tag themselves, the suite makes the class's own resources (tagged, and
// untagged but named with a student's exact prefix) and decoys of every failure
// class: another class's tag on the class's prefix, near-miss tag values and
// student ids, near-miss names (s1, s010, s99, other case, an extended or
// shortened class id, no separator), the class's tag in a region and an account
// the class does not use (also recorded in its ledger, as a hostile ledger
// would), and a resource whose tags cannot be read. It snapshots every decoy
// before and after the cleanup: each must describe byte for byte as before, each
// of the class's own must be gone, and the job must end not verified because one
// resource could not be read. It runs on moto (the real SDK client path) for the
// types moto serves and on the simulator for all of them.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	xraytypes "github.com/aws/aws-sdk-go-v2/service/xray/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/catalog/fargate"
	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
	"github.com/labdash/labdash/labs/cloud/sim"
	"github.com/labdash/labdash/labs/sandbox"
)

// otherAccount is an account the classes do not use.
const otherAccount = "222233334444"

// decoyWorld is one AWS the suite runs in.
type decoyWorld struct {
	name     string // "moto" or "sim"
	provider cloud.Provider
	c        *cloud.Clients // the classes' account, us-east-1
	west     *cloud.Clients // the same account, us-west-2 (the class does not use it)
	other    *cloud.Clients // another account, us-east-1
	vpc      map[string]string
	subnets  []string
	world    *sim.World       // nil on moto
	clock    *sim.ManualClock // nil on moto
	sleep    func(ctx context.Context, d time.Duration) error
}

func motoWorld(t *testing.T) *decoyWorld {
	awstest.Reset(t)
	p := awstest.NewProvider(t, awsprovider.Options{})
	// Another account: moto answers as the account a request names in x-moto-account-id.
	hdr := config.WithAPIOptions([]func(*middleware.Stack) error{smithyhttp.AddHeaderValue("x-moto-account-id", otherAccount)})
	po := awstest.NewProvider(t, awsprovider.Options{LoadOptions: []func(*config.LoadOptions) error{hdr}})
	w := &decoyWorld{name: "moto", provider: p, sleep: func(ctx context.Context, d time.Duration) error { time.Sleep(5 * time.Millisecond); return ctx.Err() }}
	w.fill(t, p, po)
	if w.other.Account != otherAccount {
		t.Fatalf("moto's other account answers as %s", w.other.Account)
	}
	return w
}

func simWorld(t *testing.T) *decoyWorld {
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	world := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Seed: 3})
	w := &decoyWorld{name: "sim", provider: world, world: world, clock: clock}
	w.sleep = func(ctx context.Context, d time.Duration) error {
		wake := clock.Now().Add(d)
		time.Sleep(time.Millisecond)
		if now := clock.Now(); now.Before(wake) {
			clock.Advance(wake.Sub(now))
		}
		return ctx.Err()
	}
	w.fill(t, world, world)
	return w
}

func (w *decoyWorld) fill(t *testing.T, p, po cloud.Provider) {
	ctx := context.Background()
	var err error
	if w.c, err = p.Clients(ctx, "", "us-east-1"); err != nil {
		t.Fatal(err)
	}
	if w.west, err = p.Clients(ctx, "", "us-west-2"); err != nil {
		t.Fatal(err)
	}
	acct := ""
	if w.world != nil {
		acct = otherAccount
	}
	if w.other, err = po.Clients(ctx, acct, "us-east-1"); err != nil {
		t.Fatal(err)
	}
	w.vpc = map[string]string{}
	for _, c := range []*cloud.Clients{w.c, w.west, w.other} {
		vpcs, err := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
		if err != nil || len(vpcs.Vpcs) == 0 {
			t.Fatalf("%s: no default VPC in %s/%s: %v", w.name, c.Account, c.Region, err)
		}
		w.vpc[c.Account+"/"+c.Region] = aws.ToString(vpcs.Vpcs[0].VpcId)
	}
	subs, err := w.c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{w.vpc[w.c.Account+"/us-east-1"]}}}})
	if err != nil || len(subs.Subnets) < 2 {
		t.Fatalf("%s: subnets: %v", w.name, err)
	}
	for _, s := range subs.Subnets[:2] {
		w.subnets = append(w.subnets, aws.ToString(s.SubnetId))
	}
}

// maker makes resources of one type for the suite.
type maker struct {
	typ  string
	moto bool // moto serves the type well enough for it
	// lower: names must be lowercase (S3); iam: names are IAM paths and the type is global.
	lower, iam bool
	// tagForced: the boundary makes students tag it at creation (ecs:CreateCluster,
	// elasticloadbalancing:CreateTargetGroup), so no lister looks for untagged ones.
	tagForced bool
	// ids are the identifiers calls name it by besides its ARN (a queue's URL), so
	// the fault injector can make its tags unreadable.
	ids func(arn string) []string
	// make creates one named resource with tags (nil: none) through c and returns its ARN.
	make func(ctx context.Context, w *decoyWorld, c *cloud.Clients, name string, tags map[string]string) (string, error)
	// snap describes it as its service returns it (tags included), for the byte-for-byte comparison.
	snap func(ctx context.Context, c *cloud.Clients, arn string) (any, error)
}

func ec2TagSpec(rt ec2types.ResourceType, tags map[string]string) []ec2types.TagSpecification {
	if tags == nil {
		return nil
	}
	var ts []ec2types.Tag
	for k, v := range tags {
		ts = append(ts, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return []ec2types.TagSpecification{{ResourceType: rt, Tags: ts}}
}

func sortedTags[T any](tags map[string]string, mk func(k, v string) T) []T {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]T, 0, len(keys))
	for _, k := range keys {
		out = append(out, mk(k, tags[k]))
	}
	return out
}

// iamPath splits "/labdash/c/s01/name" into its path and name.
func iamPath(full string) (path, name string) {
	i := strings.LastIndex(full, "/")
	return full[:i+1], full[i+1:]
}

var makers = []maker{
	{typ: "AWS::Logs::LogGroup", moto: true,
		make: func(ctx context.Context, w *decoyWorld, c *cloud.Clients, name string, tags map[string]string) (string, error) {
			_, err := c.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name), Tags: tags})
			return c.ARN("logs", "log-group:"+name), err
		},
		snap: func(ctx context.Context, c *cloud.Clients, arn string) (any, error) {
			name := strings.TrimSuffix(strings.SplitN(arn, ":log-group:", 2)[1], ":*")
			out, err := c.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
			if err != nil {
				return nil, err
			}
			tags, err := c.Logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
			if err != nil {
				return []any{out.LogGroups, resources.ErrorCode(err)}, nil
			}
			return []any{out.LogGroups, tags.Tags}, nil
		}},
	{typ: "AWS::CloudWatch::Alarm", moto: true,
		make: func(ctx context.Context, w *decoyWorld, c *cloud.Clients, name string, tags map[string]string) (string, error) {
			_, err := c.CloudWatch.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("Decoy"), MetricName: aws.String("Decoy"),
				Statistic: cwtypes.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
				ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
				Tags:               sortedTags(tags, func(k, v string) cwtypes.Tag { return cwtypes.Tag{Key: aws.String(k), Value: aws.String(v)} })})
			if err != nil {
				return "", err
			}
			out, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
			if err != nil || len(out.MetricAlarms) != 1 {
				return "", fmt.Errorf("alarm %s not found after PutMetricAlarm: %v", name, err)
			}
			return aws.ToString(out.MetricAlarms[0].AlarmArn), nil
		},
		snap: func(ctx context.Context, c *cloud.Clients, arn string) (any, error) {
			out, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{strings.SplitN(arn, ":alarm:", 2)[1]}})
			if err != nil {
				return nil, err
			}
			var cfg []any // its configuration, not its state (which an evaluating endpoint moves)
			for _, a := range out.MetricAlarms {
				cfg = append(cfg, []any{a.AlarmArn, a.AlarmName, a.Namespace, a.MetricName, a.Threshold, a.Period, a.ComparisonOperator})
			}
			tags, err := c.CloudWatch.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
			if err != nil {
				return cfg, nil // gone
			}
			return []any{cfg, tags.Tags}, nil
		}},
	{typ: "AWS::ECS::TaskDefinition", moto: true,
		make: func(ctx context.Context, w *decoyWorld, c *cloud.Clients, name string, tags map[string]string) (string, error) {
			out, err := c.ECS.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(name), RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
				NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
				Tags:                 sortedTags(tags, func(k, v string) ecstypes.Tag { return ecstypes.Tag{Key: aws.String(k), Value: aws.String(v)} }),
				ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginxdemos/hello"), Essential: aws.Bool(true), Memory: aws.Int32(512)}}})
			if err != nil {
				return "", err
			}
			return aws.ToString(out.TaskDefinition.TaskDefinitionArn), nil
		},
		snap: func(ctx context.Context, c *cloud.Clients, arn string) (any, error) {
			out, err := c.ECS.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn), Include: []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags}})
			if err != nil {
				return err.Error(), nil
			}
			return []any{out.TaskDefinition, out.Tags}, nil
		}},
	{typ: "AWS::ECS::Cluster", moto: true, tagForced: true,
		make: func(ctx context.Context, w *decoyWorld, c *cloud.Clients, name string, tags map[string]string) (string, error) {
			out, err := c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(name),
				Tags: sortedTags(tags, func(k, v string) ecstypes.Tag { return ecstypes.Tag{Key: aws.String(k), Value: aws.String(v)} })})
			if err != nil {
				return "", err
			}
			return aws.ToString(out.Cluster.ClusterArn), nil
		},
		snap: func(ctx context.Context, c *cloud.Clients, arn string) (any, error) {
			out, err := c.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{arn}, Include: []ecstypes.ClusterField{ecstypes.ClusterFieldTags}})
			if err != nil {
				return nil, err
			}
			return out.Clusters, nil
		}},
	{typ: "AWS::EC2::SecurityGroup", moto: true,
		make: func(ctx context.Context, w *decoyWorld, c *cloud.Clients, name string, tags map[string]string) (string, error) {
			out, err := c.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String("decoy"),
				VpcId: aws.String(w.vpc[c.Account+"/"+c.Region]), TagSpecifications: ec2TagSpec(ec2types.ResourceTypeSecurityGroup, tags)})
			if err != nil {
				return "", err
			}
			return c.ARN("ec2", "security-group/"+aws.ToString(out.GroupId)), nil
		},
		snap: func(ctx context.Context, c *cloud.Clients, arn string) (any, error) {
			out, err := c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{resources.Last(arn, "/")}}}})
			if err != nil {
				return nil, err
			}
			return out.SecurityGroups, nil
		}},
	{typ: "AWS::ElasticLoadBalancingV2::TargetGroup", moto: true, tagForced: true,
		make: func(ctx context.Context, w *decoyWorld, c *cloud.Clients, name string, tags map[string]string) (string, error) {
			out, err := c.ELBv2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(name), Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp,
				TargetType: elbtypes.TargetTypeEnumIp, VpcId: aws.String(w.vpc[c.Account+"/"+c.Region]),
				Tags: sortedTags(tags, func(k, v string) elbtypes.Tag { return elbtypes.Tag{Key: aws.String(k), Value: aws.String(v)} })})
			if err != nil {
				return "", err
			}
			return aws.ToString(out.TargetGroups[0].TargetGroupArn), nil
		},
		snap: func(ctx context.Context, c *cloud.Clients, arn string) (any, error) {
			out, err := c.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{TargetGroupArns: []string{arn}})
			if err != nil {
				return err.Error(), nil
			}
			tags, err := c.ELBv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{arn}})
			if err != nil {
				return nil, err
			}
			return []any{out.TargetGroups, tags.TagDescriptions}, nil
		}},
	{typ: "AWS::S3::Bucket", moto: true, lower: true,
		make: func(ctx context.Context, w *decoyWorld, c *cloud.Clients, name string, tags map[string]string) (string, error) {
			in := &s3.CreateBucketInput{Bucket: aws.String(name)}
			if c.Region != "us-east-1" {
				in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(c.Region)}
			}
			at := func(o *s3.Options) { o.Region = c.Region }
			if _, err := c.S3.CreateBucket(ctx, in, at); err != nil {
				return "", err
			}
			if tags != nil {
				ts := sortedTags(tags, func(k, v string) s3types.Tag { return s3types.Tag{Key: aws.String(k), Value: aws.String(v)} })
				if _, err := c.S3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(name), Tagging: &s3types.Tagging{TagSet: ts}}, at); err != nil {
					return "", err
				}
			}
			return "arn:aws:s3:::" + name, nil
		},
		snap: func(ctx context.Context, c *cloud.Clients, arn string) (any, error) {
			name := resources.Resource(arn)
			loc, err := c.S3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(name)})
			if err != nil {
				return resources.ErrorCode(err), nil
			}
			region := string(loc.LocationConstraint)
			if region == "" {
				region = "us-east-1"
			}
			tags, err := c.S3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(name)}, func(o *s3.Options) { o.Region = region })
			if err != nil {
				return []any{region, resources.ErrorCode(err)}, nil
			}
			return []any{region, tags.TagSet}, nil
		}},
	{typ: "AWS::SQS::Queue", moto: true,
		ids: func(arn string) []string { // the canonical URL cleanup reads it by
			return []string{"https://sqs." + resources.Region(arn) + ".amazonaws.com/" + resources.Account(arn) + "/" + resources.Resource(arn)}
		},
		make: func(ctx context.Context, w *decoyWorld, c *cloud.Clients, name string, tags map[string]string) (string, error) {
			_, err := c.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Tags: tags})
			return c.ARN("sqs", name), err
		},
		snap: func(ctx context.Context, c *cloud.Clients, arn string) (any, error) {
			u, err := c.SQS.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(resources.Resource(arn))})
			if err != nil {
				return resources.ErrorCode(err), nil
			}
			tags, err := c.SQS.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: u.QueueUrl})
			if err != nil {
				return nil, err
			}
			return []any{u.QueueUrl, tags.Tags}, nil
		}},
	{typ: "AWS::SNS::Topic", moto: true,
		make: func(ctx context.Context, w *decoyWorld, c *cloud.Clients, name string, tags map[string]string) (string, error) {
			out, err := c.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name),
				Tags: sortedTags(tags, func(k, v string) snstypes.Tag { return snstypes.Tag{Key: aws.String(k), Value: aws.String(v)} })})
			if err != nil {
				return "", err
			}
			return aws.ToString(out.TopicArn), nil
		},
		snap: func(ctx context.Context, c *cloud.Clients, arn string) (any, error) {
			tags, err := c.SNS.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
			if err != nil {
				return resources.ErrorCode(err), nil
			}
			return tags.Tags, nil
		}},
	{typ: "AWS::DynamoDB::Table", moto: true,
		make: func(ctx context.Context, w *decoyWorld, c *cloud.Clients, name string, tags map[string]string) (string, error) {
			out, err := c.DynamoDB.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest,
				AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
				KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
				Tags:                 sortedTags(tags, func(k, v string) ddbtypes.Tag { return ddbtypes.Tag{Key: aws.String(k), Value: aws.String(v)} })})
			if err != nil {
				return "", err
			}
			return aws.ToString(out.TableDescription.TableArn), nil
		},
		snap: func(ctx context.Context, c *cloud.Clients, arn string) (any, error) {
			out, err := c.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(resources.Last(arn, "/"))})
			if err != nil {
				return resources.ErrorCode(err), nil
			}
			tags, err := c.DynamoDB.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(arn)})
			if err != nil {
				return nil, err
			}
			return []any{out.Table.TableName, out.Table.TableStatus, out.Table.KeySchema, tags.Tags}, nil
		}},
	{typ: "AWS::IAM::Role", moto: true, iam: true,
		make: func(ctx context.Context, w *decoyWorld, c *cloud.Clients, full string, tags map[string]string) (string, error) {
			path, name := iamPath(full)
			out, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), Path: aws.String(path),
				AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
				Tags:                     sortedTags(tags, func(k, v string) iamtypes.Tag { return iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)} })})
			if err != nil {
				return "", err
			}
			return aws.ToString(out.Role.Arn), nil
		},
		snap: func(ctx context.Context, c *cloud.Clients, arn string) (any, error) {
			out, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(resources.Last(arn, "/"))})
			if err != nil {
				return resources.ErrorCode(err), nil
			}
			r := out.Role
			return []any{r.Arn, r.Path, r.RoleId, r.Tags, r.AssumeRolePolicyDocument}, nil
		}},
	{typ: "AWS::IAM::InstanceProfile", moto: true, iam: true,
		make: func(ctx context.Context, w *decoyWorld, c *cloud.Clients, full string, tags map[string]string) (string, error) {
			path, name := iamPath(full)
			out, err := c.IAM.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(name), Path: aws.String(path),
				Tags: sortedTags(tags, func(k, v string) iamtypes.Tag { return iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)} })})
			if err != nil {
				return "", err
			}
			return aws.ToString(out.InstanceProfile.Arn), nil
		},
		snap: func(ctx context.Context, c *cloud.Clients, arn string) (any, error) {
			out, err := c.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(resources.Last(arn, "/"))})
			if err != nil {
				return resources.ErrorCode(err), nil
			}
			p := out.InstanceProfile
			tags, err := c.IAM.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: p.InstanceProfileName})
			if err != nil {
				return []any{p.Arn, p.Path, p.InstanceProfileId, resources.ErrorCode(err)}, nil
			}
			return []any{p.Arn, p.Path, p.InstanceProfileId, tags.Tags}, nil
		}},
	{typ: "AWS::EC2::LaunchTemplate", moto: true,
		make: func(ctx context.Context, w *decoyWorld, c *cloud.Clients, name string, tags map[string]string) (string, error) {
			out, err := c.EC2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String(name),
				LaunchTemplateData: &ec2types.RequestLaunchTemplateData{InstanceType: ec2types.InstanceTypeT3Micro, ImageId: aws.String("ami-12c6146b")},
				TagSpecifications:  ec2TagSpec(ec2types.ResourceTypeLaunchTemplate, tags)})
			if err != nil {
				return "", err
			}
			return c.ARN("ec2", "launch-template/"+aws.ToString(out.LaunchTemplate.LaunchTemplateId)), nil
		},
		snap: func(ctx context.Context, c *cloud.Clients, arn string) (any, error) {
			out, err := c.EC2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{resources.Last(arn, "/")}})
			if err != nil {
				return resources.ErrorCode(err), nil
			}
			return out.LaunchTemplates, nil
		}},
	{typ: "AWS::Cognito::UserPool", moto: true,
		make: func(ctx context.Context, w *decoyWorld, c *cloud.Clients, name string, tags map[string]string) (string, error) {
			out, err := c.Cognito.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(name), UserPoolTags: tags})
			if err != nil {
				return "", err
			}
			return c.ARN("cognito-idp", "userpool/"+aws.ToString(out.UserPool.Id)), nil
		},
		snap: func(ctx context.Context, c *cloud.Clients, arn string) (any, error) {
			out, err := c.Cognito.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(resources.Last(arn, "/"))})
			if err != nil {
				return resources.ErrorCode(err), nil
			}
			return []any{out.UserPool.Id, out.UserPool.Name, out.UserPool.UserPoolTags}, nil
		}},
	{typ: "AWS::XRay::Group",
		make: func(ctx context.Context, w *decoyWorld, c *cloud.Clients, name string, tags map[string]string) (string, error) {
			out, err := c.XRay.CreateGroup(ctx, &xray.CreateGroupInput{GroupName: aws.String(name),
				Tags: sortedTags(tags, func(k, v string) xraytypes.Tag { return xraytypes.Tag{Key: aws.String(k), Value: aws.String(v)} })})
			if err != nil {
				return "", err
			}
			return aws.ToString(out.Group.GroupARN), nil
		},
		snap: func(ctx context.Context, c *cloud.Clients, arn string) (any, error) {
			out, err := c.XRay.GetGroup(ctx, &xray.GetGroupInput{GroupARN: aws.String(arn)})
			if err != nil {
				return resources.ErrorCode(err), nil
			}
			tags, err := c.XRay.ListTagsForResource(ctx, &xray.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
			if err != nil {
				return []any{out.Group, resources.ErrorCode(err)}, nil
			}
			return []any{out.Group, tags.Tags}, nil
		}},
	{typ: "AWS::ElasticBeanstalk::Application",
		make: func(ctx context.Context, w *decoyWorld, c *cloud.Clients, name string, tags map[string]string) (string, error) {
			_, err := c.ElasticBeanstalk.CreateApplication(ctx, &elasticbeanstalk.CreateApplicationInput{ApplicationName: aws.String(name),
				Tags: sortedTags(tags, func(k, v string) ebtypes.Tag { return ebtypes.Tag{Key: aws.String(k), Value: aws.String(v)} })})
			return c.ARN("elasticbeanstalk", "application/"+name), err
		},
		snap: func(ctx context.Context, c *cloud.Clients, arn string) (any, error) {
			name := strings.TrimPrefix(resources.Resource(arn), "application/")
			out, err := c.ElasticBeanstalk.DescribeApplications(ctx, &elasticbeanstalk.DescribeApplicationsInput{ApplicationNames: []string{name}})
			if err != nil {
				return nil, err
			}
			tags, err := c.ElasticBeanstalk.ListTagsForResource(ctx, &elasticbeanstalk.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
			if err != nil {
				return []any{out.Applications, resources.ErrorCode(err)}, nil
			}
			return []any{out.Applications, tags.ResourceTags}, nil
		}},
	{typ: "AWS::GlobalAccelerator::Accelerator",
		make: func(ctx context.Context, w *decoyWorld, c *cloud.Clients, name string, tags map[string]string) (string, error) {
			ga, err := w.provider.Clients(ctx, c.Account, "us-west-2")
			if err != nil {
				return "", err
			}
			out, err := ga.GlobalAccelerator.CreateAccelerator(ctx, &globalaccelerator.CreateAcceleratorInput{Name: aws.String(name), IdempotencyToken: aws.String(name),
				Tags: sortedTags(tags, func(k, v string) gatypes.Tag { return gatypes.Tag{Key: aws.String(k), Value: aws.String(v)} })})
			if err != nil {
				return "", err
			}
			return aws.ToString(out.Accelerator.AcceleratorArn), nil
		},
		snap: func(ctx context.Context, c *cloud.Clients, arn string) (any, error) {
			out, err := c.GlobalAccelerator.DescribeAccelerator(ctx, &globalaccelerator.DescribeAcceleratorInput{AcceleratorArn: aws.String(arn)})
			if err != nil {
				return resources.ErrorCode(err), nil
			}
			return []any{out.Accelerator.AcceleratorArn, out.Accelerator.Name, out.Accelerator.Enabled}, nil
		}},
}

// variant is one resource the suite makes of a type: the class's own, or a decoy.
type variant struct {
	key     string
	student string // the owner's slug when it is the class's own
	name    string
	tags    map[string]string
	where   string // "", "west" (a region the class does not use), "other" (another account), "eu" (S3: a bucket in eu-west-1)
	deny    bool   // its tags cannot be read
	ledger  bool   // also recorded in class A's ledger (a hostile or stale ledger)
	// nameOwned: owned by the name rule alone (untagged); only for types that have one.
	nameOwned bool
}

// variantsFor is every variant of a type for class a (students s01..s03) next to class b.
func variantsFor(m maker, a, b string) []variant {
	t, _ := resources.Lookup(m.typ)
	tag := func(class, st string) map[string]string {
		out := map[string]string{"labdash:class": class}
		if st != "" {
			out["labdash:student"] = st
		}
		return out
	}
	pfx := func(st string) string {
		if m.iam {
			return "/labdash/" + a + "/" + st + "/" + a + st + "-"
		}
		return a + st + "-"
	}
	vs := []variant{
		{key: "own-tagged", student: "s01", name: pfx("s01") + "t", tags: tag(a, "s01")},
		{key: "other-class-on-our-prefix", name: pfx("s01") + "b", tags: tag(b, "s01")},
		{key: "tag-class-uppercase", name: pfx("s01") + "u", tags: tag(strings.ToUpper(a), "s01")},
		{key: "tag-class-extended", name: pfx("s01") + "e", tags: tag(a+"x", "s01")},
		{key: "tag-class-shortened", name: pfx("s01") + "h", tags: tag(a[:4], "s01")},
		{key: "tag-student-off-roster", name: pfx("s01") + "r", tags: tag(a, "s99")},
		{key: "tag-student-uppercase", name: pfx("s01") + "c", tags: tag(a, "S01")},
		{key: "tag-student-s1", name: pfx("s01") + "o", tags: tag(a, "s1")},
		// Tagged for the class (the sweep finds it, and the ledger names it), named so
		// no lister sees it, and its tags cannot be read: never deleted, and the
		// cleanup cannot end verified.
		{key: "unreadable", name: unreadName(m, a), tags: tag(a, "s02"), deny: true, ledger: true},
	}
	if t.Naming != resources.NameNone {
		if !m.tagForced {
			vs = append(vs, variant{key: "own-untagged-by-name", student: "s02", name: pfx("s02") + "n", nameOwned: true})
		}
		if m.iam {
			vs = append(vs,
				variant{key: "path-s1", name: "/labdash/" + a + "/s1/" + a + "s1-x"},
				variant{key: "path-s010", name: "/labdash/" + a + "/s010/" + a + "s010-x"},
				variant{key: "path-s99", name: "/labdash/" + a + "/s99/" + a + "s99-x"},
				variant{key: "path-other-class", name: "/labdash/" + b + "/s01/" + b + "s01-x"},
				variant{key: "path-extended-class", name: "/labdash/" + a + "z/s01/" + a + "zs01-x"},
				variant{key: "path-shortened-class", name: "/labdash/" + a[:4] + "/s01/" + a[:4] + "s01-x"},
				variant{key: "path-outside-labdash", name: "/other/" + a + "/s01/" + a + "s01-y"},
				variant{key: "path-other-class-tag", name: pfx("s03") + "b", tags: tag(b, "")},
			)
		} else {
			vs = append(vs,
				variant{key: "name-s1", name: a + "s1-x"},
				variant{key: "name-s010", name: a + "s010-x"},
				variant{key: "name-s99", name: a + "s99-x"},
				variant{key: "name-no-separator", name: a + "s01x"},
				variant{key: "name-extended-class", name: a + "zs01-x"},
				variant{key: "name-shortened-class", name: a[:4] + "s01-x"},
				variant{key: "name-other-class", name: b + "s01-x"},
			)
			if !m.lower {
				vs = append(vs, variant{key: "name-uppercase", name: strings.ToUpper(a) + "s01-x"}, variant{key: "name-student-uppercase", name: a + "S01-x"})
			}
		}
	}
	if !m.iam {
		vs = append(vs,
			variant{key: "tagged-in-unused-region", name: pfx("s01") + "w", tags: tag(a, "s01"), where: "west", ledger: true},
			variant{key: "tagged-in-other-account", name: pfx("s01") + "a", tags: tag(a, "s01"), where: "other", ledger: true},
		)
	} else {
		vs = append(vs, variant{key: "tagged-in-other-account", name: pfx("s01") + "a", tags: tag(a, "s01"), where: "other", ledger: true})
	}
	if m.typ == "AWS::Logs::LogGroup" {
		vs = append(vs,
			variant{key: "own-lambda-log-group", student: "s03", name: "/aws/lambda/" + a + "s03-fn", nameOwned: true},
			variant{key: "own-ecs-log-group", student: "s03", name: "/ecs/" + a + "s03-web", nameOwned: true},
			variant{key: "lambda-log-group-s1", name: "/aws/lambda/" + a + "s1-fn"},
			variant{key: "lambda-log-group-other-class", name: "/aws/lambda/" + a + "s03-fn2", tags: tag(b, "")},
			variant{key: "prefix-mid-segment", name: "/ecs/x" + a + "s03-web"},
		)
	}
	if m.typ == "AWS::S3::Bucket" {
		vs = append(vs, variant{key: "tagged-bucket-in-unused-region", name: pfx("s01") + "eu", tags: tag(a, "s01"), where: "eu"})
	}
	if m.typ == "AWS::GlobalAccelerator::Accelerator" {
		// The class does not use Global Accelerator: even its own tag there is outside it.
		for i := range vs {
			if vs[i].student != "" {
				vs[i].student, vs[i].nameOwned = "", false
			}
		}
	}
	return vs
}

// unreadName is a name of m's type that no lister of class a looks at.
func unreadName(m maker, a string) string {
	if m.iam {
		return "/shared/zz-unread-" + a
	}
	return "zz-unread-" + a
}

// made is one variant as made: where to describe it, and its snapshot.
type made struct {
	m      maker
	v      variant
	arn    string
	c      *cloud.Clients
	before string
}

func (w *decoyWorld) clientsFor(t *testing.T, v variant) *cloud.Clients {
	switch v.where {
	case "west":
		return w.west
	case "other":
		return w.other
	case "eu":
		c, err := w.provider.Clients(context.Background(), "", "eu-west-1")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return w.c
}

func snapJSON(t *testing.T, ctx context.Context, x *made) string {
	c := x.c
	if x.m.typ == "AWS::GlobalAccelerator::Accelerator" {
		c, _ = x.c.InRegion(ctx, "us-west-2")
	}
	v, err := x.m.snap(ctx, c, x.arn)
	if err != nil {
		t.Fatalf("snapshot %s: %v", x.arn, err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCleanupAdversarialDecoysOnMoto(t *testing.T) { runDecoySuite(t, motoWorld(t)) }

func TestCleanupAdversarialDecoysOnSimulator(t *testing.T) { runDecoySuite(t, simWorld(t)) }

func runDecoySuite(t *testing.T, w *decoyWorld) {
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "decoys.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	if err := store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	// Class A's labs declare every type the suite makes in this world except
	// Global Accelerator's (a decoy there is in a region the class does not use):
	// the Fargate lab and a lab of the suite's own. Only the Fargate lab's
	// prerequisites are provisioned. On moto the suite's lab leaves out the types
	// moto does not serve (its X-Ray has no groups): their listers would fail
	// there, and a failed lister rightly keeps a cleanup from being verified.
	provisioned := labs.NewRegistry()
	provisioned.Register(fargate.Lab())
	suiteLab := labs.Lab{ID: "decoy-suite", Title: "The decoy suite's own lab"}
	for _, m := range makers {
		if (w.world != nil || m.moto) && m.typ != "AWS::GlobalAccelerator::Accelerator" {
			suiteLab.Cleanup = append(suiteLab.Cleanup, m.typ)
		}
	}
	registry := catalog.New()
	registry.Register(suiteLab)
	mk := func(name string, n int, classLabs ...string) *db.Class {
		cl := &db.Class{Name: name, OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: classLabs}
		if err := store.CreateClass(ctx, cl); err != nil {
			t.Fatal(err)
		}
		var rows []db.NewStudent
		for i := 1; i <= n; i++ {
			rows = append(rows, db.NewStudent{Name: fmt.Sprintf("%s %d", name, i), Email: fmt.Sprintf("%s%d@example.edu", strings.ToLower(name), i)})
		}
		if _, _, err := store.AddStudents(ctx, cl.ID, rows); err != nil {
			t.Fatal(err)
		}
		p := &sandbox.Provisioner{Log: log, Store: store, Registry: provisioned, Provider: w.provider, Sleep: w.sleep}
		job, err := p.Start(ctx, cl.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Run(ctx, job.ID); err != nil {
			t.Fatal(err)
		}
		return cl
	}
	a, b := mk("A", 3, fargate.ID, suiteLab.ID), mk("B", 2, fargate.ID)
	// B owns what its provisioning made; snapshot it whole.
	bPlan, err := (&Planner{Store: store, Provider: w.provider, Registry: registry}).Plan(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}

	faults := &sim.Faults{Deny: map[string]bool{}}
	var all []*made
	for _, m := range makers {
		if w.world == nil && !m.moto {
			continue
		}
		for _, v := range variantsFor(m, a.ID, b.ID) {
			x := &made{m: m, v: v, c: w.clientsFor(t, v)}
			x.arn, err = m.make(ctx, w, x.c, v.name, v.tags)
			if err != nil {
				t.Fatalf("%s: make %s %s (%s): %v", w.name, m.typ, v.key, v.name, err)
			}
			if v.deny {
				ids := []string{x.arn, resources.Last(x.arn, "/"), resources.Last(x.arn, ":")}
				if m.ids != nil {
					ids = append(ids, m.ids(x.arn)...)
				}
				for _, id := range ids {
					faults.Deny[id] = true
				}
			}
			if v.ledger {
				if _, err := store.Record(ctx, db.LedgerEntry{ClassID: a.ID, Student: "s01", ARN: x.arn, Type: m.typ, Region: x.c.Region, Account: x.c.Account, FoundBy: "tag"}); err != nil {
					t.Fatal(err)
				}
			}
			all = append(all, x)
		}
	}
	if w.clock != nil { // let the simulated world settle (tables ACTIVE …): only cleanup may change it from here
		for i := 0; i < 30; i++ {
			w.clock.Advance(time.Minute)
			w.world.Clients(ctx, "", "us-east-1")
		}
	}
	for _, x := range all {
		x.before = snapJSON(t, ctx, x)
	}
	bBefore := snapshotPlanned(t, ctx, w, bPlan)

	planner := &Planner{Store: store, Provider: w.provider, Registry: registry, Intercept: faults.Intercept}
	plan, err := planner.Plan(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	planned, skipped := map[string]Item{}, map[string]Item{}
	for _, it := range plan.Items {
		planned[it.ARN] = it
	}
	for _, it := range plan.Skipped {
		skipped[it.ARN] = it
	}
	for _, x := range all {
		it, in := planned[x.arn]
		switch {
		case x.v.student != "" && !in:
			t.Errorf("%s %s %s (%s) is the class's but not planned; skipped as %q", w.name, x.m.typ, x.v.key, x.v.name, skipped[x.arn].Reason)
		case x.v.student != "" && it.Student != x.v.student:
			t.Errorf("%s %s %s planned for %q, want %s (%s)", w.name, x.m.typ, x.v.key, it.Student, x.v.student, it.Proof)
		case x.v.student == "" && in:
			t.Errorf("%s DECOY %s %s (%s, tags %v) is in the plan: %s", w.name, x.m.typ, x.v.key, x.v.name, x.v.tags, it.Proof)
		}
	}
	// The unreadable one is named as a gap; so a cleanup now cannot end verified.
	gapped := false
	for _, g := range plan.Unchecked {
		for _, x := range all {
			gapped = gapped || (x.v.deny && g.ARN == x.arn)
		}
	}
	if !gapped {
		t.Errorf("%s: no resource with unreadable tags is among the plan's unchecked: %v", w.name, plan.Unchecked)
	}
	for _, g := range plan.Unchecked {
		// A lister may fail only where it reads the unreadable resource (the
		// subscriptions of a topic whose reads are denied).
		named := false
		for _, x := range all {
			named = named || (x.v.deny && strings.Contains(g.Why, x.arn))
		}
		if g.ARN == "" && !named {
			t.Errorf("%s: a whole lister or sweep failed: %s", w.name, g)
		}
	}
	t.Logf("%s: plan %d items, %d skipped, %d unchecked; %d variants made", w.name, len(plan.Items), len(plan.Skipped), len(plan.Unchecked), len(all))

	x := &Executor{Log: log, Store: store, Provider: w.provider, Planner: planner, Sleep: w.sleep}
	job, err := x.Confirm(ctx, a.ID, plan.Hash, a.Name)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Run(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	done, _ := store.Job(ctx, job.ID)
	for _, ji := range done.Items {
		if ji.State != db.ItemDone {
			t.Errorf("%s: %s: %s %s %s", w.name, ji.Key, ji.State, ji.Step, ji.Detail)
		}
	}
	if done.Outcome != db.OutcomeNotVerified || !strings.Contains(done.Error, "could not be made") {
		t.Errorf("%s: the job ended %q (%s); want not verified, naming the resource it could not read", w.name, done.Outcome, done.Error)
	}
	for _, x := range all {
		after := snapJSON(t, ctx, x)
		switch {
		case x.v.student == "" && after != x.before:
			t.Errorf("%s DECOY %s %s (%s) changed:\nbefore %s\nafter  %s", w.name, x.m.typ, x.v.key, x.v.name, clip(x.before, 600), clip(after, 600))
		case x.v.student != "" && after == x.before:
			t.Errorf("%s %s %s (%s), the class's, is still there: %s", w.name, x.m.typ, x.v.key, x.v.name, clip(after, 300))
		}
	}
	if got := snapshotPlanned(t, ctx, w, bPlan); got != bBefore {
		t.Errorf("%s: a resource of class B changed:\nbefore %s\nafter  %s", w.name, clip(bBefore, 2000), clip(got, 2000))
	}
	// Without the fault, nothing of the class is left and everything could be read.
	clean := &Planner{Store: store, Provider: w.provider, Registry: registry}
	again, err := clean.Plan(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range again.Items {
		if faults.Deny[it.ARN] {
			continue // the one that could not be read the first time: it is the class's
		}
		t.Errorf("%s: left after cleanup: %s %s (%s)", w.name, it.Type, it.ARN, it.Proof)
	}
	if !again.Complete() {
		t.Errorf("%s: a fault-free plan is not complete: %v", w.name, again.Unchecked)
	}
}

// snapshotPlanned describes what a plan holds, by the types the suite can describe
// (the rest by their own tags).
func snapshotPlanned(t *testing.T, ctx context.Context, w *decoyWorld, plan *Plan) string {
	var out []string
	for _, it := range plan.Items {
		c, err := w.provider.Clients(ctx, "", orDefault(it.Region, "us-east-1"))
		if err != nil {
			t.Fatal(err)
		}
		typ, _ := resources.Lookup(it.Type)
		tags, err := typ.Tags(ctx, c, it.Ref)
		b, _ := json.Marshal([]any{it.ARN, tags, resources.ErrorCode(err)})
		out = append(out, string(b))
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}
