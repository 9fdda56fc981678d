package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// JobKind is the jobs.kind of provisioning jobs.
const JobKind = "provision"

// Provisioner builds a class's sandboxes as a resumable job: preflight, the class
// policies, a fenced role per student (shared-account mode) and each lab's
// prerequisite stack per student, everything written to the ledger. Every step is
// idempotent, so running it again creates nothing new and a job interrupted at any
// point finishes when run again. One student's failure never stops the others.
type Provisioner struct {
	Log      *slog.Logger
	Store    *db.Store
	Registry *labs.Registry
	Provider cloud.Provider
	// Workers is how many students are provisioned at once (default 8).
	Workers int
	// Sleep waits between polls of a stack; tests replace it to move a manual clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// StackTimeout bounds the wait for one stack (simulated time on the simulator).
	StackTimeout time.Duration
	// OnProgress, when set, is called after every item changes (from worker goroutines).
	OnProgress func(jobID int64)
}

// ErrSharedAccountLab refuses labs a shared account cannot isolate (LABS.md §1.1).
var ErrSharedAccountLab = errors.New("sandbox: lab cannot be isolated in a shared account")

// ErrLabRegions refuses a lab whose regions the class lacks.
var ErrLabRegions = errors.New("sandbox: the class lacks a region the lab needs")

// CheckLabs says why the class's labs cannot be provisioned, if they cannot: a lab
// needs a region the class does not have, or, in a shared account, a lab cannot be
// isolated (LABS.md §1.1) or has no sandbox policy of its own yet, so its students
// could not do its steps with the fenced role.
func (p *Provisioner) CheckLabs(class *db.Class) error {
	for _, id := range class.Labs {
		l, ok := p.Registry.Lab(id)
		if !ok {
			continue
		}
		for _, r := range l.Regions {
			if !slices.Contains(class.Regions, r) {
				return fmt.Errorf("%w: %s needs %s; the class has %s: add %s to the class's regions", ErrLabRegions, l.ID, strings.Join(l.Regions, " and "), strings.Join(class.Regions, ", "), r)
			}
		}
		if class.Isolation != db.IsolationShared {
			continue
		}
		if why := SharedAccountProblem(l); why != "" {
			return fmt.Errorf("%w: %s: %s", ErrSharedAccountLab, l.ID, why)
		}
	}
	return nil
}

// SharedAccountProblem says why lab l cannot run in a shared account, or "" if it
// can: it cannot be isolated there (LABS.md §1.1), or it has no sandbox policy of
// its own yet, so its students could not do its steps with the fenced role. It is
// the one check both CheckLabs and the class form and API make, so a class is
// never accepted with a lab its provisioning would then refuse.
func SharedAccountProblem(l labs.Lab) string {
	switch {
	case l.AccountPerStudentOnly:
		return l.Why
	case l.Grants == nil:
		return "labdash has no sandbox policy for this lab's steps yet, so a fenced role could not do them; give each student their own account"
	}
	return ""
}

// Start returns the class's unfinished provisioning job, or creates one with an
// item per student. Concurrent starts of one class get the same job.
func (p *Provisioner) Start(ctx context.Context, classID string) (*db.Job, error) {
	class, err := p.Store.Class(ctx, classID)
	if err != nil {
		return nil, err
	}
	if err := p.CheckLabs(class); err != nil {
		return nil, err
	}
	students, err := p.Store.Students(ctx, classID)
	if err != nil {
		return nil, err
	}
	// Twice at most: a start that loses the race to create the job (the database
	// allows one unfinished job per class and kind) resumes the winner's instead.
	for attempt := 0; ; attempt++ {
		if j, err := p.Store.OpenJob(ctx, classID, JobKind); err == nil {
			for _, st := range students { // students added since the job began join it
				if err := p.Store.AddJobItem(ctx, j.ID, st.Slug); err != nil {
					return nil, err
				}
			}
			return p.Store.Job(ctx, j.ID)
		} else if !errors.Is(err, db.ErrNotFound) {
			return nil, err
		}
		keys := make([]string, len(students))
		for i, st := range students {
			keys[i] = st.Slug
		}
		if class.Isolation == db.IsolationShared && len(labs.EventRegions(p.Registry, class.Labs, class.Regions)) > 0 {
			keys = append(keys, EventsItem) // the class's event mode (events.go)
		}
		j, err := p.Store.CreateJob(ctx, classID, JobKind, keys)
		if errors.Is(err, db.ErrJobOpen) && attempt == 0 {
			continue
		}
		return j, err
	}
}

// Run executes (or resumes) job id until every item is done or failed.
func (p *Provisioner) Run(ctx context.Context, id int64) error {
	job, err := p.Store.Job(ctx, id)
	if err != nil {
		return err
	}
	class, err := p.Store.Class(ctx, job.ClassID)
	if err != nil {
		return err
	}
	students, err := p.Store.Students(ctx, class.ID)
	if err != nil {
		return err
	}
	if err := p.Store.SetJobState(ctx, id, db.JobRunning, ""); err != nil {
		return err
	}
	region := class.Regions[0]
	base, err := p.Provider.Clients(ctx, "", region)
	if err != nil {
		return p.fail(ctx, id, fmt.Errorf("clients: %w", err))
	}
	account, err := p.preflight(ctx, base, class)
	if err != nil {
		return p.fail(ctx, id, err)
	}
	var policies classPolicies
	if class.Isolation == db.IsolationShared {
		if policies, err = p.ensureClassPolicies(ctx, base, class, account, false); err != nil {
			return p.fail(ctx, id, err)
		}
	}
	byKey := map[string]db.Student{}
	for _, st := range students {
		byKey[st.Slug] = st
	}
	work := make(chan db.JobItem)
	var wg sync.WaitGroup
	workers := p.Workers
	if workers <= 0 {
		workers = 8
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				st, ok := byKey[it.Key]
				if !ok {
					p.setItem(ctx, id, it.Key, db.ItemFailed, "", "no longer on the roster")
					continue
				}
				p.setItem(ctx, id, it.Key, db.ItemRunning, "starting", "")
				if err := p.student(ctx, id, class, st, account, policies); err != nil {
					if ctx.Err() != nil {
						return // interrupted: the item stays running and is redone on resume
					}
					p.setItem(ctx, id, it.Key, db.ItemFailed, "", errText(err))
					continue
				}
				p.setItem(ctx, id, it.Key, db.ItemDone, "ready", "")
			}
		}()
	}
	for _, it := range job.Items {
		if it.State == db.ItemDone {
			continue
		}
		if it.Key == EventsItem { // the shared account's event mode, before the students
			p.setItem(ctx, id, it.Key, db.ItemRunning, "events", "")
			if err := p.ensureEvents(ctx, base, class); err != nil {
				p.setItem(ctx, id, it.Key, db.ItemFailed, "", errText(err))
			} else {
				p.setItem(ctx, id, it.Key, db.ItemDone, "ready", "")
			}
			continue
		}
		select {
		case work <- it:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err // the job stays "running" and resumes at the next start
	}
	final, err := p.Store.Job(context.WithoutCancel(ctx), id)
	if err != nil {
		return err
	}
	if n := final.Counts()[db.ItemFailed]; n > 0 {
		return p.Store.SetJobState(ctx, id, db.JobDone, fmt.Sprintf("%d student(s) failed; run provisioning again to retry them", n))
	}
	return p.Store.SetJobState(ctx, id, db.JobDone, "")
}

func (p *Provisioner) fail(ctx context.Context, id int64, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	_ = p.Store.SetJobState(ctx, id, db.JobFailed, errText(err))
	return err
}

func (p *Provisioner) setItem(ctx context.Context, id int64, key, state, step, detail string) {
	if err := p.Store.SetJobItem(context.WithoutCancel(ctx), id, key, state, step, detail); err != nil {
		p.Log.Warn("provision: record progress", slog.Any("error", err))
	}
	if p.OnProgress != nil {
		p.OnProgress(id)
	}
}

// preflight checks who labdash is and that the class's regions answer.
func (p *Provisioner) preflight(ctx context.Context, c *cloud.Clients, class *db.Class) (string, error) {
	who, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("preflight: who am I (sts:GetCallerIdentity): %w", err)
	}
	account := aws.ToString(who.Account)
	if class.AccountID != "" && class.AccountID != account {
		return "", fmt.Errorf("preflight: labdash is signed in to account %s, but class %s runs in account %s; sign in to %s (AWS_PROFILE) or fix the class", account, class.ID, class.AccountID, class.AccountID)
	}
	students, err := p.Store.Students(ctx, class.ID)
	if err != nil {
		return "", err
	}
	var shortfalls []string
	for _, r := range class.Regions {
		rc, err := p.Provider.Clients(ctx, "", r)
		if err != nil {
			return "", fmt.Errorf("preflight: region %s: %w", r, err)
		}
		if _, err := rc.EC2.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{}); err != nil {
			return "", fmt.Errorf("preflight: region %s is not enabled or not reachable: %w", r, err)
		}
		if class.Isolation == db.IsolationShared && r == class.Regions[0] {
			shortfalls = append(shortfalls, p.quotaShortfalls(ctx, rc, class, len(students))...)
		}
	}
	if len(shortfalls) > 0 {
		return "", fmt.Errorf("preflight: %s", strings.Join(shortfalls, "; "))
	}
	return account, nil
}

// quotaShortfalls compares what the class's labs need in one shared account with
// the applied quotas, and says how short each is and how to fix it. A quota that
// cannot be read is logged, not guessed.
func (p *Provisioner) quotaShortfalls(ctx context.Context, c *cloud.Clients, class *db.Class, students int) []string {
	perStudent := map[labs.QuotaNeed]float64{}
	for _, id := range class.Labs {
		if l, ok := p.Registry.Lab(id); ok {
			for _, q := range l.Quotas {
				k := labs.QuotaNeed{Service: q.Service, Code: q.Code, Name: q.Name, Unit: q.Unit}
				perStudent[k] += q.PerStudent
			}
		}
	}
	var out []string
	for q, per := range perStudent {
		n := per * float64(students)
		got, err := c.Quotas.GetServiceQuota(ctx, &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String(q.Service), QuotaCode: aws.String(q.Code)})
		if err != nil || got.Quota == nil || got.Quota.Value == nil {
			p.Log.Warn("preflight: quota not readable", slog.String("quota", q.Name), slog.String("code", q.Code), slog.Any("error", err))
			continue
		}
		unit := ""
		if q.Unit != "" {
			unit = " " + q.Unit
		}
		if have := *got.Quota.Value; have < n {
			out = append(out, fmt.Sprintf("%s (%s %s) in %s is %g%s but this class needs %g%s (%d students × %g%s); request an increase to at least %g in Service Quotas (%s %s) before provisioning",
				q.Name, q.Service, q.Code, c.Region, have, unit, n, unit, students, per, unit, n, q.Service, q.Code))
		}
	}
	sort.Strings(out)
	return out
}

// classPolicies are the ARNs of a class's boundary and of the identity policies its roles carry.
type classPolicies struct {
	boundary string
	identity []string
}

// Scope is what the class's policies are written for in account: its id, regions and labs.
func (p *Provisioner) Scope(class *db.Class, account string) ClassScope {
	s := ClassScope{ClassID: class.ID, Account: account, Regions: class.Regions}
	for _, id := range class.Labs {
		if l, ok := p.Registry.Lab(id); ok {
			s.Labs = append(s.Labs, l)
		}
	}
	return s
}

// EnsureRole makes sure the class's policies and the student's fenced role exist
// (shared-account mode), recording them in the ledger, and returns the role's ARN:
// what a virtual student acts as. It is idempotent, like every provisioning step.
func (p *Provisioner) EnsureRole(ctx context.Context, class *db.Class, st db.Student) (string, error) {
	if class.Isolation != db.IsolationShared {
		return "", fmt.Errorf("sandbox: class %s gives each student their own account; there is no fenced role", class.ID)
	}
	c, err := p.Provider.Clients(ctx, "", class.Regions[0])
	if err != nil {
		return "", err
	}
	who, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("sandbox: who am I (sts:GetCallerIdentity): %w", err)
	}
	account := aws.ToString(who.Account)
	pol, err := p.ensureClassPolicies(ctx, c, class, account, false)
	if err != nil {
		return "", err
	}
	if err := p.ensureRole(ctx, c, class, st, account, pol); err != nil {
		return "", err
	}
	return RoleARN(account, class.ID, st.Slug), nil
}

// RoleARN is a student's sandbox role ARN.
func RoleARN(account, classID, slug string) string {
	return "arn:aws:iam::" + account + ":role/labdash/" + classID + "/" + slug + "/" + RoleName(classID, slug)
}

// ensureClassPolicies creates the class boundary and identity policy once.
func (p *Provisioner) ensureClassPolicies(ctx context.Context, c *cloud.Clients, class *db.Class, account string, boundaryOnly bool) (classPolicies, error) {
	var out classPolicies
	for _, pol := range StudentPolicies(p.Scope(class, account)) {
		if boundaryOnly && !pol.Boundary {
			continue
		}
		doc, err := pol.Document.JSON()
		if err != nil {
			return out, err
		}
		if err := Validate(doc); err != nil {
			return out, fmt.Errorf("policy %s: %w", pol.Name, err)
		}
		arn := "arn:aws:iam::" + account + ":policy/" + pol.Name
		_, err = c.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(pol.Name), PolicyDocument: aws.String(doc),
			Description: aws.String("labdash class " + class.ID), Tags: iamTags(class.ID, "shared")})
		var exists *iamtypes.EntityAlreadyExistsException
		switch {
		case errors.As(err, &exists):
			// Provisioning again after labdash's policies changed (an upgrade, a lab added
			// to the class) must give the class the new ones, not keep the old.
			if err := updatePolicy(ctx, c, arn, doc); err != nil {
				return out, fmt.Errorf("update policy %s: %w", pol.Name, err)
			}
		case err != nil:
			return out, fmt.Errorf("create policy %s: %w", pol.Name, err)
		}
		if _, err := p.Store.Record(ctx, db.LedgerEntry{ClassID: class.ID, ARN: arn, Type: "AWS::IAM::ManagedPolicy", Account: account, FoundBy: db.FoundProvisioned}); err != nil {
			return out, err
		}
		if pol.Boundary {
			out.boundary = arn
		} else {
			out.identity = append(out.identity, arn)
		}
	}
	return out, nil
}

// updatePolicy makes doc the policy's default version unless it already is: a new
// version set as default, after deleting the oldest other version when IAM's five
// are taken. Documents are compared as JSON values, not as text.
func updatePolicy(ctx context.Context, c *cloud.Clients, arn, doc string) error {
	got, err := c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		return err
	}
	if got.Policy == nil {
		return fmt.Errorf("IAM returned no policy")
	}
	cur, err := c.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: got.Policy.DefaultVersionId})
	if err != nil {
		return err
	}
	if cur.PolicyVersion != nil && sameJSON(aws.ToString(cur.PolicyVersion.Document), doc) {
		return nil
	}
	versions, err := c.IAM.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if err != nil {
		return err
	}
	if len(versions.Versions) >= 5 {
		oldest := ""
		var when time.Time
		for _, v := range versions.Versions {
			if !v.IsDefaultVersion && v.CreateDate != nil && (oldest == "" || v.CreateDate.Before(when)) {
				oldest, when = aws.ToString(v.VersionId), *v.CreateDate
			}
		}
		if oldest != "" {
			if _, err := c.IAM.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(oldest)}); err != nil {
				return err
			}
		}
	}
	_, err = c.IAM.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(doc), SetAsDefault: true})
	return err
}

// sameJSON compares two policy documents as JSON values; IAM returns a stored one
// URL-encoded (RFC 3986), which is undone first.
func sameJSON(stored, doc string) bool {
	if s, err := url.QueryUnescape(stored); err == nil {
		stored = s
	}
	var a, b any
	if json.Unmarshal([]byte(stored), &a) != nil || json.Unmarshal([]byte(doc), &b) != nil {
		return false
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func iamTags(classID, student string) []iamtypes.Tag {
	return []iamtypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(classID)}, {Key: aws.String("labdash:student"), Value: aws.String(student)},
		{Key: aws.String("labdash:managed-by"), Value: aws.String("dashboard")}}
}

// CleanupTypes are the resource types a sandbox is made of (the class policies,
// the student roles, the prerequisite stacks) and those its role lets a student
// make whatever the class's labs: what the identity policy grants (IdentityPolicy:
// ECS, Elastic Load Balancing, Application Auto Scaling, CloudWatch alarms, Logs,
// security groups) and the roles and instance profiles the boundary's IAM path
// fence allows. Every class's cleanup looks for them; TestCleanupTypesCoverTheGrants
// keeps the list in step with the policy.
var CleanupTypes = []string{
	"AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::IAM::InstanceProfile", "AWS::CloudFormation::Stack",
	"AWS::ECS::Cluster", "AWS::ECS::Service", "AWS::ECS::TaskDefinition",
	"AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::TargetGroup",
	"AWS::ApplicationAutoScaling::ScalableTarget", "AWS::ApplicationAutoScaling::ScalingPolicy",
	"AWS::CloudWatch::Alarm", "AWS::Logs::LogGroup", "AWS::EC2::SecurityGroup",
}

// RoleName is a student's sandbox role (LABS.md §1.1).
func RoleName(classID, slug string) string { return classID + slug + "-student" }

// student provisions one student's role and prerequisite stacks.
func (p *Provisioner) student(ctx context.Context, jobID int64, class *db.Class, st db.Student, account string, pol classPolicies) error {
	acct := st.AccountID
	if class.Isolation == db.IsolationShared {
		acct = ""
	}
	for _, r := range class.Regions[:1] {
		c, err := p.Provider.Clients(ctx, acct, r)
		if err != nil {
			return err
		}
		if class.Isolation == db.IsolationPerStudent {
			p.setItem(ctx, jobID, st.Slug, db.ItemRunning, "verify account", "")
			if err := verifyAccount(ctx, c, st.AccountID, class.ID); err != nil {
				return err
			}
			// The labs' stacks give the roles they make the class boundary (a student
			// removes and restores their instance role's policies under it), so it exists
			// in every student account too.
			if _, err := p.ensureClassPolicies(ctx, c, class, st.AccountID, true); err != nil {
				return err
			}
		}
		if class.Isolation == db.IsolationPerStudent && len(labs.EventRegions(p.Registry, class.Labs, class.Regions)) > 0 {
			p.setItem(ctx, jobID, st.Slug, db.ItemRunning, "events", "")
			if err := p.ensureEvents(ctx, c, class); err != nil { // the student's own queue and rules (events.go)
				return err
			}
		}
		if class.Isolation == db.IsolationShared {
			p.setItem(ctx, jobID, st.Slug, db.ItemRunning, "role", "")
			if err := p.ensureRole(ctx, c, class, st, account, pol); err != nil {
				return err
			}
		}
		for _, labID := range class.Labs {
			lab, ok := p.Registry.Lab(labID)
			if !ok || len(lab.Template) == 0 {
				continue
			}
			for _, region := range lab.StackRegions(r) {
				rc := c
				if region != c.Region {
					if rc, err = c.InRegion(ctx, region); err != nil {
						return err
					}
				}
				p.setItem(ctx, jobID, st.Slug, db.ItemRunning, "stack "+labID+" "+region, "")
				if err := p.ensureStack(ctx, rc, class, st, lab); err != nil {
					return fmt.Errorf("%s stack in %s: %w", labID, region, err)
				}
			}
		}
	}
	return nil
}

// verifyAccount proves labdash reaches the student's own account through the role it
// assumes there (account-per-student mode).
func verifyAccount(ctx context.Context, c *cloud.Clients, want, classID string) error {
	if want == "" {
		return fmt.Errorf("the roster gives no AWS account for this student; this class gives each student their own account")
	}
	who, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("cannot reach account %s: create the role LabDashboardRole there, trusting labdash with ExternalId %s: %w", want, classID, err)
	}
	if got := aws.ToString(who.Account); got != want {
		return fmt.Errorf("assumed a role for account %s but AWS answered as account %s", want, got)
	}
	return nil
}

func (p *Provisioner) ensureRole(ctx context.Context, c *cloud.Clients, class *db.Class, st db.Student, account string, pol classPolicies) error {
	name := RoleName(class.ID, st.Slug)
	path := "/labdash/" + class.ID + "/" + st.Slug + "/"
	// No sts:TagSession: session tags would override the role's labdash:student tag,
	// which every fence reads as aws:PrincipalTag.
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}]}`, account)
	out, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(trust),
		PermissionsBoundary: aws.String(pol.boundary), Tags: iamTags(class.ID, st.Slug), Description: aws.String("labdash sandbox of " + st.Slug + " in class " + class.ID)})
	var exists *iamtypes.EntityAlreadyExistsException
	arn := "arn:aws:iam::" + account + ":role" + path + name
	switch {
	case err == nil:
		arn = aws.ToString(out.Role.Arn)
	case errors.As(err, &exists):
	default:
		return fmt.Errorf("create role %s: %w", name, err)
	}
	for _, arn := range pol.identity {
		if _, err := c.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(arn)}); err != nil {
			return fmt.Errorf("attach the identity policy %s to %s: %w", arn, name, err)
		}
	}
	_, err = p.Store.Record(ctx, db.LedgerEntry{ClassID: class.ID, Student: st.Slug, ARN: arn, Type: "AWS::IAM::Role", Account: account, Parent: pol.boundary, FoundBy: db.FoundProvisioned})
	return err
}

// StackName is a student's prerequisite stack for a lab (LABS.md §0).
func StackName(classID, slug, labID string) string { return classID + slug + "-" + labID + "-pre" }

func (p *Provisioner) ensureStack(ctx context.Context, c *cloud.Clients, class *db.Class, st db.Student, lab labs.Lab) error {
	name := lab.StackName(class.ID+st.Slug+"-", c.Region)
	stack, err := labs.DescribeStack(ctx, c, name)
	if err != nil {
		return err
	}
	if stack == nil || stack.StackStatus == cfntypes.StackStatusRollbackComplete || stack.StackStatus == cfntypes.StackStatusDeleteComplete {
		if stack != nil && stack.StackStatus == cfntypes.StackStatusRollbackComplete {
			// A rolled-back stack must be deleted before its name can be used again.
			if _, err := c.CloudFormation.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: stack.StackId}); err != nil {
				return fmt.Errorf("delete rolled-back stack %s: %w", name, err)
			}
			if err := p.waitStack(ctx, c, name, func(s *cfntypes.Stack) bool { return s == nil || s.StackStatus == cfntypes.StackStatusDeleteComplete }); err != nil {
				return err
			}
		}
		t := labs.NewTarget(class.ID, st.Slug, c.Account, c.Region)
		t.OwnAccount = class.Isolation != db.IsolationShared
		if _, err := labs.CreatePrereqStack(ctx, c, lab, t); err != nil {
			return err
		}
	}
	if err := p.waitStack(ctx, c, name, func(s *cfntypes.Stack) bool {
		return s != nil && !strings.HasSuffix(string(s.StackStatus), "_IN_PROGRESS")
	}); err != nil {
		return err
	}
	stack, err = labs.DescribeStack(ctx, c, name)
	if err != nil {
		return err
	}
	if stack == nil || stack.StackStatus != cfntypes.StackStatusCreateComplete {
		status, reason := "missing", ""
		if stack != nil {
			status, reason = string(stack.StackStatus), aws.ToString(stack.StackStatusReason)
		}
		return fmt.Errorf("stack %s ended %s: %s", name, status, reason)
	}
	outputs := map[string]string{}
	for _, o := range stack.Outputs {
		outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	detail, _ := json.Marshal(outputs)
	_, err = p.Store.Record(ctx, db.LedgerEntry{ClassID: class.ID, Student: st.Slug, ARN: aws.ToString(stack.StackId), Type: "AWS::CloudFormation::Stack",
		Region: c.Region, Account: c.Account, FoundBy: db.FoundProvisioned, Detail: string(detail)})
	return err
}

func (p *Provisioner) waitStack(ctx context.Context, c *cloud.Clients, name string, done func(*cfntypes.Stack) bool) error {
	timeout := p.StackTimeout
	if timeout <= 0 {
		timeout = 30 * time.Minute
	}
	sleep := p.Sleep
	if sleep == nil {
		sleep = func(ctx context.Context, d time.Duration) error {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(d):
				return nil
			}
		}
	}
	start := c.Clock()
	for {
		s, err := labs.DescribeStack(ctx, c, name)
		if err != nil {
			return err
		}
		if done(s) {
			return nil
		}
		if c.Clock().Sub(start) > timeout {
			return fmt.Errorf("stack %s still %s after %s", name, s.StackStatus, timeout)
		}
		if err := sleep(ctx, 5*time.Second); err != nil {
			return err
		}
	}
}

// errText is an error as the job and its items keep it: whole up to 1,000 bytes
// (a preflight names every quota short, each with its need and fix), then cut at
// a character boundary.
func errText(err error) string {
	s := err.Error()
	if len(s) > 1000 {
		i := 1000
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i] + "…"
	}
	return s
}
