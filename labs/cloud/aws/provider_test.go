package awsprovider_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	"github.com/labdash/labdash/labs/cloud"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// noEndpointEnv leaves the test with fake credentials and no endpoint anywhere:
// no AWS_ENDPOINT_URL (nor per-service ones) and empty shared config files.
func noEndpointEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_ENDPOINT_URL") || k == "AWS_PROFILE" {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_REGION", "us-east-1")
}

// TestRequireEndpoint proves test mode cannot reach AWS: without an endpoint, or
// with one on amazonaws.com, New refuses before any client exists.
func TestRequireEndpoint(t *testing.T) {
	tests := []struct {
		name     string
		env      string // AWS_ENDPOINT_URL
		endpoint string // Options.Endpoint
		ok       bool
	}{
		{name: "nothing set", ok: false},
		{name: "real AWS endpoint", endpoint: "https://ecs.us-east-1.amazonaws.com", ok: false},
		{name: "real AWS in the environment", env: "https://sts.amazonaws.com", ok: false},
		{name: "Options.Endpoint", endpoint: "http://127.0.0.1:1", ok: true},
		{name: "AWS_ENDPOINT_URL honoured", env: "http://127.0.0.1:1", ok: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			noEndpointEnv(t)
			if tc.env != "" {
				t.Setenv("AWS_ENDPOINT_URL", tc.env)
			}
			p, err := awsprovider.New(context.Background(), awsprovider.Options{RequireEndpoint: true, Endpoint: tc.endpoint})
			if tc.ok {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("New built %v in test mode with no safe endpoint", p)
			}
			if tc.env == "" && tc.endpoint == "" && !errors.Is(err, awsprovider.ErrNoEndpoint) {
				t.Errorf("error %v, want ErrNoEndpoint", err)
			}
			t.Logf("refused: %v", err)
		})
	}
}

// TestRequireEndpointPerService: a per-service variable pointing at AWS makes
// Clients refuse in test mode, unless Options.Endpoint (which wins) is set.
func TestRequireEndpointPerService(t *testing.T) {
	ctx := context.Background()
	moto := awstest.Moto(t) // AWS_ENDPOINT_URL is moto now
	t.Setenv("AWS_ENDPOINT_URL_ECS", "https://ecs.us-east-1.amazonaws.com")

	p, err := awsprovider.New(ctx, awsprovider.Options{RequireEndpoint: true, ClientOptions: awstest.MotoClientOptions()})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := p.Clients(ctx, "", ""); err == nil || !strings.Contains(err.Error(), "ecs client") {
		t.Fatalf("Clients with AWS_ENDPOINT_URL_ECS on AWS: %v, %v; want a refusal naming the ecs client", c, err)
	} else {
		t.Logf("refused: %v", err)
	}

	p, err = awsprovider.New(ctx, awsprovider.Options{RequireEndpoint: true, Endpoint: moto, ClientOptions: awstest.MotoClientOptions()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.Clients(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{}); err != nil {
		t.Fatalf("ECS with Options.Endpoint set did not reach moto: %v", err)
	}
}

// TestCallerAndClients: the caller's account from STS, clients cached per
// (account, region), "" meaning the caller's own account.
func TestCallerAndClients(t *testing.T) {
	ctx := context.Background()
	counter := cloud.NewCallCounter(nil, "aws")
	p := awstest.NewProvider(t, awsprovider.Options{Counter: counter})
	if p.Name() != "aws" {
		t.Errorf("Name %q", p.Name())
	}
	acct, err := p.CallerAccount(ctx)
	if err != nil || acct != awstest.Account {
		t.Fatalf("CallerAccount = %q, %v; want %s", acct, err, awstest.Account)
	}
	c1, err := p.Clients(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	c2, err := p.Clients(ctx, awstest.Account, awstest.Region)
	if err != nil {
		t.Fatal(err)
	}
	if c1 != c2 || c1.Account != awstest.Account || c1.Region != awstest.Region || c1.Now == nil {
		t.Errorf("Clients(\"\", \"\") = %+v, Clients(own, us-east-1) = %+v: want one cached set for the caller's account", c1, c2)
	}
	west, err := p.Clients(ctx, "", "eu-west-1")
	if err != nil || west == c1 || west.Region != "eu-west-1" {
		t.Errorf("Clients in eu-west-1: %+v, %v", west, err)
	}
	if n := counter.Count("sts", "GetCallerIdentity"); n != 1 {
		t.Errorf("GetCallerIdentity called %d times, want 1 (cached)", n)
	}
	if s := p.String(); strings.Contains(s, "testing") {
		t.Errorf("String() leaks a credential: %s", s)
	}
}

// TestAssumeRole: another account is reached through AssumeRole of
// LabDashboardRole with the class's ExternalId; moto answers as that account.
func TestAssumeRole(t *testing.T) {
	ctx := context.Background()
	const student = "111122223333"
	var asked []string
	var mu sync.Mutex
	p := awstest.NewProvider(t, awsprovider.Options{ExternalID: func(account string) string {
		mu.Lock()
		asked = append(asked, account)
		mu.Unlock()
		return "c7k2q"
	}})
	c, err := p.Clients(ctx, student, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != student || !strings.Contains(aws.ToString(id.Arn), "assumed-role/"+awsprovider.DefaultAssumeRoleName+"/labdash") {
		t.Errorf("assumed identity %s %s; want account %s, role %s", aws.ToString(id.Account), aws.ToString(id.Arn), student, awsprovider.DefaultAssumeRoleName)
	}
	if len(asked) != 1 || asked[0] != student {
		t.Errorf("ExternalID asked for %v, want [%s]", asked, student)
	}
	// The student's account is separate: its clusters are not the caller's.
	if _, err := c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("student-only")}); err != nil {
		t.Fatal(err)
	}
	own, err := p.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	out, err := own.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"student-only"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Clusters) != 0 {
		t.Errorf("the caller's account sees the student's cluster: %+v", out.Clusters)
	}
}

// TestCallCounter: every request is counted under the simulator's service names.
func TestCallCounter(t *testing.T) {
	awstest.Reset(t)
	ctx := context.Background()
	counter := cloud.NewCallCounter(nil, "aws")
	p := awstest.NewProvider(t, awsprovider.Options{Counter: counter})
	c, err := p.Clients(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Tagging.GetResources(ctx, &tagging.GetResourcesInput{}); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{
		"elbv2:DescribeLoadBalancers": 3,
		"ecs:DescribeClusters":        1,
		"cloudwatch:DescribeAlarms":   1,
		"tagging:GetResources":        1,
		"sts:GetCallerIdentity":       1,
	}
	got := counter.Snapshot()
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s counted %d, want %d (all: %v)", k, got[k], n, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("counted %v, want exactly %v", got, want)
	}
}

// TestRateLimiter: the tagging bucket (5/s, burst 10) paces a burst of concurrent
// calls without deadlock, and a cancelled context stops the waiting ones at once.
func TestRateLimiter(t *testing.T) {
	awstest.Reset(t)
	ctx := context.Background()
	counter := cloud.NewCallCounter(nil, "aws")
	p := awstest.NewProvider(t, awsprovider.Options{Counter: counter})
	c, err := p.Clients(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	burst := func(ctx context.Context, n int) (ok int, errs []error) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				_, err := c.Tagging.GetResources(ctx, &tagging.GetResourcesInput{})
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				} else {
					ok++
				}
			})
		}
		wg.Wait()
		return ok, errs
	}

	t.Run("paces without deadlock", func(t *testing.T) {
		// 15 calls: 10 from the burst, 5 more at 5/s, so about 1 s.
		start := time.Now()
		done := make(chan struct{})
		var ok int
		var errs []error
		go func() { ok, errs = burst(ctx, 15); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("15 throttled calls did not finish in 30 s: deadlock?")
		}
		elapsed := time.Since(start)
		if ok != 15 || len(errs) > 0 {
			t.Fatalf("%d succeeded, errors %v", ok, errs)
		}
		if elapsed < 700*time.Millisecond {
			t.Errorf("15 calls took %v: the 5/s bucket did not pace them", elapsed)
		}
		t.Logf("15 tagging calls in %v", elapsed)
	})

	t.Run("cancellation", func(t *testing.T) {
		// The bucket is empty now: 20 more calls would take 4 s; cancel after 300 ms.
		before := counter.Count("tagging", "GetResources")
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(300*time.Millisecond, cancel)
		start := time.Now()
		ok, errs := burst(cctx, 20)
		elapsed := time.Since(start)
		if elapsed > 2*time.Second {
			t.Errorf("cancelled calls returned after %v: they did not stop waiting", elapsed)
		}
		if ok > 5 || len(errs) < 15 {
			t.Errorf("%d succeeded and %d failed within %v; want most cancelled", ok, len(errs), elapsed)
		}
		for _, err := range errs {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error %v, want context.Canceled", err)
				break
			}
		}
		if got := counter.Count("tagging", "GetResources") - before; got != int64(ok) {
			t.Errorf("counted %d requests, want %d: a cancelled wait must not count", got, ok)
		}
		t.Logf("%d succeeded, %d cancelled in %v", ok, len(errs), elapsed)
	})
}

// TestGlobalAcceleratorIsPinnedToUSWest2: whatever region the clients are for, the
// Global Accelerator client signs for us-west-2, the only region serving its API.
func TestGlobalAcceleratorIsPinnedToUSWest2(t *testing.T) {
	p := awstest.NewProvider(t, awsprovider.Options{})
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		c, err := p.Clients(t.Context(), "", region)
		if err != nil {
			t.Fatal(err)
		}
		ga, ok := c.GlobalAccelerator.(*globalaccelerator.Client)
		if !ok {
			t.Fatalf("GlobalAccelerator is %T", c.GlobalAccelerator)
		}
		if got := ga.Options().Region; got != "us-west-2" {
			t.Errorf("clients for %s: Global Accelerator region %s, want us-west-2", region, got)
		}
	}
}
