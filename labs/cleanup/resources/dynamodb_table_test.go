package resources_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/labdash/labdash/labs/cleanup/resources"
)

func TestDynamoDBTableSim(t *testing.T) {
	e := simEnv(t)
	// Just created: CREATING, then ACTIVE; protection off, DELETING, gone.
	if n := testDynamoDBTable(t, e); n < 2 {
		t.Errorf("deleted in %d attempt(s): a simulated table is DELETING for a while", n)
	}
}

func TestDynamoDBTableMoto(t *testing.T) { testDynamoDBTable(t, motoEnv(t)) }

// testDynamoDBTable: the lister proves the student's class-prefixed table and not
// the decoys; Delete turns deletion protection off and deletes it; the decoys keep
// their protection; a second run is harmless. It returns the Delete attempts.
func testDynamoDBTable(t *testing.T, e *env) int {
	mk := func(name string, tags ...ddbtypes.Tag) {
		t.Helper()
		if _, err := e.c.DynamoDB.CreateTable(e.ctx, &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest,
			AttributeDefinitions:      []ddbtypes.AttributeDefinition{{AttributeName: aws.String("slotPosition"), AttributeType: ddbtypes.ScalarAttributeTypeN}},
			KeySchema:                 []ddbtypes.KeySchemaElement{{AttributeName: aws.String("slotPosition"), KeyType: ddbtypes.KeyTypeHash}},
			DeletionProtectionEnabled: aws.Bool(true), Tags: tags}); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	mine := classID + "s01-slotWheels"
	other := "c9zzzs01-slotWheels"
	lookalike := classID + "s02-slotWheels"
	mk(mine)
	mk(other)
	mk(lookalike, ddbtypes.Tag{Key: aws.String("labdash:class"), Value: aws.String("c9zzz")})

	typ, _ := resources.Lookup("AWS::DynamoDB::Table")
	found, err := judge(e.ctx, typ, e.c, resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}})
	if err != nil {
		t.Fatal(err)
	}
	var ref resources.Ref
	for _, f := range found {
		switch f.ARN {
		case e.c.ARN("dynamodb", "table/"+mine):
			if f.Proof == "" || f.Student != "s01" {
				t.Errorf("own table not proven: %+v", f)
			}
			ref = f.Ref
		case e.c.ARN("dynamodb", "table/"+lookalike):
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
	if !typ.Match(ref.ARN) || typ.Match(ref.ARN+"/stream/2030-01-01T00:00:00.000") {
		t.Error("Match: a table ARN must match, a stream ARN must not")
	}
	n := e.DeleteUntilGone(e.c, ref, 20)
	e.Gone(e.c, ref)
	if _, err := typ.Tags(e.ctx, e.c, ref); !errors.Is(err, resources.ErrGone) {
		t.Errorf("Tags of the deleted table: %v, want ErrGone", err)
	}
	for _, name := range []string{other, lookalike} {
		out, err := e.c.DynamoDB.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil || !aws.ToBool(out.Table.DeletionProtectionEnabled) || out.Table.TableStatus == ddbtypes.TableStatusDeleting {
			t.Errorf("decoy %s changed: %v", name, err)
		}
	}
	return n
}
