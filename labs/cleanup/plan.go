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
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/sandbox"
)

// Item is one resource in a plan, with why labdash believes the class owns it.
type Item struct {
	resources.Ref
	Proof     string  `json:"proof"`            // how ownership was proven
	Reason    string  `json:"reason,omitempty"` // why it is skipped
	HourlyUSD float64 `json:"hourly_usd"`
	Rank      int     `json:"rank"`               // deletion order: lower first
	Children  int     `json:"children,omitempty"` // resources deleted with it (a stack's)
	// Takes are the ARNs of the resources deleted with it that labdash knows of:
	// the ledger records them gone with it.
	Takes []string `json:"takes,omitempty"`
}

// Gap is something the plan could not check: a tag sweep, a lister, or one
// resource's tags or region that could not be read. A plan with a gap cannot
// vouch that nothing of the class is there, so a cleanup whose verification has
// one ends not verified.
type Gap struct {
	Type    string `json:"type"` // a resource type, or "tag sweep"
	Account string `json:"account"`
	Region  string `json:"region"`
	ARN     string `json:"arn,omitempty"` // one resource's, when it is about one
	Why     string `json:"why"`
}

func (g Gap) String() string {
	where := g.Account + "/" + g.Region
	if g.Region == "" {
		where = g.Account + " (global)"
	}
	if g.ARN != "" {
		return fmt.Sprintf("%s %s: %s", g.Type, g.ARN, g.Why)
	}
	return fmt.Sprintf("%s in %s: %s", g.Type, where, g.Why)
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
	Unchecked []Gap    `json:"unchecked"`
	HourlyUSD float64  `json:"hourly_usd"`
	Hash      string   `json:"hash"` // what a confirmation is bound to
}

// ARNs are the plan's resources, in deletion order: what a recorded plan keeps.
func (p *Plan) ARNs() []string {
	out := make([]string, len(p.Items))
	for i, it := range p.Items {
		out[i] = it.ARN
	}
	return out
}

// Complete reports whether every sweep, lister and tag read of the plan
// succeeded: only then can "nothing of the class is left" be said of it.
func (p *Plan) Complete() bool { return len(p.Unchecked) == 0 }

// Planner builds plans. It reads only: a plan is a dry run.
type Planner struct {
	Store    *db.Store
	Provider cloud.Provider
	// Registry holds the labs: a class's plan lists only the resource types its
	// labs (and the sandbox) declare, in only its regions.
	Registry *labs.Registry
	// Intercept, when set, wraps every client the planner uses (tests inject faults).
	Intercept cloud.Interceptor
}

// GlobalAcceleratorRegion is where Global Accelerator's API, and its tags, live.
const GlobalAcceleratorRegion = "us-west-2"

// Plan lists what class classID owns in every account and region it uses.
func (p *Planner) Plan(ctx context.Context, classID string) (*Plan, error) {
	return p.PlanFor(ctx, classID, "")
}

// ClassTypes returns the resource types class's labs and its sandboxes can
// create: the only ones its plan lists.
func ClassTypes(registry *labs.Registry, class *db.Class) map[string]bool {
	out := map[string]bool{}
	for _, n := range sandbox.CleanupTypes {
		out[n] = true
	}
	for _, id := range class.Labs {
		if l, ok := registry.Lab(id); ok {
			for _, n := range l.Cleanup {
				out[n] = true
			}
		}
	}
	return out
}

// place is one account and region the planner reads.
type place struct{ account, region string }

// candidate is one resource on its way to a verdict: what every source (sweep,
// ledger, listers) said of it, merged.
type candidate struct {
	resources.Candidate
	t       resources.Type
	known   bool
	swept   bool // the tag sweep listed it for the class
	decided bool
	takenBy string // the owned resource whose deletion takes it along, if any
	verdict Verdict
}

// PlanFor lists what class classID owns — or, when student is not "", what that
// student owns — with each candidate's proof of ownership: the ledger, a tag sweep
// per account and region (Resource Groups Tagging API), and the listers of the
// types the class's labs declare, for what the sweep cannot see. Every candidate,
// whatever found it, goes through Owner.Decide; one whose ownership cannot be
// proven is listed as skipped with the reason, never planned. What could not be
// read is listed in Unchecked.
func (p *Planner) PlanFor(ctx context.Context, classID, student string) (*Plan, error) {
	class, err := p.Store.Class(ctx, classID)
	if err != nil {
		return nil, err
	}
	students, err := p.Store.Students(ctx, classID)
	if err != nil {
		return nil, err
	}
	ledger, err := p.Store.Ledger(ctx, classID, "")
	if err != nil {
		return nil, err
	}
	base, err := p.Provider.Clients(ctx, "", class.Regions[0])
	if err != nil {
		return nil, err
	}
	registry := p.Registry
	if registry == nil {
		registry = labs.NewRegistry()
	}
	declared := ClassTypes(registry, class)
	own := &Owner{ClassID: classID, Roster: map[string]bool{}, Accounts: map[string]string{base.Account: ""},
		Regions: map[string]bool{}, Homes: map[string]bool{}, Owned: map[string]resources.Ref{}}
	scope := resources.Scope{ClassID: classID, Owned: own.Owned, Accounts: map[string]string{}}
	accounts := []string{""} // "" is the provider's own account: a shared class's
	onRoster := false
	for _, st := range students {
		own.Roster[st.Slug] = true
		scope.Students = append(scope.Students, st.Slug)
		onRoster = onRoster || st.Slug == student
		if class.Isolation != db.IsolationShared && st.AccountID != "" {
			own.Accounts[st.AccountID] = st.Slug
			scope.Accounts[st.AccountID] = st.Slug
			if student == "" || st.Slug == student {
				accounts = append(accounts, st.AccountID)
			}
		}
	}
	if student != "" && !onRoster {
		return nil, fmt.Errorf("cleanup: %s is not a student of class %s", student, classID)
	}
	for _, r := range class.Regions {
		own.Regions[r] = true
	}
	regions := append([]string(nil), class.Regions...)
	for n := range declared {
		if t, ok := resources.Lookup(n); ok && t.Home != "" && !own.Homes[t.Home] {
			own.Homes[t.Home] = true
			if !own.Regions[t.Home] {
				regions = append(regions, t.Home)
			}
		}
	}
	plan := &Plan{ClassID: classID, Student: student, Account: base.Account, Regions: class.Regions, Items: []Item{}, Skipped: []Item{}, Unchecked: []Gap{}}

	// Clients for every account × region read: the class's regions, plus the home
	// regions of the types it uses (us-west-2 when a lab uses Global Accelerator).
	var places []place
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
		if account == "" {
			account = base.Account
		}
		if region == "" {
			region = class.Regions[0]
		}
		return clients[place{account, region}]
	}
	w := &planning{p: p, ctx: ctx, plan: plan, places: places, first: class.Regions[0], clients: clients, clientsFor: clientsFor,
		cands: map[string]*candidate{}, taken: takenSet{}}
	gap, put := w.gap, w.put

	// 1. The tag sweep: what the tagging API lists with labdash:class=<class>. Its
	// tags are only a lead: each resource's own tags are read again below.
	parallel(len(places), func(i int) {
		pl := places[i]
		found, err := sweep(ctx, clients[pl], classID)
		if err != nil {
			gap(Gap{Type: "tag sweep", Account: pl.account, Region: pl.region, Why: "the tagging API could not be read: " + errText(err)})
			return
		}
		for _, arn := range found {
			x := put(resources.Candidate{ARN: arn, Account: orDefault(resources.Account(arn), pl.account), Region: pl.region})
			w.locked(func() { x.swept = true }) // a global resource is swept in every region at once
		}
	})
	// 2. The ledger: its rows prove origin, not ownership; they are read again like
	// anything else. A recorded parent ties only a child its type lists under.
	for _, e := range ledger {
		c := resources.Candidate{ARN: e.ARN, Type: e.Type, Account: orDefault(e.Account, base.Account), Region: e.Region}
		x := put(c)
		if e.Parent != "" && x.known {
			if pt, ok := resources.ForARN(e.Parent); ok && contains(x.t.Under, pt.Name) {
				x.Parents = append(x.Parents, resources.Link{ARN: e.Parent, Tie: "recorded as part of"})
			}
		}
	}

	// 3. Type by type, parents first — the types of one level at once, each under
	// its own service's rate limit: run the type's lister where the class uses it,
	// read what is not read yet, decide. A level decides against what the levels
	// before it proved owned (a snapshot), so types of one level do not race.
	for _, level := range listingLevels() {
		snap := make(map[string]resources.Ref, len(own.Owned))
		for k, v := range own.Owned {
			snap[k] = v
		}
		lscope, lown := scope, *own
		lscope.Owned, lown.Owned = snap, snap
		var omu sync.Mutex
		proved := map[string]resources.Ref{}
		var wg sync.WaitGroup
		for _, t := range level {
			wg.Add(1)
			go func() {
				defer wg.Done()
				list := declared[t.Name] && !(t.AccountPerStudentOnly && class.Isolation == db.IsolationShared)
				w.planType(t, list, lscope, &lown, func(x *candidate) {
					omu.Lock()
					proved[x.ARN] = x.ref()
					omu.Unlock()
				})
			}()
		}
		wg.Wait()
		for k, v := range proved {
			own.Owned[k] = v
		}
	}
	cands, order := w.cands, w.order
	// A child tied to a parent decided later (an instance and its Spot request) gets
	// another look once everything else is decided.
	for changed := true; changed; {
		changed = false
		for _, arn := range order {
			x := cands[arn]
			if x.known && x.decided && x.takenBy == "" && !x.verdict.Owned && !x.verdict.Unchecked && len(x.Parents) > 0 && x.verdict.Reason != "gone" {
				if v := own.Decide(x.t, x.Candidate); v.Owned {
					x.verdict = v
					own.Owned[x.ARN] = x.ref()
					changed = true
				}
			}
		}
	}

	// 4. Verdicts into the plan.
	children, takes := map[string]int{}, map[string][]string{}
	for _, arn := range order {
		x := cands[arn]
		if x.takenBy != "" {
			children[x.takenBy]++
			takes[x.takenBy] = append(takes[x.takenBy], x.ARN)
			continue
		}
		if x.verdict.Reason == "gone" && !x.verdict.Owned {
			continue
		}
		it := Item{Ref: x.ref(), Proof: x.verdict.Proof, Reason: x.verdict.Reason}
		switch {
		case !x.known:
			it.Reason = "labdash does not handle this type, so it will not delete it"
			if x.swept {
				it.Reason += " (the tagging API lists it for the class)"
			}
		case x.verdict.Unchecked:
			gap(Gap{Type: x.t.Name, Account: x.Account, Region: x.Region, ARN: x.ARN, Why: x.verdict.Reason})
		}
		if student != "" && !inScope(it, x, classID, student) {
			continue
		}
		if !x.verdict.Owned || !x.known {
			plan.Skipped = append(plan.Skipped, it)
			continue
		}
		it.Rank, it.HourlyUSD = x.t.Rank(), x.t.Hourly
		for _, a := range x.After {
			if at, ok := resources.Lookup(a); ok {
				it.Rank = max(it.Rank, at.Rank()+1)
			}
		}
		plan.Items = append(plan.Items, it)
	}
	rankParents(plan, cands)
	foldStackChildren(plan, cands)
	for i := range plan.Items {
		plan.Items[i].Children += children[plan.Items[i].ARN]
		plan.Items[i].Takes = takes[plan.Items[i].ARN]
	}
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
	sort.Slice(plan.Unchecked, func(i, j int) bool { return plan.Unchecked[i].String() < plan.Unchecked[j].String() })
	plan.seal("")
	return plan, nil
}

// seal totals the plan's hourly cost and sets its hash, which covers the scope
// (class, student and any narrower what, such as "provisioned"), the account, the
// regions and every ARN.
func (p *Plan) seal(what string) {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%s|%s\n", p.ClassID, p.Student, p.Account, strings.Join(p.Regions, ","))
	if what != "" {
		fmt.Fprintf(h, "only %s\n", what)
	}
	p.HourlyUSD = 0
	for _, it := range p.Items {
		p.HourlyUSD += it.HourlyUSD
		fmt.Fprintln(h, it.ARN)
	}
	p.Hash = hex.EncodeToString(h.Sum(nil))[:16]
}

// JudgeListed decides, as a plan does, the candidates one type's lister found
// through c: it reads what they lack (their region, their tags) and passes each
// through Owner.Decide, for a class whose roster, owned resources and accounts are
// s's and whose only region is c's (and t's home). A type's own tests use it to
// see their lister through the one decision.
func JudgeListed(ctx context.Context, t resources.Type, c *cloud.Clients, s resources.Scope, found []resources.Candidate) []Item {
	own := &Owner{ClassID: s.ClassID, Roster: map[string]bool{}, Accounts: map[string]string{c.Account: ""},
		Regions: map[string]bool{c.Region: true}, Homes: map[string]bool{}, Owned: map[string]resources.Ref{}}
	for _, st := range s.Students {
		own.Roster[st] = true
	}
	for a, st := range s.Accounts {
		own.Accounts[a] = st
	}
	for arn, r := range s.Owned {
		own.Owned[arn] = r
	}
	if t.Home != "" {
		own.Homes[t.Home] = true
	}
	var batch []*candidate
	fillListed(t, found, c.Account, c.Region)
	for _, f := range found {
		x := &candidate{Candidate: f, t: t, known: true}
		x.normalise()
		batch = append(batch, x)
	}
	(&Planner{}).read(ctx, t, batch, func(string, string) *cloud.Clients { return c })
	out := make([]Item, 0, len(batch))
	for _, x := range batch {
		if errors.Is(x.TagsErr, resources.ErrGone) {
			continue
		}
		x.decide(own)
		out = append(out, Item{Ref: x.ref(), Proof: x.verdict.Proof, Reason: x.verdict.Reason})
	}
	return out
}

// planning is one PlanFor's shared state: the clients it reads through, the
// candidates so far (in first-seen order) and what owned resources take along.
// While the types of a level are read at once, mu guards cands, order and taken
// (a candidate itself belongs to the one goroutine of its type), and the plan's
// gaps.
type planning struct {
	p          *Planner
	ctx        context.Context
	plan       *Plan
	places     []place
	first      string // the class's first region: where global types are read
	clients    map[place]*cloud.Clients
	clientsFor func(account, region string) *cloud.Clients

	mu    sync.Mutex
	cands map[string]*candidate
	order []string
	taken takenSet
}

// locked runs fn holding w.mu.
func (w *planning) locked(fn func()) { w.mu.Lock(); defer w.mu.Unlock(); fn() }

// gap records what could not be checked.
func (w *planning) gap(g Gap) { w.locked(func() { w.plan.Unchecked = append(w.plan.Unchecked, g) }) }

// put adds a candidate, or merges what another source knows of one already put.
func (w *planning) put(c resources.Candidate) *candidate {
	w.mu.Lock()
	defer w.mu.Unlock()
	if cur := w.cands[c.ARN]; cur != nil {
		cur.merge(c)
		return cur
	}
	x := &candidate{Candidate: c}
	x.t, x.known = resources.Lookup(c.Type)
	if !x.known {
		if t, ok := resources.ForARN(c.ARN); ok {
			x.t, x.known, x.Type = t, true, t.Name
		}
	}
	x.normalise()
	w.cands[c.ARN] = x
	w.order = append(w.order, c.ARN)
	return x
}

// planType lists (when list), reads and decides the candidates of type t,
// against own (the owned resources of the levels before) and scope; proved hears
// of each owned one.
func (w *planning) planType(t resources.Type, list bool, scope resources.Scope, own *Owner, proved func(*candidate)) {
	ctx := w.ctx
	if list && t.List != nil {
		var listMu sync.Mutex
		var listed []resources.Candidate
		ps := listPlaces(t, w.places, w.first)
		parallel(len(ps), func(i int) {
			pl := ps[i]
			found, err := t.List(ctx, w.clients[pl], scope)
			if err != nil {
				// What it did list still counts; what it could not is a gap.
				w.gap(Gap{Type: t.Name, Account: pl.account, Region: listRegion(t, pl.region), Why: "could not list them all: " + errText(err)})
			}
			fillListed(t, found, pl.account, pl.region)
			listMu.Lock()
			listed = append(listed, found...)
			listMu.Unlock()
		})
		sort.Slice(listed, func(i, j int) bool { return listed[i].ARN < listed[j].ARN })
		for _, c := range listed {
			w.put(c)
		}
	}
	var batch []*candidate
	w.locked(func() {
		for _, arn := range w.order {
			if x := w.cands[arn]; x.known && x.t.Name == t.Name && !x.decided {
				if by := w.taken.of(x.ARN); by != "" {
					x.decided, x.takenBy = true, by // it goes with what the plan owns: not judged on its own
					continue
				}
				batch = append(batch, x)
			}
		}
	})
	w.p.read(ctx, t, batch, w.clientsFor)
	for _, x := range batch {
		if x.TagsErr != nil && errors.Is(x.TagsErr, resources.ErrGone) {
			x.decided, x.verdict = true, Verdict{Reason: "gone"}
			continue // deleted since it was listed or recorded: nothing to plan
		}
		x.decided = true
		x.verdict = own.Decide(x.t, x.Candidate)
		if x.verdict.Owned {
			proved(x)
			w.locked(func() {
				for _, id := range x.Takes {
					w.taken.add(id, x.ARN)
				}
			})
		}
	}
	if t.Name == stackType {
		// What an owned stack made goes with it: learnt now, before the types
		// after it read their tags.
		w.stackResources(batch)
	}
}

// fillListed gives candidates a lister of t found in account and region the
// lister's type, account and (for a regional type whose ARNs carry it) region
// where it left them out.
func fillListed(t resources.Type, found []resources.Candidate, account, region string) {
	for i := range found {
		if found[i].Type == "" {
			found[i].Type = t.Name
		}
		if found[i].Account == "" {
			found[i].Account = account
		}
		if found[i].Region == "" && !t.Global && t.Locate == nil {
			found[i].Region = region
		}
	}
}

// inScope reports whether a verdict belongs in a plan of one student: that
// student's owned resources, and the skipped ones that name the student.
func inScope(it Item, x *candidate, classID, student string) bool {
	if x.verdict.Owned {
		return it.Student == student
	}
	s := it.ARN + " " + x.Name
	return strings.Contains(s, classID+student) || strings.Contains(s, "/"+classID+"/"+student+"/")
}

// rankParents ranks the resource a candidate with its own After belongs to
// (Ref.Parent, when the plan holds it) after that candidate, and so on up: the
// parent zone of a delegation goes after the delegation, which goes after the
// zone it delegates to. Other items keep their type's rank.
func rankParents(plan *Plan, cands map[string]*candidate) {
	at := map[string]int{}
	for i, it := range plan.Items {
		at[it.ARN] = i
	}
	for i := range plan.Items {
		x := cands[plan.Items[i].ARN]
		if x == nil || len(x.After) == 0 {
			continue
		}
		child := plan.Items[i]
		for hop := 0; hop < 8 && child.Parent != ""; hop++ {
			j, ok := at[child.Parent]
			if !ok || plan.Items[j].Rank > child.Rank {
				break
			}
			plan.Items[j].Rank = child.Rank + 1
			child = plan.Items[j]
		}
	}
}

// merge adds what another source knows of the same resource.
func (x *candidate) merge(c resources.Candidate) {
	if x.Name == "" {
		x.Name = c.Name
	}
	if x.Tags == nil && x.TagsErr == nil && (c.Tags != nil || c.TagsErr != nil) {
		x.Tags, x.TagsErr = c.Tags, c.TagsErr
	}
	if x.Region == "" {
		x.Region = c.Region
	}
	x.Parents = append(x.Parents, c.Parents...)
	x.Takes = append(x.Takes, c.Takes...)
	x.After = append(x.After, c.After...)
	if x.Undeletable == "" {
		x.Undeletable = c.Undeletable
	}
	if !x.known && c.Type != "" {
		if t, ok := resources.Lookup(c.Type); ok {
			x.t, x.known, x.Type = t, true, t.Name
			x.normalise()
		}
	}
}

// normalise sets what the ARN says over what a source recorded: its account and
// region (an ARN carries none for global types; a type with a home region is read
// there), and its name when the type derives it from the ARN.
func (x *candidate) normalise() {
	if a := resources.Account(x.ARN); a != "" {
		x.Account = a
	}
	if !x.known {
		return
	}
	switch {
	case x.t.Global:
		x.Region = resources.Region(x.ARN)
	case x.t.Home != "":
		if r := resources.Region(x.ARN); r != "" {
			x.Region = r
		} else {
			x.Region = x.t.Home
		}
	case x.t.Locate != nil:
		// Its ARN holds no region and no source is trusted for it (a tagging API
		// lists buckets of every region): it is read from the resource (Locate).
		x.Region = ""
	default:
		if r := resources.Region(x.ARN); r != "" {
			x.Region = r
		}
	}
	if x.Name == "" && x.t.NameOf != nil {
		x.Name = x.t.NameOf(x.ARN)
	}
}

// decide records own's verdict on x.
func (x *candidate) decide(own *Owner) {
	x.decided = true
	x.verdict = own.Decide(x.t, x.Candidate)
	if x.verdict.Owned {
		own.Owned[x.ARN] = x.ref()
	}
}

// ref is the plan's view of x.
func (x *candidate) ref() resources.Ref {
	r := resources.Ref{ARN: x.ARN, Type: x.Type, Region: x.Region, Account: x.Account, Student: x.verdict.Student, Parent: x.verdict.Parent}
	if r.Parent == "" && len(x.Parents) > 0 {
		r.Parent = x.Parents[0].ARN
	}
	return r
}

// read fills in, for the candidates of type t, what the decision needs and no
// source gave: the region of a type whose ARN has none (Locate), then the tags,
// in as few calls as the service allows, 8 at a time.
func (p *Planner) read(ctx context.Context, t resources.Type, batch []*candidate, clientsFor func(account, region string) *cloud.Clients) {
	if t.Locate != nil {
		var need []*candidate
		for _, x := range batch {
			if x.Region == "" && x.TagsErr == nil {
				need = append(need, x)
			}
		}
		parallel(len(need), func(i int) {
			x := need[i]
			c := clientsFor(x.Account, "")
			if c == nil {
				x.TagsErr = fmt.Errorf("no clients for account %s", x.Account)
				return
			}
			r, err := t.Locate(ctx, c, x.ARN)
			if err != nil {
				x.TagsErr = fmt.Errorf("its region could not be read: %w", err)
				return
			}
			x.Region = r
		})
	}
	if t.Untaggable {
		return
	}
	type group struct {
		c    *cloud.Clients
		list []*candidate
	}
	groups := map[place]*group{}
	var keys []place
	for _, x := range batch {
		if x.Tags != nil || x.TagsErr != nil {
			continue
		}
		region := x.Region
		if t.Home != "" {
			region = t.Home
		}
		c := clientsFor(x.Account, region)
		if c == nil {
			x.TagsErr = fmt.Errorf("%s/%s is not an account and region the class uses", x.Account, region)
			continue
		}
		k := place{x.Account, region}
		if groups[k] == nil {
			groups[k] = &group{c: c}
			keys = append(keys, k)
		}
		groups[k].list = append(groups[k].list, x)
	}
	var jobs []func()
	one := func(c *cloud.Clients, x *candidate) func() {
		return func() {
			tags, err := t.Tags(ctx, c, x.ref())
			x.Tags, x.TagsErr = orEmpty(tags, err), err
		}
	}
	for _, k := range keys {
		g := groups[k]
		if t.BatchTags == nil || len(g.list) == 1 {
			for _, x := range g.list {
				jobs = append(jobs, one(g.c, x))
			}
			continue
		}
		jobs = append(jobs, func() {
			refs := make([]resources.Ref, len(g.list))
			for i, x := range g.list {
				refs[i] = x.ref()
			}
			got, err := t.BatchTags(ctx, g.c, refs)
			for _, x := range g.list {
				switch tags, ok := got[x.ARN]; {
				case err != nil:
					// ErrNoBatch, or one resource of the batch that cannot be read
					// (AccessDenied on one ARN fails the whole call): read each on
					// its own, so one unreadable resource hides no other.
					one(g.c, x)()
				case ok:
					x.Tags = orEmpty(tags, nil)
				default:
					x.TagsErr = resources.ErrGone // a batch answer leaves out what no longer exists
				}
			}
		})
	}
	parallel(len(jobs), func(i int) { jobs[i]() })
}

// orEmpty is tags, or an empty map when the read succeeded with none: "read and
// found absent" differs from "not read".
func orEmpty(tags map[string]string, err error) map[string]string {
	if err != nil {
		return nil
	}
	if tags == nil {
		return map[string]string{}
	}
	return tags
}

// listingOrder is every registered type with the types each lists under before it.
func listingOrder() []resources.Type {
	all := resources.All()
	byName := map[string]resources.Type{}
	for _, t := range all {
		byName[t.Name] = t
	}
	var out []resources.Type
	state := map[string]int{}
	var visit func(t resources.Type)
	visit = func(t resources.Type) {
		if state[t.Name] != 0 {
			return // done, or a cycle: the fixpoint pass settles what is left
		}
		state[t.Name] = 1
		for _, u := range t.Under {
			if ut, ok := byName[u]; ok {
				visit(ut)
			}
		}
		state[t.Name] = 2
		out = append(out, t)
	}
	if t, ok := byName[stackType]; ok {
		visit(t) // first: what a stack made goes with it, and need not be read
	}
	for _, t := range all {
		visit(t)
	}
	return out
}

// listingLevels is listingOrder in levels: every type after the types it lists
// under, CloudFormation's stacks alone first (what they made need not be read),
// the types of one level independent of each other.
func listingLevels() [][]resources.Type {
	level := map[string]int{}
	var out [][]resources.Type
	for _, t := range listingOrder() {
		l := 1
		if t.Name == stackType {
			l = 0
		}
		for _, u := range t.Under {
			if lu, ok := level[u]; ok && lu+1 > l {
				l = lu + 1
			}
		}
		level[t.Name] = l
		for len(out) <= l {
			out = append(out, nil)
		}
		out[l] = append(out[l], t)
	}
	return out
}

// listPlaces is where type t's lister runs: its home region, once per account for
// a global type, else every class region.
func listPlaces(t resources.Type, places []place, first string) []place {
	var out []place
	for _, pl := range places {
		switch {
		case t.Home != "":
			if pl.region == t.Home {
				out = append(out, pl)
			}
		case t.Global:
			if pl.region == first {
				out = append(out, pl)
			}
		default:
			out = append(out, pl)
		}
	}
	return out
}

func listRegion(t resources.Type, region string) string {
	if t.Global {
		return ""
	}
	return region
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// sweep lists the ARNs the tagging API holds with labdash:class=<class> in c's
// account and region.
func sweep(ctx context.Context, c *cloud.Clients, classID string) ([]string, error) {
	var out []string
	var token *string
	for {
		res, err := c.Tagging.GetResources(ctx, &tagging.GetResourcesInput{
			TagFilters:       []tagtypes.TagFilter{{Key: aws.String("labdash:class"), Values: []string{classID}}},
			ResourcesPerPage: aws.Int32(100), PaginationToken: token,
		})
		if err != nil {
			return nil, err
		}
		for _, m := range res.ResourceTagMappingList {
			for _, t := range m.Tags {
				if aws.ToString(t.Key) == "labdash:class" && aws.ToString(t.Value) == classID { // an endpoint that ignores the filter must not widen the plan
					out = append(out, aws.ToString(m.ResourceARN))
				}
			}
		}
		if token = res.PaginationToken; token == nil || *token == "" {
			return out, nil
		}
	}
}

// stackType is CloudFormation's stack.
const stackType = "AWS::CloudFormation::Stack"

// takenSet maps the identifiers of what an owned resource's deletion takes
// along (a stack's physical resources, a policy's alarms) to that resource.
type takenSet map[string]string

func (t takenSet) add(id, by string) {
	if id != "" {
		t[id] = by
	}
}

// of returns what takes arn along: matched by the ARN, or by the name or id a
// stack records as its physical id (the part after the last "/" or ":").
func (t takenSet) of(arn string) string {
	for _, id := range []string{arn, resources.Last(arn, "/"), resources.Last(arn, ":")} {
		if by := t[id]; by != "" && by != arn {
			return by
		}
	}
	return ""
}

// stackResources records, for each owned stack of batch, the physical resources
// it made (DescribeStackResources, 8 at a time): CloudFormation deletes those
// with the stack, and deleting one first would make the stack's deletion fail.
func (w *planning) stackResources(batch []*candidate) {
	var stacks []*candidate
	for _, x := range batch {
		if x.verdict.Owned {
			stacks = append(stacks, x)
		}
	}
	parallel(len(stacks), func(i int) {
		st := stacks[i]
		c := w.clientsFor(st.Account, st.Region)
		if c == nil {
			return
		}
		out, err := c.CloudFormation.DescribeStackResources(w.ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(st.ARN)})
		if err != nil {
			return // then each resource is judged and deleted on its own, which is still correct
		}
		w.locked(func() {
			for _, r := range out.StackResources {
				w.taken.add(aws.ToString(r.PhysicalResourceId), st.ARN)
			}
		})
	})
}

// foldStackChildren takes out of the plan what names an owned stack in its own
// tags (aws:cloudformation:stack-id) but was not among the stack's physical
// resources when they were read: it goes with the stack too.
func foldStackChildren(plan *Plan, cands map[string]*candidate) {
	owned := map[string]bool{}
	for _, it := range plan.Items {
		if it.Type == stackType {
			owned[it.ARN] = true
		}
	}
	kept := plan.Items[:0]
	kids := map[string]int{}
	for _, it := range plan.Items {
		if x := cands[it.ARN]; it.Type != stackType && x != nil && owned[x.Tags["aws:cloudformation:stack-id"]] {
			kids[x.Tags["aws:cloudformation:stack-id"]]++
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
