package resources

// AWS::RDS::DBInstance — Lab 1's MySQL instance (hourly-billed: the biggest cost
// of that lab). Deletion protection is turned off first (ModifyDBInstance
// DeletionProtection=false, ApplyImmediately), then the instance is deleted
// without a final snapshot and with its automated backups; it stays "deleting" for
// minutes, and Delete answers Waiting until DescribeDBInstances no longer finds
// it. A final snapshot is never taken: it would outlive the class and be billed.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:   "AWS::RDS::DBInstance",
		Gone:   []NotFound{{Code: "DBInstanceNotFound"}},
		Hourly: 0.017, // db.t3.micro, single-AZ
		Match:  MatchPrefix("rds", "db:"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			// DescribeDBInstances carries the tags and, unlike ListTagsForResource
			// on moto, says when the instance is gone.
			out, err := c.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(rdsID(r.ARN))})
			if err != nil {
				return nil, err
			}
			if len(out.DBInstances) == 0 {
				return nil, ErrGone
			}
			return rdsTags(out.DBInstances[0].TagList), nil
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			// Instances must be tagged at creation (the boundary), but the tag sweep
			// misses them while tags are being read; class-prefixed names catch up.
			var found []Candidate
			var marker *string
			for {
				out, err := c.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{Marker: marker})
				if err != nil {
					return nil, err
				}
				for _, db := range out.DBInstances {
					id := aws.ToString(db.DBInstanceIdentifier)
					if !strings.HasPrefix(id, s.ClassID) {
						continue
					}
					arn := aws.ToString(db.DBInstanceArn)
					if arn == "" {
						arn = c.ARN("rds", "db:"+id)
					}
					found = append(found, Candidate{ARN: arn, Name: id})
				}
				if marker = out.Marker; aws.ToString(marker) == "" {
					return found, nil
				}
			}
		},
		Naming: NamePrefix,
		NameOf: rdsID,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			id := rdsID(r.ARN)
			out, err := c.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
			if err != nil {
				return err
			}
			if len(out.DBInstances) == 0 {
				return ErrGone
			}
			db := out.DBInstances[0]
			status := aws.ToString(db.DBInstanceStatus)
			if status == "deleting" {
				return Waiting("deleting", "status deleting")
			}
			if aws.ToBool(db.DeletionProtection) {
				if status == "stopped" {
					// A stopped instance cannot be modified: start it (an owned
					// instance only reaches here), then turn protection off.
					_, err := c.RDS.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String(id)})
					if err != nil && !IsCode(err, "InvalidDBInstanceState") {
						return err
					}
					return Waiting("starting", "stopped with deletion protection on: starting it to turn protection off")
				}
				if rdsBusy[status] {
					return Waiting("waiting", "status %s: deletion protection can be turned off once the instance is available", status)
				}
				_, err := c.RDS.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(id),
					DeletionProtection: aws.Bool(false), ApplyImmediately: aws.Bool(true)})
				switch {
				case IsCode(err, "InvalidDBInstanceState") && status == "available":
					return Waiting("disabling", "%v", err) // it changed state since we looked
				case err != nil:
					// A failed instance that cannot be modified is reported
					// as AWS says; cleanup changes nothing else to unblock it.
					return err
				}
			}
			_, err = c.RDS.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(id),
				SkipFinalSnapshot: aws.Bool(true), DeleteAutomatedBackups: aws.Bool(true)})
			switch {
			case err == nil:
				return Waiting("deleting", "DeleteDBInstance accepted (was %s)", status)
			case IsCode(err, "InvalidDBInstanceState"):
				return Waiting("deleting", "%v", err)
			case IsCode(err, "InvalidParameterCombination") && strings.Contains(strings.ToLower(err.Error()), "deletion protection"):
				return Waiting("disabling", "deletion protection is still on: %v", err)
			}
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, rdsID(r.ARN)}, nil },
	})
}

// rdsBusy are the statuses an instance leaves by itself: its settings can be
// changed once it has.
var rdsBusy = map[string]bool{"creating": true, "backing-up": true, "modifying": true, "rebooting": true, "starting": true,
	"stopping": true, "upgrading": true, "maintenance": true, "renaming": true, "resetting-master-credentials": true,
	"storage-optimization": true, "configuring-enhanced-monitoring": true, "configuring-iam-database-auth": true,
	"configuring-log-exports": true, "converting-to-vpc": true, "moving-to-vpc": true}

// rdsID is ID in arn:aws:rds:REGION:ACCOUNT:db:ID.
func rdsID(arn string) string { return strings.TrimPrefix(Resource(arn), "db:") }

func rdsTags(tags []rdstypes.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}
