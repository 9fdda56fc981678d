package resources

// AWS::ECS::Cluster — deleted once its services are gone (ClusterContainsServices
// and ClusterContainsTasks are retried).

import (
	"context"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:   "AWS::ECS::Cluster",
		Gone:   []NotFound{{Code: "ClusterNotFoundException"}},
		After:  []string{"AWS::ECS::Service", "AWS::ECS::TaskDefinition"},
		Match:  MatchPrefix("ecs", "cluster/"),
		Naming: NamePrefix,
		NameOf: func(arn string) string { return pathPart(arn, 1) },
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			out, err := c.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{r.ARN}, Include: []ecstypes.ClusterField{ecstypes.ClusterFieldTags}})
			if err != nil {
				return nil, err
			}
			if len(out.Clusters) == 0 || aws.ToString(out.Clusters[0].Status) == "INACTIVE" {
				return nil, ErrGone
			}
			return ecsTags(out.Clusters[0].Tags), nil
		},
		BatchTags: func(ctx context.Context, c *cloud.Clients, refs []Ref) (map[string]map[string]string, error) {
			out := map[string]map[string]string{}
			for _, chunk := range Chunks(refs, 100) {
				arns := make([]string, len(chunk))
				for i, r := range chunk {
					arns[i] = r.ARN
				}
				d, err := c.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: arns, Include: []ecstypes.ClusterField{ecstypes.ClusterFieldTags}})
				if err != nil {
					return nil, err
				}
				for _, cl := range d.Clusters {
					if aws.ToString(cl.Status) != "INACTIVE" {
						out[aws.ToString(cl.ClusterArn)] = ecsTags(cl.Tags)
					}
				}
			}
			return out, nil
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			out, err := c.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{r.ARN}})
			if err != nil {
				return err
			}
			if len(out.Clusters) == 0 || aws.ToString(out.Clusters[0].Status) == "INACTIVE" {
				return ErrGone
			}
			_, err = c.ECS.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String(r.ARN)})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, Last(r.ARN, "/")}, nil },
	})
}

func ecsTags(tags []ecstypes.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}
