package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
)

func (e *env) dbStatus(id string) string {
	e.t.Helper()
	out, err := e.c.RDS.DescribeDBInstances(e.ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	if errorsAs[*rdstypes.DBInstanceNotFoundFault](err) {
		return "gone"
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(out.DBInstances[0].DBInstanceStatus)
}

func TestRDSLifecycle(t *testing.T) {
	e := newEnv(t)
	c := e.c
	vpcID, _ := e.w.ClassVPC("", "us-east-1")
	sg, err := c.EC2.CreateSecurityGroup(e.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("c42s07-db"), Description: aws.String("db"),
		VpcId: aws.String(vpcID)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.RDS.CreateDBInstance(e.ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("C42s07-Photos-DB"), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("mysql"), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("secret-pw-1"), AllocatedStorage: aws.Int32(20),
		DeletionProtection: aws.Bool(true), VpcSecurityGroupIds: []string{aws.ToString(sg.GroupId)},
		Tags: []rdstypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String("c42")}}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.DBInstance.DBInstanceIdentifier)
	if id != "c42s07-photos-db" || aws.ToString(out.DBInstance.DBInstanceStatus) != "creating" || out.DBInstance.Endpoint != nil {
		t.Fatalf("created %s %s %v", id, aws.ToString(out.DBInstance.DBInstanceStatus), out.DBInstance.Endpoint)
	}
	arn := aws.ToString(out.DBInstance.DBInstanceArn)
	if arn != "arn:aws:rds:us-east-1:111122223333:db:c42s07-photos-db" {
		t.Errorf("ARN %s", arn)
	}
	if _, err := c.RDS.CreateDBInstance(e.ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("mysql"), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("secret-pw-1"), AllocatedStorage: aws.Int32(20)}); !errorsAs[*rdstypes.DBInstanceAlreadyExistsFault](err) {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := c.RDS.ModifyDBInstance(e.ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(id), DeletionProtection: aws.Bool(false)}); !errorsAs[*rdstypes.InvalidDBInstanceStateFault](err) {
		t.Errorf("modify while creating: %v, want InvalidDBInstanceState", err)
	}
	e.clock.Advance(10 * time.Minute)
	if s := e.dbStatus(id); s != "available" {
		t.Fatalf("after 10 min: %s", s)
	}
	_, err = c.RDS.DeleteDBInstance(e.ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(id), SkipFinalSnapshot: aws.Bool(true)})
	if apiCode(err) != "InvalidParameterCombination" || !strings.Contains(err.Error(), "Cannot delete protected DB Instance, please disable deletion protection and try again.") {
		t.Fatalf("delete protected: %v", err)
	}
	if _, err := c.RDS.ModifyDBInstance(e.ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(id), AllocatedStorage: aws.Int32(30)}); apiCode(err) != "UnsupportedOperation" {
		t.Errorf("unmodelled modification: %v", err)
	}
	mod, err := c.RDS.ModifyDBInstance(e.ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(id), DeletionProtection: aws.Bool(false), ApplyImmediately: aws.Bool(true)})
	if err != nil || aws.ToBool(mod.DBInstance.DeletionProtection) {
		t.Fatalf("modify: %v", err)
	}
	if _, err := c.RDS.DeleteDBInstance(e.ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(id)}); apiCode(err) != "InvalidParameterCombination" {
		t.Errorf("delete without snapshot decision: %v", err)
	}
	del, err := c.RDS.DeleteDBInstance(e.ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(arn), SkipFinalSnapshot: aws.Bool(true), DeleteAutomatedBackups: aws.Bool(true)})
	if err != nil || aws.ToString(del.DBInstance.DBInstanceStatus) != "deleting" {
		t.Fatalf("delete: %v", err)
	}
	if _, err := c.RDS.DeleteDBInstance(e.ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(id), SkipFinalSnapshot: aws.Bool(true)}); !errorsAs[*rdstypes.InvalidDBInstanceStateFault](err) {
		t.Errorf("second delete: %v", err)
	}
	if _, err := c.EC2.DeleteSecurityGroup(e.ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId}); apiCode(err) != "DependencyViolation" {
		t.Errorf("SG of a deleting instance: %v, want DependencyViolation", err)
	}
	if s := e.dbStatus(id); s != "deleting" {
		t.Errorf("status %s, want deleting", s)
	}
	e.clock.Advance(10 * time.Minute)
	if s := e.dbStatus(id); s != "gone" {
		t.Fatalf("after 10 more min: %s, want DBInstanceNotFound", s)
	}
	if _, err := c.RDS.ListTagsForResource(e.ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String(arn)}); !errorsAs[*rdstypes.DBInstanceNotFoundFault](err) {
		t.Errorf("tags of a deleted instance: %v", err)
	}
	if out, _ := c.Tagging.GetResources(e.ctx, &rgt.GetResourcesInput{}); len(out.ResourceTagMappingList) != 0 {
		t.Errorf("tagging API still lists %+v", out.ResourceTagMappingList)
	}
	if _, err := c.EC2.DeleteSecurityGroup(e.ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId}); err != nil {
		t.Errorf("SG after the instance is gone: %v", err)
	}
}

func TestRDSQuotaAndValidation(t *testing.T) {
	e := newEnv(t)
	e.w.SetQuota("111122223333", "us-east-1", "rds", "L-7B6409FD", 1)
	mk := func(id string) error {
		_, err := e.c.RDS.CreateDBInstance(e.ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t3.micro"),
			Engine: aws.String("postgres"), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("secret-pw-1"), AllocatedStorage: aws.Int32(20)})
		return err
	}
	if err := mk("c42s01-db"); err != nil {
		t.Fatal(err)
	}
	if err := mk("c42s02-db"); !errorsAs[*rdstypes.InstanceQuotaExceededFault](err) {
		t.Errorf("over quota: %v", err)
	}
	for _, bad := range []string{"1db", "db--x", "db-", strings.Repeat("a", 64)} {
		if err := mk(bad); apiCode(err) != "InvalidParameterValue" {
			t.Errorf("identifier %q: %v", bad, err)
		}
	}
	tags, err := e.c.RDS.ListTagsForResource(e.ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String("arn:aws:rds:us-east-1:111122223333:db:c42s01-db")})
	if err != nil || len(tags.TagList) != 0 {
		t.Errorf("tags: %v %v", tags, err)
	}
	// Deleting a creating instance without a final snapshot is allowed.
	if _, err := e.c.RDS.DeleteDBInstance(e.ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("c42s01-db"), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
		t.Errorf("delete while creating: %v", err)
	}
}
