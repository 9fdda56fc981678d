package sim

import (
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

func (e *env) mkSG(name string) string {
	e.t.Helper()
	vpcID, _ := e.w.ClassVPC("", "us-east-1")
	out, err := e.c.EC2.CreateSecurityGroup(e.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name), VpcId: aws.String(vpcID)})
	if err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(out.GroupId)
}

func (e *env) enis(in ec2.DescribeNetworkInterfacesInput) []ec2types.NetworkInterface {
	e.t.Helper()
	var all []ec2types.NetworkInterface
	for {
		out, err := e.c.EC2.DescribeNetworkInterfaces(e.ctx, &in)
		if err != nil {
			e.t.Fatal(err)
		}
		all = append(all, out.NetworkInterfaces...)
		if out.NextToken == nil {
			return all
		}
		in.NextToken = out.NextToken
	}
}

func eniFilter(name string, values ...string) []ec2types.Filter {
	return []ec2types.Filter{{Name: aws.String(name), Values: values}}
}

func eniIDs(list []ec2types.NetworkInterface) []string {
	var ids []string
	for _, n := range list {
		ids = append(ids, aws.ToString(n.NetworkInterfaceId))
	}
	sort.Strings(ids)
	return ids
}

// checkUses asserts the simulator's invariant: a group is in use (its uses,
// which DeleteSecurityGroup reads) exactly when an interface carries it.
func (e *env) checkUses() {
	e.t.Helper()
	e.w.mu.Lock()
	defer e.w.mu.Unlock()
	r := e.w.regionLocked("111122223333", "us-east-1")
	count := map[string]int{}
	for _, n := range r.enis() {
		for _, id := range n.sgs {
			count[id]++
		}
	}
	for _, sg := range r.sgOrder {
		if (sg.uses > 0) != (count[sg.id] > 0) {
			e.t.Errorf("%s (%s): %d uses, %d interfaces", sg.id, sg.name, sg.uses, count[sg.id])
		}
	}
}

// TestNetworkInterfacesAndDependencyViolation: every use of a security group is
// an interface DescribeNetworkInterfaces shows, and DeleteSecurityGroup answers
// DependencyViolation while one (or another group's rule) references the group.
func TestNetworkInterfacesAndDependencyViolation(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c
	vpcID, subnets := e.w.ClassVPC("", "us-east-1")
	sgInst, sgStopped, sgALB, sgTask, sgRef, sgHolder := e.mkSG("inst"), e.mkSG("stopped"), e.mkSG("alb"), e.mkSG("task"), e.mkSG("ref"), e.mkSG("holder")
	// holder's ingress rule names ref.
	if _, err := c.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(sgHolder), IpPermissions: []ec2types.IpPermission{{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80), UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(sgRef)}}}}}); err != nil {
		t.Fatal(err)
	}
	run := func(sg string) string {
		out, err := c.EC2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(testAMI), InstanceType: ec2types.InstanceTypeT3Micro,
			MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(subnets[0]), SecurityGroupIds: []string{sg}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Instances[0].InstanceId)
	}
	inst, stopped := run(sgInst), run(sgStopped)
	lbOut, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("c42s07-alb"), Subnets: subnets, SecurityGroups: []string{sgALB}})
	if err != nil {
		t.Fatal(err)
	}
	lbArn := aws.ToString(lbOut.LoadBalancers[0].LoadBalancerArn)
	lbID := lbArn[strings.LastIndex(lbArn, "/")+1:]
	if _, err := c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c42s07")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ECS.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("c42s07-web"), NetworkMode: ecstypes.NetworkModeAwsvpc,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		ContainerDefinitions:    []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginxdemos/hello")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ECS.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("c42s07"), ServiceName: aws.String("web"), TaskDefinition: aws.String("c42s07-web"),
		DesiredCount: aws.Int32(2), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: &ecstypes.NetworkConfiguration{
			AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: subnets, SecurityGroups: []string{sgTask}}}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(40 * time.Second)
	if _, err := c.EC2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{stopped}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(40 * time.Second)
	if st := e.instance(stopped).State.Name; st != ec2types.InstanceStateNameStopped {
		t.Fatalf("instance %s is %s", stopped, st)
	}
	e.checkUses()

	all := e.enis(ec2.DescribeNetworkInterfacesInput{})
	if len(all) != 6 { // 2 instances, 2 ALB subnets, 2 tasks
		t.Fatalf("%d interfaces: %+v", len(all), all)
	}
	// Ids are stable and are the ones the owning services report.
	if again := e.enis(ec2.DescribeNetworkInterfacesInput{}); !reflect.DeepEqual(eniIDs(all), eniIDs(again)) {
		t.Errorf("ids changed between calls: %q then %q", eniIDs(all), eniIDs(again))
	}
	instENI := e.enis(ec2.DescribeNetworkInterfacesInput{Filters: eniFilter("attachment.instance-id", inst)})
	if len(instENI) != 1 {
		t.Fatalf("interfaces of %s: %+v", inst, instENI)
	}
	if n, x := instENI[0], e.instance(inst); aws.ToString(n.NetworkInterfaceId) != aws.ToString(x.NetworkInterfaces[0].NetworkInterfaceId) ||
		aws.ToBool(n.RequesterManaged) || n.InterfaceType != ec2types.NetworkInterfaceTypeInterface || aws.ToString(n.PrivateIpAddress) != aws.ToString(x.PrivateIpAddress) ||
		aws.ToString(n.Groups[0].GroupId) != sgInst || aws.ToString(n.Attachment.InstanceId) != inst || aws.ToInt32(n.Attachment.DeviceIndex) != 0 {
		t.Errorf("instance interface %+v", n)
	}
	albENIs := e.enis(ec2.DescribeNetworkInterfacesInput{Filters: eniFilter("group-id", sgALB)})
	if len(albENIs) != 2 {
		t.Fatalf("ALB interfaces: %+v", albENIs)
	}
	for _, n := range albENIs {
		if aws.ToString(n.Description) != "ELB app/c42s07-alb/"+lbID || aws.ToString(n.RequesterId) != "amazon-elb" || !aws.ToBool(n.RequesterManaged) ||
			n.Attachment.InstanceId != nil {
			t.Errorf("ALB interface %+v", n)
		}
	}
	if aws.ToString(albENIs[0].SubnetId) == aws.ToString(albENIs[1].SubnetId) {
		t.Errorf("both ALB interfaces in %s", aws.ToString(albENIs[0].SubnetId))
	}
	list, err := c.ECS.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("c42s07")})
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := c.ECS.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("c42s07"), Tasks: list.TaskArns})
	if err != nil || len(tasks.Tasks) != 2 {
		t.Fatalf("tasks %+v, %v", tasks, err)
	}
	for _, tk := range tasks.Tasks {
		var eniID string
		for _, d := range tk.Attachments[0].Details {
			if aws.ToString(d.Name) == "networkInterfaceId" {
				eniID = aws.ToString(d.Value)
			}
		}
		got := e.enis(ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eniID}})
		if len(got) != 1 {
			t.Fatalf("task interface %s: %+v", eniID, got)
		}
		n := got[0]
		if aws.ToString(n.Description) != "arn:aws:ecs:us-east-1:111122223333:attachment/"+aws.ToString(tk.Attachments[0].Id) || !aws.ToBool(n.RequesterManaged) ||
			n.InterfaceType != ec2types.NetworkInterfaceTypeInterface || aws.ToString(n.Groups[0].GroupId) != sgTask ||
			aws.ToString(n.PrivateIpAddress) != aws.ToString(tk.Containers[0].NetworkInterfaces[0].PrivateIpv4Address) {
			t.Errorf("task interface %+v", n)
		}
	}

	// Filters.
	for _, tc := range []struct {
		name    string
		filters []ec2types.Filter
		want    int
	}{
		{"vpc-id", eniFilter("vpc-id", vpcID), 6},
		{"another vpc-id", eniFilter("vpc-id", "vpc-0nothere"), 0},
		{"group-id, two values", eniFilter("group-id", sgInst, sgTask), 3},
		{"group-id of an unused group", eniFilter("group-id", sgRef), 0},
		{"requester-managed false", eniFilter("requester-managed", "false"), 2},
		{"requester-managed true", eniFilter("requester-managed", "true"), 4},
		{"requester-managed and group-id", append(eniFilter("requester-managed", "true"), eniFilter("group-id", sgALB)...), 2},
		{"requester-id", eniFilter("requester-id", "amazon-elb"), 2},
		{"attachment.instance-id, stopped instance", eniFilter("attachment.instance-id", stopped), 1},
		{"attachment.instance-id wildcard", eniFilter("attachment.instance-id", "i-*"), 2},
		{"description wildcard", eniFilter("description", "ELB app/*"), 2},
		{"subnet-id", eniFilter("subnet-id", subnets[0]), 4},
	} {
		if got := e.enis(ec2.DescribeNetworkInterfacesInput{Filters: tc.filters}); len(got) != tc.want {
			t.Errorf("%s: %d interfaces, want %d", tc.name, len(got), tc.want)
		}
	}
	if paged := e.enis(ec2.DescribeNetworkInterfacesInput{MaxResults: aws.Int32(5)}); !reflect.DeepEqual(eniIDs(paged), eniIDs(all)) {
		t.Errorf("5 a page: %q, want %q", eniIDs(paged), eniIDs(all))
	}
	for _, tc := range []struct {
		name string
		in   ec2.DescribeNetworkInterfacesInput
		code string
	}{
		{"unknown id", ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{"eni-0000000000000000a"}}, "InvalidNetworkInterfaceID.NotFound"},
		{"malformed id", ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{"sg-1"}}, "InvalidNetworkInterfaceID.Malformed"},
		{"unknown filter", ec2.DescribeNetworkInterfacesInput{Filters: eniFilter("colour", "red")}, "InvalidParameterValue"},
		{"ids with MaxResults", ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: eniIDs(all)[:1], MaxResults: aws.Int32(5)}, "InvalidParameterCombination"},
		{"MaxResults 4", ec2.DescribeNetworkInterfacesInput{MaxResults: aws.Int32(4)}, "InvalidParameterValue"},
	} {
		if _, err := c.EC2.DescribeNetworkInterfaces(ctx, &tc.in); apiCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}

	// Each use blocks DeleteSecurityGroup.
	for _, tc := range []struct{ name, sg string }{
		{"instance ENI", sgInst}, {"stopped instance ENI", sgStopped}, {"ALB ENI", sgALB}, {"task ENI", sgTask}, {"another group's rule", sgRef},
	} {
		if _, err := c.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(tc.sg)}); apiCode(err) != "DependencyViolation" {
			t.Errorf("%s: %v, want DependencyViolation", tc.name, err)
		}
	}

	// Taking each use away frees its group.
	if _, err := c.EC2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{inst, stopped}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ELBv2.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(lbArn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ECS.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String("c42s07"), Service: aws.String("web"), Force: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	// While shutting down the instances still hold their interfaces.
	if got := e.enis(ec2.DescribeNetworkInterfacesInput{Filters: eniFilter("attachment.instance-id", inst)}); len(got) != 1 {
		t.Errorf("shutting-down instance: %d interfaces", len(got))
	}
	e.checkUses()
	e.clock.Advance(2 * time.Minute)
	e.checkUses()
	if got := e.enis(ec2.DescribeNetworkInterfacesInput{}); len(got) != 0 {
		t.Errorf("interfaces left: %+v", got)
	}
	if _, err := c.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(sgRef)}); apiCode(err) != "DependencyViolation" {
		t.Errorf("ref while holder's rule names it: %v", err)
	}
	for _, sg := range []string{sgInst, sgStopped, sgALB, sgTask, sgHolder, sgRef} {
		if _, err := c.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(sg)}); err != nil {
			t.Errorf("DeleteSecurityGroup %s once unused: %v", sg, err)
		}
	}
}

// A DB instance holds an RDS-managed interface with its groups until it is gone.
func TestNetworkInterfaceOfDBInstance(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c
	sg := e.mkSG("db")
	if _, err := c.RDS.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("c42s07-db"), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("mysql"), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("secret-pw-1"), AllocatedStorage: aws.Int32(20),
		VpcSecurityGroupIds: []string{sg}}); err != nil {
		t.Fatal(err)
	}
	got := e.enis(ec2.DescribeNetworkInterfacesInput{Filters: eniFilter("group-id", sg)})
	if len(got) != 1 || aws.ToString(got[0].RequesterId) != "amazon-rds" || aws.ToString(got[0].Description) != "RDSNetworkInterface" || !aws.ToBool(got[0].RequesterManaged) {
		t.Fatalf("DB instance interface: %+v", got)
	}
	if _, err := c.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(sg)}); apiCode(err) != "DependencyViolation" {
		t.Errorf("DeleteSecurityGroup under a DB instance: %v", err)
	}
	e.clock.Advance(10 * time.Minute)
	if _, err := c.RDS.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("c42s07-db"), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	e.checkUses()
	e.clock.Advance(15 * time.Minute)
	e.checkUses()
	if got := e.enis(ec2.DescribeNetworkInterfacesInput{Filters: eniFilter("requester-id", "amazon-rds")}); len(got) != 0 {
		t.Errorf("interfaces after the DB instance is gone: %+v", got)
	}
	if _, err := c.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(sg)}); err != nil {
		t.Errorf("DeleteSecurityGroup after the DB instance: %v", err)
	}
}
