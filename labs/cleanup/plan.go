package cleanup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	tagtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
)

// Item is one resource in a plan, with why labdash believes the class owns it.
type Item struct {
	resources.Ref
	Proof     string  `json:"proof"`            // how ownership was proven
	Reason    string  `json:"reason,omitempty"` // why it is skipped
	HourlyUSD float64 `json:"hourly_usd"`
	Rank      int     `json:"rank"`               // deletion order: lower first
	Children  int     `json:"children,omitempty"` // resources deleted with it (a stack's)
}

// Plan is what cleaning up a class (or one student of it) would delete, and what it
// would leave and why.
type Plan struct {
	ClassID   string   `json:"class"`
	Student   string   `json:"student,omitempty"` // "" for the whole class
	Account   string   `json:"account"`
	Regions   []string `json:"regions"`
	Items     []Item   `json:"items"`   // in deletion order: hourly-billed first within a rank
	Skipped   []Item   `json:"skipped"` // ownership not proven or type not handled: never deleted
	HourlyUSD float64  `json:"hourly_usd"`
	Hash      string   `json:"hash"` // what a confirmation is bound to
}

// Planner builds plans. It reads only: a plan is a dry run.
type Planner struct {
	Store    *db.Store
	Provider cloud.Provider
	// Intercept, when set, wraps every client the planner uses (tests inject faults).
	Intercept cloud.Interceptor
}

// GlobalAcceleratorRegion is where Global Accelerator's API, and its tags, live.
const GlobalAcceleratorRegion = "us-west-2"

// Plan lists what class classID owns in every account and region it uses.
func (p *Planner) Plan(ctx context.Context, classID string) (*Plan, error) {
	return p.PlanFor(ctx, classID, "")
}

// PlanFor lists what class classID owns — or, when student is not "", what that
// student owns — with each candidate's proof of ownership: the ledger, a tag sweep
// per account and region (Resource Groups Tagging API), and each type's lister for
// what cannot carry tags (children of owned parents, hand-made resources named with
// the class prefix). A candidate whose ownership cannot be proven is listed as
// skipped with the reason, never planned.
func (p *Planner) PlanFor(ctx context.Context, classID, student string) (*Plan, error) {
	class, err := p.Store.Class(ctx, classID)
	if err != nil {
		return nil, err
	}
	students, err := p.Store.Students(ctx, classID)
	if err != nil {
		return nil, err
	}
	scope := resources.Scope{ClassID: classID, Owned: map[string]resources.Ref{}, Accounts: map[string]string{}}
	accounts := []string{""} // "" is the provider's own account: a shared class's
	onRoster := false
	for _, st := range students {
		scope.Students = append(scope.Students, st.Slug)
		onRoster = onRoster || st.Slug == student
		if class.Isolation != db.IsolationShared && st.AccountID != "" && (student == "" || st.Slug == student) {
			accounts = append(accounts, st.AccountID)
			scope.Accounts[st.AccountID] = st.Slug
		}
	}
	if student != "" && !onRoster {
		return nil, fmt.Errorf("cleanup: %s is not a student of class %s", student, classID)
	}
	ledger, err := p.Store.Ledger(ctx, classID, "")
	if err != nil {
		return nil, err
	}
	base, err := p.Provider.Clients(ctx, "", class.Regions[0])
	if err != nil {
		return nil, err
	}
	plan := &Plan{ClassID: classID, Student: student, Account: base.Account, Regions: class.Regions, Items: []Item{}, Skipped: []Item{}}

	// Where to look: every account × the class's regions, plus Global Accelerator's.
	type place struct{ account, region string }
	var places []place
	regions := append([]string(nil), class.Regions...)
	if !contains(regions, GlobalAcceleratorRegion) {
		regions = append(regions, GlobalAcceleratorRegion)
	}
	clients := map[place]*cloud.Clients{}
	for _, a := range uniq(accounts) {
		for _, r := range regions {
			c, err := p.Provider.Clients(ctx, a, r)
			if err != nil {
				return nil, err
			}
			if p.Intercept != nil {
				c = cloud.Intercept(c, p.Intercept)
			}
			pl := place{c.Account, r}
			if clients[pl] == nil {
				clients[pl] = c
				places = append(places, pl)
			}
		}
	}
	clientsFor := func(account, region string) *cloud.Clients {
		if account == "" || class.Isolation == db.IsolationShared {
			account = base.Account
		}
		if region == "" {
			region = class.Regions[0]
		}
		return clients[place{account, region}]
	}

	// The tag sweep: what carries labdash:class=<class>, with all its tags.
	tagged := map[string]map[string]string{}
	sweepErr := map[place]error{}
	for _, pl := range places {
		if err := sweep(ctx, clients[pl], classID, tagged); err != nil {
			sweepErr[pl] = err
		}
	}

	// Re-check what the sweep found, just before it enters the plan: the tagging API
	// lags behind deletions and tag changes, so each resource's own service is asked
	// whether it still exists and still carries the class tag.
	fresh := p.recheck(ctx, tagged, ledger, clientsFor)

	seen := map[string]bool{}
	stackKids := map[string]int{}
	// Resources a stack made are deleted with their stack, not one by one.
	for arn, tags := range tagged {
		if stackID := tags["aws:cloudformation:stack-id"]; stackID != "" && !resources.MatchPrefix("cloudformation", "stack/")(arn) {
			stackKids[stackID]++
			seen[arn] = true
		}
	}
	add := func(it Item) {
		if student != "" && it.Student != student {
			return // another student's, or the class's own (its boundary policy): not in this scope
		}
		if it.Reason != "" {
			plan.Skipped = append(plan.Skipped, it)
			return
		}
		t, _ := resources.Lookup(it.Type)
		it.Rank, it.HourlyUSD = t.Rank(), t.Hourly
		it.Children = stackKids[it.ARN]
		plan.Items = append(plan.Items, it)
		scope.Owned[it.ARN] = it.Ref
	}
	// consider decides one candidate from the ledger or the sweep.
	consider := func(ref resources.Ref, foundBy string) {
		if seen[ref.ARN] {
			return
		}
		seen[ref.ARN] = true
		it := Item{Ref: ref}
		t, known := resources.Lookup(ref.Type)
		if !known {
			if t2, ok := resources.ForARN(ref.ARN); ok {
				t, known, it.Type = t2, true, t2.Name
			}
		}
		if t.Home != "" {
			it.Region = t.Home
		}
		tags := tagged[ref.ARN]
		switch {
		case !known:
			it.Reason = "labdash does not handle this type, so it will not delete it"
		case t.AccountPerStudentOnly && class.Isolation == db.IsolationShared:
			it.Reason = "an account-wide setting: labdash changes it only in a student's own account"
		case tags != nil && fresh[ref.ARN] == nil:
			it.Proof = "tag labdash:class=" + classID
		case tags != nil:
			switch r := fresh[ref.ARN]; {
			case errors.Is(r.err, resources.ErrGone):
				return // deleted since the tagging API indexed it
			case r.err != nil:
				it.Reason = "its tags could not be read: " + r.err.Error()
			case r.tags["labdash:class"] == classID:
				it.Proof = "tag labdash:class=" + classID
			default:
				it.Reason = fmt.Sprintf("the tagging API lists it for the class, but it is now tagged %q", r.tags["labdash:class"])
			}
		case t.Global && ownedByIAMName(ref.ARN, classID):
			it.Proof = "IAM name under the class: " + iamName(ref.ARN)
		case foundBy == "prefix" && ref.Student != "" && contains(scope.Students, ref.Student) && strings.Contains(ref.ARN, classID+ref.Student+"-"):
			it.Proof = "name prefix " + classID + ref.Student + "-"
		case ref.Parent != "" && scope.Owned[ref.Parent].ARN != "":
			it.Proof = "its parent " + ref.Parent + " is the class's"
		case t.Tags != nil:
			// Not vouched for by the sweep: re-read its own tags now.
			c := clientsFor(ref.Account, it.Region)
			if c == nil {
				it.Reason = "no clients for its account and region"
				break
			}
			own, err := t.Tags(ctx, c, ref)
			switch {
			case errors.Is(err, resources.ErrGone):
				return // already gone: nothing to plan
			case err != nil:
				it.Reason = "its tags could not be read: " + err.Error()
			case own["labdash:class"] == classID:
				it.Proof = "tag labdash:class=" + classID + " (read from the resource)"
			case own["labdash:class"] != "":
				it.Reason = "tagged for another class, " + own["labdash:class"]
			default:
				it.Reason = "no class tag, no owned parent and no class name: ownership not proven"
			}
		default:
			it.Reason = "no class tag, no owned parent and no class name: ownership not proven"
			if err := sweepErr[place{resources.Account(ref.ARN), it.Region}]; err != nil {
				it.Reason = fmt.Sprintf("the class tag could not be read in %s: %v", it.Region, err)
			}
		}
		add(it)
	}
	// First what the sweep vouches for (ledger entries carry the better metadata),
	// then the rest of the ledger, parents before children: a child's proof may be
	// its parent's.
	for _, e := range ledger {
		if tagged[e.ARN] != nil {
			consider(resources.Ref{ARN: e.ARN, Type: e.Type, Region: e.Region, Account: e.Account, Student: e.Student, Parent: e.Parent}, e.FoundBy)
		}
	}
	for _, arn := range sortedKeys(tagged) {
		tags := tagged[arn]
		consider(resources.Ref{ARN: arn, Region: resources.Region(arn), Account: resources.Account(arn), Student: tags["labdash:student"]}, "tag")
	}
	depth := ledgerDepths(ledger)
	sort.SliceStable(ledger, func(i, j int) bool { return depth[ledger[i].ARN] < depth[ledger[j].ARN] })
	for _, e := range ledger {
		consider(resources.Ref{ARN: e.ARN, Type: e.Type, Region: e.Region, Account: e.Account, Student: e.Student, Parent: e.Parent}, e.FoundBy)
	}
	// Listers: what the sweep cannot see, proven by each type's own rule.
	for _, t := range resources.All() {
		if t.List == nil || (t.AccountPerStudentOnly && class.Isolation == db.IsolationShared) {
			continue
		}
		for _, pl := range places {
			if (t.Home != "" && pl.region != t.Home) || (t.Home == "" && pl.region == GlobalAcceleratorRegion && !contains(class.Regions, pl.region)) ||
				(t.Global && pl.region != class.Regions[0]) {
				continue
			}
			found, err := t.List(ctx, clients[pl], scope)
			if err != nil {
				plan.Skipped = append(plan.Skipped, Item{Ref: resources.Ref{ARN: fmt.Sprintf("%s in %s/%s", t.Name, pl.account, pl.region), Type: t.Name, Region: pl.region, Account: pl.account},
					Reason: "could not list them: " + err.Error()})
				continue
			}
			for _, f := range found {
				if seen[f.ARN] {
					continue
				}
				seen[f.ARN] = true
				if f.Type == "" {
					f.Type = t.Name
				}
				if t.Global {
					f.Region = ""
				}
				it := Item{Ref: f.Ref, Proof: f.Proof, Reason: f.Reason}
				if it.Proof == "" && it.Reason == "" {
					it.Reason = "found by its lister without a proof of ownership"
				}
				add(it)
			}
		}
	}
	p.foldStackChildren(ctx, plan, clientsFor)
	sort.SliceStable(plan.Items, func(i, j int) bool {
		a, b := plan.Items[i], plan.Items[j]
		if a.Rank != b.Rank {
			return a.Rank < b.Rank
		}
		if a.HourlyUSD != b.HourlyUSD {
			return a.HourlyUSD > b.HourlyUSD
		}
		return a.ARN < b.ARN
	})
	sort.Slice(plan.Skipped, func(i, j int) bool { return plan.Skipped[i].ARN < plan.Skipped[j].ARN })
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%s|%s\n", classID, student, plan.Account, strings.Join(plan.Regions, ","))
	for _, it := range plan.Items {
		plan.HourlyUSD += it.HourlyUSD
		fmt.Fprintln(h, it.ARN)
	}
	plan.Hash = hex.EncodeToString(h.Sum(nil))[:16]
	return plan, nil
}

func sweep(ctx context.Context, c *cloud.Clients, classID string, into map[string]map[string]string) error {
	var token *string
	for {
		out, err := c.Tagging.GetResources(ctx, &tagging.GetResourcesInput{
			TagFilters:       []tagtypes.TagFilter{{Key: aws.String("labdash:class"), Values: []string{classID}}},
			ResourcesPerPage: aws.Int32(100), PaginationToken: token,
		})
		if err != nil {
			return err
		}
		for _, m := range out.ResourceTagMappingList {
			tags := map[string]string{}
			for _, t := range m.Tags {
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			if tags["labdash:class"] == classID { // an endpoint that ignores the filter must not widen the plan
				into[aws.ToString(m.ResourceARN)] = tags
			}
		}
		if token = out.PaginationToken; token == nil || *token == "" {
			return nil
		}
	}
}

// ownedByIAMName reports whether an IAM ARN is under the class's path or names:
// roles under /labdash/<class>/, policies named <class>-student-* or <class>-boundary.
func ownedByIAMName(arn, classID string) bool {
	return strings.Contains(arn, ":role/labdash/"+classID+"/") || strings.Contains(arn, ":policy/"+classID+"-student-") ||
		strings.Contains(arn, ":policy/labdash/"+classID+"/")
}

func iamName(arn string) string {
	_, rest, _ := strings.Cut(arn, ":role")
	if rest == "" {
		_, rest, _ = strings.Cut(arn, ":policy")
	}
	return rest
}

// foldStackChildren takes out of the plan what an owned stack made (found by a
// lister or the ledger under its own name): CloudFormation deletes those with the
// stack, and deleting one first would make the stack's deletion fail.
func (p *Planner) foldStackChildren(ctx context.Context, plan *Plan, clientsFor func(account, region string) *cloud.Clients) {
	physical := map[string]string{} // physical id → the stack that made it
	var mu sync.Mutex
	var stacks []Item
	for _, it := range plan.Items {
		if it.Type == "AWS::CloudFormation::Stack" {
			stacks = append(stacks, it)
		}
	}
	parallel(len(stacks), func(i int) {
		st := stacks[i]
		c := clientsFor(st.Account, st.Region)
		if c == nil {
			return
		}
		out, err := c.CloudFormation.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(st.ARN)})
		if err != nil {
			return // then each resource is deleted on its own, which is still correct
		}
		mu.Lock()
		defer mu.Unlock()
		for _, r := range out.StackResources {
			if id := aws.ToString(r.PhysicalResourceId); id != "" {
				physical[id] = st.ARN
			}
		}
	})
	if len(physical) == 0 {
		return
	}
	kept := plan.Items[:0]
	kids := map[string]int{}
	for _, it := range plan.Items {
		stack := ""
		if it.Type != "AWS::CloudFormation::Stack" {
			for _, id := range []string{it.ARN, resources.Last(it.ARN, "/"), resources.Last(it.ARN, ":")} {
				if s := physical[id]; s != "" {
					stack = s
				}
			}
		}
		if stack != "" {
			kids[stack]++
			continue
		}
		kept = append(kept, it)
	}
	for i := range kept {
		kept[i].Children += kids[kept[i].ARN]
	}
	plan.Items = kept
}

// parallel runs fn(0..n-1), 8 at a time.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	slots := make(chan struct{}, 8)
	for i := 0; i < n; i++ {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			fn(i)
		}()
	}
	wg.Wait()
}

// tagRead is one resource's re-read tags, or why they could not be read.
type tagRead struct {
	tags map[string]string
	err  error
}

// recheck re-reads, 8 at a time, the tags of every swept resource whose type can
// read them (nil for the others: the sweep is their only view).
func (p *Planner) recheck(ctx context.Context, tagged map[string]map[string]string, ledger []db.LedgerEntry,
	clientsFor func(account, region string) *cloud.Clients) map[string]*tagRead {
	typeOf := map[string]string{}
	for _, e := range ledger {
		typeOf[e.ARN] = e.Type
	}
	out := map[string]*tagRead{}
	var mu sync.Mutex
	type group struct {
		t    resources.Type
		c    *cloud.Clients
		refs []resources.Ref
	}
	groups := map[[3]string]*group{}
	for arn := range tagged {
		t, ok := resources.Lookup(typeOf[arn])
		if !ok {
			t, ok = resources.ForARN(arn)
		}
		if !ok || t.Tags == nil {
			continue
		}
		region := resources.Region(arn)
		if t.Home != "" {
			region = t.Home
		}
		c := clientsFor(resources.Account(arn), region)
		if c == nil {
			continue
		}
		k := [3]string{t.Name, c.Account, region}
		if groups[k] == nil {
			groups[k] = &group{t: t, c: c}
		}
		groups[k].refs = append(groups[k].refs, resources.Ref{ARN: arn, Type: t.Name, Region: region, Account: resources.Account(arn)})
	}
	// One job per batch-readable group, one per resource otherwise; 8 at a time.
	var jobs []func()
	for _, g := range groups {
		g := g
		if g.t.BatchTags != nil {
			jobs = append(jobs, func() {
				got, err := g.t.BatchTags(ctx, g.c, g.refs)
				if errors.Is(err, resources.ErrNoBatch) {
					for _, r := range g.refs {
						tags, err := g.t.Tags(ctx, g.c, r)
						mu.Lock()
						out[r.ARN] = &tagRead{tags, err}
						mu.Unlock()
					}
					return
				}
				mu.Lock()
				defer mu.Unlock()
				for _, r := range g.refs {
					switch tags, ok := got[r.ARN]; {
					case err != nil:
						out[r.ARN] = &tagRead{err: err}
					case ok:
						out[r.ARN] = &tagRead{tags: tags}
					default:
						out[r.ARN] = &tagRead{err: resources.ErrGone}
					}
				}
			})
			continue
		}
		for _, r := range g.refs {
			jobs = append(jobs, func() {
				tags, err := g.t.Tags(ctx, g.c, r)
				mu.Lock()
				out[r.ARN] = &tagRead{tags, err}
				mu.Unlock()
			})
		}
	}
	parallel(len(jobs), func(i int) { jobs[i]() })
	return out
}

// ledgerDepths is each entry's distance from a root along Parent links within the
// ledger (a cycle is cut at 10).
func ledgerDepths(ledger []db.LedgerEntry) map[string]int {
	parent := map[string]string{}
	for _, e := range ledger {
		parent[e.ARN] = e.Parent
	}
	out := map[string]int{}
	for _, e := range ledger {
		d := 0
		for p := e.Parent; p != "" && d < 10; p = parent[p] {
			if _, ok := parent[p]; !ok {
				break
			}
			d++
		}
		out[e.ARN] = d
	}
	return out
}

func sortedKeys(m map[string]map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func uniq(list []string) []string {
	var out []string
	for _, x := range list {
		if !contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
