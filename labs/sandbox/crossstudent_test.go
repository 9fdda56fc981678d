package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/catalog/asg"
	"github.com/labdash/labdash/labs/catalog/fargate"
	"github.com/labdash/labdash/labs/catalog/ga"
	"github.com/labdash/labdash/labs/catalog/pca"
	r53lab "github.com/labdash/labdash/labs/catalog/route53"
	"github.com/labdash/labdash/labs/catalog/slots"
	"github.com/labdash/labdash/labs/catalog/xray"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/virtual"
)

// victim is a student whose lab is done, and what their resources are called.
type victim struct {
	who string // "student s02 of the same class", "student s01 of another class"
	t   labs.Target
	res map[string]string
}

// attack is one mutating operation a lab uses, aimed at a victim's resource (or, for
// a create, made without the attacker's tags).
type attack struct {
	name string
	do   func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error
}

// denied reports whether err is AWS's access denial, in any service's code.
func denied(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError":
		return strings.Contains(ae.ErrorMessage(), "is not authorized to perform")
	}
	return false
}

func tagsOf(t labs.Target) (ecs []ecstypes.Tag, elb []elbtypes.Tag, ga []gatypes.Tag) {
	for _, kv := range [][2]string{{"labdash:class", t.ClassID}, {"labdash:student", t.StudentID}, {"labdash:lab", "x"}} {
		ecs = append(ecs, ecstypes.Tag{Key: aws.String(kv[0]), Value: aws.String(kv[1])})
		elb = append(elb, elbtypes.Tag{Key: aws.String(kv[0]), Value: aws.String(kv[1])})
		ga = append(ga, gatypes.Tag{Key: aws.String(kv[0]), Value: aws.String(kv[1])})
	}
	return
}

// TestNoStudentCanTouchAnotherStudentsLab is the cross-student matrix: for each
// built lab, student s01's fenced role attempts every mutating operation the lab
// uses on the finished lab of s02 of the same class and of s01 of another class in
// the same account (same student tag, other class), and creates each billable
// resource type without its tags. Every attempt must be AWS's access denial; and,
// so the matrix cannot pass by denying everything, the attacker's own lab is done.
func TestNoStudentCanTouchAnotherStudentsLab(t *testing.T) {
	attacks := map[string][]attack{fargate.ID: fargateAttacks(), ga.ID: gaAttacks(), xray.ID: xrayAttacks(), asg.ID: asgAttacks(), pca.ID: pcaAttacks(), r53lab.ID: route53Attacks(), slots.ID: slotsAttacks()}
	for _, lab := range catalog.New().All() {
		if !lab.Built() || len(lab.Script) == 0 {
			continue
		}
		as := attacks[lab.ID]
		if len(as) == 0 {
			t.Errorf("%s: no cross-student attacks written for this lab", lab.ID)
			continue
		}
		t.Run(lab.ID, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, 2, takes(lab))
			other := &db.Class{Name: "other", OwnerID: f.class.OwnerID, Regions: f.class.Regions, Isolation: db.IsolationShared, Labs: f.class.Labs}
			if err := f.store.CreateClass(ctx, other); err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.store.AddStudents(ctx, other.ID, []db.NewStudent{{Name: "Look-alike", Email: "s1@other.example.edu"}}); err != nil {
				t.Fatal(err)
			}
			p := f.provisioner()
			runner := virtual.New(slog.New(slog.NewTextHandler(io.Discard, nil)), f.world, f.world, f.clock.Now)
			roles := map[string]string{}
			for _, class := range []*db.Class{f.class, other} {
				students, _ := f.store.Students(ctx, class.ID)
				for _, st := range students {
					role, err := p.EnsureRole(ctx, class, st)
					if err != nil {
						t.Fatal(err)
					}
					roles[class.ID+"/"+st.Slug] = role
					runner.Start(virtual.Student{ClassID: class.ID, Slug: st.Slug, Region: class.Regions[0], Lab: lab, Role: role,
						Persona: labs.Persona{Pace: 1, Mistakes: map[string]bool{}, StuckAfter: -1}})
				}
			}
			for i := 0; i < 90*12; i++ {
				f.clock.Advance(5 * time.Second)
				runner.RunDue(ctx)
			}
			for _, class := range []*db.Class{f.class, other} {
				for slug, step := range runner.Progress(class.ID) {
					if step != "done" {
						t.Fatalf("%s/%s stopped at %q before the attacks: %v", class.ID, slug, step, runner.Failures(class.ID))
					}
				}
			}
			region := f.class.Regions[0]
			admin, _ := f.world.Clients(ctx, "", region)
			me := labs.NewTarget(f.class.ID, "s01", "", region)
			victims := []victim{
				{who: "student s02 of the same class", t: labs.NewTarget(f.class.ID, "s02", "", region)},
				{who: "student s01 of another class", t: labs.NewTarget(other.ID, "s01", "", region)},
			}
			for i := range victims {
				victims[i].res = resourcesOf(ctx, t, admin, lab.ID, victims[i].t, roles[victims[i].t.ClassID+"/"+victims[i].t.StudentID])
			}
			c, err := f.world.ClientsAs(ctx, roles[f.class.ID+"/s01"], "s01", region)
			if err != nil {
				t.Fatal(err)
			}
			// Each layer must hold alone: first as provisioned, then with the boundary
			// taken off, so the identity policies' own fences are tested too (the
			// boundary alone is TestTheBoundaryAloneFences).
			for _, layer := range []string{"as provisioned", "identity policies alone"} {
				if layer == "identity policies alone" {
					if err := f.world.SetRoleBoundary(roles[f.class.ID+"/s01"], ""); err != nil {
						t.Fatal(err)
					}
				}
				for _, a := range as {
					for _, v := range victims {
						err := a.do(ctx, c, me, v)
						if !denied(err) {
							t.Errorf("%s, %s on %s: want AccessDenied, got %v", layer, a.name, v.who, err)
						}
					}
				}
			}
		})
	}
}

// resourcesOf reads, as labdash, what a victim's finished lab is made of.
func resourcesOf(ctx context.Context, t *testing.T, c *cloud.Clients, labID string, v labs.Target, role string) map[string]string {
	t.Helper()
	res := map[string]string{"role": role}
	p := v.Prefix
	switch labID {
	case fargate.ID:
		lbs, err := c.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{p + "alb"}})
		if err != nil || len(lbs.LoadBalancers) == 0 {
			t.Fatalf("victim %s has no load balancer: %v", p, err)
		}
		res["lb"] = aws.ToString(lbs.LoadBalancers[0].LoadBalancerArn)
		tgs, _ := c.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{Names: []string{p + "tg"}})
		res["tg"] = aws.ToString(tgs.TargetGroups[0].TargetGroupArn)
		ls, _ := c.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(res["lb"])})
		res["listener"] = aws.ToString(ls.Listeners[0].ListenerArn)
		tasks, _ := c.ECS.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(p + "cluster")})
		if len(tasks.TaskArns) == 0 {
			t.Fatalf("victim %s has no tasks", p)
		}
		res["task"] = tasks.TaskArns[0]
		alarms, _ := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("TargetTracking-service/" + p)})
		if len(alarms.MetricAlarms) == 0 {
			t.Fatalf("victim %s has no target-tracking alarms", p)
		}
		res["alarm"] = aws.ToString(alarms.MetricAlarms[0].AlarmName)
		out, err := labs.StackOutputs(ctx, c, p+fargate.ID+"-pre")
		if err != nil {
			t.Fatal(err)
		}
		res["sg"] = out["TaskSecurityGroupId"]
	case ga.ID:
		west, _ := c.InRegion(ctx, "us-west-2")
		accs, _ := west.GlobalAccelerator.ListAccelerators(ctx, &globalaccelerator.ListAcceleratorsInput{})
		for _, a := range accs.Accelerators {
			if aws.ToString(a.Name) == p+"ga" {
				res["acc"] = aws.ToString(a.AcceleratorArn)
			}
		}
		if res["acc"] == "" {
			t.Fatalf("victim %s has no accelerator", p)
		}
		ls, _ := c.GlobalAccelerator.ListListeners(ctx, &globalaccelerator.ListListenersInput{AcceleratorArn: aws.String(res["acc"])})
		res["listener"] = aws.ToString(ls.Listeners[0].ListenerArn)
		gs, _ := c.GlobalAccelerator.ListEndpointGroups(ctx, &globalaccelerator.ListEndpointGroupsInput{ListenerArn: aws.String(res["listener"])})
		res["group"] = aws.ToString(gs.EndpointGroups[0].EndpointGroupArn)
		for _, name := range []string{p + "ga-pre-" + v.Region, p + ga.ID + "-pre"} {
			if out, err := labs.StackOutputs(ctx, c, name); err == nil && out["InstanceId"] != "" {
				res["instance"] = out["InstanceId"]
			}
		}
		if res["instance"] == "" {
			t.Fatalf("victim %s has no origin instance", p)
		}
	case xray.ID:
		res["instanceRole"] = p + "xray-eb-role"
	case asg.ID:
		lts, err := c.EC2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{p + "lt"}})
		if err != nil || len(lts.LaunchTemplates) == 0 {
			t.Fatalf("victim %s has no launch template: %v", p, err)
		}
		res["lt"] = aws.ToString(lts.LaunchTemplates[0].LaunchTemplateId)
		gs, _ := c.ASG.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{p + "asg"}})
		if len(gs.AutoScalingGroups) == 0 || len(gs.AutoScalingGroups[0].Instances) == 0 {
			t.Fatalf("victim %s has no group with instances", p)
		}
		res["instance"] = aws.ToString(gs.AutoScalingGroups[0].Instances[0].InstanceId)
		reqs, _ := c.EC2.DescribeSpotInstanceRequests(ctx, &ec2.DescribeSpotInstanceRequestsInput{Filters: []ec2types.Filter{{Name: aws.String("tag:aws:autoscaling:groupName"), Values: []string{p + "asg"}}}})
		for _, x := range gs.AutoScalingGroups[0].Instances {
			d, _ := c.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{aws.ToString(x.InstanceId)}})
			if d != nil && len(d.Reservations) > 0 && d.Reservations[0].Instances[0].SpotInstanceRequestId != nil {
				res["spot"] = aws.ToString(d.Reservations[0].Instances[0].SpotInstanceRequestId)
			}
		}
		if res["spot"] == "" && (reqs == nil || len(reqs.SpotInstanceRequests) == 0) {
			t.Fatalf("victim %s has no Spot request", p)
		}
		out, err := labs.StackOutputs(ctx, c, p+asg.ID+"-pre")
		if err != nil {
			t.Fatal(err)
		}
		res["sg"], res["subnets"] = out["SecurityGroupId"], out["SubnetIds"]
	case pca.ID:
		pcaResources(ctx, t, c, v, res)
	case r53lab.ID:
		zone := v.ClassID + "." + r53lab.ZoneDomain + "."
		zs, _ := c.Route53.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
		for _, z := range zs.HostedZones {
			if aws.ToString(z.Name) == zone {
				res["zone"] = aws.ToString(z.Id)
			}
		}
		res["name"], res["apex"] = "www."+v.StudentID+"."+zone, zone
		rrs, _ := c.Route53.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(res["zone"]), StartRecordName: aws.String(res["name"]), MaxItems: aws.Int32(1)})
		if res["zone"] == "" || rrs == nil || len(rrs.ResourceRecordSets) == 0 || aws.ToString(rrs.ResourceRecordSets[0].Name) != res["name"] {
			t.Fatalf("victim %s has no record %s in zone %q", p, res["name"], res["zone"])
		}
		res["type"] = string(rrs.ResourceRecordSets[0].Type)
		res["value"] = aws.ToString(rrs.ResourceRecordSets[0].ResourceRecords[0].Value)
		res["ttl"] = fmt.Sprint(aws.ToInt64(rrs.ResourceRecordSets[0].TTL))
	case slots.ID:
		res["bucket"] = p + "slots-site-" + c.Account + "-" + v.Region
		res["fn"], res["table"] = p+"slotPull", p+"slotWheels"
		res["execRole"], res["guestRole"] = p+"slotpull-role", p+"slots-guest-role"
		pools, _ := c.CognitoIdentity.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(60)})
		for _, x := range pools.IdentityPools {
			if aws.ToString(x.IdentityPoolName) == slots.PoolName(v) {
				res["pool"] = aws.ToString(x.IdentityPoolId)
			}
		}
		if res["pool"] == "" {
			t.Fatalf("victim %s has no identity pool", p)
		}
		if _, err := c.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(res["fn"])}); err != nil {
			t.Fatalf("victim %s has no function: %v", p, err)
		}
	}
	return res
}

// slotsAttacks reach into the victim's slot machine: their site (policy, Block
// Public Access, page), function (its role, its resource policy, an invoke on
// their bill), table, identity pool and roles, and creates that would pass for
// theirs. Not here: cognito-identity:SetIdentityPoolRoles on their pool with a
// role of the attacker's own, which no IAM fence can refuse (the action has no
// resource type; slots/grants.go): the lab's identity-pool checkpoint fails for
// the victim, naming the foreign role.
func slotsAttacks() []attack {
	deny := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`)
	return []attack{
		{"s3:PutBucketPolicy on their site", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.S3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(v.res["bucket"]), Policy: deny})
			return err
		}},
		{"s3:DeleteBucketPolicy on their site", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.S3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(v.res["bucket"])})
			return err
		}},
		{"s3:PutBucketPublicAccessBlock on their site", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.S3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(v.res["bucket"]), PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
				BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
			return err
		}},
		{"s3:PutObject over their page", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(v.res["bucket"]), Key: aws.String("index.html"), Body: strings.NewReader("defaced")})
			return err
		}},
		{"lambda:InvokeFunction of their function", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.Lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(v.res["fn"])})
			return err
		}},
		{"lambda:AddPermission opening their function to everyone", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.Lambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(v.res["fn"]), StatementId: aws.String("open"),
				Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*")})
			return err
		}},
		{"lambda:DeleteFunction of their function", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.Lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(v.res["fn"])})
			return err
		}},
		{"lambda:CreateFunction with their name, on my role", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.Lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(v.t.Prefix + "slotPull2"), Runtime: lambdatypes.RuntimeNodejs22x,
				Role: aws.String("arn:aws:iam::111122223333:role/labdash/" + me.ClassID + "/" + me.StudentID + "/" + me.Prefix + "slotpull-role"), Handler: aws.String("index.handler"),
				Code: &lambdatypes.FunctionCode{ZipFile: []byte("PK")}})
			return err
		}},
		{"dynamodb:BatchWriteItem into their table", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.DynamoDB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{v.res["table"]: {{PutRequest: &ddbtypes.PutRequest{
				Item: map[string]ddbtypes.AttributeValue{"slotPosition": &ddbtypes.AttributeValueMemberN{Value: "0"}, "imageFile": &ddbtypes.AttributeValueMemberS{Value: "x.png"}}}}}}})
			return err
		}},
		{"dynamodb:DeleteTable of their table", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.DynamoDB.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(v.res["table"])})
			return err
		}},
		{"cognito-identity:UpdateIdentityPool of their pool (basic flow off)", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.CognitoIdentity.UpdateIdentityPool(ctx, &ci.UpdateIdentityPoolInput{IdentityPoolId: aws.String(v.res["pool"]), IdentityPoolName: aws.String(slots.PoolName(v.t)),
				AllowUnauthenticatedIdentities: true, AllowClassicFlow: aws.Bool(false)})
			return err
		}},
		{"cognito-identity:DeleteIdentityPool of their pool", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.CognitoIdentity.DeleteIdentityPool(ctx, &ci.DeleteIdentityPoolInput{IdentityPoolId: aws.String(v.res["pool"])})
			return err
		}},
		{"cognito-identity:GetIdentityPoolRoles of their pool", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.CognitoIdentity.GetIdentityPoolRoles(ctx, &ci.GetIdentityPoolRolesInput{IdentityPoolId: aws.String(v.res["pool"])})
			return err
		}},
		{"cognito-identity:SetIdentityPoolRoles on my pool with their guest role (iam:PassRole)", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			pools, err := c.CognitoIdentity.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(60)})
			if err != nil {
				return err
			}
			mine := ""
			for _, x := range pools.IdentityPools {
				if aws.ToString(x.IdentityPoolName) == slots.PoolName(me) {
					mine = aws.ToString(x.IdentityPoolId)
				}
			}
			_, err = c.CognitoIdentity.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: aws.String(mine),
				Roles: map[string]string{"unauthenticated": "arn:aws:iam::111122223333:role/labdash/" + v.t.ClassID + "/" + v.t.StudentID + "/" + v.res["guestRole"]}})
			return err
		}},
		{"cognito-identity:CreateIdentityPool tagged as theirs", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.CognitoIdentity.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String(slots.PoolName(v.t)), AllowUnauthenticatedIdentities: true,
				IdentityPoolTags: map[string]string{"labdash:class": v.t.ClassID, "labdash:student": v.t.StudentID}})
			return err
		}},
		{"iam:PutRolePolicy on their execution role", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(v.res["execRole"]), PolicyName: aws.String("dynamodb-read"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)})
			return err
		}},
		{"iam:DeleteRolePolicy on their guest role", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(v.res["guestRole"]), PolicyName: aws.String("invoke-slotpull")})
			return err
		}},
		{"iam:UpdateAssumeRolePolicy on their guest role, to be assumed by me", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(v.res["guestRole"]),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`)})
			return err
		}},
	}
}

// route53Attacks write into the victim's names in their class zone: their record,
// the apex, a batch that hides their name beside the attacker's own, and a name
// that only starts like the attacker's.
func route53Attacks() []attack {
	cname := func(name string) *r53types.ResourceRecordSet {
		return &r53types.ResourceRecordSet{Name: aws.String(name), Type: r53types.RRTypeCname, TTL: aws.Int64(60),
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("attacker.example.com")}}}
	}
	change := func(ctx context.Context, c *cloud.Clients, zone string, chs ...r53types.Change) error {
		_, err := c.Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zone), ChangeBatch: &r53types.ChangeBatch{Changes: chs}})
		return err
	}
	return []attack{
		{"route53:ChangeResourceRecordSets UPSERT their record", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			return change(ctx, c, v.res["zone"], r53types.Change{Action: r53types.ChangeActionUpsert, ResourceRecordSet: cname(v.res["name"])})
		}},
		{"route53:ChangeResourceRecordSets DELETE their record", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			var ttl int64
			fmt.Sscan(v.res["ttl"], &ttl)
			return change(ctx, c, v.res["zone"], r53types.Change{Action: r53types.ChangeActionDelete, ResourceRecordSet: &r53types.ResourceRecordSet{
				Name: aws.String(v.res["name"]), Type: r53types.RRType(v.res["type"]), TTL: aws.Int64(ttl), ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(v.res["value"])}}}})
		}},
		{"route53:ChangeResourceRecordSets their name hidden beside mine", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			return change(ctx, c, v.res["zone"], r53types.Change{Action: r53types.ChangeActionUpsert, ResourceRecordSet: cname("x." + me.StudentID + "." + v.res["apex"])},
				r53types.Change{Action: r53types.ChangeActionUpsert, ResourceRecordSet: cname("mail." + v.t.StudentID + "." + v.res["apex"])})
		}},
		{"route53:ChangeResourceRecordSets at the zone apex", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			return change(ctx, c, v.res["zone"], r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{
				Name: aws.String(v.res["apex"]), Type: r53types.RRTypeTxt, TTL: aws.Int64(60), ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(`"mine"`)}}}})
		}},
		{"route53:ChangeResourceRecordSets a look-alike name (www.<me>0.<zone>)", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			return change(ctx, c, v.res["zone"], r53types.Change{Action: r53types.ChangeActionUpsert, ResourceRecordSet: cname("www." + me.StudentID + "0." + v.res["apex"])})
		}},
	}
}

func fargateAttacks() []attack {
	mine := func(me labs.Target, s string) *string { return aws.String(me.Prefix + s) }
	return []attack{
		{"ecs:UpdateService", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ECS.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(v.t.Prefix + "cluster"), Service: aws.String(v.t.Prefix + "svc"), DesiredCount: aws.Int32(0)})
			return err
		}},
		{"ecs:DeleteService", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ECS.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String(v.t.Prefix + "cluster"), Service: aws.String(v.t.Prefix + "svc"), Force: aws.Bool(true)})
			return err
		}},
		{"ecs:StopTask", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ECS.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String(v.t.Prefix + "cluster"), Task: aws.String(v.res["task"])})
			return err
		}},
		{"ecs:DeleteCluster", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ECS.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String(v.t.Prefix + "cluster")})
			return err
		}},
		{"ecs:CreateService in their cluster, tagged as mine", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			tags, _, _ := tagsOf(me)
			_, err := c.ECS.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String(v.t.Prefix + "cluster"), ServiceName: mine(me, "intruder"),
				TaskDefinition: mine(me, "hello"), DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate, Tags: tags})
			return err
		}},
		{"ecs:RegisterTaskDefinition under their family", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			tags, _, _ := tagsOf(me)
			_, err := c.ECS.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(v.t.Prefix + "hello"), Tags: tags,
				ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("x"), Image: aws.String("nginx")}}})
			return err
		}},
		{"ecs:DeregisterTaskDefinition", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ECS.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(v.t.Prefix + "hello:1")})
			return err
		}},
		{"elasticloadbalancing:DeleteLoadBalancer", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ELBv2.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(v.res["lb"])})
			return err
		}},
		{"elasticloadbalancing:ModifyLoadBalancerAttributes", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ELBv2.ModifyLoadBalancerAttributes(ctx, &elbv2.ModifyLoadBalancerAttributesInput{LoadBalancerArn: aws.String(v.res["lb"]),
				Attributes: []elbtypes.LoadBalancerAttribute{{Key: aws.String("deletion_protection.enabled"), Value: aws.String("true")}}})
			return err
		}},
		{"elasticloadbalancing:CreateListener on their load balancer", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, elb, _ := tagsOf(me)
			_, err := c.ELBv2.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: aws.String(v.res["lb"]), Port: aws.Int32(8081), Protocol: elbtypes.ProtocolEnumHttp,
				DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(v.res["tg"])}}, Tags: elb})
			return err
		}},
		{"elasticloadbalancing:CreateRule on their listener", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ELBv2.CreateRule(ctx, &elbv2.CreateRuleInput{ListenerArn: aws.String(v.res["listener"]), Priority: aws.Int32(5),
				Conditions: []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), Values: []string{"/x"}}},
				Actions:    []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse, FixedResponseConfig: &elbtypes.FixedResponseActionConfig{StatusCode: aws.String("503")}}}})
			return err
		}},
		{"elasticloadbalancing:DeleteListener", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ELBv2.DeleteListener(ctx, &elbv2.DeleteListenerInput{ListenerArn: aws.String(v.res["listener"])})
			return err
		}},
		{"elasticloadbalancing:DeregisterTargets", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ELBv2.DeregisterTargets(ctx, &elbv2.DeregisterTargetsInput{TargetGroupArn: aws.String(v.res["tg"]), Targets: []elbtypes.TargetDescription{{Id: aws.String("10.0.0.9")}}})
			return err
		}},
		{"elasticloadbalancing:DeleteTargetGroup", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ELBv2.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: aws.String(v.res["tg"])})
			return err
		}},
		{"application-autoscaling:RegisterScalableTarget on their service", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.AutoScaling.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs,
				ResourceId: aws.String("service/" + v.t.Prefix + "cluster/" + v.t.Prefix + "svc"), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
				MinCapacity: aws.Int32(0), MaxCapacity: aws.Int32(0)})
			return err
		}},
		{"application-autoscaling:PutScalingPolicy on their service", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.AutoScaling.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: mine(me, "hijack"), ServiceNamespace: aastypes.ServiceNamespaceEcs,
				ResourceId: aws.String("service/" + v.t.Prefix + "cluster/" + v.t.Prefix + "svc"), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
				PolicyType: aastypes.PolicyTypeTargetTrackingScaling, TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(1000),
					PredefinedMetricSpecification: &aastypes.PredefinedMetricSpecification{PredefinedMetricType: aastypes.MetricTypeECSServiceAverageCPUUtilization}}})
			return err
		}},
		{"application-autoscaling:DeleteScalingPolicy", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.AutoScaling.DeleteScalingPolicy(ctx, &aas.DeleteScalingPolicyInput{PolicyName: aws.String(v.t.Prefix + "requests"), ServiceNamespace: aastypes.ServiceNamespaceEcs,
				ResourceId: aws.String("service/" + v.t.Prefix + "cluster/" + v.t.Prefix + "svc"), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount})
			return err
		}},
		{"application-autoscaling:DeregisterScalableTarget", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.AutoScaling.DeregisterScalableTarget(ctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs,
				ResourceId: aws.String("service/" + v.t.Prefix + "cluster/" + v.t.Prefix + "svc"), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount})
			return err
		}},
		{"cloudwatch:PutMetricAlarm over their alarm", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.CloudWatch.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(v.res["alarm"]), MetricName: aws.String("CPUUtilization"),
				Namespace: aws.String("AWS/ECS"), Statistic: "Average", Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: "GreaterThanThreshold"})
			return err
		}},
		{"cloudwatch:DeleteAlarms", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.CloudWatch.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{v.res["alarm"]}})
			return err
		}},
		{"ec2:AuthorizeSecurityGroupIngress on their task group", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(v.res["sg"]), IpProtocol: aws.String("tcp"),
				FromPort: aws.Int32(22), ToPort: aws.Int32(22), CidrIp: aws.String("0.0.0.0/0")})
			return err
		}},
		{"ec2:DeleteSecurityGroup", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(v.res["sg"])})
			return err
		}},
		// Billable creates without the caller's tags (the victim is not used), or tagged as the victim.
		{"ecs:CreateCluster untagged", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: mine(me, "untagged")})
			return err
		}},
		{"ecs:CreateCluster tagged as the victim's", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			tags, _, _ := tagsOf(v.t)
			_, err := c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: mine(me, "framed"), Tags: tags})
			return err
		}},
		{"elasticloadbalancing:CreateLoadBalancer under their name, tagged as mine", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, elb, _ := tagsOf(me)
			_, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(v.t.Prefix + "alb2"), Subnets: []string{"subnet-1", "subnet-2"}, Tags: elb})
			return err
		}},
		{"elasticloadbalancing:CreateLoadBalancer untagged", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: mine(me, "untagged"), Subnets: []string{"subnet-1", "subnet-2"}})
			return err
		}},
		{"elasticloadbalancing:CreateTargetGroup untagged", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ELBv2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: mine(me, "untagged"), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(80), TargetType: elbtypes.TargetTypeEnumIp})
			return err
		}},
		{"ecs:CreateService untagged in my cluster", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ECS.CreateService(ctx, &ecs.CreateServiceInput{Cluster: mine(me, "cluster"), ServiceName: mine(me, "untagged"), TaskDefinition: mine(me, "hello"), DesiredCount: aws.Int32(1)})
			return err
		}},
		{"ec2:RunInstances (not the lab's)", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.EC2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12345678"), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
			return err
		}},
	}
}

func gaAttacks() []attack {
	west := func(ctx context.Context, c *cloud.Clients) *cloud.Clients { return c } // the accelerator API is reached from any region's clients
	return []attack{
		{"globalaccelerator:UpdateAccelerator (disable theirs)", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := west(ctx, c).GlobalAccelerator.UpdateAccelerator(ctx, &globalaccelerator.UpdateAcceleratorInput{AcceleratorArn: aws.String(v.res["acc"]), Enabled: aws.Bool(false)})
			return err
		}},
		{"globalaccelerator:DeleteAccelerator", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.GlobalAccelerator.DeleteAccelerator(ctx, &globalaccelerator.DeleteAcceleratorInput{AcceleratorArn: aws.String(v.res["acc"])})
			return err
		}},
		{"globalaccelerator:CreateListener on theirs", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.GlobalAccelerator.CreateListener(ctx, &globalaccelerator.CreateListenerInput{AcceleratorArn: aws.String(v.res["acc"]), Protocol: gatypes.ProtocolTcp,
				PortRanges: []gatypes.PortRange{{FromPort: aws.Int32(81), ToPort: aws.Int32(81)}}, IdempotencyToken: aws.String(me.Prefix + "x")})
			return err
		}},
		{"globalaccelerator:CreateEndpointGroup on their listener", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.GlobalAccelerator.CreateEndpointGroup(ctx, &globalaccelerator.CreateEndpointGroupInput{ListenerArn: aws.String(v.res["listener"]),
				EndpointGroupRegion: aws.String("us-west-2"), IdempotencyToken: aws.String(me.Prefix + "eg")})
			return err
		}},
		{"globalaccelerator:UpdateEndpointGroup (drain theirs)", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.GlobalAccelerator.UpdateEndpointGroup(ctx, &globalaccelerator.UpdateEndpointGroupInput{EndpointGroupArn: aws.String(v.res["group"]), TrafficDialPercentage: aws.Float32(0)})
			return err
		}},
		{"globalaccelerator:DeleteEndpointGroup", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.GlobalAccelerator.DeleteEndpointGroup(ctx, &globalaccelerator.DeleteEndpointGroupInput{EndpointGroupArn: aws.String(v.res["group"])})
			return err
		}},
		{"globalaccelerator:DeleteListener", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.GlobalAccelerator.DeleteListener(ctx, &globalaccelerator.DeleteListenerInput{ListenerArn: aws.String(v.res["listener"])})
			return err
		}},
		{"ec2:StopInstances (their origin)", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.EC2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{v.res["instance"]}})
			return err
		}},
		{"ec2:StartInstances (their origin)", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.EC2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{v.res["instance"]}})
			return err
		}},
		{"globalaccelerator:CreateAccelerator untagged", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.GlobalAccelerator.CreateAccelerator(ctx, &globalaccelerator.CreateAcceleratorInput{Name: aws.String(me.Prefix + "untagged"), IdempotencyToken: aws.String(me.Prefix + "u")})
			return err
		}},
		{"globalaccelerator:CreateAccelerator tagged as the victim's", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, _, tags := tagsOf(v.t)
			_, err := c.GlobalAccelerator.CreateAccelerator(ctx, &globalaccelerator.CreateAcceleratorInput{Name: aws.String(me.Prefix + "framed"), IdempotencyToken: aws.String(me.Prefix + "f" + v.t.ClassID), Tags: tags})
			return err
		}},
	}
}

func xrayAttacks() []attack {
	return []attack{
		{"iam:DeleteRolePolicy on their instance role", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(v.res["instanceRole"]), PolicyName: aws.String("dynamodb-put")})
			return err
		}},
		{"iam:PutRolePolicy on their instance role", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(v.res["instanceRole"]), PolicyName: aws.String("x"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)})
			return err
		}},
		{"iam:PutRolePolicy on my own sandbox role (escalation)", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(RoleName(me.ClassID, me.StudentID)), PolicyName: aws.String("more"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
			return err
		}},
		{"iam:DeleteRolePolicy on their sandbox role", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.IAM.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(RoleName(v.t.ClassID, v.t.StudentID)), PolicyArn: aws.String(fmt.Sprintf("arn:aws:iam::111122223333:policy/%s", IdentityPolicyName(v.t.ClassID)))})
			return err
		}},
	}
}

// myLT is the attacker's own launch template (its finished lab's).
func myLT(ctx context.Context, c *cloud.Clients, me labs.Target) string {
	lts, err := c.EC2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{me.Prefix + "lt"}})
	if err != nil || len(lts.LaunchTemplates) == 0 {
		return "lt-00000000000000000"
	}
	return aws.ToString(lts.LaunchTemplates[0].LaunchTemplateId)
}

func asgAttacks() []attack {
	tags := func(t labs.Target) []astypes.Tag {
		var out []astypes.Tag
		for _, kv := range [][2]string{{"labdash:class", t.ClassID}, {"labdash:student", t.StudentID}, {"labdash:lab", "asg"}} {
			out = append(out, astypes.Tag{Key: aws.String(kv[0]), Value: aws.String(kv[1]), PropagateAtLaunch: aws.Bool(true)})
		}
		return out
	}
	ltTags := func(t labs.Target) []ec2types.TagSpecification {
		var out []ec2types.Tag
		for _, kv := range [][2]string{{"labdash:class", t.ClassID}, {"labdash:student", t.StudentID}} {
			out = append(out, ec2types.Tag{Key: aws.String(kv[0]), Value: aws.String(kv[1])})
		}
		return []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeLaunchTemplate, Tags: out}}
	}
	group := func(name string, lt string, subnets string, tg []astypes.Tag) *autoscaling.CreateAutoScalingGroupInput {
		return &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String(name), MinSize: aws.Int32(1), MaxSize: aws.Int32(1),
			VPCZoneIdentifier: aws.String(subnets), LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String(lt)}, Tags: tg}
	}
	return []attack{
		{"autoscaling:UpdateAutoScalingGroup", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ASG.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String(v.t.Prefix + "asg"), MinSize: aws.Int32(0), DesiredCapacity: aws.Int32(0)})
			return err
		}},
		{"autoscaling:UpdateAutoScalingGroup pointing their group at my template", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ASG.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String(v.t.Prefix + "asg"),
				LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String(me.Prefix + "lt")}})
			return err
		}},
		{"autoscaling:DeleteAutoScalingGroup", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ASG.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String(v.t.Prefix + "asg"), ForceDelete: aws.Bool(true)})
			return err
		}},
		{"autoscaling:CreateAutoScalingGroup from their launch template, named and tagged as mine", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ASG.CreateAutoScalingGroup(ctx, group(me.Prefix+"borrowed", v.res["lt"], v.res["subnets"], tags(me)))
			return err
		}},
		// From the attacker's own template, so only the name and tag fences can refuse them.
		{"autoscaling:CreateAutoScalingGroup under their name prefix", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ASG.CreateAutoScalingGroup(ctx, group(v.t.Prefix+"asg2", myLT(ctx, c, me), v.res["subnets"], tags(me)))
			return err
		}},
		{"autoscaling:CreateAutoScalingGroup untagged", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ASG.CreateAutoScalingGroup(ctx, group(me.Prefix+"untagged", myLT(ctx, c, me), v.res["subnets"], nil))
			return err
		}},
		{"autoscaling:CreateAutoScalingGroup tagged as the victim's", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ASG.CreateAutoScalingGroup(ctx, group(me.Prefix+"framed", myLT(ctx, c, me), v.res["subnets"], tags(v.t)))
			return err
		}},
		{"ec2:DeleteLaunchTemplate", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.EC2.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: aws.String(v.res["lt"])})
			return err
		}},
		{"ec2:CreateLaunchTemplate untagged", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.EC2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String(me.Prefix + "lt-untagged"),
				LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String("ami-0c02fb55956c7d316"), InstanceType: ec2types.InstanceTypeT3Micro}})
			return err
		}},
		{"ec2:CreateLaunchTemplate tagged as the victim's", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.EC2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String(me.Prefix + "lt-framed"), TagSpecifications: ltTags(v.t),
				LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String("ami-0c02fb55956c7d316"), InstanceType: ec2types.InstanceTypeT3Micro}})
			return err
		}},
		{"ec2:RunInstances from their launch template", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.EC2.RunInstances(ctx, &ec2.RunInstancesInput{MinCount: aws.Int32(1), MaxCount: aws.Int32(1), InstanceType: ec2types.InstanceTypeT3Micro,
				LaunchTemplate: &ec2types.LaunchTemplateSpecification{LaunchTemplateId: aws.String(v.res["lt"])}})
			return err
		}},
		{"ec2:TerminateInstances on their group's instance", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.EC2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{v.res["instance"]}})
			return err
		}},
		{"ec2:CancelSpotInstanceRequests on their Spot request", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.EC2.CancelSpotInstanceRequests(ctx, &ec2.CancelSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{v.res["spot"]}})
			return err
		}},
		{"ec2:AuthorizeSecurityGroupIngress on their instance group", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(v.res["sg"]), IpProtocol: aws.String("tcp"),
				FromPort: aws.Int32(22), ToPort: aws.Int32(22), CidrIp: aws.String("0.0.0.0/0")})
			return err
		}},
	}
}
