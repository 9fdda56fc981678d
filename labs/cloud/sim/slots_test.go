package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	rgttypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const publicRead = `{"Version":"2012-10-17","Statement":[{"Sid":"PublicReadGetObject","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}`

// site makes a bucket with an index.html page and an image, a website configuration and, if public, BPA off and a public-read policy.
func (e *env) site(bucket string, public bool) {
	e.t.Helper()
	c := e.c
	if _, err := c.S3.CreateBucket(e.ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		e.t.Fatal(err)
	}
	for key, body := range map[string]string{"index.html": "<html>slots</html>", "cherry.svg": "<svg/>", "docs/index.html": "docs"} {
		if _, err := c.S3.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
			e.t.Fatal(err)
		}
	}
	if _, err := c.S3.PutBucketWebsite(e.ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String(bucket),
		WebsiteConfiguration: &s3types.WebsiteConfiguration{IndexDocument: &s3types.IndexDocument{Suffix: aws.String("index.html")}}}); err != nil {
		e.t.Fatal(err)
	}
	if !public {
		return
	}
	if _, err := c.S3.PutPublicAccessBlock(e.ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(bucket),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{}}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.S3.PutBucketPolicy(e.ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(fmt.Sprintf(publicRead, bucket))}); err != nil {
		e.t.Fatal(err)
	}
}

func TestNewBucketBlocksThePublicPolicy(t *testing.T) {
	e := newEnv(t)
	c := e.c
	bucket := "c42s07-slots-site"
	e.site(bucket, false)
	bpa, err := c.S3.GetPublicAccessBlock(e.ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	if p := bpa.PublicAccessBlockConfiguration; !on(p.BlockPublicAcls) || !on(p.IgnorePublicAcls) || !on(p.BlockPublicPolicy) || !on(p.RestrictPublicBuckets) {
		t.Fatalf("a new bucket's Block Public Access: %+v; want all four on", p)
	}
	_, err = c.S3.PutBucketPolicy(e.ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(fmt.Sprintf(publicRead, bucket))})
	if apiCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "BlockPublicPolicy") {
		t.Fatalf("public policy on a new bucket: %v; want AccessDenied naming BlockPublicPolicy", err)
	}
	// A policy granting a fixed account is not public: BlockPublicPolicy lets it through.
	private := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket +
		`/*","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}`
	if _, err := c.S3.PutBucketPolicy(e.ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(private)}); err != nil {
		t.Fatalf("non-public policy: %v", err)
	}
	st, err := c.S3.GetBucketPolicyStatus(e.ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(bucket)})
	if err != nil || aws.ToBool(st.PolicyStatus.IsPublic) {
		t.Fatalf("status of the fixed-account policy: %+v %v", st, err)
	}
	if got := e.probe("http://" + bucket + ".s3-website-us-east-1.amazonaws.com/"); got.Status != 403 || !strings.Contains(got.Body, "AccessDenied") {
		t.Errorf("website of a non-public bucket: %d %q", got.Status, got.Body)
	}
	// The fix: turn BlockPublicPolicy and RestrictPublicBuckets off, then the policy.
	if _, err := c.S3.PutPublicAccessBlock(e.ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(bucket),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.S3.PutBucketPolicy(e.ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(fmt.Sprintf(publicRead, bucket))}); err != nil {
		t.Fatal(err)
	}
	st, err = c.S3.GetBucketPolicyStatus(e.ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(bucket)})
	if err != nil || !aws.ToBool(st.PolicyStatus.IsPublic) {
		t.Fatalf("status of the public-read policy: %+v %v", st, err)
	}
	if got := e.probe("http://" + bucket + ".s3-website-us-east-1.amazonaws.com/"); got.Status != 200 || got.Body != "<html>slots</html>" {
		t.Errorf("public website: %d %q", got.Status, got.Body)
	}
	// BlockPublicPolicy back on leaves the existing policy; RestrictPublicBuckets closes the site.
	if _, err := c.S3.PutPublicAccessBlock(e.ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(bucket),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	if got := e.probe("http://" + bucket + ".s3-website-us-east-1.amazonaws.com/"); got.Status != 200 {
		t.Errorf("after BlockPublicPolicy on: %d; an existing policy stays in force", got.Status)
	}
	if _, err := c.S3.PutPublicAccessBlock(e.ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(bucket),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	st, _ = c.S3.GetBucketPolicyStatus(e.ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(bucket)})
	if aws.ToBool(st.PolicyStatus.IsPublic) {
		t.Error("RestrictPublicBuckets on: still reported public")
	}
	if got := e.probe("http://" + bucket + ".s3-website.us-east-1.amazonaws.com/"); got.Status != 403 {
		t.Errorf("RestrictPublicBuckets on: website %d; want 403", got.Status)
	}
}

func TestBucketPolicyIsChecked(t *testing.T) {
	e := newEnv(t)
	bucket := "c42s07-slots-site"
	e.site(bucket, true)
	for name, doc := range map[string]string{
		"not JSON":         `Version: 2012-10-17`,
		"no statement":     `{"Version":"2012-10-17"}`,
		"no principal":     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`,
		"another bucket":   fmt.Sprintf(publicRead, "c42s07-slots-sitf"),
		"not an s3 action": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`,
		"bad effect":       `{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`,
	} {
		_, err := e.c.S3.PutBucketPolicy(e.ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(doc)})
		if apiCode(err) != "MalformedPolicy" {
			t.Errorf("%s: %v; want MalformedPolicy", name, err)
		}
	}
	got, err := e.c.S3.GetBucketPolicy(e.ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	if err != nil || aws.ToString(got.Policy) != fmt.Sprintf(publicRead, bucket) {
		t.Errorf("the refused policies replaced the good one: %v %v", got, err)
	}
}

func (e *env) probe(url string) (out struct {
	Status int
	Body   string
}) {
	e.t.Helper()
	r, err := e.c.HTTP.Get(e.ctx, url)
	if err != nil {
		e.t.Fatalf("probe %s: %v", url, err)
	}
	out.Status, out.Body = r.Status, r.Body
	return out
}

func TestWebsiteEndpoint(t *testing.T) {
	e := newEnv(t)
	bucket := "c42s07-slots-site"
	e.site(bucket, true)
	e.site("c42s08-slots-site", false) // a classmate's, not public
	host := "http://" + bucket + ".s3-website-us-east-1.amazonaws.com"
	for _, tc := range []struct {
		url    string
		status int
		body   string
	}{
		{host + "/", 200, "<html>slots</html>"},
		{"http://" + bucket + ".s3-website.us-east-1.amazonaws.com/index.html", 200, "<html>slots</html>"},
		{host + "/docs/", 200, "docs"},
		{host + "/cherry.svg", 200, "<svg/>"},
		{host + "/missing.png", 403, "AccessDenied"}, // no s3:ListBucket for everyone: 403, as S3
		{"http://c42s07-slots-sitee.s3-website-us-east-1.amazonaws.com/", 404, "NoSuchBucket"},
		{"http://" + bucket + ".s3-website-us-west-2.amazonaws.com/", 404, "NoSuchBucket"},
		{"http://c42s08-slots-site.s3-website-us-east-1.amazonaws.com/", 403, "AccessDenied"},
	} {
		if got := e.probe(tc.url); got.Status != tc.status || !strings.Contains(got.Body, tc.body) {
			t.Errorf("%s: %d %q; want %d with %q", tc.url, got.Status, got.Body, tc.status, tc.body)
		}
	}
	// With s3:ListBucket for everyone, a missing key is 404 NoSuchKey.
	list := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::` +
		bucket + `","arn:aws:s3:::` + bucket + `/*"]}]}`
	if _, err := e.c.S3.PutBucketPolicy(e.ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(list)}); err != nil {
		t.Fatal(err)
	}
	if got := e.probe(host + "/missing.png"); got.Status != 404 || !strings.Contains(got.Body, "NoSuchKey") {
		t.Errorf("missing key with ListBucket: %d %q", got.Status, got.Body)
	}
	// Without a website configuration there is no site.
	if _, err := e.c.S3.DeleteBucketWebsite(e.ctx, &s3.DeleteBucketWebsiteInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if got := e.probe(host + "/"); got.Status != 404 || !strings.Contains(got.Body, "NoSuchWebsiteConfiguration") {
		t.Errorf("no website configuration: %d %q", got.Status, got.Body)
	}
	if _, err := e.c.S3.GetBucketWebsite(e.ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String(bucket)}); apiCode(err) != "NoSuchWebsiteConfiguration" {
		t.Errorf("GetBucketWebsite without one: %v", err)
	}
	_, err := e.c.S3.PutBucketWebsite(e.ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String(bucket),
		WebsiteConfiguration: &s3types.WebsiteConfiguration{IndexDocument: &s3types.IndexDocument{Suffix: aws.String("site/index.html")}}})
	if apiCode(err) != "InvalidArgument" {
		t.Errorf("index suffix with a slash: %v", err)
	}
}

func TestWebsiteHandler(t *testing.T) {
	e := newEnv(t)
	bucket := "c42s07-slots-site"
	e.site(bucket, true)
	srv := httptest.NewServer(http.StripPrefix("/sim/site", e.w.Website()))
	defer srv.Close()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(p string) (int, string, http.Header) {
		res, err := noFollow.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Header
	}
	if code, body, h := get("/sim/site/" + bucket + "/"); code != 200 || body != "<html>slots</html>" || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		t.Errorf("index: %d %q %q", code, body, h.Get("Content-Type"))
	}
	if code, _, h := get("/sim/site/" + bucket + "/cherry.svg"); code != 200 || h.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("svg: %d %q", code, h.Get("Content-Type"))
	}
	if code, _, h := get("/sim/site/" + bucket); code != 302 || h.Get("Location") != bucket+"/" {
		t.Errorf("bucket without slash: %d %q", code, h.Get("Location"))
	}
	if code, _, h := get("/sim/site/" + bucket + "/docs"); code != 302 || h.Get("Location") != "docs/" {
		t.Errorf("folder without slash: %d %q", code, h.Get("Location"))
	}
	if code, body, _ := get("/sim/site/c42s07-slots-sit/"); code != 404 || !strings.Contains(body, "NoSuchBucket") {
		t.Errorf("near-miss bucket: %d %q", code, body)
	}
	res, err := http.Post(srv.URL+"/sim/site/"+bucket+"/index.html", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 405 {
		t.Errorf("POST to a page: %d", res.StatusCode)
	}
	res, err = http.Post(srv.URL+"/sim/site/"+bucket+"/"+PullPath, "application/json", strings.NewReader("{not json"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 400 {
		t.Errorf("a pull that is not JSON: %d", res.StatusCode)
	}
}

func TestObjectsReadBack(t *testing.T) {
	e := newEnv(t)
	bucket := "c42s07-slots-site"
	e.site(bucket, false)
	obj, err := e.c.S3.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("index.html")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(obj.Body)
	if string(b) != "<html>slots</html>" || aws.ToInt64(obj.ContentLength) != int64(len(b)) {
		t.Errorf("GetObject: %q %d", b, aws.ToInt64(obj.ContentLength))
	}
	if _, err := e.c.S3.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("Index.html")}); !errorsAs[*s3types.NoSuchKey](err) {
		t.Errorf("near-miss key: %v", err)
	}
	for i := 0; i < 3; i++ {
		if _, err := e.c.S3.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("img/%d.svg", i)), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	var tok *string
	pages := 0
	for {
		out, err := e.c.S3.ListObjectsV2(e.ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("img/"), MaxKeys: aws.Int32(2), ContinuationToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if int(aws.ToInt32(out.KeyCount)) != len(out.Contents) {
			t.Errorf("KeyCount %d for %d keys", aws.ToInt32(out.KeyCount), len(out.Contents))
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		tok = out.NextContinuationToken
	}
	if strings.Join(keys, ",") != "img/0.svg,img/1.svg,img/2.svg" || pages != 2 {
		t.Errorf("listed %v in %d pages", keys, pages)
	}
	if _, err := e.c.S3.ListObjectsV2(e.ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), ContinuationToken: aws.String("bogus")}); apiCode(err) != "InvalidArgument" {
		t.Errorf("bogus token: %v", err)
	}
}

const lambdaExecPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"arn:aws:dynamodb:us-east-1:111122223333:table/c42s07-*"}]}`

// slotLab is one student's Lab 4 back end: the table, the function and its role, the pool and its guest role.
type slotLab struct {
	pool, guestRole, fn string
}

func (e *env) slotLab(classic bool, trustPool string) slotLab {
	e.t.Helper()
	c, ctx := e.c, e.ctx
	if _, err := c.DynamoDB.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("c42s07-slotWheels"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("slotPosition"), AttributeType: ddbtypes.ScalarAttributeTypeN}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("slotPosition"), KeyType: ddbtypes.KeyTypeHash}}}); err != nil {
		e.t.Fatal(err)
	}
	exec, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("c42s07-slotpull-role"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("c42s07-slotpull-role"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(lambdaExecPolicy)}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.Lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("c42s07-slotPull"), Runtime: lambdatypes.RuntimeNodejs22x,
		Role: exec.Role.Arn, Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: []byte("PK\x03\x04")}}); err != nil {
		e.t.Fatal(err)
	}
	pool, err := c.CognitoIdentity.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("c42s07 slots"),
		AllowUnauthenticatedIdentities: true, AllowClassicFlow: aws.Bool(classic)})
	if err != nil {
		e.t.Fatal(err)
	}
	id := aws.ToString(pool.IdentityPoolId)
	if trustPool == "" {
		trustPool = id
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity",` +
		`"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + trustPool + `"},"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"unauthenticated"}}}]}`
	guest, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("c42s07-slots-guest"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("c42s07-slots-guest"), PolicyName: aws.String("invoke"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:c42s07-slotPull"}]}`)}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.CognitoIdentity.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: aws.String(id),
		Roles: map[string]string{"unauthenticated": aws.ToString(guest.Role.Arn)}}); err != nil {
		e.t.Fatal(err)
	}
	e.clock.Advance(20 * time.Second) // the table (5–15 s) and the function (5 s) become ACTIVE
	var reqs []ddbtypes.WriteRequest
	for _, s := range SlotWheel() {
		reqs = append(reqs, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: map[string]ddbtypes.AttributeValue{
			"slotPosition": &ddbtypes.AttributeValueMemberN{Value: fmt.Sprint(s.Position)}, "imageFile": &ddbtypes.AttributeValueMemberS{Value: s.ImageFile}}}})
	}
	if _, err := c.DynamoDB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{"c42s07-slotWheels": reqs}}); err != nil {
		e.t.Fatal(err)
	}
	return slotLab{pool: id, guestRole: aws.ToString(guest.Role.Arn), fn: "c42s07-slotPull"}
}

func TestSlotPullEnhancedFlowIsDeniedBasicFlowWorks(t *testing.T) {
	e := newEnv(t)
	l := e.slotLab(true, "")
	before := total(e.counter.Snapshot())
	enhanced := e.w.Pull(e.ctx, PullRequest{IdentityPoolID: l.pool, Region: "us-east-1", FunctionName: l.fn})
	if enhanced.Status != 403 || enhanced.Step != "lambda:Invoke" || enhanced.Code != "AccessDeniedException" ||
		!strings.Contains(enhanced.Message, "lambda:InvokeFunction") || !strings.Contains(enhanced.Message, "session policy") ||
		!strings.Contains(enhanced.Message, "assumed-role/c42s07-slots-guest/CognitoIdentityCredentials") {
		t.Fatalf("enhanced flow: %+v; want AccessDeniedException at lambda:Invoke because of the session policy", enhanced)
	}
	basic := e.w.Pull(e.ctx, PullRequest{IdentityPoolID: l.pool, Region: "us-east-1", FunctionName: l.fn, Flow: "basic"})
	if basic.Status != 200 || basic.FunctionError != "" || basic.RoleARN != l.guestRole {
		t.Fatalf("basic flow: %+v", basic)
	}
	var p struct {
		LeftWheelImage struct {
			File struct{ S string } `json:"file"`
		} `json:"leftWheelImage"`
	}
	if err := json.Unmarshal(basic.Payload, &p); err != nil || !strings.HasSuffix(p.LeftWheelImage.File.S, ".svg") {
		t.Errorf("payload %s: %v", basic.Payload, err)
	}
	if after := total(e.counter.Snapshot()); after != before {
		t.Errorf("the browser's calls were counted as labdash's: %d → %d", before, after)
	}
	// Another pool id of the same shape is not found.
	other := e.w.Pull(e.ctx, PullRequest{IdentityPoolID: "us-east-1:00000000-0000-4000-a000-000000000000", Region: "us-east-1", FunctionName: l.fn, Flow: "basic"})
	if other.Step != "cognito-identity:GetId" || other.Code != "ResourceNotFoundException" {
		t.Errorf("unknown pool: %+v", other)
	}
	// A region nobody uses holds no pool (and is not made by a stranger's pull).
	if got := e.w.Pull(e.ctx, PullRequest{IdentityPoolID: l.pool, Region: "ap-south-2", FunctionName: l.fn}); got.Code != "ResourceNotFoundException" {
		t.Errorf("pull in an unused region: %+v", got)
	}
	e.w.mu.Lock()
	_, made := e.w.regions[regionKey{"111122223333", "ap-south-2"}]
	e.w.mu.Unlock()
	if made {
		t.Error("a pull made a region")
	}
	// The pool's id names its region: asked in another region it is not found.
	wrong := e.w.Pull(e.ctx, PullRequest{IdentityPoolID: l.pool, Region: "us-west-2", FunctionName: l.fn, Flow: "basic"})
	if wrong.Code != "ResourceNotFoundException" {
		t.Errorf("pool asked in another region: %+v", wrong)
	}
}

func TestSlotPullBasicFlowNeedsClassicFlowAndTheRightAudience(t *testing.T) {
	e := newEnv(t)
	l := e.slotLab(false, "")
	got := e.w.Pull(e.ctx, PullRequest{IdentityPoolID: l.pool, Region: "us-east-1", FunctionName: l.fn, Flow: "basic"})
	if got.Step != "cognito-identity:GetOpenIdToken" || got.Code != "InvalidParameterException" || !strings.Contains(got.Message, "Basic (classic) flow is not enabled") {
		t.Errorf("basic flow with AllowClassicFlow off: %+v", got)
	}

	e2 := newEnv(t)
	l2 := e2.slotLab(true, "us-east-1:11111111-1111-4111-a111-111111111111") // the trust names another pool
	got = e2.w.Pull(e2.ctx, PullRequest{IdentityPoolID: l2.pool, Region: "us-east-1", FunctionName: l2.fn, Flow: "basic"})
	if got.Step != "sts:AssumeRoleWithWebIdentity" || got.Code != "AccessDenied" {
		t.Errorf("basic flow, trust for another pool: %+v", got)
	}
	got = e2.w.Pull(e2.ctx, PullRequest{IdentityPoolID: l2.pool, Region: "us-east-1", FunctionName: l2.fn})
	if got.Step != "cognito-identity:GetCredentialsForIdentity" || got.Code != "InvalidIdentityPoolConfigurationException" {
		t.Errorf("enhanced flow, trust for another pool: %+v", got)
	}
	// Guests not allowed at all.
	if _, err := e.c.CognitoIdentity.UpdateIdentityPool(e.ctx, &ci.UpdateIdentityPoolInput{IdentityPoolId: aws.String(l.pool), IdentityPoolName: aws.String("c42s07 slots"),
		AllowUnauthenticatedIdentities: false, AllowClassicFlow: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	got = e.w.Pull(e.ctx, PullRequest{IdentityPoolID: l.pool, Region: "us-east-1", FunctionName: l.fn, Flow: "basic"})
	if got.Step != "cognito-identity:GetId" || got.Code != "NotAuthorizedException" {
		t.Errorf("guests not allowed: %+v", got)
	}
}

func TestGuestCredentialsActAsTheirSession(t *testing.T) {
	e := newEnv(t)
	l := e.slotLab(true, "")
	id, err := e.c.CognitoIdentity.GetId(e.ctx, &ci.GetIdInput{IdentityPoolId: aws.String(l.pool)})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.c.CognitoIdentity.GetOpenIdToken(e.ctx, &ci.GetOpenIdTokenInput{IdentityId: id.IdentityId})
	if err != nil {
		t.Fatal(err)
	}
	as, err := e.c.STS.AssumeRoleWithWebIdentity(e.ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(l.guestRole), RoleSessionName: aws.String("browser"),
		WebIdentityToken: tok.Token})
	if err != nil {
		t.Fatal(err)
	}
	cr := as.Credentials
	if _, err := e.w.ClientsWithCredentials(e.ctx, aws.ToString(cr.AccessKeyId), "wrong", aws.ToString(cr.SessionToken), "us-east-1"); apiCode(err) != "InvalidClientTokenId" {
		t.Errorf("wrong secret: %v", err)
	}
	guest, err := e.w.ClientsWithCredentials(e.ctx, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := guest.Lambda.Invoke(e.ctx, &lambda.InvokeInput{FunctionName: aws.String(l.fn)}); err != nil {
		t.Errorf("guest invoke: %v", err)
	}
	if _, err := guest.Lambda.Invoke(e.ctx, &lambda.InvokeInput{FunctionName: aws.String("c42s08-slotPull")}); !isAccessDenied(err) {
		t.Errorf("guest invoke of a classmate's function: %v; want AccessDenied before NotFound", err)
	}
	if _, err := guest.DynamoDB.Scan(e.ctx, &dynamodb.ScanInput{TableName: aws.String("c42s07-slotWheels")}); !isAccessDenied(err) {
		t.Errorf("guest scan: %v; the guest role grants only the invoke", err)
	}
	// A token is good once per issue but expires in 10 minutes; credentials in an hour.
	e.clock.Advance(61 * time.Minute)
	if _, err := guest.Lambda.Invoke(e.ctx, &lambda.InvokeInput{FunctionName: aws.String(l.fn)}); apiCode(err) != "ExpiredTokenException" {
		t.Errorf("invoke after expiry: %v", err)
	}
	if _, err := e.c.STS.AssumeRoleWithWebIdentity(e.ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(l.guestRole), RoleSessionName: aws.String("browser"),
		WebIdentityToken: tok.Token}); apiCode(err) != "ExpiredTokenException" {
		t.Errorf("expired token: %v", err)
	}
	if _, err := e.c.STS.AssumeRoleWithWebIdentity(e.ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(l.guestRole), RoleSessionName: aws.String("browser"),
		WebIdentityToken: aws.String("eyJforged.token.here")}); apiCode(err) != "InvalidIdentityToken" {
		t.Errorf("forged token: %v", err)
	}
}

func TestSlotPullWithoutGetItemCountsAnError(t *testing.T) {
	e := newEnv(t)
	l := e.slotLab(true, "")
	if _, err := e.c.IAM.DeleteRolePolicy(e.ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("c42s07-slotpull-role"), PolicyName: aws.String("read")}); err != nil {
		t.Fatal(err)
	}
	got := e.w.Pull(e.ctx, PullRequest{IdentityPoolID: l.pool, Region: "us-east-1", FunctionName: l.fn, Flow: "basic"})
	if got.Status != 200 || got.FunctionError != "Unhandled" || !strings.Contains(string(got.Payload), "dynamodb:GetItem") {
		t.Fatalf("pull with an exec role without GetItem: %+v %s", got, got.Payload)
	}
	e.clock.Advance(time.Minute)
	out, err := e.c.CloudWatch.GetMetricData(e.ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(e.clock.Now().Add(-15 * time.Minute)), EndTime: aws.Time(e.clock.Now()),
		MetricDataQueries: []cwtypes.MetricDataQuery{
			{Id: aws.String("inv"), MetricStat: lambdaStat("Invocations", l.fn)},
			{Id: aws.String("err"), MetricStat: lambdaStat("Errors", l.fn)},
			{Id: aws.String("other"), MetricStat: lambdaStat("Errors", "c42s08-slotPull")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	sum := func(i int) (s float64) {
		for _, v := range out.MetricDataResults[i].Values {
			s += v
		}
		return s
	}
	if sum(0) != 1 || sum(1) != 1 || len(out.MetricDataResults[2].Values) != 0 {
		t.Errorf("Invocations %v Errors %v classmate's %v; want 1, 1, none", sum(0), sum(1), out.MetricDataResults[2].Values)
	}
}

func lambdaStat(metric, fn string) *cwtypes.MetricStat {
	return &cwtypes.MetricStat{Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String(metric),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String(fn)}}}, Period: aws.Int32(60), Stat: aws.String("Sum")}
}

func TestInvokeLogsAndFilterLogEventsPaging(t *testing.T) {
	e := newEnv(t)
	l := e.slotLab(true, "")
	start := e.clock.Now().UnixMilli()
	for i := 0; i < 3; i++ {
		out, err := e.c.Lambda.Invoke(e.ctx, &lambda.InvokeInput{FunctionName: aws.String(l.fn), LogType: lambdatypes.LogTypeTail})
		if err != nil || out.StatusCode != 200 || out.FunctionError != nil || aws.ToString(out.LogResult) == "" {
			t.Fatalf("invoke %d: %+v %v", i, out, err)
		}
		e.clock.Advance(time.Second)
	}
	group := aws.String("/aws/lambda/" + l.fn)
	var reports []string
	var tok *string
	pages := 0
	for {
		out, err := e.c.Logs.FilterLogEvents(e.ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: group, StartTime: aws.Int64(start), FilterPattern: aws.String("REPORT"),
			Limit: aws.Int32(2), NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, ev := range out.Events {
			reports = append(reports, aws.ToString(ev.Message))
		}
		if out.NextToken == nil {
			break
		}
		tok = out.NextToken
	}
	if len(reports) != 3 || pages != 2 || !strings.Contains(reports[0], "Init Duration") || strings.Contains(reports[1], "Init Duration") {
		t.Errorf("REPORT lines %d in %d pages: %q", len(reports), pages, reports)
	}
	all, err := e.c.Logs.FilterLogEvents(e.ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: group, StartTime: aws.Int64(start)})
	if err != nil || len(all.Events) != 12 {
		t.Errorf("all events: %d %v; want START, the pull, END and REPORT of each", len(all.Events), err)
	}
	later, _ := e.c.Logs.FilterLogEvents(e.ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: group, StartTime: aws.Int64(e.clock.Now().UnixMilli())})
	if len(later.Events) != 0 {
		t.Errorf("events after startTime: %d", len(later.Events))
	}
	if _, err := e.c.Logs.FilterLogEvents(e.ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/c42s07-slotpull")}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("near-miss group (case): %v", err)
	}
	if _, err := e.c.Logs.FilterLogEvents(e.ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: group, NextToken: aws.String("bogus")}); apiCode(err) != "InvalidParameterException" {
		t.Errorf("bogus token: %v", err)
	}
}

func TestInvokeNeedsAnActiveFunction(t *testing.T) {
	e := newEnv(t)
	role, err := e.c.IAM.CreateRole(e.ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Lambda.CreateFunction(e.ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("c42s09-slotPull"), Runtime: lambdatypes.RuntimeNodejs22x,
		Role: role.Role.Arn, Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: []byte("PK")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Lambda.Invoke(e.ctx, &lambda.InvokeInput{FunctionName: aws.String("c42s09-slotPull")}); !errorsAs[*lambdatypes.ResourceConflictException](err) {
		t.Errorf("invoke while Pending: %v", err)
	}
	e.clock.Advance(10 * time.Second)
	out, err := e.c.Lambda.Invoke(e.ctx, &lambda.InvokeInput{FunctionName: aws.String("c42s09-slotPull")})
	if err != nil || aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "AccessDeniedException") {
		t.Errorf("invoke with a role without policies: %+v %v", out, err)
	}
	if _, err := e.c.IAM.PutRolePolicy(e.ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Lambda.Invoke(e.ctx, &lambda.InvokeInput{FunctionName: aws.String("c42s09-slotPull"), Payload: []byte("{")}); !errorsAs[*lambdatypes.InvalidRequestContentException](err) {
		t.Errorf("payload not JSON: %v", err)
	}
	out, err = e.c.Lambda.Invoke(e.ctx, &lambda.InvokeInput{FunctionName: aws.String("c42s09-slotPull")})
	if err != nil || aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "ResourceNotFoundException") {
		t.Errorf("invoke without its table: %+v %v", out, err)
	}
	if out, err := e.c.Lambda.Invoke(e.ctx, &lambda.InvokeInput{FunctionName: aws.String("c42s09-slotPull"), InvocationType: lambdatypes.InvocationTypeDryRun}); err != nil || out.StatusCode != 204 {
		t.Errorf("dry run: %+v %v", out, err)
	}
}

func TestTableItemsScanAndBatchWrite(t *testing.T) {
	e := newEnv(t)
	e.slotLab(true, "")
	cnt, err := e.c.DynamoDB.Scan(e.ctx, &dynamodb.ScanInput{TableName: aws.String("c42s07-slotWheels"), Select: ddbtypes.SelectCount})
	if err != nil || cnt.Count != 16 || cnt.Items != nil {
		t.Fatalf("Scan COUNT: %+v %v", cnt, err)
	}
	seen := 0
	var start map[string]ddbtypes.AttributeValue
	for pages := 0; ; pages++ {
		out, err := e.c.DynamoDB.Scan(e.ctx, &dynamodb.ScanInput{TableName: aws.String("c42s07-slotWheels"), Limit: aws.Int32(5), ExclusiveStartKey: start})
		if err != nil {
			t.Fatal(err)
		}
		seen += len(out.Items)
		if out.LastEvaluatedKey == nil {
			if pages != 3 {
				t.Errorf("%d pages of 5 for 16 items", pages+1)
			}
			break
		}
		start = out.LastEvaluatedKey
	}
	if seen != 16 {
		t.Errorf("paged scan saw %d items", seen)
	}
	item, err := e.c.DynamoDB.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: aws.String("c42s07-slotWheels"),
		Key: map[string]ddbtypes.AttributeValue{"slotPosition": &ddbtypes.AttributeValueMemberN{Value: "3"}}})
	if err != nil || item.Item["imageFile"].(*ddbtypes.AttributeValueMemberS).Value != SlotWheel()[3].ImageFile {
		t.Errorf("GetItem 3: %+v %v", item, err)
	}
	if _, err := e.c.DynamoDB.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: aws.String("c42s07-slotWheels"),
		Key: map[string]ddbtypes.AttributeValue{"slotPosition": &ddbtypes.AttributeValueMemberS{Value: "3"}}}); apiCode(err) != "ValidationException" {
		t.Errorf("key of the wrong type: %v", err)
	}
	put := func(n int) []ddbtypes.WriteRequest {
		var out []ddbtypes.WriteRequest
		for i := 0; i < n; i++ {
			out = append(out, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: map[string]ddbtypes.AttributeValue{
				"slotPosition": &ddbtypes.AttributeValueMemberN{Value: fmt.Sprint(100 + i)}, "imageFile": &ddbtypes.AttributeValueMemberS{Value: "x.svg"}}}})
		}
		return out
	}
	if _, err := e.c.DynamoDB.BatchWriteItem(e.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{"c42s07-slotWheels": put(26)}}); apiCode(err) != "ValidationException" {
		t.Errorf("26 items in a batch: %v", err)
	}
	dup := append(put(1), put(1)...)
	if _, err := e.c.DynamoDB.BatchWriteItem(e.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{"c42s07-slotWheels": dup}}); apiCode(err) != "ValidationException" {
		t.Errorf("duplicate keys: %v", err)
	}
	cnt, _ = e.c.DynamoDB.Scan(e.ctx, &dynamodb.ScanInput{TableName: aws.String("c42s07-slotWheels"), Select: ddbtypes.SelectCount})
	if cnt.Count != 16 {
		t.Errorf("a refused batch wrote: %d items", cnt.Count)
	}
}

func TestFunctionResourcePolicy(t *testing.T) {
	e := newEnv(t)
	l := e.slotLab(true, "")
	if _, err := e.c.Lambda.GetPolicy(e.ctx, &lambda.GetPolicyInput{FunctionName: aws.String(l.fn)}); !errorsAs[*lambdatypes.ResourceNotFoundException](err) {
		t.Errorf("GetPolicy without one: %v", err)
	}
	add := &lambda.AddPermissionInput{FunctionName: aws.String(l.fn), StatementId: aws.String("apigw"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("apigateway.amazonaws.com"), SourceArn: aws.String("arn:aws:execute-api:us-east-1:111122223333:abc/*")}
	out, err := e.c.Lambda.AddPermission(e.ctx, add)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Action":"lambda:InvokeFunction","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:111122223333:abc/*"}},"Effect":"Allow",` +
		`"Principal":{"Service":"apigateway.amazonaws.com"},"Resource":"arn:aws:lambda:us-east-1:111122223333:function:c42s07-slotPull","Sid":"apigw"}`
	if aws.ToString(out.Statement) != want {
		t.Errorf("statement %s", aws.ToString(out.Statement))
	}
	if _, err := e.c.Lambda.AddPermission(e.ctx, add); !errorsAs[*lambdatypes.ResourceConflictException](err) {
		t.Errorf("same sid again: %v", err)
	}
	pol, err := e.c.Lambda.GetPolicy(e.ctx, &lambda.GetPolicyInput{FunctionName: aws.String(l.fn)})
	if err != nil || !strings.HasPrefix(aws.ToString(pol.Policy), `{"Id":"default","Statement":[`+want) {
		t.Errorf("policy %v %v", pol, err)
	}
	if _, err := e.c.Lambda.RemovePermission(e.ctx, &lambda.RemovePermissionInput{FunctionName: aws.String(l.fn), StatementId: aws.String("apigwx")}); !errorsAs[*lambdatypes.ResourceNotFoundException](err) {
		t.Errorf("remove a near-miss sid: %v", err)
	}
	if _, err := e.c.Lambda.RemovePermission(e.ctx, &lambda.RemovePermissionInput{FunctionName: aws.String(l.fn), StatementId: aws.String("apigw")}); err != nil {
		t.Errorf("remove: %v", err)
	}
}

func TestSlotMachinePage(t *testing.T) {
	page := SlotMachinePage(`us-east-1:abc"</script>`, "us-east-1", "c42s07-slotPull", "")
	if bytes.Contains(page, []byte(`abc"</script>`)) {
		t.Errorf("the pool id is not escaped in the page")
	}
	if !bytes.Contains(page, []byte(PullPath)) || !bytes.Contains(page, []byte("enhanced")) {
		t.Errorf("page does not post its pull: %s", page)
	}
	imgs := SlotImages()
	for _, s := range SlotWheel() {
		if len(imgs[s.ImageFile]) == 0 {
			t.Errorf("no image for %s", s.ImageFile)
		}
	}
}

func total(m map[string]int64) (n int64) {
	for _, v := range m {
		n += v
	}
	return n
}

// A virtual student builds the site and the function as a sandbox role: its
// policy decides, on the student's own names only.
func TestSandboxRoleBuildsTheSlotMachine(t *testing.T) {
	e := newEnv(t)
	pol := `{"Version":"2012-10-17","Statement":[
{"Effect":"Allow","Action":["s3:CreateBucket","s3:PutObject","s3:PutBucketWebsite","s3:PutBucketPolicy","s3:PutBucketPublicAccessBlock"],"Resource":["arn:aws:s3:::c42s07-*"]},
{"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"arn:aws:lambda:us-east-1:111122223333:function:c42s07-*"},
{"Effect":"Allow","Action":"dynamodb:CreateTable","Resource":"arn:aws:dynamodb:us-east-1:111122223333:table/c42s07-*"}]}`
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := e.c.IAM.CreateRole(e.ctx, &iam.CreateRoleInput{RoleName: aws.String("c42s07-student"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.IAM.PutRolePolicy(e.ctx, &iam.PutRolePolicyInput{RoleName: aws.String("c42s07-student"), PolicyName: aws.String("lab4"), PolicyDocument: aws.String(pol)}); err != nil {
		t.Fatal(err)
	}
	exec, err := e.c.IAM.CreateRole(e.ctx, &iam.CreateRoleInput{RoleName: aws.String("c42s07-slotpull-role"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.w.ClientsAs(e.ctx, "arn:aws:iam::111122223333:role/c42s07-student", "s07", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.S3.CreateBucket(e.ctx, &s3.CreateBucketInput{Bucket: aws.String("c42s07-slots-site")}); err != nil {
		t.Fatalf("own bucket: %v", err)
	}
	if _, err := s.S3.CreateBucket(e.ctx, &s3.CreateBucketInput{Bucket: aws.String("c42s08-slots-site")}); !isAccessDenied(err) {
		t.Errorf("a classmate's bucket name: %v", err)
	}
	if _, err := s.S3.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String("c42s07-slots-site"), Key: aws.String("index.html"), Body: strings.NewReader("x")}); err != nil {
		t.Errorf("own object: %v", err)
	}
	fn := &lambda.CreateFunctionInput{FunctionName: aws.String("c42s07-slotPull"), Runtime: lambdatypes.RuntimeNodejs22x, Role: exec.Role.Arn,
		Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: []byte("PK")}}
	if _, err := s.Lambda.CreateFunction(e.ctx, fn); !isAccessDenied(err) || !strings.Contains(err.Error(), "iam:PassRole") {
		t.Errorf("create function without iam:PassRole: %v", err)
	}
}

func TestIdentityPoolsAreTaggedAndListed(t *testing.T) {
	e := newEnv(t)
	c := e.c
	// The API reference's IdentityPoolName pattern is [\w\s+=,.@-]+, 1 to 128.
	for name, ok := range map[string]bool{"c42s07-slots": true, "c42s07_slots": true, "c42 s07.slots@x": true,
		"c42s07/slots": false, "c42s07:slots": false, "": false, strings.Repeat("a", 129): false} {
		_, err := c.CognitoIdentity.CreateIdentityPool(e.ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String(name), AllowUnauthenticatedIdentities: true})
		if got := err == nil; got != ok || (!ok && apiCode(err) != "InvalidParameterException") {
			t.Errorf("pool name %q: %v, want accepted %v", name, err, ok)
		}
	}
	var ids []string
	for _, s := range []string{"s07", "s08"} {
		p, err := c.CognitoIdentity.CreateIdentityPool(e.ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("c42" + s + " slots"), AllowUnauthenticatedIdentities: true,
			IdentityPoolTags: map[string]string{"labdash:class": "c42", "labdash:student": s}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(aws.ToString(p.IdentityPoolId), "us-east-1:") || aws.ToBool(p.AllowClassicFlow) {
			t.Errorf("pool %+v: want an id in us-east-1 and the classic flow off by default", p)
		}
		ids = append(ids, aws.ToString(p.IdentityPoolId))
	}
	out, err := c.Tagging.GetResources(e.ctx, &rgt.GetResourcesInput{ResourceTypeFilters: []string{"cognito-identity:identitypool"},
		TagFilters: []rgttypes.TagFilter{{Key: aws.String("labdash:student"), Values: []string{"s07"}}}})
	if err != nil || len(out.ResourceTagMappingList) != 1 || aws.ToString(out.ResourceTagMappingList[0].ResourceARN) != "arn:aws:cognito-identity:us-east-1:111122223333:identitypool/"+ids[0] {
		t.Fatalf("tagging API: %+v %v", out, err)
	}
	arn := aws.ToString(out.ResourceTagMappingList[0].ResourceARN)
	if _, err := c.CognitoIdentity.TagResource(e.ctx, &ci.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"lab": "slots"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.CognitoIdentity.ListTagsForResource(e.ctx, &ci.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || tags.Tags["lab"] != "slots" || tags.Tags["labdash:student"] != "s07" {
		t.Errorf("tags %v %v", tags, err)
	}
	if _, err := c.CognitoIdentity.ListTagsForResource(e.ctx, &ci.ListTagsForResourceInput{ResourceArn: aws.String(strings.Replace(arn, "111122223333", "444455556666", 1))}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("another account's ARN: %v", err)
	}
	list, err := c.CognitoIdentity.ListIdentityPools(e.ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(1)})
	if err != nil || len(list.IdentityPools) != 1 || list.NextToken == nil {
		t.Fatalf("list page 1: %+v %v", list, err)
	}
	list2, err := c.CognitoIdentity.ListIdentityPools(e.ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(1), NextToken: list.NextToken})
	if err != nil || len(list2.IdentityPools) != 1 || aws.ToString(list2.IdentityPools[0].IdentityPoolId) == aws.ToString(list.IdentityPools[0].IdentityPoolId) {
		t.Errorf("list page 2: %+v %v", list2, err)
	}
	if _, err := c.CognitoIdentity.ListIdentityPools(e.ctx, &ci.ListIdentityPoolsInput{}); apiCode(err) != "InvalidParameterException" {
		t.Errorf("MaxResults missing: %v", err)
	}
	if _, err := c.CognitoIdentity.DeleteIdentityPool(e.ctx, &ci.DeleteIdentityPoolInput{IdentityPoolId: aws.String(ids[1])}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CognitoIdentity.DescribeIdentityPool(e.ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: aws.String(ids[1])}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("deleted pool: %v", err)
	}
	if _, err := c.CognitoIdentity.SetIdentityPoolRoles(e.ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: aws.String(ids[0]),
		Roles: map[string]string{"guest": "arn:aws:iam::111122223333:role/c42s07-slots-guest"}}); apiCode(err) != "InvalidParameterException" {
		t.Errorf("role type guest: %v", err)
	}
}

func TestWebsiteErrorDocument(t *testing.T) {
	e := newEnv(t)
	bucket := "c42s07-slots-site"
	e.site(bucket, true)
	if _, err := e.c.S3.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("error.html"), Body: strings.NewReader("oops")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.S3.PutBucketWebsite(e.ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String(bucket), WebsiteConfiguration: &s3types.WebsiteConfiguration{
		IndexDocument: &s3types.IndexDocument{Suffix: aws.String("index.html")}, ErrorDocument: &s3types.ErrorDocument{Key: aws.String("error.html")}}}); err != nil {
		t.Fatal(err)
	}
	// The error document is served with the error's status (403 here: no ListBucket for everyone).
	if got := e.probe("http://" + bucket + ".s3-website-us-east-1.amazonaws.com/nope.html"); got.Status != 403 || got.Body != "oops" {
		t.Errorf("missing key with an error document: %d %q", got.Status, got.Body)
	}
	ws, err := e.c.S3.GetBucketWebsite(e.ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String(bucket)})
	if err != nil || aws.ToString(ws.ErrorDocument.Key) != "error.html" || aws.ToString(ws.IndexDocument.Suffix) != "index.html" {
		t.Errorf("GetBucketWebsite: %+v %v", ws, err)
	}
	// Another account reaches the bucket's configuration not at all.
	other, err := e.w.Clients(e.ctx, "444455556666", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.S3.GetBucketWebsite(e.ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String(bucket)}); apiCode(err) != "AccessDenied" {
		t.Errorf("another account's GetBucketWebsite: %v", err)
	}
}
