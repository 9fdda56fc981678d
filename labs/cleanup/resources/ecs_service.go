package resources

// AWS::ECS::Service — scaled to zero, then deleted with force; the engine waits
// while it drains (DRAINING) until ECS reports it INACTIVE or forgets it.

import (
	"context"
	"strings"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:   "AWS::ECS::Service",
		Gone:   []NotFound{{Code: "ServiceNotFoundException"}, {Code: "ClusterNotFoundException"}}, // the service, or its cluster and the service with it
		After:  []string{"AWS::ApplicationAutoScaling::ScalableTarget"},
		Hourly: 2 * (0.25*0.04048 + 0.5*0.004445 + 0.005), // 2 tasks: vCPU, memory, public IPv4
		Match:  MatchPrefix("ecs", "service/"),
		Naming: NamePrefix,
		NameOf: func(arn string) string { _, n := serviceParts(arn); return n },
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			cluster, name := serviceParts(r.ARN)
			out, err := c.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{name}, Include: []ecstypes.ServiceField{ecstypes.ServiceFieldTags}})
			if err != nil {
				return nil, err
			}
			if len(out.Services) == 0 || aws.ToString(out.Services[0].Status) == "INACTIVE" {
				return nil, ErrGone
			}
			return ecsTags(out.Services[0].Tags), nil
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			cluster, name := serviceParts(r.ARN)
			out, err := c.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{name}})
			if err != nil {
				return err
			}
			if len(out.Services) == 0 || aws.ToString(out.Services[0].Status) == "INACTIVE" {
				return ErrGone
			}
			if st := aws.ToString(out.Services[0].Status); st == "DRAINING" {
				return Waiting("deleting", "service is draining, %d task(s) running", out.Services[0].RunningCount)
			}
			if _, err := c.ECS.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(cluster), Service: aws.String(name), DesiredCount: aws.Int32(0)}); err != nil {
				if IsCode(err, "ServiceNotActiveException") {
					// DRAINING or INACTIVE since it was described: not "gone" until the
					// next attempt's DescribeServices says which.
					return Waiting("deleting", "%v", err)
				}
				return err
			}
			if _, err := c.ECS.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String(cluster), Service: aws.String(name), Force: aws.Bool(true)}); err != nil {
				return err
			}
			return Waiting("deleting", "service deleted; waiting for its tasks to stop")
		},
		Targets: func(r Ref) (own, context []string) {
			cluster, name := serviceParts(r.ARN)
			return []string{r.ARN, name}, []string{cluster}
		},
	})
}

// serviceParts splits …:service/CLUSTER/NAME (old-style ARNs have no cluster).
func serviceParts(arn string) (cluster, name string) {
	_, rest, _ := strings.Cut(arn, ":service/")
	cluster, name, ok := strings.Cut(rest, "/")
	if !ok {
		return "default", rest
	}
	return cluster, name
}
