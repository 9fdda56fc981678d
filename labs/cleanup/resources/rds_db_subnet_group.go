package resources

// AWS::RDS::DBSubnetGroup — the subnet group of Lab 1's MySQL instance. Not billed
// itself, but it keeps the prerequisite VPC's subnets from being deleted, and
// LABS.md §2 Lab 1 "Cleanup order" 5 deletes it last, after the instance is gone:
// while one is still using it RDS answers InvalidDBSubnetGroupStateFault, which
// Delete turns into Waiting. Ownership is by tag or by a class-prefixed name
// (RDS stores the names in lower case).

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:  "AWS::RDS::DBSubnetGroup",
		Gone:  []NotFound{{Code: "DBSubnetGroupNotFoundFault"}},
		After: []string{"AWS::RDS::DBInstance"},
		Match: MatchPrefix("rds", "subgrp:"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			name := subgrpName(r.ARN)
			if _, err := c.RDS.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: aws.String(name)}); err != nil {
				return nil, err
			}
			out, err := c.RDS.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String(r.ARN)})
			if err != nil {
				return nil, err
			}
			return rdsTags(out.TagList), nil
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			var marker *string
			for {
				out, err := c.RDS.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{Marker: marker})
				if err != nil {
					return found, err
				}
				for _, g := range out.DBSubnetGroups {
					name := aws.ToString(g.DBSubnetGroupName)
					if !strings.HasPrefix(name, s.ClassID) {
						continue
					}
					arn := aws.ToString(g.DBSubnetGroupArn)
					if arn == "" {
						arn = c.ARN("rds", "subgrp:"+name)
					}
					found = append(found, Candidate{ARN: arn, Name: name})
				}
				if marker = out.Marker; aws.ToString(marker) == "" {
					return found, nil
				}
			}
		},
		Naming: NamePrefix,
		NameOf: subgrpName,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.RDS.DeleteDBSubnetGroup(ctx, &rds.DeleteDBSubnetGroupInput{DBSubnetGroupName: aws.String(subgrpName(r.ARN))})
			if IsCode(err, "InvalidDBSubnetGroupStateFault") {
				return Waiting("waiting", "a DB instance still uses the group: %v", err)
			}
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, subgrpName(r.ARN)}, nil },
	})
}

// subgrpName is NAME in arn:aws:rds:REGION:ACCOUNT:subgrp:NAME.
func subgrpName(arn string) string { return strings.TrimPrefix(Resource(arn), "subgrp:") }
