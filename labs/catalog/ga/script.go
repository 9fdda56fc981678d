package ga

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"

	"github.com/labdash/labdash/labs"
)

// The usual mistakes.
const (
	mistakeWrongPort   = "wrong-port"
	mistakeWrongRegion = "wrong-region"
	mistakeNoWait      = "no-wait"
)

func script() []labs.Step {
	return []labs.Step{
		{Name: "create the accelerator", Think: 60 * time.Second, Do: createAccelerator},
		{Name: "add the TCP/80 listener", Think: 45 * time.Second, Do: createListener},
		{Name: "add the endpoint groups", Think: 90 * time.Second, Do: createGroups},
		{Name: "wait for DEPLOYED", Think: 30 * time.Second, Do: waitDeployed},
		{Name: "browse to the static IP", Think: 30 * time.Second, Do: browse},
		{Name: "stop the nearest instance", Think: 60 * time.Second, Do: stopNearest},
		{Name: "watch failover", Think: 30 * time.Second, Do: watchFailover},
		{Name: "start the instance again", Think: 60 * time.Second, Do: startAgain},
	}
}

func gaTags(t labs.Target) []gatypes.Tag {
	return []gatypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(t.ClassID)}, {Key: aws.String("labdash:student"), Value: aws.String(t.StudentID)},
		{Key: aws.String("labdash:lab"), Value: aws.String(ID)}, {Key: aws.String("labdash:managed-by"), Value: aws.String("student")}}
}

func createAccelerator(ctx context.Context, e *labs.Env) error {
	out, err := e.C.GlobalAccelerator.CreateAccelerator(ctx, &globalaccelerator.CreateAcceleratorInput{Name: aws.String(accName(e.T)),
		IdempotencyToken: aws.String(e.T.Prefix + "acc"), Tags: gaTags(e.T)})
	if err != nil {
		return err
	}
	e.Memo["acc"] = aws.ToString(out.Accelerator.AcceleratorArn)
	e.Memo["ip"] = ips(out.Accelerator)[0]
	return nil
}

func createListener(ctx context.Context, e *labs.Env) error {
	port := int32(80)
	if e.Persona.Makes(mistakeWrongPort) {
		port = 8080
	}
	out, err := e.C.GlobalAccelerator.CreateListener(ctx, &globalaccelerator.CreateListenerInput{AcceleratorArn: aws.String(e.Memo["acc"]),
		Protocol: gatypes.ProtocolTcp, PortRanges: []gatypes.PortRange{{FromPort: aws.Int32(port), ToPort: aws.Int32(port)}}, IdempotencyToken: aws.String(e.T.Prefix + "lst")})
	if err != nil {
		return err
	}
	e.Memo["listener"] = aws.ToString(out.Listener.ListenerArn)
	return nil
}

// createGroups adds a group per region holding that region's ALB from the
// prerequisite stacks (Env.Stack for the student's region, Memo "alb:<region>" or
// the stack output in the other).
func createGroups(ctx context.Context, e *labs.Env) error {
	for _, r := range Regions {
		alb, err := origin(ctx, e, r, "LoadBalancerArn")
		if err != nil {
			return err
		}
		region := r
		if r == Regions[1] && e.Persona.Makes(mistakeWrongRegion) {
			region = "us-west-2"
		}
		_, err = e.C.GlobalAccelerator.CreateEndpointGroup(ctx, &globalaccelerator.CreateEndpointGroupInput{ListenerArn: aws.String(e.Memo["listener"]),
			EndpointGroupRegion: aws.String(region), IdempotencyToken: aws.String(e.T.Prefix + "eg-" + r),
			EndpointConfigurations: []gatypes.EndpointConfiguration{{EndpointId: aws.String(alb)}}})
		var dup *gatypes.EndpointGroupAlreadyExistsException
		if err != nil && !errors.As(err, &dup) {
			return err
		}
	}
	return nil
}

// origin reads an output of the region's prerequisite stack.
func origin(ctx context.Context, e *labs.Env, region, key string) (string, error) {
	if v := e.Memo[key+":"+region]; v != "" {
		return v, nil
	}
	if region == e.C.Region && e.Stack[key] != "" {
		return e.Stack[key], nil
	}
	if e.C.InRegion == nil {
		return "", fmt.Errorf("no clients for %s", region)
	}
	rc, err := e.C.InRegion(ctx, region)
	if err != nil {
		return "", err
	}
	for _, name := range []string{stackName(e.T, region), e.T.Prefix + ID + "-pre"} {
		out, err := labs.StackOutputs(ctx, rc, name)
		if err != nil {
			continue
		}
		for k, v := range out {
			e.Memo[k+":"+region] = v
		}
		if v := out[key]; v != "" {
			return v, nil
		}
	}
	return "", fmt.Errorf("no prerequisite stack in %s: %w", region, labs.ErrNotYet)
}

func waitDeployed(ctx context.Context, e *labs.Env) error {
	if e.Persona.Makes(mistakeNoWait) {
		return nil
	}
	out, err := e.C.GlobalAccelerator.DescribeAccelerator(ctx, &globalaccelerator.DescribeAcceleratorInput{AcceleratorArn: aws.String(e.Memo["acc"])})
	if err != nil {
		return err
	}
	if out.Accelerator.Status != gatypes.AcceleratorStatusDeployed {
		return labs.ErrNotYet
	}
	return nil
}

func browse(ctx context.Context, e *labs.Env) error {
	if e.C.HTTP == nil {
		return nil
	}
	res, err := e.C.HTTP.Get(ctx, "http://"+e.Memo["ip"]+"/")
	if err != nil {
		if e.Persona.Makes(mistakeNoWait) {
			return fmt.Errorf("the static IP does not answer: %w", err) // the student gives up after retries
		}
		return labs.ErrNotYet
	}
	p := &Probe{Status: res.Status, Body: res.Body}
	if p.Region() == "" {
		return labs.ErrNotYet
	}
	e.Memo["nearest"] = p.Region()
	return nil
}

func stopNearest(ctx context.Context, e *labs.Env) error {
	return setInstance(ctx, e, e.Memo["nearest"], false)
}

func watchFailover(ctx context.Context, e *labs.Env) error {
	res, err := e.C.HTTP.Get(ctx, "http://"+e.Memo["ip"]+"/")
	if err != nil {
		return labs.ErrNotYet
	}
	if p := (&Probe{Status: res.Status, Body: res.Body}); p.Region() == "" || p.Region() == e.Memo["nearest"] {
		return labs.ErrNotYet
	}
	return nil
}

func startAgain(ctx context.Context, e *labs.Env) error {
	return setInstance(ctx, e, e.Memo["nearest"], true)
}
