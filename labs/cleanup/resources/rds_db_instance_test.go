package resources_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/labdash/labdash/labs/cleanup/resources"
)

func TestRDSInstanceSim(t *testing.T) {
	e := simEnv(t)
	// Created just now: still "creating" with deletion protection on, so Delete
	// waits, turns protection off once it is available, deletes, and waits again.
	if n := testRDSInstance(t, e); n < 10 {
		t.Errorf("deleted in %d attempts: the simulated instance should take minutes to create and delete", n)
	}
}

func TestRDSInstanceMoto(t *testing.T) { testRDSInstance(t, motoEnv(t)) }

// testRDSInstance: the lister proves the student's class-prefixed instance and not
// the decoys; Delete turns deletion protection off and deletes without a final
// snapshot; the decoys keep their protection; a second run is harmless. It returns
// the number of Delete attempts.
func testRDSInstance(t *testing.T, e *env) int {
	mk := func(id string, tags ...rdstypes.Tag) {
		t.Helper()
		if _, err := e.c.RDS.CreateDBInstance(e.ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t3.micro"),
			Engine: aws.String("mysql"), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("secret-pw-1"), AllocatedStorage: aws.Int32(20),
			DeletionProtection: aws.Bool(true), Tags: tags}); err != nil {
			t.Fatalf("create %s: %v", id, err)
		}
	}
	mine := classID + "s01-photos-db"
	other := "c9zzzs01-photos-db"
	lookalike := classID + "s02-photos-db"
	mk(mine, rdstypes.Tag{Key: aws.String("labdash:student"), Value: aws.String("s01")})
	mk(other)
	mk(lookalike, rdstypes.Tag{Key: aws.String("labdash:class"), Value: aws.String("c9zzz")})

	typ, _ := resources.Lookup("AWS::RDS::DBInstance")
	if typ.Hourly <= 0 {
		t.Error("an RDS instance is hourly-billed")
	}
	found, err := judge(e.ctx, typ, e.c, resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}})
	if err != nil {
		t.Fatal(err)
	}
	var ref resources.Ref
	for _, f := range found {
		switch f.ARN {
		case e.c.ARN("rds", "db:"+mine):
			if f.Proof == "" || f.Student != "s01" {
				t.Errorf("own instance not proven: %+v", f)
			}
			ref = f.Ref
		case e.c.ARN("rds", "db:"+lookalike):
			if f.Proof != "" {
				t.Errorf("look-alike tagged for another class proven owned: %+v", f)
			}
		default:
			t.Errorf("lister found %s, which is not the class's", f.ARN)
		}
	}
	if ref.ARN == "" {
		t.Fatalf("lister did not find %s among %+v", mine, found)
	}
	if !typ.Match(ref.ARN) {
		t.Errorf("Match(%s) = false", ref.ARN)
	}
	if tags, err := typ.Tags(e.ctx, e.c, ref); err != nil || tags["labdash:student"] != "s01" {
		t.Errorf("Tags: %v %v", tags, err)
	}
	n := e.DeleteUntilGone(e.c, ref, 200)
	e.Gone(e.c, ref)
	if _, err := typ.Tags(e.ctx, e.c, ref); !errors.Is(err, resources.ErrGone) {
		t.Errorf("Tags of the deleted instance: %v, want ErrGone", err)
	}
	for _, id := range []string{other, lookalike} {
		out, err := e.c.RDS.DescribeDBInstances(e.ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
		if err != nil || !aws.ToBool(out.DBInstances[0].DeletionProtection) || aws.ToString(out.DBInstances[0].DBInstanceStatus) == "deleting" {
			t.Errorf("decoy %s changed: %v", id, err)
		}
	}
	return n
}
