package resources

// AWS::EC2::Instance — terminated (TerminateInstances); the engine waits while it
// is shutting-down until it is terminated, because it holds its security groups
// until then. It comes after the Auto Scaling group (which would replace it) and
// the Spot request (a persistent one would relaunch it). An instance is the
// class's when it is tagged for the class, when its Spot request or the Auto
// Scaling group named by its aws:autoscaling:groupName tag is owned (a group's
// instances need not carry propagated tags; a persistent request's relaunches
// may carry none), or, untagged, when its Name tag starts with a student's prefix.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/labs/cloud"
)

const instanceType = "AWS::EC2::Instance"

func init() {
	Register(Type{
		Name:   instanceType,
		Gone:   []NotFound{{Code: "InvalidInstanceID.NotFound"}},
		After:  []string{asgType, spotRequestType},
		Hourly: 0.0104, // t3.micro On-Demand
		Match:  MatchPrefix("ec2", "instance/"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			in, err := describeInstance(ctx, c, Last(r.ARN, "/"))
			if err != nil {
				return nil, err
			}
			if in.State != nil && in.State.Name == ec2types.InstanceStateNameTerminated {
				return nil, ErrGone
			}
			return ec2Tags(in.Tags), nil
		},
		Under:  []string{asgType},
		Naming: NameTag,
		// Candidates: instances tagged for the class (the sweep lags behind a
		// launch), named like it (their Name tag), those of an
		// owned Auto Scaling group (a group's instances need not carry propagated
		// tags) and those a Spot request launched (a persistent request's relaunches
		// may carry none; the request may be the class's).
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			insts, err := describeInstances(ctx, c, []ec2types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"pending", "running", "stopping", "stopped"}}})
			if err != nil {
				return nil, err
			}
			groups := ownedGroups(c, s)
			var found []Candidate
			for _, in := range insts {
				id, tags := aws.ToString(in.InstanceId), ec2Tags(in.Tags)
				f := Candidate{ARN: c.ARN("ec2", "instance/"+id), Tags: tags}
				if sir := aws.ToString(in.SpotInstanceRequestId); sir != "" {
					f.Parents = append(f.Parents, Link{ARN: c.ARN("ec2", "spot-instances-request/"+sir), Tie: "it was launched by the Spot request"})
				}
				if g := groups[tags["aws:autoscaling:groupName"]]; g.ARN != "" {
					f.Parents = append(f.Parents, Link{ARN: g.ARN, Tie: "it belongs to the Auto Scaling group"})
				}
				if len(f.Parents) > 0 || strings.Contains(tags["Name"], s.ClassID) || tags["labdash:class"] == s.ClassID {
					found = append(found, f)
				}
			}
			return found, nil
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			id := Last(r.ARN, "/")
			in, err := describeInstance(ctx, c, id)
			if err != nil {
				return err
			}
			switch in.State.Name {
			case ec2types.InstanceStateNameTerminated:
				return ErrGone
			case ec2types.InstanceStateNameShuttingDown:
				return Waiting("deleting", "instance is shutting down")
			}
			if _, err := c.EC2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}}); err != nil {
				return err
			}
			return Waiting("deleting", "instance terminating (was %s)", in.State.Name)
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, Last(r.ARN, "/")}, nil },
	})
}

// describeInstance describes one instance; one AWS no longer knows is ErrGone.
func describeInstance(ctx context.Context, c *cloud.Clients, id string) (*ec2types.Instance, error) {
	out, err := c.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		return nil, err
	}
	for _, r := range out.Reservations {
		for i := range r.Instances {
			if aws.ToString(r.Instances[i].InstanceId) == id && r.Instances[i].State != nil {
				return &r.Instances[i], nil
			}
		}
	}
	return nil, ErrGone
}
