package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
)

func (e *env) table(name string, protected bool) *ddbtypes.TableDescription {
	e.t.Helper()
	out, err := e.c.DynamoDB.CreateTable(e.ctx, &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions:      []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:                 []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		DeletionProtectionEnabled: aws.Bool(protected), Tags: []ddbtypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String("c42")}}})
	if err != nil {
		e.t.Fatal(err)
	}
	return out.TableDescription
}

func (e *env) tableStatus(name string) ddbtypes.TableStatus {
	e.t.Helper()
	out, err := e.c.DynamoDB.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if errorsAs[*ddbtypes.ResourceNotFoundException](err) {
		return "GONE"
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return out.Table.TableStatus
}

func TestDynamoDBTableLifecycle(t *testing.T) {
	e := newEnv(t)
	c := e.c
	d := e.table("c42s07-slotWheels", true)
	if d.TableStatus != ddbtypes.TableStatusCreating || aws.ToString(d.TableArn) != "arn:aws:dynamodb:us-east-1:111122223333:table/c42s07-slotWheels" {
		t.Fatalf("created %s %s", d.TableStatus, aws.ToString(d.TableArn))
	}
	if _, err := c.DynamoDB.DeleteTable(e.ctx, &dynamodb.DeleteTableInput{TableName: aws.String("c42s07-slotWheels")}); !errorsAs[*ddbtypes.ResourceInUseException](err) {
		t.Errorf("delete while CREATING: %v", err)
	}
	if _, err := c.DynamoDB.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: aws.String("c42s07-slotWheels"),
		Item: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "a"}}}); !errorsAs[*ddbtypes.ResourceNotFoundException](err) {
		t.Errorf("put while CREATING: %v", err)
	}
	e.clock.Advance(30 * time.Second)
	if s := e.tableStatus("c42s07-slotWheels"); s != ddbtypes.TableStatusActive {
		t.Fatalf("after 30 s: %s", s)
	}
	_, err := c.DynamoDB.DeleteTable(e.ctx, &dynamodb.DeleteTableInput{TableName: aws.String("c42s07-slotWheels")})
	if apiCode(err) != "ValidationException" || !strings.Contains(err.Error(), "protected against deletion") {
		t.Fatalf("delete protected: %v", err)
	}
	if _, err := c.DynamoDB.UpdateTable(e.ctx, &dynamodb.UpdateTableInput{TableName: aws.String("c42s07-slotWheels")}); apiCode(err) != "ValidationException" {
		t.Errorf("empty update: %v", err)
	}
	up, err := c.DynamoDB.UpdateTable(e.ctx, &dynamodb.UpdateTableInput{TableName: aws.String("c42s07-slotWheels"), DeletionProtectionEnabled: aws.Bool(false)})
	if err != nil || aws.ToBool(up.TableDescription.DeletionProtectionEnabled) || up.TableDescription.TableStatus != ddbtypes.TableStatusActive {
		t.Fatalf("update: %+v %v", up, err)
	}
	del, err := c.DynamoDB.DeleteTable(e.ctx, &dynamodb.DeleteTableInput{TableName: aws.String("c42s07-slotWheels")})
	if err != nil || del.TableDescription.TableStatus != ddbtypes.TableStatusDeleting {
		t.Fatalf("delete: %v", err)
	}
	if _, err := c.DynamoDB.DeleteTable(e.ctx, &dynamodb.DeleteTableInput{TableName: aws.String("c42s07-slotWheels")}); err != nil {
		t.Errorf("second delete of a DELETING table: %v", err)
	}
	if _, err := c.DynamoDB.UpdateTable(e.ctx, &dynamodb.UpdateTableInput{TableName: aws.String("c42s07-slotWheels"), DeletionProtectionEnabled: aws.Bool(true)}); !errorsAs[*ddbtypes.ResourceInUseException](err) {
		t.Errorf("update while DELETING: %v", err)
	}
	e.clock.Advance(30 * time.Second)
	if s := e.tableStatus("c42s07-slotWheels"); s != "GONE" {
		t.Fatalf("after deletion: %s", s)
	}
	if _, err := c.DynamoDB.ListTagsOfResource(e.ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: d.TableArn}); !errorsAs[*ddbtypes.ResourceNotFoundException](err) {
		t.Errorf("tags of a deleted table: %v", err)
	}
	if out, _ := c.Tagging.GetResources(e.ctx, &rgt.GetResourcesInput{}); len(out.ResourceTagMappingList) != 0 {
		t.Errorf("deleted table still in the tagging API")
	}
}

func TestDynamoDBPutItem(t *testing.T) {
	e := newEnv(t)
	c := e.c
	e.table("c42s07-signup", false)
	e.clock.Advance(time.Minute)
	tags, err := c.DynamoDB.ListTagsOfResource(e.ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String("arn:aws:dynamodb:us-east-1:111122223333:table/c42s07-signup")})
	if err != nil || len(tags.Tags) != 1 {
		t.Errorf("tags %+v %v", tags, err)
	}
	if out, _ := c.Tagging.GetResources(e.ctx, &rgt.GetResourcesInput{}); len(out.ResourceTagMappingList) != 1 {
		t.Errorf("tagging API: %+v", out.ResourceTagMappingList)
	}
	put := func(email, name string) error {
		_, err := c.DynamoDB.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: aws.String("c42s07-signup"),
			Item:                     map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: email}, "name": &ddbtypes.AttributeValueMemberS{Value: name}},
			ConditionExpression:      aws.String("attribute_not_exists(#k)"),
			ExpressionAttributeNames: map[string]string{"#k": "pk"}})
		return err
	}
	if err := put("a@example.com", "A"); err != nil {
		t.Fatal(err)
	}
	if err := put("b@example.com", "B"); err != nil {
		t.Fatal(err)
	}
	if err := put("a@example.com", "A again"); !errorsAs[*ddbtypes.ConditionalCheckFailedException](err) {
		t.Errorf("duplicate email: %v, want ConditionalCheckFailedException", err)
	}
	// Without a condition the item is replaced, and ALL_OLD returns the old one.
	out, err := c.DynamoDB.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: aws.String("c42s07-signup"), ReturnValues: ddbtypes.ReturnValueAllOld,
		Item: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "a@example.com"}}})
	if err != nil || out.Attributes["name"].(*ddbtypes.AttributeValueMemberS).Value != "A" {
		t.Errorf("replace: %+v %v", out, err)
	}
	for _, tc := range []struct {
		item map[string]ddbtypes.AttributeValue
		cond string
	}{
		{map[string]ddbtypes.AttributeValue{"name": &ddbtypes.AttributeValueMemberS{Value: "x"}}, ""},
		{map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberN{Value: "1"}}, ""},
		{map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: ""}}, ""},
		{map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "z"}}, "size(pk) > :n"},
	} {
		in := &dynamodb.PutItemInput{TableName: aws.String("c42s07-signup"), Item: tc.item}
		if tc.cond != "" {
			in.ConditionExpression = aws.String(tc.cond)
		}
		if _, err := c.DynamoDB.PutItem(e.ctx, in); apiCode(err) != "ValidationException" {
			t.Errorf("put %v %q: %v, want ValidationException", tc.item, tc.cond, err)
		}
	}
	// ItemCount refreshes every 6 hours, not at once.
	d, _ := c.DynamoDB.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: aws.String("c42s07-signup")})
	if aws.ToInt64(d.Table.ItemCount) != 0 {
		t.Errorf("ItemCount %d right after the writes, want 0", aws.ToInt64(d.Table.ItemCount))
	}
	e.clock.Advance(6 * time.Hour)
	d, _ = c.DynamoDB.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: aws.String("c42s07-signup")})
	if aws.ToInt64(d.Table.ItemCount) != 2 {
		t.Errorf("ItemCount %d after 6 h, want 2", aws.ToInt64(d.Table.ItemCount))
	}
	if _, err := c.DynamoDB.CreateTable(e.ctx, &dynamodb.CreateTableInput{TableName: aws.String("c42s07-signup"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}}}); !errorsAs[*ddbtypes.ResourceInUseException](err) {
		t.Errorf("duplicate table: %v", err)
	}
	if _, err := c.DynamoDB.CreateTable(e.ctx, &dynamodb.CreateTableInput{TableName: aws.String("c42s07-bad"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}}}); apiCode(err) != "ValidationException" {
		t.Errorf("PROVISIONED without throughput: %v", err)
	}
	list, err := c.DynamoDB.ListTables(e.ctx, &dynamodb.ListTablesInput{})
	if err != nil || len(list.TableNames) != 1 {
		t.Errorf("list %+v %v", list, err)
	}
}
