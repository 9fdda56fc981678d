// Package ownpolicy generates the IAM policy of the principal labdash itself runs
// as, from the AWS operations its code calls, one document per part of labdash:
//
//   - monitor: the read-only live views, checkpoints and students' console links
//     (what every deployment needs);
//   - provision: the class policies, student roles and prerequisite stacks, with
//     everything CloudFormation creates for those stacks on labdash's permissions;
//   - cleanup: finding and deleting a class's resources.
//
// Which operations each part calls is read from the Go source (Scan) by
// go generate, into operations_gen.go, so the labdash binary can print the
// documents (labdash iam-policy) and docs/labdash-iam-policy-*.json are written
// from the same table; the tests fail when either is behind the code.
//
// The virtual students (labs/virtual, each lab's script.go) and the rehearsal
// actions an instructor runs on them (each lab's actions.go) exist only on the
// simulator: nothing they call is in these documents.
package ownpolicy

//go:generate go run ./internal/genpolicy

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/authz"
	"github.com/labdash/labdash/labs/sandbox"
)

// Part names.
const (
	Monitor   = "monitor"
	Provision = "provision"
	Cleanup   = "cleanup"
)

// Part is one part of labdash and where the calls it needs are.
type Part struct {
	Name    string
	Purpose string // what the document is for, one line
	File    string // where its document is kept, from the repository root
	Sources []Source
	// Stacks says what the part does with the prerequisite stacks through
	// CloudFormation: "create" (and roll back and delete), "delete", or "".
	Stacks string
	// Why explains the sources' choices, for the reader of Parts.
	Why string
}

// Parts are labdash's parts, in the order their documents are printed.
func Parts() []Part {
	return []Part{
		{Name: Monitor, File: "docs/labdash-iam-policy-monitor.json",
			Purpose: "read-only: the live monitor, every lab's checkpoints and widgets, and the students' console links; every deployment needs it",
			Sources: []Source{
				{Dir: "labs/monitor"},
				{Dir: "labs/catalog"},
				{Dir: "labs/catalog/*", Skip: []string{"script.go", "actions.go", "stack.go"}},
				{Dir: "labs", Files: []string{"prereq.go"}, ReadOnly: true},
				{Dir: "labs/sandbox", Files: []string{"console.go"}},
			},
			Why: "each lab's script.go (the virtual students) and actions.go (rehearsal actions) run only on the simulator, and its stack.go (StackParams) in provisioning; " +
				"labs/prereq.go's reads serve the monitor too (stack outputs); the console links (labs/sandbox/console.go) are served by every deployment"},
		{Name: Provision, File: "docs/labdash-iam-policy-provision.json",
			Purpose: "preflight, the class policies, the student roles and the prerequisite stacks with what CloudFormation creates in them, and deprovisioning",
			Sources: []Source{{Dir: "labs/sandbox"}, {Dir: "labs", Files: []string{"prereq.go"}}, {Dir: "labs/catalog/*", Files: []string{"stack.go"}}},
			Stacks:  "create"},
		{Name: Cleanup, File: "docs/labdash-iam-policy-cleanup.json",
			Purpose: "finding every resource of a class and deleting exactly the confirmed plan, prerequisite stacks included",
			Sources: []Source{{Dir: "labs/cleanup"}, {Dir: "labs/cleanup/resources"}},
			Stacks:  "delete"},
	}
}

// Excluded are the directories and files under labs/, cmd/ and handlers/ whose
// AWS calls are in no part, and why; TestOwnPolicyEveryCallIsInAPart fails on a call
// anywhere else that no part's sources hold.
var Excluded = map[string]string{
	"labs/virtual":                "the virtual students run only on the simulator",
	"labs/catalog/*/script.go":    "a lab's virtual-student script runs only on the simulator",
	"labs/catalog/*/actions.go":   "rehearsal actions on virtual students run only on the simulator",
	"labs/cloud":                  "the clients themselves (the simulator, the interceptors)",
	"labs/cloud/sim":              "the simulator",
	"labs/cloud/aws":              "the AWS provider: its own calls (sts:GetCallerIdentity, and sts:AssumeRole of LabDashboardRole through stscreds) are providerNeeds",
	"labs/cloud/aws/awstest":      "test fixtures seeding moto",
	"labs/cloud/internal/*":       "generators",
	"labs/cloud/authz/internal/*": "generators",
}

// providerNeeds are the calls the AWS provider (labs/cloud/aws) makes for every
// part, outside the Clients the scanner reads: who labdash is, and in
// account-per-student classes the role it assumes in each student's account.
var providerNeeds = []need{
	{action: "sts:GetCallerIdentity", why: "labs/cloud/aws: who labdash is (every command)"},
	{action: "sts:AssumeRole", scope: scopeDashboardRole, why: "labs/cloud/aws: LabDashboardRole in each student's account (account-per-student classes)"},
}

// implied are the actions an operation needs besides its own, for the way
// labdash calls it: "Service.Op" for every part, "part/Service.Op" for one.
var implied = map[string][]string{
	// Cleanup lists every stack (DescribeStacks without a StackName), which the
	// reference says needs cloudformation:ListStacks; the others name the stack.
	Cleanup + "/CloudFormation.DescribeStacks": {"cloudformation:ListStacks"},
	"CloudFormation.CreateStack":               {"cloudformation:TagResource"},                    // the stacks carry the labdash: tags
	"IAM.CreateRole":                           {"iam:TagRole", "iam:PutRolePermissionsBoundary"}, // with tags and the class boundary
	"IAM.CreatePolicy":                         {"iam:TagPolicy"},                                 // with tags
	// Service Quotas reads an applied quota from its service with the caller's
	// permissions: the labs' preflight reads Elastic Load Balancing's.
	"Quotas.GetServiceQuota": {"elasticloadbalancing:DescribeAccountLimits"},
}

// Resource scopes. labdash acts across every class, so most statements name
// Resource "*": its safety is the cleanup guard and the ownership rule, not IAM.
// What IAM can fence without getting in the way is fenced: the roles labdash
// assumes and passes, its IAM writes, the SSM parameters templates resolve.
const (
	scopeAny            = ""
	scopeDashboardRole  = "dashboard-role"
	scopeSandboxRoles   = "sandbox-roles"
	scopePassRoles      = "pass-roles"
	scopeLabdashIAM     = "labdash-iam"
	scopePublicSSM      = "public-ssm"
	scopeEventQueues    = "event-queues"
	viaCloudFormation   = "cloudformation.amazonaws.com"
	sandboxRolePattern  = "arn:aws:iam::*:role/labdash/*"
	dashboardRoleFormat = "arn:aws:iam::*:role/%s"
)

// resources are the ARNs of each scope.
func resources(scope string) any {
	switch scope {
	case scopeDashboardRole:
		return fmt.Sprintf(dashboardRoleFormat, "LabDashboardRole")
	case scopeSandboxRoles:
		return sandboxRolePattern
	case scopePassRoles:
		// The roles the stacks make (under /labdash/) and the account's
		// ecsTaskExecutionRole, the two roles the labs give AWS services.
		return []string{sandboxRolePattern, "arn:aws:iam::*:role/ecsTaskExecutionRole"}
	case scopeLabdashIAM:
		// Student roles and the stacks' roles and instance profiles live under
		// /labdash/<class>/<student>/; the class policies are <class>-student-….
		return []string{sandboxRolePattern, "arn:aws:iam::*:instance-profile/labdash/*", "arn:aws:iam::*:policy/" + sandbox.LabPolicyName("c*", "*")}
	case scopePublicSSM:
		return "arn:aws:ssm:*:*:parameter" + publicParameterPath + "*"
	case scopeEventQueues:
		return EventQueueResource
	}
	return "*"
}

// EventQueueResource is the event mode's queues, labdash-<class>-events: the
// only thing the monitor changes (it deletes the events it has read), so a
// monitor-only deployment can drain them and nothing else.
const EventQueueResource = "arn:aws:sqs:*:*:labdash-*-events"

// EventDrain are the operations of the monitor's event mode (labs/monitor/events.go).
var EventDrain = map[string]bool{"SQS.ReceiveMessage": true, "SQS.DeleteMessageBatch": true}

// need is one action a part needs, and why.
type need struct {
	action   string
	scope    string
	viaStack bool // only CloudFormation calls it, for a prerequisite stack
	why      string
}

// bucket is one statement of a document: its place, Sid by part, scope and condition.
type bucket struct {
	key      string
	write    bool
	scope    string
	viaStack bool
	sid      map[string]string // by part
}

var buckets = []bucket{
	{key: "assume-dashboard", scope: scopeDashboardRole,
		sid: map[string]string{Monitor: "AssumeLabDashboardRoleInStudentAccounts", Provision: "AssumeLabDashboardRoleInStudentAccounts", Cleanup: "AssumeLabDashboardRoleInStudentAccounts"}},
	{key: "assume-sandbox", scope: scopeSandboxRoles,
		sid: map[string]string{Monitor: "AssumeStudentRolesForConsoleLinks", Provision: "AssumeStudentRolesForConsoleLinks", Cleanup: "AssumeStudentRoles"}},
	{key: "read", scope: scopeAny,
		sid: map[string]string{Monitor: "ReadLabState", Provision: "ReadForPreflightAndStacks", Cleanup: "FindClassResources"}},
	{key: "public-ssm", scope: scopePublicSSM,
		sid: map[string]string{Monitor: "ResolvePublicParameters", Provision: "ResolvePublicAmiParametersInTemplates", Cleanup: "ResolvePublicParameters"}},
	{key: "event-queues", write: true, scope: scopeEventQueues,
		sid: map[string]string{Monitor: "DrainEventModeQueues", Provision: "EventModeQueues", Cleanup: "EventModeQueues"}},
	{key: "write", write: true, scope: scopeAny,
		sid: map[string]string{Monitor: "Write", Provision: "CreateAndDeletePrerequisiteStacks", Cleanup: "DeleteClassResources"}},
	{key: "stack-write", write: true, scope: scopeAny, viaStack: true,
		sid: map[string]string{Monitor: "WriteThroughCloudFormation", Provision: "CreateStackResourcesThroughCloudFormation", Cleanup: "DeleteStackResourcesThroughCloudFormation"}},
	{key: "iam", write: true, scope: scopeLabdashIAM,
		sid: map[string]string{Monitor: "LabdashIAM", Provision: "ClassPoliciesStudentRolesAndStackRoles", Cleanup: "DeleteClassRolesProfilesAndPolicies"}},
	{key: "pass", write: true, scope: scopePassRoles,
		sid: map[string]string{Monitor: "PassLabdashRoles", Provision: "PassStackRolesToServices", Cleanup: "PassLabdashRoles"}},
}

// bucketOf is the statement an action goes in.
func bucketOf(n need) string {
	_, name, _ := strings.Cut(n.action, ":")
	switch {
	case n.scope == scopeDashboardRole:
		return "assume-dashboard"
	case n.action == "sts:AssumeRole":
		return "assume-sandbox" // the code assumes only student roles (console links)
	case n.action == "iam:PassRole":
		return "pass"
	case n.scope == scopePublicSSM:
		return "public-ssm"
	case n.scope == scopeEventQueues:
		return "event-queues"
	case !cloud.IsMutating(name):
		return "read"
	case strings.HasPrefix(n.action, "iam:"):
		return "iam"
	case n.viaStack:
		return "stack-write"
	}
	return "write"
}

// Policy is one part's generated document.
type Policy struct {
	Part     string
	Purpose  string
	File     string
	Document authz.Policy
	// Why lists, by action, what needs it: "ECS.DescribeServices", a template
	// item ("fargate: LogGroup (AWS::Logs::LogGroup)") or the provider.
	Why map[string][]string
}

// JSON renders the document as docs/ keeps it: indented, with a final newline.
func (p Policy) JSON() (string, error) {
	b, err := json.MarshalIndent(p.Document, "", "  ")
	if err != nil {
		return "", fmt.Errorf("ownpolicy: render %s: %w", p.Part, err)
	}
	return string(b) + "\n", nil
}

// Size is the document's size as IAM counts it against its limit.
func (p Policy) Size() int {
	s, _ := p.JSON()
	return sandbox.PolicySize(s)
}

// Build writes each part's document from the operations its sources call
// (by part: "ECS.DescribeServices", …) and the labs' prerequisite templates.
func Build(found map[string][]string, ls []labs.Lab) ([]Policy, error) {
	stacks, err := Stacks(ls)
	if err != nil {
		return nil, err
	}
	if len(stacks.Unknown) > 0 {
		return nil, fmt.Errorf("ownpolicy: the stack tables (labs/ownpolicy/stacks.go) have no entry for %s", strings.Join(stacks.Unknown, "; "))
	}
	ops := operations()
	var out []Policy
	for _, part := range Parts() {
		needs := append([]need{}, providerNeeds...)
		for _, key := range found[part.Name] {
			service, op, _ := strings.Cut(key, ".")
			if _, ok := ops[service][op]; !ok {
				return nil, fmt.Errorf("ownpolicy: %s calls %s, which cloud.Operations does not have: run go generate ./labs/ownpolicy", part.Name, key)
			}
			action, ok := authz.ActionOf(service, op)
			if !ok {
				return nil, fmt.Errorf("ownpolicy: no IAM action for %s (authz.ActionOf)", key)
			}
			n := need{action: action, why: key}
			if part.Name == Monitor && EventDrain[key] {
				n.scope = scopeEventQueues
			}
			needs = append(needs, n)
			for _, a := range append(implied[key], implied[part.Name+"/"+key]...) {
				needs = append(needs, need{action: a, why: key + " (implied)"})
			}
		}
		var fromStacks []map[string][]string
		switch part.Stacks {
		case "create":
			fromStacks = []map[string][]string{stacks.Create, stacks.Delete}
		case "delete":
			fromStacks = []map[string][]string{stacks.Delete}
		}
		for _, m := range fromStacks {
			for _, a := range sortedKeys(m) {
				n := need{action: a, viaStack: true, why: strings.Join(m[a], "; ")}
				if strings.HasPrefix(a, "ssm:") {
					n.scope = scopePublicSSM
				}
				needs = append(needs, n)
			}
		}
		out = append(out, build(part, needs))
	}
	return out, nil
}

// build groups a part's needs into statements.
func build(part Part, needs []need) Policy {
	p := Policy{Part: part.Name, Purpose: part.Purpose, File: part.File, Why: map[string][]string{},
		Document: authz.Policy{Version: "2012-10-17", Statement: []authz.Statement{}}}
	in := map[string]map[string]bool{} // bucket → actions
	for _, n := range needs {
		b := bucketOf(n)
		if in[b] == nil {
			in[b] = map[string]bool{}
		}
		in[b][n.action] = true
		p.Why[n.action] = appendNew(p.Why[n.action], n.why)
	}
	for a := range in["stack-write"] { // what labdash calls itself needs no condition
		if in["write"][a] {
			delete(in["stack-write"], a)
		}
	}
	for _, b := range buckets {
		if len(in[b.key]) == 0 {
			continue
		}
		st := authz.Statement{Sid: b.sid[part.Name], Effect: "Allow", Action: sortedKeys(in[b.key]), Resource: resources(b.scope)}
		if b.viaStack {
			st.Condition = map[string]any{"ForAnyValue:StringEquals": map[string]any{"aws:CalledVia": []string{viaCloudFormation}}}
		}
		p.Document.Statement = append(p.Document.Statement, st)
	}
	return p
}

func appendNew(ss []string, s string) []string {
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}

// Found returns, by part, the operations the sources called when go generate
// last ran (operations_gen.go).
func Found() map[string][]string {
	out := make(map[string][]string, len(found))
	for k, v := range found {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// Policies are the documents of the code as built: Build of Found and the catalog.
func Policies() ([]Policy, error) { return Build(Found(), catalog.New().All()) }

// PartNames lists the parts' names in order.
func PartNames() []string {
	var out []string
	for _, p := range Parts() {
		out = append(out, p.Name)
	}
	return out
}
