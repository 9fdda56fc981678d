package slots

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/labdash/labdash/labs"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// TestObserveOnMoto builds one student's slot machine through aws-sdk-go-v2
// against moto, with a near-miss neighbour (s070: the same prefix but one
// character), and reads it with Observe: the site's website, Block Public Access,
// objects; the table and its COUNT; the function; the identity pool picked by its
// tags among pools of the same name; the guest role's trust as GetRole returns it. moto serves no
// SimulatePrincipalPolicy, so the two policy decisions stay unread (a Problem,
// not a judgement), and the website probe is the simulator's.
func TestObserveOnMoto(t *testing.T) {
	awstest.Reset(t)
	ctx := context.Background()
	c, err := awstest.NewProvider(t, awsprovider.Options{}).Clients(ctx, "", awstest.Region)
	if err != nil {
		t.Fatal(err)
	}
	c.HTTP = nil // no network in tests
	tg := labs.NewTarget("c42", "s07", c.Account, c.Region)
	near := labs.NewTarget("c42", "s070", c.Account, c.Region)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range []labs.Target{tg, near} {
		b := bucketName(x)
		must(c.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}))
		must(c.S3.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String(b), WebsiteConfiguration: &s3types.WebsiteConfiguration{
			IndexDocument: &s3types.IndexDocument{Suffix: aws.String("index.html")}}}))
	}
	b := bucketName(tg)
	must(c.S3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(b), PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}}))
	must(c.S3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(publicPolicy(b))}))
	for _, k := range []string{"index.html", imageFile(0), imageFile(1), "notes.txt"} {
		must(c.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(k), Body: strings.NewReader("x")}))
	}
	must(c.DynamoDB.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(tableName(tg)), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String(keyAttr), AttributeType: ddbtypes.ScalarAttributeTypeN}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String(keyAttr), KeyType: ddbtypes.KeyTypeHash}}}))
	var reqs []ddbtypes.WriteRequest
	for i := 0; i < 5; i++ {
		reqs = append(reqs, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: map[string]ddbtypes.AttributeValue{
			keyAttr: &ddbtypes.AttributeValueMemberN{Value: string(rune('0' + i))}, imageAttr: &ddbtypes.AttributeValueMemberS{Value: imageFile(i)}}}})
	}
	must(c.DynamoDB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{tableName(tg): reqs}}))
	exec, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(execRoleName(tg)), Path: aws.String(rolePath(tg)),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	must(exec, err)
	must(c.Lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(functionName(tg)), Role: exec.Role.Arn, Runtime: lambdatypes.RuntimeNodejs22x,
		Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: handlerZip()}}))
	// Two pools of the student's name: one tagged as another student's (a decoy), one theirs.
	must(c.CognitoIdentity.CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{IdentityPoolName: aws.String(poolName(tg)), AllowUnauthenticatedIdentities: false,
		IdentityPoolTags: map[string]string{"labdash:class": "c42", "labdash:student": "s08"}}))
	pool, err := c.CognitoIdentity.CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{IdentityPoolName: aws.String(poolName(tg)), AllowUnauthenticatedIdentities: true,
		AllowClassicFlow: aws.Bool(true), IdentityPoolTags: tagMap(tg)})
	must(pool, err)
	id := aws.ToString(pool.IdentityPoolId)
	guest, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(guestRoleName(tg)), Path: aws.String(rolePath(tg)), AssumeRolePolicyDocument: aws.String(guestTrust(id))})
	must(guest, err)
	// moto 5 answers SetIdentityPoolRoles with a 500: the pool's roles and the guest
	// role's reads are tested on the simulator; here the guest role's trust is read
	// by trustOf from what GetRole returns.
	gr, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(guestRoleName(tg))})
	must(gr, err)
	if ok, aud, amr := trustOf(aws.ToString(gr.Role.AssumeRolePolicyDocument)); !ok || len(aud) != 1 || aud[0] != id || len(amr) != 1 || amr[0] != "unauthenticated" {
		t.Errorf("trust read back: %v %v %v", ok, aud, amr)
	}

	got, err := Observe(ctx, c, labs.NewCache(), []labs.Target{tg, near})
	if err != nil {
		t.Fatal(err)
	}
	o := got["s07"].(*Observation)
	t.Logf("problems: %v", o.Problems)
	if s := o.Site; s == nil || !s.Website || s.Index != "index.html" || !s.HasIndex || s.Images != 2 || s.Objects != 4 || s.Block == nil || s.Block.BlockPublicPolicy {
		t.Errorf("site: %+v", o.Site)
	}
	if tb := o.Table; tb == nil || !tb.KeyOK || !tb.Counted || tb.Count != 5 {
		t.Errorf("table: %+v", o.Table)
	}
	if f := o.Func; f == nil || f.Runtime != "nodejs22.x" || f.Role != aws.ToString(exec.Role.Arn) {
		t.Errorf("function: %+v", o.Func)
	}
	// moto 5 keeps no AllowClassicFlow (it answers false whatever was set).
	if p := o.Pool; p == nil || p.ID != id || !p.AllowUnauth || p.Tags["labdash:student"] != "s07" {
		t.Errorf("pool: %+v", o.Pool)
	}
	if r := checkTable(o); r.Status != labs.Pass {
		t.Errorf("table checkpoint on moto: %s %q", r.Status, r.Evidence)
	}
	if r := checkWebsite(o); r.Status != labs.Pending || !strings.Contains(r.Evidence, "not probed") {
		t.Errorf("website checkpoint on moto without a probe: %s %q", r.Status, r.Evidence)
	}
	// The neighbour with the near-miss prefix: their own bucket, none of s07's.
	n := got["s070"].(*Observation)
	if n.Site == nil || n.Site.Bucket != bucketName(near) || n.Site.Objects != 0 || n.Table != nil || n.Func != nil || n.Pool != nil {
		t.Errorf("near-miss neighbour: site %+v table %+v func %+v pool %+v", n.Site, n.Table, n.Func, n.Pool)
	}
	if rs := o.Resources(); len(rs) < 5 {
		t.Errorf("resources: %+v", rs)
	}
}
