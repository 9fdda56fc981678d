package resources

// AWS::ApplicationAutoScaling::ScalingPolicy — an ECS service's scaling policy. It
// carries no tags: it is the class's through the service it scales (its Parent, or
// a class-prefixed cluster and service name). Deleting it also deletes the
// target-tracking alarms Application Auto Scaling made for it.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name: "AWS::ApplicationAutoScaling::ScalingPolicy",
		Match: func(arn string) bool {
			return Service(arn) == "autoscaling" && strings.HasPrefix(Resource(arn), "scalingPolicy:")
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Found, error) {
			var found []Found
			var token *string
			for {
				out, err := c.AutoScaling.DescribeScalingPolicies(ctx, &aas.DescribeScalingPoliciesInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, NextToken: token})
				if err != nil {
					return nil, err
				}
				for _, p := range out.ScalingPolicies {
					if f, ok := ecsScaled(c, s, aws.ToString(p.ResourceId), aws.ToString(p.PolicyARN), "AWS::ApplicationAutoScaling::ScalingPolicy"); ok {
						found = append(found, f)
					}
				}
				if token = out.NextToken; aws.ToString(token) == "" {
					return found, nil
				}
			}
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			resource, name := policyParts(r.ARN)
			_, err := c.AutoScaling.DeleteScalingPolicy(ctx, &aas.DeleteScalingPolicyInput{PolicyName: aws.String(name), ServiceNamespace: aastypes.ServiceNamespaceEcs,
				ResourceId: aws.String(resource), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount})
			return GoneIf(err, "ObjectNotFoundException")
		},
		Targets: func(r Ref) (own, context []string) {
			resource, name := policyParts(r.ARN)
			return []string{r.ARN, name}, []string{resource}
		},
	})
}

// policyParts splits …:resource/ecs/service/C/S:policyName/N into service/C/S and N.
func policyParts(arn string) (resource, name string) {
	_, rest, _ := strings.Cut(arn, ":resource/ecs/")
	resource, name, _ = strings.Cut(rest, ":policyName/")
	return resource, name
}

// ecsScaled proves a scaling object the class's through the ECS service it scales
// (resource id service/CLUSTER/SERVICE): owned when that service is already owned,
// or when the cluster is named with a student's prefix.
func ecsScaled(c *cloud.Clients, s Scope, resourceID, arn, typ string) (Found, bool) {
	parts := strings.Split(resourceID, "/")
	if len(parts) != 3 || parts[0] != "service" {
		return Found{}, false
	}
	svcARN := c.ARN("ecs", "service/"+parts[1]+"/"+parts[2])
	f := Found{Ref: Ref{ARN: arn, Type: typ, Region: c.Region, Account: c.Account, Parent: svcARN}}
	if owner, ok := s.Owned[svcARN]; ok {
		f.Student, f.Proof = owner.Student, "scales the class's service "+svcARN
		return f, true
	}
	if st := s.StudentOf(parts[1]); st != "" {
		f.Student, f.Proof = st, "scales a service in cluster "+parts[1]+" (name prefix "+s.Prefix(st)+")"
		return f, true
	}
	return Found{}, false
}
