package slots

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// TestThrottledReadsKeepTheLastState: a read throttled in one cycle keeps the
// part's last state and marks it stale (the grid shows it stale, not gone); a
// resource really deleted is gone at the next read.
func TestThrottledReadsKeepTheLastState(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	w := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Seed: 3})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	tg := labs.NewTarget("c42", "s07", "111122223333", "us-east-1")
	if _, err := c.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucketName(tg))}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DynamoDB.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(tableName(tg)), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String(keyAttr), AttributeType: ddbtypes.ScalarAttributeTypeN}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String(keyAttr), KeyType: ddbtypes.KeyTypeHash}}}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	cache := labs.NewCache()
	read := func(c *cloud.Clients) *Observation {
		t.Helper()
		all, err := Observe(ctx, c, cache, []labs.Target{tg})
		if err != nil {
			t.Fatal(err)
		}
		return all["s07"].(*Observation)
	}
	o := read(c)
	if o.Site == nil || o.Table == nil || len(o.Stale) > 0 {
		t.Fatalf("first read: site %+v table %+v stale %v", o.Site, o.Table, o.Stale)
	}
	throttled := cloud.Intercept(c, func(_ context.Context, call cloud.Call) error {
		switch call.Op {
		case "ListBuckets", "DescribeTable", "ListIdentityPools":
			return &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
		}
		return nil
	})
	clock.Advance(time.Minute)
	o = read(throttled)
	if o.Site == nil || o.Table == nil || o.Table.Status != "ACTIVE" {
		t.Errorf("throttled: the last state is lost: site %+v table %+v", o.Site, o.Table)
	}
	for _, part := range []string{"site", "table", "pool"} {
		if !slices.Contains(o.StaleParts(), part) {
			t.Errorf("throttled: %s not marked stale (%v)", part, o.StaleParts())
		}
	}
	if _, err := c.DynamoDB.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(tableName(tg))}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(5 * time.Minute)
	if o = read(c); o.Table != nil || len(o.Stale) > 0 {
		t.Errorf("after the table's deletion: table %+v, stale %v", o.Table, o.Stale)
	}
}
