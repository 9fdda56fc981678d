package slots

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// Cadences and batch sizes (LABS.md Lab 4's live widgets and §3).
const (
	// detailEvery is how often a student's slower-changing details are read again
	// (the bucket's website, Block Public Access, policy status and objects; the
	// pool's roles; the trust and the two policy simulations; the table's COUNT):
	// at once when the resource first appears, then at most this often.
	detailEvery  = 30 * time.Second
	metricsEvery = time.Minute      // GetMetricData, one call for the group
	logsEvery    = 15 * time.Second // FilterLogEvents per student
	probeEvery   = time.Minute      // the website probe
	probeTimeout = 3 * time.Second
	// metricQueriesMax is GetMetricData's limit of queries per call (three a student).
	metricQueriesMax = 500
	poolPageSize     = 60  // ListIdentityPools MaxResults' maximum
	pagesMax         = 100 // pages read of any one listing in a cycle (identity pools: 6,000)
	bucketPageSize   = 1000
	objectsMax       = 1000 // ListObjectsV2 MaxKeys: the site is a page and a few images
	pullsKept        = 20
	logEventsMax     = 50
	scanPagesMax     = 10
)

// groupCache is what the lab remembers about the whole group.
type groupCache struct {
	metricsAt time.Time
	// pools is the last ListIdentityPools of the account and region, read at most
	// every detailEvery: 60 pools a page, so a class of 2,000 is 34 calls.
	pools   map[string][]string
	poolsAt time.Time
}

// studentCache is what the lab remembers about one student between cycles.
type studentCache struct {
	site     *Site
	siteAt   time.Time
	pool     *Pool
	poolAt   time.Time
	guest    *GuestRole
	guestAt  time.Time
	table    *Table
	tableAt  time.Time // the last DescribeTable
	countAt  time.Time
	fn       *Function
	fnAt     time.Time
	fnReadAt time.Time // the last GetFunction
	metrics  *Metrics
	pulls    []Pull
	logsAt   time.Time
	logsFrom int64 // the next FilterLogEvents' StartTime, ms
	probe    *Probe
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func due(at, now time.Time, every time.Duration) bool {
	return at.IsZero() || now.Sub(at) >= every || now.Before(at)
}

// Observe reads every target's lab state: ListBuckets once for the group each
// cycle and ListIdentityPools every 30 s, DescribeTable and GetFunction per
// student each cycle, their
// details every detailEvery, one GetMetricData a minute for the whole group (500
// queries a call), FilterLogEvents per student every 15 s and the website probe
// every minute.
func Observe(ctx context.Context, c *cloud.Clients, cache *labs.Cache, targets []labs.Target) (map[string]labs.Observation, error) {
	if c == nil || c.S3 == nil || c.Lambda == nil || c.DynamoDB == nil || c.CognitoIdentity == nil || c.IAM == nil {
		return nil, errors.New("slots: observe: missing clients")
	}
	now := c.Clock()
	obs := make(map[string]*Observation, len(targets))
	mem := make(map[string]*studentCache, len(targets))
	// A target without its account (the clients know it): the bucket's name and
	// the ARNs the checks compare hold the account.
	full := make([]labs.Target, len(targets))
	for i, t := range targets {
		if t.Account == "" {
			t.Account = c.Account
		}
		full[i] = t
	}
	targets = full
	for _, t := range targets {
		obs[t.StudentID] = &Observation{Target: t, At: now, MetricWindow: metricWindow}
		mem[t.StudentID] = labs.Keep[studentCache](cache, t.StudentID, "slots")
	}
	gc := labs.Keep[groupCache](cache, "", "slots")
	buckets, bucketErr := listBuckets(ctx, c)
	pools, poolErr := gc.pools, error(nil)
	if gc.pools == nil || due(gc.poolsAt, now, detailEvery) {
		if pools, poolErr = listPools(ctx, c); poolErr == nil {
			gc.pools, gc.poolsAt = pools, now
		}
	}
	for _, t := range targets {
		o, kc := obs[t.StudentID], mem[t.StudentID]
		observeSite(ctx, c, kc, o, buckets, bucketErr, now)
		observePool(ctx, c, kc, o, pools, poolErr, now)
		observeTable(ctx, c, kc, o, now)
		observeFunction(ctx, c, kc, o, now)
		observeGuest(ctx, c, kc, o, now)
		observeLogs(ctx, c, kc, o, now)
	}
	observeProbes(ctx, c, targets, obs, mem, now)
	observeMetrics(ctx, c, gc, targets, obs, mem, now)
	for _, o := range obs {
		if o.Site != nil && o.Site.Website {
			o.Open = c.BrowseURL(websiteEndpoint(o.Site.Bucket, o.Target.Region))
		}
	}
	res := make(map[string]labs.Observation, len(obs))
	for k, v := range obs {
		res[k] = v
	}
	return res, nil
}

func listBuckets(ctx context.Context, c *cloud.Clients) (map[string]bool, error) {
	names := map[string]bool{}
	p := s3.NewListBucketsPaginator(c.S3, &s3.ListBucketsInput{MaxBuckets: aws.Int32(bucketPageSize)})
	for page := 0; page < pagesMax && p.HasMorePages(); page++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, b := range out.Buckets {
			names[aws.ToString(b.Name)] = true
		}
	}
	return names, nil
}

// listPools maps pool names to their ids. Names are not unique: a name can hold
// several pools (another student's near-miss, a pool made twice).
func listPools(ctx context.Context, c *cloud.Clients) (map[string][]string, error) {
	ids := map[string][]string{}
	in := &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(poolPageSize)}
	for page := 0; page < pagesMax; page++ {
		out, err := c.CognitoIdentity.ListIdentityPools(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, p := range out.IdentityPools {
			n := aws.ToString(p.IdentityPoolName)
			ids[n] = append(ids[n], aws.ToString(p.IdentityPoolId))
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	return ids, nil
}

func observeSite(ctx context.Context, c *cloud.Clients, kc *studentCache, o *Observation, buckets map[string]bool, listErr error, now time.Time) {
	name := bucketName(o.Target)
	if listErr != nil {
		o.Site = kc.site
		o.stale("site", fmt.Errorf("list buckets: %w", listErr))
		return
	}
	if !buckets[name] {
		kc.site, kc.siteAt = nil, time.Time{}
		return
	}
	if kc.site != nil && !due(kc.siteAt, now, detailEvery) {
		o.Site = kc.site
		return
	}
	s, err := readSite(ctx, c, name)
	switch {
	case code(err) == "NoSuchBucket": // listed, then deleted
		kc.site, kc.siteAt = nil, time.Time{}
	case err != nil:
		o.Site = kc.site
		o.stale("site", err)
	default:
		kc.site, kc.siteAt = s, now
		o.Site = s
	}
}

// readSite reads the bucket's website, Block Public Access, policy status and objects.
func readSite(ctx context.Context, c *cloud.Clients, name string) (*Site, error) {
	s := &Site{Bucket: name}
	w, err := c.S3.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String(name)})
	switch {
	case err == nil:
		s.Website = true
		if w.IndexDocument != nil {
			s.Index = aws.ToString(w.IndexDocument.Suffix)
		}
		if w.ErrorDocument != nil {
			s.Error = aws.ToString(w.ErrorDocument.Key)
		}
	case code(err) != "NoSuchWebsiteConfiguration":
		return nil, fmt.Errorf("get bucket website: %w", err)
	}
	b, err := c.S3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(name)})
	switch {
	case err == nil && b.PublicAccessBlockConfiguration != nil:
		p := b.PublicAccessBlockConfiguration
		s.Block = &Block{BlockPublicAcls: aws.ToBool(p.BlockPublicAcls), IgnorePublicAcls: aws.ToBool(p.IgnorePublicAcls),
			BlockPublicPolicy: aws.ToBool(p.BlockPublicPolicy), RestrictPublicBuckets: aws.ToBool(p.RestrictPublicBuckets)}
	case err != nil && code(err) != "NoSuchPublicAccessBlockConfiguration":
		return nil, fmt.Errorf("get public access block: %w", err)
	}
	ps, err := c.S3.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(name)})
	switch {
	case err == nil:
		s.Policy = true
		s.Public = ps.PolicyStatus != nil && aws.ToBool(ps.PolicyStatus.IsPublic)
	case code(err) != "NoSuchBucketPolicy":
		return nil, fmt.Errorf("get bucket policy status: %w", err)
	}
	objs, err := c.S3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(name), MaxKeys: aws.Int32(objectsMax)})
	if err != nil {
		return nil, fmt.Errorf("list objects: %w", err)
	}
	for _, obj := range objs.Contents {
		k := strings.ToLower(aws.ToString(obj.Key))
		s.Objects++
		switch {
		case k == "index.html":
			s.HasIndex = true
		case isImage(k):
			s.Images++
		}
	}
	return s, nil
}

func isImage(key string) bool {
	for _, ext := range []string{".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"} {
		if strings.HasSuffix(key, ext) {
			return true
		}
	}
	return false
}

func observePool(ctx context.Context, c *cloud.Clients, kc *studentCache, o *Observation, pools map[string][]string, listErr error, now time.Time) {
	if listErr != nil {
		o.Pool = kc.pool
		o.stale("pool", fmt.Errorf("list identity pools: %w", listErr))
		return
	}
	ids := pools[poolName(o.Target)]
	if len(ids) == 0 {
		kc.pool, kc.poolAt = nil, time.Time{}
		return
	}
	if kc.pool != nil && !due(kc.poolAt, now, detailEvery) && contains(ids, kc.pool.ID) {
		o.Pool = kc.pool
		return
	}
	// The student's pool is the one of that name tagged as theirs; an untagged
	// one (made without tags) is theirs only if it is the only one of the name.
	var found *Pool
	for _, id := range ids {
		d, err := c.CognitoIdentity.DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: aws.String(id)})
		if code(err) == "ResourceNotFoundException" {
			continue
		}
		if err != nil {
			o.Pool = kc.pool
			o.stale("pool", fmt.Errorf("describe identity pool %s: %w", id, err))
			return
		}
		tags := d.IdentityPoolTags
		if st, ok := tags["labdash:student"]; ok && (st != o.Target.StudentID || tags["labdash:class"] != o.Target.ClassID) {
			continue // another student's or class's pool of the same name
		}
		p := &Pool{ID: id, Name: aws.ToString(d.IdentityPoolName), AllowUnauth: d.AllowUnauthenticatedIdentities,
			AllowClassic: aws.ToBool(d.AllowClassicFlow), Tags: tags}
		if tags["labdash:student"] == o.Target.StudentID || (found == nil && len(ids) == 1) {
			found = p
			break
		}
	}
	if found == nil {
		kc.pool, kc.poolAt = nil, time.Time{}
		return
	}
	r, err := c.CognitoIdentity.GetIdentityPoolRoles(ctx, &cognitoidentity.GetIdentityPoolRolesInput{IdentityPoolId: aws.String(found.ID)})
	if err != nil {
		o.stale("pool", fmt.Errorf("get identity pool roles: %w", err))
		if kc.pool != nil && kc.pool.ID == found.ID {
			found.RolesRead, found.UnauthRole, found.AuthRole = kc.pool.RolesRead, kc.pool.UnauthRole, kc.pool.AuthRole
		}
	} else {
		found.RolesRead = true
		found.UnauthRole, found.AuthRole = r.Roles["unauthenticated"], r.Roles["authenticated"]
	}
	kc.pool, kc.poolAt = found, now
	o.Pool = found
}

func contains(v []string, s string) bool {
	for _, x := range v {
		if x == s {
			return true
		}
	}
	return false
}

// observeTable reads the student's table: every cycle until it is there and
// ACTIVE, then every detailEvery (at 2,000 students DescribeTable every cycle was
// 2,000 calls of the lab's 5,600; TestCallsPerCycleAtScale).
func observeTable(ctx context.Context, c *cloud.Clients, kc *studentCache, o *Observation, now time.Time) {
	name := tableName(o.Target)
	if t := kc.table; t != nil && t.Status == "ACTIVE" && !due(kc.tableAt, now, detailEvery) {
		o.Table = t
		return
	}
	d, err := c.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	switch {
	case code(err) == "ResourceNotFoundException":
		kc.table, kc.countAt, kc.tableAt = nil, time.Time{}, time.Time{}
		return
	case err != nil:
		o.Table = kc.table
		o.stale("table", fmt.Errorf("describe table: %w", err))
		return
	}
	t := &Table{Name: name, Status: string(d.Table.TableStatus), DeletionProtection: aws.ToBool(d.Table.DeletionProtectionEnabled)}
	t.KeyOK, t.Key = keyOf(d.Table.KeySchema, d.Table.AttributeDefinitions)
	if kc.table != nil {
		t.Count, t.Counted = kc.table.Count, kc.table.Counted
	}
	if t.Status == "ACTIVE" && (!t.Counted || t.Count == 0 || due(kc.countAt, now, detailEvery)) && due(kc.countAt, now, logsEvery) {
		n, err := countItems(ctx, c, name)
		if err != nil {
			o.stale("table", fmt.Errorf("scan: %w", err))
		} else {
			t.Count, t.Counted, kc.countAt = n, true, now
		}
	}
	kc.table, kc.tableAt = t, now
	o.Table = t
}

// keyOf says whether the key schema is slotPosition (N) as the only HASH key,
// and what it is.
func keyOf(ks []ddbtypes.KeySchemaElement, defs []ddbtypes.AttributeDefinition) (bool, string) {
	typ := map[string]string{}
	for _, d := range defs {
		typ[aws.ToString(d.AttributeName)] = string(d.AttributeType)
	}
	var parts []string
	ok := len(ks) == 1
	for _, k := range ks {
		n := aws.ToString(k.AttributeName)
		parts = append(parts, fmt.Sprintf("%s (%s, %s)", n, typ[n], k.KeyType))
		ok = ok && n == keyAttr && typ[n] == "N" && k.KeyType == ddbtypes.KeyTypeHash
	}
	if len(parts) == 0 {
		return false, "empty"
	}
	return ok, strings.Join(parts, " + ")
}

// countItems is Scan Select=COUNT, page by page (a page covers 1 MB).
func countItems(ctx context.Context, c *cloud.Clients, name string) (int64, error) {
	in := &dynamodb.ScanInput{TableName: aws.String(name), Select: ddbtypes.SelectCount}
	var n int64
	for page := 0; page < scanPagesMax; page++ {
		out, err := c.DynamoDB.Scan(ctx, in)
		if err != nil {
			return 0, err
		}
		n += int64(out.Count)
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	return n, nil
}

// observeFunction reads the student's function: every cycle until it is Active
// with its last update Successful, then every detailEvery (as observeTable).
func observeFunction(ctx context.Context, c *cloud.Clients, kc *studentCache, o *Observation, now time.Time) {
	if f := kc.fn; f != nil && f.State == "Active" && f.LastUpdateStatus == "Successful" && !due(kc.fnReadAt, now, detailEvery) {
		o.Func = f
		return
	}
	g, err := c.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(functionName(o.Target))})
	switch {
	case code(err) == "ResourceNotFoundException":
		kc.fn, kc.fnAt, kc.fnReadAt = nil, time.Time{}, time.Time{}
		return
	case err != nil:
		o.Func = kc.fn
		o.stale("function", fmt.Errorf("get function: %w", err))
		return
	case g.Configuration == nil:
		o.Func = kc.fn
		return
	}
	cf := g.Configuration
	f := &Function{Name: aws.ToString(cf.FunctionName), Arn: aws.ToString(cf.FunctionArn), Runtime: string(cf.Runtime), Role: aws.ToString(cf.Role),
		State: string(cf.State), LastUpdateStatus: string(cf.LastUpdateStatus)}
	if old := kc.fn; old != nil && old.Role == f.Role && !due(kc.fnAt, now, detailEvery) {
		f.GetItem = old.GetItem
	} else if f.Role != "" {
		d, err := simulate(ctx, c, f.Role, "dynamodb:GetItem", tableARN(o.Target))
		switch {
		case err != nil:
			o.stale("function", fmt.Errorf("simulate dynamodb:GetItem: %w", err))
			if old != nil && old.Role == f.Role {
				f.GetItem = old.GetItem
			}
		default:
			f.GetItem, kc.fnAt = d, now
		}
	}
	kc.fn, kc.fnReadAt = f, now
	o.Func = f
}

func simulate(ctx context.Context, c *cloud.Clients, role, action, resource string) (string, error) {
	out, err := c.IAM.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(role),
		ActionNames: []string{action}, ResourceArns: []string{resource}})
	if err != nil {
		return "", err
	}
	if len(out.EvaluationResults) == 0 {
		return "", errors.New("no evaluation result")
	}
	return string(out.EvaluationResults[0].EvalDecision), nil
}

func observeGuest(ctx context.Context, c *cloud.Clients, kc *studentCache, o *Observation, now time.Time) {
	if o.Pool == nil || o.Pool.UnauthRole == "" {
		kc.guest, kc.guestAt = nil, time.Time{}
		return
	}
	arn := o.Pool.UnauthRole
	if g := kc.guest; g != nil && g.Arn == arn && !due(kc.guestAt, now, detailEvery) && (o.Func == nil) == (g.Invoke == "") {
		o.Guest = g
		return
	}
	g := &GuestRole{Arn: arn}
	r, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleNameOf(arn))})
	switch {
	case code(err) == "NoSuchEntity":
		g.Missing = true
	case err != nil:
		o.Guest = kc.guest
		o.stale("guest role", fmt.Errorf("get role: %w", err))
		return
	default:
		if r.Role != nil {
			g.Trusted, g.Aud, g.Amr = trustOf(aws.ToString(r.Role.AssumeRolePolicyDocument))
		}
		if o.Func != nil {
			d, err := simulate(ctx, c, arn, "lambda:InvokeFunction", functionARN(o.Target))
			if err != nil {
				o.Guest = kc.guest
				o.stale("guest role", fmt.Errorf("simulate lambda:InvokeFunction: %w", err))
				return
			}
			g.Invoke = d
		}
	}
	kc.guest, kc.guestAt = g, now
	o.Guest = g
}

// trustOf reads a role's trust policy (URL-encoded JSON, as GetRole returns it):
// whether it lets cognito-identity.amazonaws.com federate, and the values of its
// aud and amr conditions.
func trustOf(doc string) (trusted bool, aud, amr []string) {
	if d, err := url.QueryUnescape(doc); err == nil {
		doc = d
	}
	var p struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &p) != nil {
		return false, nil, nil
	}
	type stmt struct {
		Effect    string
		Principal json.RawMessage
		Action    json.RawMessage
		Condition map[string]map[string]json.RawMessage
	}
	var list []stmt
	if json.Unmarshal(p.Statement, &list) != nil {
		var one stmt
		if json.Unmarshal(p.Statement, &one) != nil {
			return false, nil, nil
		}
		list = []stmt{one}
	}
	for _, s := range list {
		var pr struct{ Federated json.RawMessage }
		if s.Effect != "Allow" || json.Unmarshal(s.Principal, &pr) != nil ||
			!contains(strs(pr.Federated), "cognito-identity.amazonaws.com") || !contains(strs(s.Action), "sts:AssumeRoleWithWebIdentity") {
			continue
		}
		trusted = true
		for op, kv := range s.Condition {
			for k, v := range kv {
				switch {
				case strings.EqualFold(k, "cognito-identity.amazonaws.com:aud") && strings.Contains(op, "String"):
					aud = append(aud, strs(v)...)
				case strings.EqualFold(k, "cognito-identity.amazonaws.com:amr") && strings.Contains(op, "String"):
					amr = append(amr, strs(v)...)
				}
			}
		}
	}
	return trusted, aud, amr
}

// strs reads a policy value that is a string or a list of strings.
func strs(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

func observeLogs(ctx context.Context, c *cloud.Clients, kc *studentCache, o *Observation, now time.Time) {
	if o.Func == nil || c.Logs == nil {
		kc.pulls, kc.logsFrom = nil, 0
		return
	}
	if !due(kc.logsAt, now, logsEvery) {
		o.Pulls = kc.pulls
		return
	}
	from := kc.logsFrom
	if floor := now.Add(-metricWindow).UnixMilli(); from < floor {
		from = floor
	}
	out, err := c.Logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(logGroupName(o.Target)),
		StartTime: aws.Int64(from), Limit: aws.Int32(logEventsMax)})
	switch {
	case code(err) == "ResourceNotFoundException": // no pull yet: Lambda makes the group on the first one
		kc.logsAt = now
	case err != nil:
		o.stale("logs", fmt.Errorf("filter log events: %w", err))
	default:
		kc.logsAt = now
		// A new slice: the last cycle's Observation still holds kc.pulls.
		pulls := append([]Pull(nil), kc.pulls...)
		for _, e := range out.Events {
			ts := aws.ToInt64(e.Timestamp)
			msg := strings.TrimSpace(aws.ToString(e.Message))
			pulls = append(pulls, Pull{At: time.UnixMilli(ts).UTC(), Message: msg, Error: isErrorLine(msg)})
			if ts+1 > kc.logsFrom {
				kc.logsFrom = ts + 1
			}
		}
		sort.SliceStable(pulls, func(i, j int) bool { return pulls[i].At.Before(pulls[j].At) })
		if len(pulls) > pullsKept {
			pulls = pulls[len(pulls)-pullsKept:]
		}
		kc.pulls = pulls
	}
	o.Pulls = kc.pulls
}

func isErrorLine(msg string) bool {
	for _, s := range []string{"ERROR", "Task timed out", "AccessDenied", "errorMessage", "is not authorized"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// probesAtOnce bounds the website probes in flight: on AWS a probe is a real
// HTTP GET (up to probeTimeout), and a class's sites are probed in one cycle.
const probesAtOnce = 8

// observeProbes GETs the website endpoint of every due student whose bucket is a
// website, at most once a minute each, probesAtOnce at a time.
func observeProbes(ctx context.Context, c *cloud.Clients, targets []labs.Target, obs map[string]*Observation, mem map[string]*studentCache, now time.Time) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, probesAtOnce)
	for _, t := range targets {
		o, kc := obs[t.StudentID], mem[t.StudentID]
		switch {
		case o.Site == nil || !o.Site.Website || c.HTTP == nil:
			kc.probe = nil
			continue
		case kc.probe != nil && !due(kc.probe.At, now, probeEvery):
			o.Probe = kc.probe
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		// Each probe writes only its own student's observation and cache entry.
		go func(o *Observation, kc *studentCache) {
			defer func() { <-sem; wg.Done() }()
			p := &Probe{URL: websiteEndpoint(o.Site.Bucket, o.Target.Region), At: now}
			pctx, cancel := context.WithTimeout(ctx, probeTimeout)
			res, err := c.HTTP.Get(pctx, p.URL)
			cancel()
			if err != nil {
				p.Err = err.Error()
			} else {
				p.Status, p.Latency, p.Body = res.Status, res.Latency, trim(res.Body, 200)
			}
			kc.probe, o.Probe = p, p
		}(o, kc)
	}
	wg.Wait()
}

// observeMetrics reads Invocations, Errors and Duration of every due student's
// function over the last 15 minutes, one GetMetricData for up to 166 students,
// at most once a minute for the group.
func observeMetrics(ctx context.Context, c *cloud.Clients, gc *groupCache, targets []labs.Target, obs map[string]*Observation, mem map[string]*studentCache, now time.Time) {
	var withFn []labs.Target
	for _, t := range targets {
		if obs[t.StudentID].Func != nil {
			withFn = append(withFn, t)
		} else {
			mem[t.StudentID].metrics = nil
		}
	}
	fresh := false
	for _, t := range withFn {
		if mem[t.StudentID].metrics == nil {
			fresh = true
		}
	}
	if c.CloudWatch == nil || len(withFn) == 0 || (!fresh && !due(gc.metricsAt, now, metricsEvery)) {
		for _, t := range withFn {
			obs[t.StudentID].Metrics = mem[t.StudentID].metrics
		}
		return
	}
	start := now.Add(-metricWindow).Truncate(time.Minute)
	per := metricQueriesMax / 3
	failed := false
	for i := 0; i < len(withFn); i += per {
		chunk := withFn[i:min(i+per, len(withFn))]
		var qs []cwtypes.MetricDataQuery
		for j, t := range chunk {
			for _, m := range []struct{ id, name, stat string }{{"i", "Invocations", "Sum"}, {"e", "Errors", "Sum"}, {"d", "Duration", "Average"}} {
				qs = append(qs, cwtypes.MetricDataQuery{Id: aws.String(m.id + strconv.Itoa(j)), MetricStat: &cwtypes.MetricStat{
					Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String(m.name),
						Dimensions: []cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String(functionName(t))}}},
					Period: aws.Int32(60), Stat: aws.String(m.stat)}})
			}
		}
		series := map[string]map[int64]float64{}
		in := &cloudwatch.GetMetricDataInput{MetricDataQueries: qs, StartTime: aws.Time(start), EndTime: aws.Time(now), ScanBy: cwtypes.ScanByTimestampAscending}
		p := cloudwatch.NewGetMetricDataPaginator(c.CloudWatch, in)
		var err error
		for page := 0; page < pagesMax && p.HasMorePages(); page++ {
			var out *cloudwatch.GetMetricDataOutput
			if out, err = p.NextPage(ctx); err != nil {
				break
			}
			for _, r := range out.MetricDataResults {
				id := aws.ToString(r.Id)
				if series[id] == nil {
					series[id] = map[int64]float64{}
				}
				for k, ts := range r.Timestamps {
					if k < len(r.Values) {
						series[id][ts.Unix()] = r.Values[k]
					}
				}
			}
		}
		for j, t := range chunk {
			o, kc := obs[t.StudentID], mem[t.StudentID]
			if err != nil {
				o.Metrics = kc.metrics
				o.stale("metrics", fmt.Errorf("get metric data: %w", err))
				failed = true
				continue
			}
			n := strconv.Itoa(j)
			kc.metrics = &Metrics{Invocations: perMinute(series["i"+n], start, now), Errors: perMinute(series["e"+n], start, now),
				Duration: perMinute(series["d"+n], start, now)}
			o.Metrics = kc.metrics
		}
	}
	if !failed {
		gc.metricsAt = now
	}
}

// perMinute lays points (by Unix second) out one a minute from start to now,
// zero where CloudWatch had none.
func perMinute(points map[int64]float64, start, now time.Time) []float64 {
	n := int(now.Sub(start) / time.Minute)
	if n <= 0 {
		n = 1
	}
	out := make([]float64, n)
	for ts, v := range points {
		if i := int((ts - start.Unix()) / 60); i >= 0 && i < n {
			out[i] += v
		}
	}
	return out
}

// Resources lists what the observation found for the ledger.
func (o *Observation) Resources() []labs.Resource {
	t := o.Target
	var out []labs.Resource
	if o.Site != nil {
		out = append(out, labs.Resource{ARN: "arn:aws:s3:::" + o.Site.Bucket, Type: "AWS::S3::Bucket", Region: t.Region, FoundBy: "prefix"})
	}
	if o.Func != nil && o.Func.Arn != "" {
		out = append(out, labs.Resource{ARN: o.Func.Arn, Type: "AWS::Lambda::Function", Region: t.Region, FoundBy: "prefix"},
			labs.Resource{ARN: "arn:aws:logs:" + t.Region + ":" + t.Account + ":log-group:" + logGroupName(t), Type: "AWS::Logs::LogGroup", Region: t.Region, Parent: o.Func.Arn, FoundBy: "prefix"})
	}
	if o.Table != nil {
		out = append(out, labs.Resource{ARN: tableARN(t), Type: "AWS::DynamoDB::Table", Region: t.Region, FoundBy: "prefix"})
	}
	if o.Pool != nil {
		by := "prefix"
		if o.Pool.Tags["labdash:student"] == t.StudentID {
			by = "tag"
		}
		out = append(out, labs.Resource{ARN: "arn:aws:cognito-identity:" + t.Region + ":" + t.Account + ":identitypool/" + o.Pool.ID, Type: "AWS::Cognito::IdentityPool", Region: t.Region, FoundBy: by})
	}
	if o.Guest != nil && !o.Guest.Missing && strings.Contains(o.Guest.Arn, rolePath(t)) {
		out = append(out, labs.Resource{ARN: o.Guest.Arn, Type: "AWS::IAM::Role", Region: t.Region, FoundBy: "prefix"})
	}
	return out
}
