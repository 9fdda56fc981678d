package sim

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"

	"github.com/labdash/labdash/labs/cloud"
)

// origin is one region's Lab 5 origin: a web server behind an ALB.
type origin struct {
	region, instance, lb, tg string
	c                        *cloud.Clients
}

func helloUserData(region string) *string {
	s := "#!/bin/bash\ndnf install -y httpd\necho \"Hello from " + region + "\" > /var/www/html/index.html\nsystemctl enable --now httpd\n"
	return aws.String(base64.StdEncoding.EncodeToString([]byte(s)))
}

// gaOrigin builds an origin through the interfaces: SG 80 from anywhere, an
// instance with the hello page, an instance target group checked every 10 s
// (2 passes healthy, 2 failures unhealthy), an ALB and its :80 listener.
func (e *env) gaOrigin(region string) origin {
	e.t.Helper()
	ctx := e.ctx
	c, err := e.w.Clients(ctx, "", region)
	if err != nil {
		e.t.Fatal(err)
	}
	must := func(err error) {
		e.t.Helper()
		if err != nil {
			e.t.Fatal(err)
		}
	}
	vpcID, subnets := e.w.ClassVPC("", region)
	sg, err := c.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("c42s07-web"), Description: aws.String("web"), VpcId: aws.String(vpcID)})
	must(err)
	_, err = c.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sg.GroupId, IpPermissions: []ec2types.IpPermission{{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}})
	must(err)
	run, err := c.EC2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(subnets[0]), SecurityGroupIds: []string{aws.ToString(sg.GroupId)}, UserData: helloUserData(region)})
	must(err)
	o := origin{region: region, instance: aws.ToString(run.Instances[0].InstanceId), c: c}
	tg, err := c.ELBv2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String("c42s07-tg"), Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp,
		TargetType: elbtypes.TargetTypeEnumInstance, VpcId: aws.String(vpcID), HealthCheckIntervalSeconds: aws.Int32(10),
		HealthyThresholdCount: aws.Int32(2), UnhealthyThresholdCount: aws.Int32(2), HealthCheckPath: aws.String("/")})
	must(err)
	lb, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("c42s07-alb"), Subnets: subnets, SecurityGroups: []string{aws.ToString(sg.GroupId)}})
	must(err)
	o.tg, o.lb = aws.ToString(tg.TargetGroups[0].TargetGroupArn), aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)
	_, err = c.ELBv2.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: aws.String(o.lb), Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp,
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(o.tg)}}})
	must(err)
	_, err = c.ELBv2.RegisterTargets(ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: aws.String(o.tg), Targets: []elbtypes.TargetDescription{{Id: aws.String(o.instance)}}})
	must(err)
	return o
}

func (o origin) targetState(t *testing.T) elbtypes.TargetHealthStateEnum {
	t.Helper()
	out, err := o.c.ELBv2.DescribeTargetHealth(context.Background(), &elbv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(o.tg)})
	if err != nil || len(out.TargetHealthDescriptions) != 1 {
		t.Fatalf("DescribeTargetHealth: %v %+v", err, out)
	}
	return out.TargetHealthDescriptions[0].TargetHealth.State
}

// gaSetup is the finished Lab 5: an accelerator with a TCP/80 listener and an
// endpoint group per origin, deployed and healthy.
type gaSetup struct {
	acc, listener string
	ip            string
	groups        map[string]string // region → group ARN
	origins       map[string]origin
}

func (e *env) gaLab(t *testing.T) gaSetup {
	t.Helper()
	ga := e.c.GlobalAccelerator
	s := gaSetup{groups: map[string]string{}, origins: map[string]origin{}}
	for _, reg := range []string{"us-east-1", "eu-west-1"} {
		s.origins[reg] = e.gaOrigin(reg)
	}
	acc, err := ga.CreateAccelerator(e.ctx, &globalaccelerator.CreateAcceleratorInput{Name: aws.String("c42s07-ga"), IdempotencyToken: aws.String("t1"),
		Tags: []gatypes.Tag{{Key: aws.String("labdash:student"), Value: aws.String("s07")}}})
	if err != nil {
		t.Fatal(err)
	}
	s.acc, s.ip = aws.ToString(acc.Accelerator.AcceleratorArn), acc.Accelerator.IpSets[0].IpAddresses[0]
	if !strings.HasPrefix(s.ip, "203.0.113.") {
		t.Errorf("static IP %s is not in 203.0.113.0/24", s.ip)
	}
	l, err := ga.CreateListener(e.ctx, &globalaccelerator.CreateListenerInput{AcceleratorArn: aws.String(s.acc), Protocol: gatypes.ProtocolTcp,
		PortRanges: []gatypes.PortRange{{FromPort: aws.Int32(80), ToPort: aws.Int32(80)}}})
	if err != nil {
		t.Fatal(err)
	}
	s.listener = aws.ToString(l.Listener.ListenerArn)
	for reg, o := range s.origins {
		g, err := ga.CreateEndpointGroup(e.ctx, &globalaccelerator.CreateEndpointGroupInput{ListenerArn: aws.String(s.listener), EndpointGroupRegion: aws.String(reg),
			EndpointConfigurations: []gatypes.EndpointConfiguration{{EndpointId: aws.String(o.lb)}}})
		if err != nil {
			t.Fatal(err)
		}
		s.groups[reg] = aws.ToString(g.EndpointGroup.EndpointGroupArn)
	}
	// Not deployed yet: nothing answers.
	if _, err := e.c.HTTP.Get(e.ctx, "http://"+s.ip+"/"); !isTimeout(err) {
		t.Errorf("probe before DEPLOYED: %v, want a timeout", err)
	}
	e.clock.Advance(6 * time.Minute)
	if st := e.gaStatus(s.acc); st != gatypes.AcceleratorStatusDeployed {
		t.Fatalf("accelerator is %s after 6 min", st)
	}
	return s
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (e *env) groupHealth(t *testing.T, arn string) gatypes.EndpointDescription {
	t.Helper()
	out, err := e.c.GlobalAccelerator.DescribeEndpointGroup(e.ctx, &globalaccelerator.DescribeEndpointGroupInput{EndpointGroupArn: aws.String(arn)})
	if err != nil || len(out.EndpointGroup.EndpointDescriptions) != 1 {
		t.Fatalf("DescribeEndpointGroup: %v %+v", err, out)
	}
	return out.EndpointGroup.EndpointDescriptions[0]
}

// answering probes the static IP and returns the body ("" when it failed).
func (e *env) answering(t *testing.T, ip string) (cloud.ProbeResult, error) {
	t.Helper()
	return e.c.HTTP.Get(e.ctx, "http://"+ip+"/")
}

// stepUntil advances the clock a second at a time until cond holds, and returns
// how long that took; it fails the test after limit.
func (e *env) stepUntil(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	for d := time.Duration(0); d <= limit; d += time.Second {
		if cond() {
			return d
		}
		e.clock.Advance(time.Second)
	}
	t.Fatalf("%s did not happen within %s", what, limit)
	return 0
}

func TestGAFailoverAndRecovery(t *testing.T) {
	e := newEnv(t)
	s := e.gaLab(t)
	east, west := s.origins["us-east-1"], s.origins["eu-west-1"]
	for reg, g := range s.groups {
		if d := e.groupHealth(t, g); d.HealthState != gatypes.HealthStateHealthy {
			t.Fatalf("%s group is %s (%s) once deployed", reg, d.HealthState, aws.ToString(d.HealthReason))
		}
	}
	p, err := e.answering(t, s.ip)
	if err != nil || p.Status != 200 || p.Body != "Hello from us-east-1" || p.Latency != 4*time.Millisecond {
		t.Fatalf("probe from us-east-1: %+v %v, want 200 Hello from us-east-1 in 4ms", p, err)
	}
	// A student in Dublin reaches eu-west-1.
	if err := e.w.SetStudentLocation("", "s07", "eu-west-1"); err != nil {
		t.Fatal(err)
	}
	if p, err := e.answering(t, s.ip); err != nil || p.Body != "Hello from eu-west-1" {
		t.Errorf("probe from eu-west-1: %+v %v", p, err)
	}
	if err := e.w.SetStudentLocation("", "s07", "us-east-1"); err != nil {
		t.Fatal(err)
	}
	if err := e.w.SetStudentLocation("", "s07", "mars-1"); err == nil {
		t.Error("SetStudentLocation accepted mars-1")
	}

	// Failover: stop the nearest origin.
	if _, err := east.c.EC2.StopInstances(e.ctx, &ec2.StopInstancesInput{InstanceIds: []string{east.instance}}); err != nil {
		t.Fatal(err)
	}
	// The target turns unhealthy after the TG's interval × unhealthy threshold (10 s × 2).
	tgDown := e.stepUntil(t, time.Minute, "target unhealthy", func() bool { return east.targetState(t) == elbtypes.TargetHealthStateEnumUnhealthy })
	if tgDown <= 10*time.Second || tgDown > 20*time.Second {
		t.Errorf("target unhealthy %s after StopInstances, want in (10s, 20s]", tgDown)
	}
	// The accelerator sees it after its own interval × threshold (30 s × 3).
	gaDown := e.stepUntil(t, 3*time.Minute, "failover", func() bool {
		p, err := e.answering(t, s.ip)
		return err == nil && p.Body == "Hello from eu-west-1"
	})
	if gaDown < 60*time.Second || gaDown > 90*time.Second {
		t.Errorf("failover %s after the target turned unhealthy, want within [60s, 90s]", gaDown)
	}
	if p, _ := e.answering(t, s.ip); p.Latency != gaLatency("us-east-1", "eu-west-1") || p.Latency < 50*time.Millisecond {
		t.Errorf("failover latency %s", p.Latency)
	}
	d := e.groupHealth(t, s.groups["us-east-1"])
	if d.HealthState != gatypes.HealthStateUnhealthy || !strings.Contains(aws.ToString(d.HealthReason), "no healthy targets") {
		t.Errorf("us-east-1 group: %s %q", d.HealthState, aws.ToString(d.HealthReason))
	}
	e.clock.Advance(time.Minute)
	di, err := east.c.EC2.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{east.instance}})
	if err != nil || di.Reservations[0].Instances[0].State.Name != ec2types.InstanceStateNameStopped {
		t.Fatalf("instance: %v %+v", err, di)
	}

	// Recovery: start it again.
	if _, err := east.c.EC2.StartInstances(e.ctx, &ec2.StartInstancesInput{InstanceIds: []string{east.instance}}); err != nil {
		t.Fatal(err)
	}
	tgUp := e.stepUntil(t, 2*time.Minute, "target healthy", func() bool { return east.targetState(t) == elbtypes.TargetHealthStateEnumHealthy })
	// pending 15–30 s, then 2 passing checks 10 s apart.
	if tgUp < 25*time.Second || tgUp > 50*time.Second {
		t.Errorf("target healthy %s after StartInstances, want within [25s, 50s]", tgUp)
	}
	gaUp := e.stepUntil(t, 3*time.Minute, "recovery", func() bool {
		p, err := e.answering(t, s.ip)
		return err == nil && p.Body == "Hello from us-east-1"
	})
	if gaUp < 60*time.Second || gaUp > 90*time.Second {
		t.Errorf("recovery %s after the target turned healthy, want within [60s, 90s]", gaUp)
	}
	if d := e.groupHealth(t, s.groups["us-east-1"]); d.HealthState != gatypes.HealthStateHealthy || d.HealthReason != nil {
		t.Errorf("us-east-1 group after recovery: %s %q", d.HealthState, aws.ToString(d.HealthReason))
	}

	// Both down: the connection fails.
	for _, o := range []origin{east, west} {
		if _, err := o.c.EC2.StopInstances(e.ctx, &ec2.StopInstancesInput{InstanceIds: []string{o.instance}}); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(20*time.Second + 90*time.Second + 2*time.Second)
	if p, err := e.answering(t, s.ip); !isTimeout(err) {
		t.Errorf("probe with no healthy group: %+v %v, want a timeout", p, err)
	}
}

func TestGATrafficDialAndDelete(t *testing.T) {
	e := newEnv(t)
	s := e.gaLab(t)
	ga := e.c.GlobalAccelerator
	dial := func(reg string, pct float32) {
		t.Helper()
		out, err := ga.UpdateEndpointGroup(e.ctx, &globalaccelerator.UpdateEndpointGroupInput{EndpointGroupArn: aws.String(s.groups[reg]), TrafficDialPercentage: aws.Float32(pct)})
		if err != nil || aws.ToFloat32(out.EndpointGroup.TrafficDialPercentage) != pct {
			t.Fatalf("UpdateEndpointGroup: %v %+v", err, out)
		}
	}
	dial("us-east-1", 0)
	if p, err := e.answering(t, s.ip); err != nil || p.Body != "Hello from eu-west-1" {
		t.Errorf("dial 0 in us-east-1: %+v %v, want eu-west-1", p, err)
	}
	if st := e.gaStatus(s.acc); st != gatypes.AcceleratorStatusInProgress {
		t.Errorf("after UpdateEndpointGroup: %s, want IN_PROGRESS", st)
	}
	dial("eu-west-1", 0)
	if _, err := e.answering(t, s.ip); !isTimeout(err) {
		t.Errorf("every dial 0: %v, want a timeout", err)
	}
	dial("us-east-1", 100)
	if p, err := e.answering(t, s.ip); err != nil || p.Body != "Hello from us-east-1" {
		t.Errorf("dial back to 100: %+v %v", p, err)
	}
	for name, in := range map[string]*globalaccelerator.UpdateEndpointGroupInput{
		"dial 101":    {EndpointGroupArn: aws.String(s.groups["us-east-1"]), TrafficDialPercentage: aws.Float32(101)},
		"interval 15": {EndpointGroupArn: aws.String(s.groups["us-east-1"]), HealthCheckIntervalSeconds: aws.Int32(15)},
		"threshold 0": {EndpointGroupArn: aws.String(s.groups["us-east-1"]), ThresholdCount: aws.Int32(0)},
	} {
		if _, err := ga.UpdateEndpointGroup(e.ctx, in); !errorsAs[*gatypes.InvalidArgumentException](err) {
			t.Errorf("%s: %v, want InvalidArgumentException", name, err)
		}
	}
	if _, err := ga.UpdateEndpointGroup(e.ctx, &globalaccelerator.UpdateEndpointGroupInput{EndpointGroupArn: aws.String(s.listener + "/endpoint-group/000000000000")}); !errorsAs[*gatypes.EndpointGroupNotFoundException](err) {
		t.Errorf("unknown group: %v", err)
	}
	if _, err := ga.UpdateEndpointGroup(e.ctx, nil); !errorsAs[*gatypes.InvalidArgumentException](err) {
		t.Errorf("nil input: %v", err)
	}
	l, err := ga.DescribeListener(e.ctx, &globalaccelerator.DescribeListenerInput{ListenerArn: aws.String(s.listener)})
	if err != nil || l.Listener.Protocol != gatypes.ProtocolTcp || aws.ToInt32(l.Listener.PortRanges[0].FromPort) != 80 {
		t.Errorf("DescribeListener: %v %+v", err, l)
	}
	if _, err := ga.DescribeListener(e.ctx, &globalaccelerator.DescribeListenerInput{ListenerArn: aws.String(s.acc + "/listener/00000000")}); !errorsAs[*gatypes.ListenerNotFoundException](err) {
		t.Errorf("DescribeListener unknown: %v", err)
	}
	for _, u := range []string{"http://203.0.113.255/", "http://" + s.ip + ":8080/", "ftp://" + s.ip + "/", "::", "http://" + s.ip + ":99999/"} {
		if _, err := e.c.HTTP.Get(e.ctx, u); err == nil {
			t.Errorf("probe %s answered", u)
		}
	}

	// Disable → delete, with GA's rules.
	if _, err := ga.UpdateAccelerator(e.ctx, &globalaccelerator.UpdateAcceleratorInput{AcceleratorArn: aws.String(s.acc), Enabled: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.answering(t, s.ip); !isTimeout(err) {
		t.Errorf("probe of a disabled accelerator: %v, want a timeout", err)
	}
	del := func() error {
		_, err := ga.DeleteAccelerator(e.ctx, &globalaccelerator.DeleteAcceleratorInput{AcceleratorArn: aws.String(s.acc)})
		return err
	}
	if err := del(); !errorsAs[*gatypes.AssociatedListenerFoundException](err) {
		t.Errorf("delete with listeners: %v", err)
	}
	if _, err := ga.DeleteListener(e.ctx, &globalaccelerator.DeleteListenerInput{ListenerArn: aws.String(s.listener)}); !errorsAs[*gatypes.AssociatedEndpointGroupFoundException](err) {
		t.Errorf("delete listener with groups: %v", err)
	}
	for _, g := range s.groups {
		if _, err := ga.DeleteEndpointGroup(e.ctx, &globalaccelerator.DeleteEndpointGroupInput{EndpointGroupArn: aws.String(g)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ga.DeleteListener(e.ctx, &globalaccelerator.DeleteListenerInput{ListenerArn: aws.String(s.listener)}); err != nil {
		t.Fatal(err)
	}
	if err := del(); !errorsAs[*gatypes.AcceleratorNotDisabledException](err) {
		t.Errorf("delete while IN_PROGRESS: %v", err)
	}
	e.clock.Advance(5 * time.Minute)
	if err := del(); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := e.answering(t, s.ip); !isTimeout(err) {
		t.Errorf("probe of a deleted accelerator: %v", err)
	}
}

func TestStopStartInstances(t *testing.T) {
	e := newEnv(t)
	o := e.gaOrigin("us-east-1")
	c := o.c
	state := func() ec2types.InstanceStateName {
		t.Helper()
		out, err := c.EC2.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{o.instance}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Reservations[0].Instances[0].State.Name
	}
	e.clock.Advance(time.Minute)
	if s := state(); s != ec2types.InstanceStateNameRunning {
		t.Fatalf("instance %s, want running", s)
	}
	if _, err := c.EC2.StartInstances(e.ctx, &ec2.StartInstancesInput{InstanceIds: []string{o.instance}}); err != nil {
		t.Errorf("starting a running instance: %v, want a no-op", err)
	}
	out, err := c.EC2.StopInstances(e.ctx, &ec2.StopInstancesInput{InstanceIds: []string{o.instance}})
	if err != nil || out.StoppingInstances[0].CurrentState.Name != ec2types.InstanceStateNameStopping || out.StoppingInstances[0].PreviousState.Name != ec2types.InstanceStateNameRunning {
		t.Fatalf("StopInstances: %v %+v", err, out)
	}
	if _, err := c.EC2.StartInstances(e.ctx, &ec2.StartInstancesInput{InstanceIds: []string{o.instance}}); apiCode(err) != "IncorrectInstanceState" {
		t.Errorf("starting a stopping instance: %v", err)
	}
	e.clock.Advance(31 * time.Second)
	if s := state(); s != ec2types.InstanceStateNameStopped {
		t.Fatalf("instance %s 31 s after StopInstances, want stopped", s)
	}
	if _, err := c.EC2.StartInstances(e.ctx, &ec2.StartInstancesInput{InstanceIds: []string{o.instance}}); err != nil {
		t.Fatal(err)
	}
	if s := state(); s != ec2types.InstanceStateNamePending {
		t.Errorf("instance %s after StartInstances, want pending", s)
	}
	e.clock.Advance(31 * time.Second)
	if s := state(); s != ec2types.InstanceStateNameRunning {
		t.Errorf("instance %s 31 s after StartInstances, want running", s)
	}
	for name, call := range map[string]func() error{
		"stop nil":  func() error { _, err := c.EC2.StopInstances(e.ctx, nil); return err },
		"start nil": func() error { _, err := c.EC2.StartInstances(e.ctx, nil); return err },
		"stop malformed": func() error {
			_, err := c.EC2.StopInstances(e.ctx, &ec2.StopInstancesInput{InstanceIds: []string{"x"}})
			return err
		},
		"start unknown": func() error {
			_, err := c.EC2.StartInstances(e.ctx, &ec2.StartInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
			return err
		},
	} {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := c.EC2.TerminateInstances(e.ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{o.instance}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EC2.StopInstances(e.ctx, &ec2.StopInstancesInput{InstanceIds: []string{o.instance}}); apiCode(err) != "IncorrectInstanceState" {
		t.Errorf("stopping a terminating instance: %v", err)
	}
	// A target that is not an instance of the VPC is refused.
	if _, err := c.ELBv2.RegisterTargets(e.ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: aws.String(o.tg), Targets: []elbtypes.TargetDescription{{Id: aws.String("i-0123456789abcdef0")}}}); !errorsAs[*elbtypes.InvalidTargetException](err) {
		t.Errorf("register unknown instance: %v", err)
	}
}
