package resources

// AWS::ApplicationAutoScaling::ScalingPolicy — an ECS service's scaling policy. It
// carries no tags: it is the class's through the service it scales (its parent),
// or by its resource id's cluster name. Deleting it also deletes the
// target-tracking alarms Application Auto Scaling made for it, so those are not
// items of their own (Candidate.Takes).

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
		Gone: aasPolicyGone,
		Match: func(arn string) bool {
			return Service(arn) == "autoscaling" && strings.HasPrefix(Resource(arn), "scalingPolicy:")
		},
		Untaggable: true,
		Under:      []string{"AWS::ECS::Service"},
		Naming:     NameSegment,
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			var token *string
			for {
				out, err := c.AutoScaling.DescribeScalingPolicies(ctx, &aas.DescribeScalingPoliciesInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, NextToken: token})
				if err != nil {
					return nil, err
				}
				for _, p := range out.ScalingPolicies {
					if f, ok := ecsScaled(c, s, aws.ToString(p.ResourceId), aws.ToString(p.PolicyARN)); ok {
						// A target-tracking policy's alarms are Application Auto
						// Scaling's, deleted with the policy (a step policy's are the
						// student's own: those stay alarms of their own).
						if p.PolicyType == aastypes.PolicyTypeTargetTrackingScaling {
							for _, a := range p.Alarms {
								f.Takes = append(f.Takes, aws.ToString(a.AlarmARN))
							}
						}
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
			return err
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

// ecsScaled puts forward a scaling object of an ECS service (resource id
// service/CLUSTER/SERVICE) whose cluster name carries the class id: tied to the
// service it scales, and named by its resource id (the cluster's name is a
// segment of it).
func ecsScaled(c *cloud.Clients, s Scope, resourceID, arn string) (Candidate, bool) {
	parts := strings.Split(resourceID, "/")
	if len(parts) != 3 || parts[0] != "service" {
		return Candidate{}, false
	}
	svcARN := c.ARN("ecs", "service/"+parts[1]+"/"+parts[2])
	if _, owned := s.Owned[svcARN]; !owned && !strings.HasPrefix(parts[1], s.ClassID) {
		return Candidate{}, false // neither the class's service nor named like the class: not a candidate
	}
	return Candidate{ARN: arn, Name: resourceID, Parents: []Link{{ARN: svcARN, Tie: "it scales the service"}}}, true
}

// Application Auto Scaling's "no such object": AWS answers
// ObjectNotFoundException; moto answers ValidationException "No scaling policy
// found …" / "No scalable target found …", which a resumed cleanup meets when its
// killed predecessor's delete went through before it could record it.
var (
	aasPolicyGone = []NotFound{{Code: "ObjectNotFoundException"}, {Code: "ValidationException", Message: "No scaling policy found"}}
	aasTargetGone = []NotFound{{Code: "ObjectNotFoundException"}, {Code: "ValidationException", Message: "No scalable target found"}}
)
