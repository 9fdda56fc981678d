package ownpolicy

import (
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/authz"
	"github.com/labdash/labdash/labs/sandbox"
)

const root = "../.."

const regenerate = "run `go generate ./labs/ownpolicy` (it rewrites labs/ownpolicy/operations_gen.go and docs/labdash-iam-policy-*.json) and commit the result"

func scan(t *testing.T) map[string][]Call {
	t.Helper()
	calls, err := Scan(root)
	if err != nil {
		t.Fatal(err)
	}
	return calls
}

func policies(t *testing.T) []Policy {
	t.Helper()
	ps, err := Policies()
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestOwnPolicyOperationsInStep: operations_gen.go is what the scanner reads in
// the code now.
func TestOwnPolicyOperationsInStep(t *testing.T) {
	calls := scan(t)
	have := Found()
	for _, part := range PartNames() {
		now := Operations(calls[part])
		for _, op := range now {
			if !slices.Contains(have[part], op) {
				where := ""
				for _, c := range calls[part] {
					if c.Key() == op {
						where = c.Pos
						break
					}
				}
				t.Errorf("%s: the code calls %s (%s) but operations_gen.go does not list it: %s", part, op, where, regenerate)
			}
		}
		for _, op := range have[part] {
			if !slices.Contains(now, op) {
				t.Errorf("%s: operations_gen.go lists %s, which the code no longer calls: %s", part, op, regenerate)
			}
		}
	}
}

// TestOwnPolicyDocsInStep: docs/labdash-iam-policy-*.json are what the generator
// writes now, and there is no other labdash-iam-policy document.
func TestOwnPolicyDocsInStep(t *testing.T) {
	files := map[string]bool{}
	for _, p := range policies(t) {
		files[p.File] = true
		want, err := p.JSON()
		if err != nil {
			t.Fatal(err)
		}
		have, err := os.ReadFile(filepath.Join(root, p.File))
		if err != nil {
			t.Errorf("%s: %v: %s", p.File, err, regenerate)
			continue
		}
		if string(have) != want {
			t.Errorf("%s differs from what labdash iam-policy --part %s generates: %s", p.File, p.Part, regenerate)
		}
	}
	others, _ := filepath.Glob(filepath.Join(root, "docs", "labdash-iam-policy*.json"))
	for _, o := range others {
		rel, _ := filepath.Rel(root, o)
		if !files[filepath.ToSlash(rel)] {
			t.Errorf("%s is no part's document: delete it or add its part (labs/ownpolicy.Parts)", rel)
		}
	}
}

// TestOwnPolicyMonitorIsReadOnly: the monitor calls nothing that changes AWS, and
// its document allows nothing that does — except the event mode's drain
// (labs/monitor/events.go reads and deletes the events in labdash's own queues),
// whose statement names only those queues.
func TestOwnPolicyMonitorIsReadOnly(t *testing.T) {
	for _, c := range scan(t)[Monitor] {
		if EventDrain[c.Key()] && strings.HasPrefix(filepath.ToSlash(c.Pos), "labs/monitor/events.go:") {
			continue
		}
		if cloud.IsMutating(c.Op) {
			t.Errorf("the monitor calls %s at %s, which changes AWS (cloud.IsMutating): a read-only deployment could not run it", c.Key(), c.Pos)
		}
	}
	for _, p := range policies(t) {
		if p.Part != Monitor {
			continue
		}
		for _, st := range p.Document.Statement {
			for _, a := range authz.Strings(st.Action) {
				_, name, _ := strings.Cut(a, ":")
				if !cloud.IsMutating(name) {
					continue
				}
				if (a == "sqs:ReceiveMessage" || a == "sqs:DeleteMessage") && st.Resource == EventQueueResource {
					continue
				}
				t.Errorf("the monitor's document allows %s on %v, which changes AWS", a, st.Resource)
			}
		}
	}
}

// TestOwnPolicyOperationsAreInTheActionTable: every operation found has its IAM
// action, and the action table has its facts.
func TestOwnPolicyOperationsAreInTheActionTable(t *testing.T) {
	n := 0
	for part, calls := range scan(t) {
		for _, c := range calls {
			a, ok := authz.ActionOf(c.Service, c.Op)
			if !ok {
				t.Errorf("%s: %s (%s) has no IAM action (authz.ActionOf)", part, c.Key(), c.Pos)
				continue
			}
			if _, ok := authz.Lookup(a); !ok {
				t.Errorf("%s: %s (%s) is %s, which the action table does not have (go generate ./labs/cloud/authz)", part, c.Key(), c.Pos, a)
			}
			n++
		}
	}
	if n < 100 {
		t.Fatalf("found %d calls; the scanner is not reading the code", n)
	}
}

// TestOwnPolicyActionsAreInTheActionTable: every action a document names is in
// the table, so its facts (access level, dependent actions) are AWS's.
func TestOwnPolicyActionsAreInTheActionTable(t *testing.T) {
	for _, p := range policies(t) {
		for _, a := range p.Document.Actions() {
			if _, ok := authz.Lookup(a); !ok {
				t.Errorf("%s names %s, which the action table does not have: run go generate ./labs/cloud/authz with the venv's parliament", p.File, a)
			}
		}
	}
}

// TestOwnPolicyTemplateTypesAreInTheTable: each lab's prerequisite template
// uses only resource types, AWS-specific parameter types and dynamic references
// the stack tables map to actions.
func TestOwnPolicyTemplateTypesAreInTheTable(t *testing.T) {
	n, err := Stacks(catalog.New().All())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range n.Unknown {
		t.Errorf("%s: add it to labs/ownpolicy/stacks.go with what CloudFormation calls to create and delete it", u)
	}
	if len(n.Create) == 0 || len(n.Delete) == 0 {
		t.Fatal("no template needs anything: the templates were not read")
	}
	// A type the table lacks is named.
	odd := labs.Lab{ID: "odd", Template: []byte("Parameters:\n  Key:\n    Type: AWS::EC2::KeyPair::KeyName\nResources:\n  Pipe:\n    Type: AWS::CodePipeline::Pipeline\n  Img:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: '{{resolve:secretsmanager:x}}'\n")}
	n, err = Stacks([]labs.Lab{odd})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(n.Unknown, "\n")
	for _, want := range []string{"resource Pipe of type AWS::CodePipeline::Pipeline", "parameter Key of type AWS::EC2::KeyPair::KeyName", "{{resolve:secretsmanager:x"} {
		if !strings.Contains(got, want) {
			t.Errorf("Unknown = %q, lacks %q", got, want)
		}
	}
	if _, err := Build(Found(), []labs.Lab{odd}); err == nil || !strings.Contains(err.Error(), "AWS::CodePipeline::Pipeline") {
		t.Errorf("Build with an unknown type: %v, want an error naming it", err)
	}
}

// TestOwnPolicyStackTableActionsExist: every action of the stack tables is one AWS has.
func TestOwnPolicyStackTableActionsExist(t *testing.T) {
	for _, a := range TableActions() {
		if !authz.Known(a) {
			t.Errorf("labs/ownpolicy/stacks.go names %s, which the Service Authorization Reference does not have", a)
		}
	}
	for _, a := range NamedActions() {
		if !authz.Known(a) {
			t.Errorf("labs/ownpolicy names %s, which the Service Authorization Reference does not have", a)
		}
	}
}

// TestOwnPolicyDocumentsFitIAM: each document is valid IAM JSON under the
// managed-policy size limit.
func TestOwnPolicyDocumentsFitIAM(t *testing.T) {
	for _, p := range policies(t) {
		doc, err := p.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if err := sandbox.Validate(doc); err != nil {
			t.Errorf("%s: %v", p.Part, err)
		}
		sids := map[string]bool{}
		for _, st := range p.Document.Statement {
			if st.Sid == "" || sids[st.Sid] {
				t.Errorf("%s: statement Sid %q is empty or repeated", p.Part, st.Sid)
			}
			sids[st.Sid] = true
		}
		t.Logf("%s: %d of %d characters, %d actions", p.Part, sandbox.PolicySize(doc), sandbox.MaxManagedPolicyChars, len(p.Document.Actions()))
	}
}

// dependentWaived are the dependent actions of the Service Authorization
// Reference ("action dependent"; "*" for any; "part: action dependent" for one
// part's document) a document may leave out, and why:
// the reference lists what some requests need, not what labdash's requests do.
var dependentWaived = map[string]string{
	"* iam:CreateServiceLinkedRole":                                      "the service-linked roles are created once before the first class (docs/aws-setup.md)",
	"autoscaling:UpdateAutoScalingGroup iam:PassRole":                    "only to change a group's service-linked role; Beanstalk's stack changes a group's size",
	"rds:DeleteDBInstance rds:CreateDBSnapshot":                          "cleanup deletes without a final snapshot (SkipFinalSnapshot)",
	"rds:DeleteDBInstance rds:AddTagsToResource":                         "to tag a final snapshot, which cleanup does not take",
	"rds:DeleteDBInstance rds:DeleteTenantDatabase":                      "multi-tenant instances only; no lab makes one",
	"monitor: cloudformation:DescribeStacks cloudformation:ListStacks":   "the monitor names the stack it describes (StackName): it lists none",
	"provision: cloudformation:DescribeStacks cloudformation:ListStacks": "provisioning names the stack it describes (StackName): it lists none",
	"rds:ModifyDBInstance *":                                             "cleanup only turns deletion protection off; the dependents are for roles, KMS keys, managed secrets and tenant databases",
	"ec2:DescribeLaunchTemplateVersions ssm:GetParameters":               "only with ResolveAlias, which Lab 8's monitor does not set: it reads the ImageId as the template holds it",
}

func waived(part, action, dependent string) bool {
	for _, k := range []string{action + " " + dependent, "* " + dependent, action + " *", part + ": " + action + " " + dependent} {
		if dependentWaived[k] != "" {
			return true
		}
	}
	return false
}

// TestOwnPolicyHasTheDependentActions: when the reference says an action needs
// another for some requests, the document has it too, unless waived. The
// dependents of servicequotas:GetServiceQuota are per service: only those of the
// services whose quotas the labs' preflight reads are needed.
func TestOwnPolicyHasTheDependentActions(t *testing.T) {
	quotaServices := map[string]bool{}
	for _, l := range catalog.New().All() {
		for _, q := range l.Quotas {
			quotaServices[q.Service] = true
		}
	}
	for _, p := range policies(t) {
		has := p.Document.Actions()
		for _, a := range has {
			f, ok := authz.Lookup(a)
			if !ok {
				continue // TestOwnPolicyActionsAreInTheActionTable
			}
			for _, d := range f.Dependent {
				prefix, _, _ := strings.Cut(d, ":")
				switch {
				case slices.Contains(has, d), waived(p.Part, a, d):
				case a == "servicequotas:GetServiceQuota" && !quotaServices[prefix]:
				default:
					t.Errorf("%s: %s needs %s (the reference's dependent action), which the document lacks", p.Part, a, d)
				}
			}
		}
	}
}

// TestOwnPolicyFences: what the documents fence, evaluated as IAM does.
func TestOwnPolicyFences(t *testing.T) {
	byPart := map[string]authz.Principal{}
	for _, p := range policies(t) {
		byPart[p.Part] = authz.Principal{ARN: "arn:aws:iam::111122223333:role/labdash", Identity: []authz.Policy{p.Document}}
	}
	viaCFN := authz.Context{}
	viaCFN.Set("aws:CalledVia", "cloudformation.amazonaws.com")
	for _, c := range []struct {
		part, action, resource string
		ctx                    authz.Context
		allowed                bool
	}{
		{Monitor, "sts:AssumeRole", "arn:aws:iam::444455556666:role/LabDashboardRole", nil, true},
		{Cleanup, "sts:AssumeRole", "arn:aws:iam::444455556666:role/LabDashboardRole", nil, true},
		{Monitor, "sts:AssumeRole", "arn:aws:iam::111122223333:role/labdash/c42/s01/c42s01-student", nil, true},
		{Monitor, "sts:AssumeRole", "arn:aws:iam::444455556666:role/OrganizationAccountAccessRole", nil, false},
		{Provision, "sts:AssumeRole", "arn:aws:iam::111122223333:role/Admin", nil, false},
		{Monitor, "ecs:DescribeServices", "arn:aws:ecs:us-east-1:111122223333:service/c42s01-cluster/c42s01-svc", nil, true},
		{Monitor, "ecs:DeleteService", "arn:aws:ecs:us-east-1:111122223333:service/c42s01-cluster/c42s01-svc", nil, false},
		{Provision, "iam:PassRole", "arn:aws:iam::111122223333:role/labdash/c42/s01/c42s01-xray-eb-role", nil, true},
		{Provision, "iam:PassRole", "arn:aws:iam::111122223333:role/ecsTaskExecutionRole", nil, true},
		{Provision, "iam:PassRole", "arn:aws:iam::111122223333:role/Admin", nil, false},
		{Provision, "iam:CreateRole", "arn:aws:iam::111122223333:role/labdash/c42/s01/c42s01-student", nil, true},
		{Provision, "iam:CreateRole", "arn:aws:iam::111122223333:role/Admin", nil, false},
		{Provision, "iam:AttachRolePolicy", "arn:aws:iam::111122223333:role/Admin", nil, false},
		{Provision, "iam:CreatePolicy", "arn:aws:iam::111122223333:policy/c42-student-boundary", nil, true},
		{Provision, "iam:CreatePolicy", "arn:aws:iam::111122223333:policy/Anything", nil, false},
		{Provision, "cloudformation:CreateStack", "arn:aws:cloudformation:us-east-1:111122223333:stack/c42s01-fargate-pre/x", nil, true},
		{Provision, "ec2:CreateSecurityGroup", "*", viaCFN, true},
		{Provision, "ec2:CreateSecurityGroup", "*", nil, false}, // only CloudFormation creates a stack's resources
		{Provision, "ssm:GetParameters", "arn:aws:ssm:us-east-1::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64", nil, true},
		{Provision, "ssm:GetParameters", "arn:aws:ssm:us-east-1:111122223333:parameter/db-password", nil, false},
		{Cleanup, "ec2:DeleteSecurityGroup", "*", nil, true}, // cleanup deletes directly
		{Cleanup, "ec2:CreateSecurityGroup", "*", viaCFN, false},
		{Cleanup, "iam:DeleteRole", "arn:aws:iam::111122223333:role/labdash/c42/s01/c42s01-student", nil, true},
		{Cleanup, "iam:DeleteRole", "arn:aws:iam::111122223333:role/LabDashboardRole", nil, false},
		{Cleanup, "iam:PassRole", "arn:aws:iam::111122223333:role/labdash/c42/s01/x", nil, false},
		{Monitor, "ec2:StopInstances", "*", nil, false}, // a rehearsal action: simulator only
	} {
		ctx := c.ctx
		if ctx == nil {
			ctx = authz.Context{}
		}
		d := byPart[c.part].Evaluate(authz.Request{Action: c.action, Resource: c.resource, Context: ctx})
		if d.Allowed != c.allowed {
			t.Errorf("%s: %s on %s (context %v): allowed %v, want %v (%s)", c.part, c.action, c.resource, c.ctx, d.Allowed, c.allowed, d.Why)
		}
	}
}

// TestOwnPolicyLeavesOutRehearsalActions: the scanner sees the rehearsal actions'
// calls, and no document allows them: they run only on the simulator.
func TestOwnPolicyLeavesOutRehearsalActions(t *testing.T) {
	fc, err := ScanFile(token.NewFileSet(), filepath.Join(root, "labs/catalog/ga/actions.go"), "labs/catalog/ga/actions.go")
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, c := range fc.Calls {
		ops = append(ops, c.Key())
	}
	for _, want := range []string{"EC2.StopInstances", "EC2.StartInstances"} {
		if !slices.Contains(ops, want) {
			t.Fatalf("the scanner does not see %s in ga/actions.go (it sees %v)", want, ops)
		}
	}
	for _, p := range policies(t) {
		for _, a := range []string{"ec2:StopInstances", "ec2:StartInstances"} {
			if slices.Contains(p.Document.Actions(), a) {
				t.Errorf("%s allows %s, which only the rehearsal actions call", p.Part, a)
			}
		}
	}
}

// excluded reports whether rel is under an Excluded path and why.
func excluded(rel string) (string, bool) {
	for pattern, why := range Excluded {
		for p := rel; p != "."; p = filepath.ToSlash(filepath.Dir(p)) {
			if ok, _ := filepath.Match(pattern, p); ok {
				return why, true
			}
		}
	}
	return "", false
}

// TestOwnPolicyEveryCallIsInAPart: every AWS call in labdash's code is in a part's
// sources or in a place Excluded says why not; and in the parts' sources every
// operation input a file builds goes to a call the scanner sees (else the
// scanner is blind to some way the code calls AWS).
func TestOwnPolicyEveryCallIsInAPart(t *testing.T) {
	inPart := map[string]bool{}
	for _, p := range Parts() {
		for _, s := range p.Sources {
			paths, err := s.Paths(root)
			if err != nil {
				t.Fatal(err)
			}
			for _, rel := range paths {
				inPart[rel] = true
			}
		}
	}
	fset := token.NewFileSet()
	for _, top := range []string{"labs", "cmd", "handlers", "db", "web"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			rel = filepath.ToSlash(rel)
			fc, err := ScanFile(fset, path, rel)
			if err != nil {
				return err
			}
			if len(fc.Calls)+len(fc.Inputs) == 0 {
				return nil
			}
			if _, ok := excluded(rel); ok && !inPart[rel] {
				return nil
			}
			if !inPart[rel] {
				first := append(fc.Calls, fc.Inputs...)[0]
				t.Errorf("%s calls AWS (%s at %s) but is in no part's sources (labs/ownpolicy.Parts) nor Excluded", rel, first.Key(), first.Pos)
				return nil
			}
			called := map[string]bool{}
			for _, c := range fc.Calls {
				called[c.Key()] = true
			}
			for _, in := range fc.Inputs {
				if !called[in.Key()] {
					t.Errorf("%s builds a %s input that goes to no call the scanner sees: teach ScanFile how this file calls AWS", in.Pos, in.Key())
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestOwnPolicyScannerFindsEveryFormOfCall: the forms of call the scanner reads, and what
// it must not take for a call.
func TestOwnPolicyScannerFindsEveryFormOfCall(t *testing.T) {
	src := `package x

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/labdash/labdash/labs/cloud"
)

func direct(ctx context.Context, c *cloud.Clients) {
	c.ECS.DescribeServices(ctx, nil)
	rc, _ := c.InRegion(ctx, "eu-west-1")
	rc.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	ga := c.GlobalAccelerator
	ga.ListAccelerators(ctx, nil)
	var logs = c.Logs
	logs.DescribeLogGroups(ctx, nil)
	c.ECS.NotAnOperation(ctx)
	c.Region.ListTasks(ctx)
}

func typed(ctx context.Context, api cloud.ServiceQuotas, b cloud.S3) {
	api.GetServiceQuota(ctx, nil)
	var r cloud.Route53
	r.ListHostedZones(ctx, nil)
	b.ListBuckets(ctx, &s3.ListBucketsInput{})
}

func blind(ctx context.Context, x interface{ DeleteBucket(context.Context, *s3.DeleteBucketInput) }) {
	x.DeleteBucket(ctx, &s3.DeleteBucketInput{})
}
`
	path := filepath.Join(t.TempDir(), "x.go")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	fc, err := ScanFile(token.NewFileSet(), path, "x.go")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range fc.Calls {
		got = append(got, c.Key())
	}
	want := []string{"ECS.DescribeServices", "EC2.DescribeVpcs", "GlobalAccelerator.ListAccelerators", "Logs.DescribeLogGroups",
		"Quotas.GetServiceQuota", "Route53.ListHostedZones", "S3.ListBuckets"}
	if !slices.Equal(got, want) {
		t.Errorf("calls = %v, want %v", got, want)
	}
	var inputs []string
	for _, in := range fc.Inputs {
		inputs = append(inputs, in.Key())
	}
	if want := []string{"EC2.DescribeVpcs", "S3.ListBuckets", "S3.DeleteBucket"}; !slices.Equal(inputs, want) {
		t.Errorf("inputs = %v, want %v (the last one is what TestOwnPolicyEveryCallIsInAPart catches)", inputs, want)
	}
}
