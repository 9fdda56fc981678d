package sim

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

func (e *env) mkDB(id, group string) error {
	in := &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("mysql"), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("secret-pw-1"), AllocatedStorage: aws.Int32(20)}
	if group != "" {
		in.DBSubnetGroupName = aws.String(group)
	}
	_, err := e.c.RDS.CreateDBInstance(e.ctx, in)
	return err
}

// The statuses DescribeDBInstances shows in order, sampled every 15 s.
func (e *env) dbStatuses(id string, d time.Duration) []string {
	var seen []string
	for t := time.Duration(0); t <= d; t += 15 * time.Second {
		if s := e.dbStatus(id); len(seen) == 0 || seen[len(seen)-1] != s {
			seen = append(seen, s)
		}
		e.clock.Advance(15 * time.Second)
	}
	return seen
}

func TestRDSCreatingBackingUpAvailable(t *testing.T) {
	e := newEnv(t)
	if err := e.mkDB("c42s07-photos-db", ""); err != nil {
		t.Fatal(err)
	}
	got := e.dbStatuses("c42s07-photos-db", 12*time.Minute)
	if len(got) != 3 || got[0] != "creating" || got[1] != "backing-up" || got[2] != "available" {
		t.Fatalf("statuses %v, want creating, backing-up, available", got)
	}
	// Backups off: no backing-up.
	_, err := e.c.RDS.CreateDBInstance(e.ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("c42s08-photos-db"), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("mysql"), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("secret-pw-1"), AllocatedStorage: aws.Int32(20),
		BackupRetentionPeriod: aws.Int32(0)})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.dbStatuses("c42s08-photos-db", 12*time.Minute); len(got) != 2 || got[1] != "available" {
		t.Errorf("without backups: %v", got)
	}
}

func TestRDSStopStartAndAutoStart(t *testing.T) {
	e := newEnv(t)
	id := "c42s07-photos-db"
	if err := e.mkDB(id, ""); err != nil {
		t.Fatal(err)
	}
	stop := func() error {
		_, err := e.c.RDS.StopDBInstance(e.ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String(id)})
		return err
	}
	start := func() error {
		_, err := e.c.RDS.StartDBInstance(e.ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String(id)})
		return err
	}
	if err := stop(); !errorsAs[*rdstypes.InvalidDBInstanceStateFault](err) {
		t.Errorf("stop while creating: %v", err)
	}
	e.clock.Advance(10 * time.Minute)
	if err := start(); !errorsAs[*rdstypes.InvalidDBInstanceStateFault](err) {
		t.Errorf("start while available: %v", err)
	}
	if _, err := e.c.RDS.StopDBInstance(e.ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("c42s07-photos-dbx")}); !errorsAs[*rdstypes.DBInstanceNotFoundFault](err) {
		t.Errorf("stop near-miss id: %v", err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if s := e.dbStatus(id); s != "stopping" {
		t.Errorf("just stopped: %s", s)
	}
	if err := stop(); !errorsAs[*rdstypes.InvalidDBInstanceStateFault](err) {
		t.Errorf("stop while stopping: %v", err)
	}
	e.clock.Advance(5 * time.Minute)
	if s := e.dbStatus(id); s != "stopped" {
		t.Fatalf("5 min later: %s", s)
	}
	if _, err := e.c.RDS.ModifyDBInstance(e.ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(id), DeletionProtection: aws.Bool(true)}); !errorsAs[*rdstypes.InvalidDBInstanceStateFault](err) {
		t.Errorf("modify while stopped: %v", err)
	}
	if err := start(); err != nil {
		t.Fatal(err)
	}
	if got := e.dbStatuses(id, 10*time.Minute); got[0] != "starting" || got[len(got)-1] != "available" || len(got) != 2 {
		t.Errorf("after start: %v", got)
	}
	// Stopped and left alone: AWS starts it again after 7 days.
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(7*24*time.Hour - time.Minute)
	if s := e.dbStatus(id); s != "stopped" {
		t.Errorf("a minute short of 7 days: %s", s)
	}
	e.clock.Advance(3 * time.Minute)
	if s := e.dbStatus(id); s != "starting" {
		t.Errorf("7 days on: %s", s)
	}
	e.clock.Advance(10 * time.Minute)
	if s := e.dbStatus(id); s != "available" {
		t.Errorf("after the automatic start: %s", s)
	}
	// A stopped instance can be deleted.
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * time.Minute)
	if _, err := e.c.RDS.DeleteDBInstance(e.ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(id), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
		t.Errorf("delete stopped: %v", err)
	}
}

func TestRDSQuotaFromClassAccount(t *testing.T) {
	e := newEnv(t)
	e.w.SetQuota("111122223333", "*", "rds", "L-7B6409FD", 1)
	if err := e.mkDB("c42s01-db", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.mkDB("c42s02-db", ""); !errorsAs[*rdstypes.InstanceQuotaExceededFault](err) {
		t.Errorf("over the every-region quota: %v", err)
	}
}

func TestRDSSubnetGroups(t *testing.T) {
	e := newEnv(t)
	_, subnets := e.w.ClassVPC("", "us-east-1")
	mk := func(name string, ids ...string) error {
		_, err := e.c.RDS.CreateDBSubnetGroup(e.ctx, &rds.CreateDBSubnetGroupInput{DBSubnetGroupName: aws.String(name), DBSubnetGroupDescription: aws.String("photos"),
			SubnetIds: ids, Tags: []rdstypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String("c42")}}})
		return err
	}
	if err := mk("c42s07-photos", subnets[0]); !errorsAs[*rdstypes.DBSubnetGroupDoesNotCoverEnoughAZs](err) {
		t.Errorf("one AZ: %v", err)
	}
	if err := mk("c42s07-photos", subnets[0], "subnet-0123456789abcdef0"); !errorsAs[*rdstypes.InvalidSubnet](err) {
		t.Errorf("unknown subnet: %v", err)
	}
	for _, bad := range []string{"default", "DEFAULT", "", "a/b"} {
		if err := mk(bad, subnets...); apiCode(err) != "InvalidParameterValue" {
			t.Errorf("name %q: %v", bad, err)
		}
	}
	if err := mk("C42s07-Photos", subnets...); err != nil {
		t.Fatal(err)
	}
	if err := mk("c42s07-photos", subnets...); !errorsAs[*rdstypes.DBSubnetGroupAlreadyExistsFault](err) {
		t.Errorf("duplicate (case-insensitive): %v", err)
	}
	d, err := e.c.RDS.DescribeDBSubnetGroups(e.ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: aws.String("c42s07-photos")})
	if err != nil || len(d.DBSubnetGroups) != 1 || aws.ToString(d.DBSubnetGroups[0].DBSubnetGroupName) != "c42s07-photos" || len(d.DBSubnetGroups[0].Subnets) != 2 ||
		aws.ToString(d.DBSubnetGroups[0].DBSubnetGroupArn) != "arn:aws:rds:us-east-1:111122223333:subgrp:c42s07-photos" {
		t.Fatalf("describe: %+v %v", d, err)
	}
	if _, err := e.c.RDS.DescribeDBSubnetGroups(e.ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: aws.String("c42s07-photo")}); !errorsAs[*rdstypes.DBSubnetGroupNotFoundFault](err) {
		t.Errorf("near-miss name: %v", err)
	}
	if err := e.mkDB("c42s07-photos-db", "c42s07-photox"); !errorsAs[*rdstypes.DBSubnetGroupNotFoundFault](err) {
		t.Errorf("instance in a missing group: %v", err)
	}
	if err := e.mkDB("c42s07-photos-db", "c42s07-photos"); err != nil {
		t.Fatal(err)
	}
	di, _ := e.c.RDS.DescribeDBInstances(e.ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("c42s07-photos-db")})
	if g := di.DBInstances[0].DBSubnetGroup; g == nil || aws.ToString(g.DBSubnetGroupName) != "c42s07-photos" {
		t.Errorf("instance's group: %+v", g)
	}
	del := func() error {
		_, err := e.c.RDS.DeleteDBSubnetGroup(e.ctx, &rds.DeleteDBSubnetGroupInput{DBSubnetGroupName: aws.String("c42s07-photos")})
		return err
	}
	if err := del(); !errorsAs[*rdstypes.InvalidDBSubnetGroupStateFault](err) {
		t.Errorf("delete in use: %v", err)
	}
	if _, err := e.c.RDS.DeleteDBInstance(e.ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("c42s07-photos-db"), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if err := del(); !errorsAs[*rdstypes.InvalidDBSubnetGroupStateFault](err) {
		t.Errorf("delete while the instance is deleting: %v", err)
	}
	e.clock.Advance(10 * time.Minute)
	if s := e.dbStatus("c42s07-photos-db"); s != "gone" {
		t.Fatalf("instance %s", s)
	}
	if err := del(); err != nil {
		t.Errorf("delete after the instance is gone: %v", err)
	}
	if err := del(); !errorsAs[*rdstypes.DBSubnetGroupNotFoundFault](err) {
		t.Errorf("delete twice: %v", err)
	}
	// Another region does not see the group.
	if _, err := e.c.RDS.DescribeDBSubnetGroups(e.ctx, &rds.DescribeDBSubnetGroupsInput{MaxRecords: aws.Int32(19)}); apiCode(err) != "InvalidParameterValue" {
		t.Errorf("MaxRecords 19: %v", err)
	}
}
