package cleanup

// The ownership decision: the one place that says whether a resource is the
// class's. Listers, the tag sweep and the ledger only put candidates forward
// (resources.Candidate); Decide turns each into owned (with its proof) or skipped
// (with its reason). No resource type can bypass it: a lister returns
// candidates, never plan items, and the planner builds plan items only from
// Decide's verdicts.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/labdash/labdash/labs/cleanup/resources"
)

// Owner is what the decision knows about the class: who is on its roster, which
// accounts and regions it uses, and what is already proven owned (for children).
type Owner struct {
	ClassID string
	// Roster holds the students' slugs.
	Roster map[string]bool
	// Accounts are the class's accounts: the shared account maps to "", a
	// student's own account (account-per-student) to that student.
	Accounts map[string]string
	// Regions are the class's regions; Homes are the extra regions of the types
	// the class uses whose API lives in one region (us-west-2 for Global
	// Accelerator, only when a lab of the class uses it).
	Regions map[string]bool
	Homes   map[string]bool
	// Owned is what the plan owns so far, by ARN: an untagged child is owned
	// through one of these.
	Owned map[string]resources.Ref
}

// Verdict is the decision on one candidate.
type Verdict struct {
	Owned   bool
	Student string // the owner ("" for class-level resources) when Owned
	Proof   string // why it is the class's, naming the rule
	Parent  string // the owned parent it is the class's through, if that is the proof
	Reason  string // why it is skipped
	// Unchecked marks a skip because something could not be read (its tags, its
	// region): the plan cannot vouch that nothing of the class is there, so a
	// cleanup that ends with one is not verified.
	Unchecked bool
}

func skip(format string, a ...any) Verdict { return Verdict{Reason: fmt.Sprintf(format, a...)} }

// Decide judges one candidate of type t, in this order (DESIGN.md §5):
//  1. outside the class's accounts or regions → skipped ("outside the class");
//     us-west-2 counts only for Global Accelerator's types and only when the
//     class uses them; region-less ("global") only for IAM and Route 53;
//  2. an account-wide setting (Macie) → owned only in a student's own account;
//  3. tags unreadable → skipped, unchecked (fail closed);
//  4. tagged labdash:class with any other value (exact, case-sensitive) →
//     skipped, whatever its name says;
//  5. tagged for this class → owned if its labdash:student is on the roster (or
//     it is class-level: "shared", or no student tag — then the student its name
//     names, if any);
//  6. untagged (tags read and absent, or a type that cannot carry tags) → owned
//     through an owned parent, or by the type's name rule with an exact roster
//     student's prefix and its separator; otherwise not proven.
//
// In a student's own account a resource must also be that student's.
func (o *Owner) Decide(t resources.Type, c resources.Candidate) Verdict {
	v := o.decide(t, c)
	if v.Owned && c.Undeletable != "" {
		return Verdict{Reason: "the class's (" + v.Proof + "), but " + c.Undeletable}
	}
	return v
}

func (o *Owner) decide(t resources.Type, c resources.Candidate) Verdict {
	acctStudent, inClass := o.Accounts[c.Account]
	if !inClass {
		return skip("outside the class: account %q is not one the class uses", c.Account)
	}
	switch {
	case t.Global:
		if c.Region != "" {
			return skip("outside the class: a %s has no region, but this one names %q", t.Name, c.Region)
		}
	case t.Home != "":
		if c.Region != t.Home || !o.Homes[t.Home] {
			return skip("outside the class: %s lives in %s, and the class does not use it there (region %q)", t.Name, t.Home, c.Region)
		}
	case c.Region == "":
		return skip("outside the class: its region is not known, and %s is not a global type", t.Name)
	case !o.Regions[c.Region]:
		return skip("outside the class: region %s is not one of the class's (%s)", c.Region, strings.Join(sortedSet(o.Regions), ", "))
	}
	if t.AccountPerStudentOnly {
		if acctStudent == "" {
			return skip("an account-wide setting: labdash changes it only in a student's own account, and %s is shared", c.Account)
		}
		return Verdict{Owned: true, Student: acctStudent, Proof: fmt.Sprintf("account-wide setting in %s's own account %s", acctStudent, c.Account)}
	}
	tags := c.Tags
	if !t.Untaggable {
		switch {
		case c.TagsErr != nil:
			return Verdict{Reason: "its tags could not be read, so its owner is unknown: " + c.TagsErr.Error(), Unchecked: true}
		case tags == nil:
			return Verdict{Reason: "its tags were not read, so its owner is unknown", Unchecked: true}
		}
	} else {
		tags = nil // a type that cannot carry tags: whatever a lister passed is not evidence
	}
	mine := func(v Verdict) Verdict {
		if acctStudent != "" && v.Student != acctStudent {
			if v.Student == "" {
				v.Student = acctStudent // a class-level resource in a student's account is that student's
				return v
			}
			return skip("it is in %s's own account %s but belongs to %s", acctStudent, c.Account, v.Student)
		}
		return v
	}
	if class, tagged := tags["labdash:class"]; tagged {
		if class != o.ClassID {
			return skip("tagged for another class, labdash:class=%q", class)
		}
		st := tags["labdash:student"]
		switch {
		case st == "":
			// The class's; whose, its name may say (an X-Ray group named c42s07).
			name := c.Name
			if t.Naming == resources.NameTag {
				name = tags["Name"]
			}
			if owner, ok := o.nameOwner(t.Naming, name); ok {
				return mine(Verdict{Owned: true, Student: owner, Proof: "tag labdash:class=" + o.ClassID + " read from the resource; the name says " + owner + "'s"})
			}
			return mine(Verdict{Owned: true, Proof: "tag labdash:class=" + o.ClassID + " (class-wide), read from the resource"})
		case st == "shared":
			return mine(Verdict{Owned: true, Proof: "tag labdash:class=" + o.ClassID + " (class-wide), read from the resource"})
		case o.Roster[st]:
			return mine(Verdict{Owned: true, Student: st, Proof: "tags labdash:class=" + o.ClassID + ", labdash:student=" + st + ", read from the resource"})
		default:
			return skip("tagged for class %s but for student %q, who is not on its roster", o.ClassID, st)
		}
	}
	// Untagged (or a type that cannot be): an owned parent, then the name rule.
	name := c.Name
	if t.Naming == resources.NameTag {
		name = tags["Name"]
	}
	for _, p := range c.Parents {
		if ref, ok := o.Owned[p.ARN]; ok && p.ARN != c.ARN {
			tie := p.Tie
			if tie == "" {
				tie = "it belongs to"
			}
			v := Verdict{Owned: true, Student: ref.Student, Parent: p.ARN, Proof: fmt.Sprintf("%s %s, which the plan owns", tie, p.ARN)}
			if v.Student == "" { // a class-wide parent (the class's zone): the child's name may say whose it is
				if st, ok := o.nameOwner(t.Naming, name); ok {
					v.Student = st
				}
			}
			return mine(v)
		}
	}
	if st, ok := o.nameOwner(t.Naming, name); ok {
		what := "untagged"
		if t.Untaggable {
			what = "cannot carry tags"
		}
		return mine(Verdict{Owned: true, Student: st, Proof: fmt.Sprintf("%s; name %q has %s's prefix %s (%s rule)", what, clipName(name), st, o.ClassID+st+"-", t.Naming)})
	}
	switch {
	case t.Naming != resources.NameNone && strings.Contains(name, o.ClassID):
		return skip("named like the class (%q) but with no roster student's exact prefix: ownership not proven", clipName(name))
	case len(c.Parents) > 0:
		return skip("no class tag, and its parent %s is not the class's: ownership not proven", c.Parents[0].ARN)
	}
	return skip("no class tag, no owned parent and no student prefix: ownership not proven")
}

// nameOwner applies name rule n: it returns the roster student whose exact prefix
// the name carries where the rule says.
func (o *Owner) nameOwner(n resources.Naming, name string) (string, bool) {
	if name == "" || n == resources.NameNone {
		return "", false
	}
	var hit []string
	for st := range o.Roster {
		stem := o.ClassID + st
		prefix := stem + "-"
		ok := false
		switch n {
		case resources.NamePrefix, resources.NameTag:
			ok = strings.HasPrefix(name, prefix)
		case resources.NameStem:
			ok = name == stem || strings.HasPrefix(name, prefix)
		case resources.NameSegment:
			for _, seg := range strings.Split(name, "/") {
				ok = ok || strings.HasPrefix(seg, prefix)
			}
		case resources.NameIAMPath:
			ok = strings.HasPrefix(name, "/labdash/"+o.ClassID+"/"+st+"/")
		case resources.NameDNS:
			ok = dnsOwned(name, o.ClassID, st)
		}
		if ok {
			hit = append(hit, st)
		}
	}
	if len(hit) != 1 { // two students' prefixes in one name prove neither
		return "", false
	}
	return hit[0], true
}

// dnsOwned reports whether record name belongs to student st of class: its first
// label (after a leading wildcard) is the student's stem or starts with its
// prefix, or it lies under <st>.<class>. Route 53 names are case-insensitive and
// list with a trailing dot and "\052" for "*".
func dnsOwned(name, class, st string) bool {
	name = strings.ToLower(strings.TrimSuffix(strings.ReplaceAll(name, `\052`, "*"), "."))
	labels := strings.Split(name, ".")
	if len(labels) > 1 && labels[0] == "*" {
		labels = labels[1:]
	}
	stem := strings.ToLower(class + st)
	if labels[0] == stem || strings.HasPrefix(labels[0], stem+"-") {
		return true
	}
	for i := 0; i+1 < len(labels); i++ {
		if labels[i] == strings.ToLower(st) && labels[i+1] == strings.ToLower(class) {
			return true
		}
	}
	return false
}

func clipName(s string) string { return clip(s, 120) }

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k, ok := range m {
		if ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
