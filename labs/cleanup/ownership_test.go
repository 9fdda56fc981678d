package cleanup

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/labdash/labdash/labs/cleanup/resources"
)

// The ownership decision, fed every kind of candidate for every registered type.
// The expected verdict of each case is written from the rule (DESIGN.md §5 and
// Owner.Decide's doc), from the type's declared properties only — never by
// asking Decide — so a change to the rule fails here.

const (
	tClass   = "c42ab"
	tAcct    = "111122223333" // the class's shared account
	tOwnAcct = "444455556666" // student s02's own account (account-per-student)
	tOther   = "999988887777" // an account the class does not use
	tRegion  = "us-east-1"
)

func testOwner(usesHome bool) *Owner {
	o := &Owner{ClassID: tClass, Roster: map[string]bool{"s01": true, "s02": true, "s10": true},
		Accounts: map[string]string{tAcct: "", tOwnAcct: "s02"},
		Regions:  map[string]bool{tRegion: true, "eu-west-1": true}, Homes: map[string]bool{},
		Owned: map[string]resources.Ref{
			"arn:parent:owned-by-s01": {ARN: "arn:parent:owned-by-s01", Student: "s01"},
		}}
	if usesHome {
		o.Homes["us-west-2"] = true
	}
	return o
}

// goodName is a name that type t's naming rule gives to student st.
func goodName(n resources.Naming, st string) string {
	switch n {
	case resources.NamePrefix, resources.NameTag:
		return tClass + st + "-web"
	case resources.NameStem:
		return tClass + st
	case resources.NameSegment:
		return "/aws/lambda/" + tClass + st + "-fn"
	case resources.NameIAMPath:
		return "/labdash/" + tClass + "/" + st + "/" + tClass + st + "-student"
	case resources.NameDNS:
		return "www." + st + "." + tClass + ".labs.example.com."
	}
	return ""
}

// nearMisses are names that must never prove ownership by the rule, whatever it is:
// another case, extended or shortened class ids and student ids, a student not on
// the roster, the prefix in the wrong place, two students at once.
func nearMisses(n resources.Naming) []string {
	base := []string{"", "web", tClass, tClass + "-web", strings.ToUpper(tClass) + "s01-web", tClass + "S01-web", tClass + "s1-web", tClass + "s010-web",
		tClass + "s001-web", tClass + "s99-web", tClass + "s01web", tClass + "x" + "s01-web", tClass[:4] + "s01-web", "c42acs01-web"}
	switch n {
	case resources.NamePrefix, resources.NameTag:
		return append(base, "x"+tClass+"s01-web", "/ecs/"+tClass+"s01-web", tClass+"s01")
	case resources.NameStem:
		return append(base, "x"+tClass+"s01", tClass+"s01x", tClass+"s1", tClass+"s010")
	case resources.NameSegment:
		return append(base, "x"+tClass+"s01-web", "/ecs/x"+tClass+"s01-web", "/ecs/"+tClass+"s01", "/"+tClass+"s01-a/"+tClass+"s02-b")
	case resources.NameIAMPath:
		return append(base, "/labdash/"+tClass+"/s1/r", "/labdash/"+tClass+"/s010/r", "/labdash/"+strings.ToUpper(tClass)+"/s01/r",
			"/labdash/"+tClass+"x/s01/r", "/labdash/c42ac/s01/r", "/labdash/"+tClass+"/r", "/x/labdash/"+tClass+"/s01/r", "/labdash/"+tClass+"/S01/r")
	case resources.NameDNS:
		// DNS names are case-insensitive: C42ABs01-web is c42abs01-web, so the case
		// variants are not near misses here.
		var dns []string
		for _, b := range base {
			if b != strings.ToUpper(tClass)+"s01-web" && b != tClass+"S01-web" {
				dns = append(dns, b)
			}
		}
		return append(dns, "www.s1."+tClass+".example.com.", "www.s010."+tClass+".example.com.", "www.s01.c42ac.example.com.",
			"www.s01x."+tClass+".example.com.", "x"+tClass+"s01.example.com.", tClass+"s010-app.example.com.", "www.s99."+tClass+".example.com.")
	}
	return base
}

// baseCandidate is a candidate of t in the class's account and a region t may be in.
func baseCandidate(t resources.Type, tags map[string]string) resources.Candidate {
	c := resources.Candidate{ARN: "arn:test:" + t.Name, Type: t.Name, Account: tAcct, Region: tRegion, Tags: tags}
	switch {
	case t.Global:
		c.Region = ""
	case t.Home != "":
		c.Region = t.Home
	}
	if t.Untaggable {
		c.Tags = nil
	}
	return c
}

func classTags(class, student string) map[string]string {
	m := map[string]string{"labdash:class": class}
	if student != "-" {
		m["labdash:student"] = student
	}
	return m
}

type verdictWant struct {
	owned     bool
	student   string
	reason    string // a substring of the reason when skipped
	unchecked bool
}

func TestDecideEveryCandidateClassForEveryType(t *testing.T) {
	types := resources.All()
	if len(types) < 38 {
		t.Fatalf("only %d registered types", len(types))
	}
	for _, typ := range types {
		t.Run(typ.Name, func(t *testing.T) {
			type tc struct {
				name string
				own  *Owner
				c    resources.Candidate
				want verdictWant
			}
			var cases []tc
			add := func(name string, c resources.Candidate, w verdictWant) {
				cases = append(cases, tc{name, testOwner(true), c, w})
			}
			taggable := !typ.Untaggable
			accountWide := typ.AccountPerStudentOnly
			// What a tagged-for-the-class candidate gets, given the type.
			ownedByTag := func(st string) verdictWant {
				switch {
				case accountWide:
					return verdictWant{reason: "account-wide"}
				case !taggable:
					return verdictWant{reason: "ownership not proven"} // its "tags" are no evidence
				}
				return verdictWant{owned: true, student: st}
			}

			// 1. Outside the class's accounts and regions.
			c := baseCandidate(typ, classTags(tClass, "s01"))
			c.Account = tOther
			add("other account", c, verdictWant{reason: "outside the class"})
			c = baseCandidate(typ, classTags(tClass, "s01"))
			c.Account = ""
			add("no account", c, verdictWant{reason: "outside the class"})
			c = baseCandidate(typ, classTags(tClass, "s01"))
			switch {
			case typ.Global:
				c.Region = tRegion
			case typ.Home != "":
				c.Region = tRegion
			default:
				c.Region = "ap-south-1"
			}
			add("wrong region", c, verdictWant{reason: "outside the class"})
			if !typ.Global {
				c = baseCandidate(typ, classTags(tClass, "s01"))
				c.Region = ""
				add("no region", c, verdictWant{reason: "outside the class"})
			}
			if typ.Home == "" && !typ.Global {
				c = baseCandidate(typ, classTags(tClass, "s01"))
				c.Region = "us-west-2" // a home region the class uses, but not this type's
				add("another type's home region", c, verdictWant{reason: "outside the class"})
			}
			if typ.Home != "" {
				cases = append(cases, tc{"home region of a type the class does not use", testOwner(false), baseCandidate(typ, classTags(tClass, "s01")),
					verdictWant{reason: "outside the class"}})
			}

			// 2. Account-wide settings: only in a student's own account.
			if accountWide {
				add("account-wide in the shared account", baseCandidate(typ, nil), verdictWant{reason: "account-wide"})
				c = baseCandidate(typ, nil)
				c.Account = tOwnAcct
				add("account-wide in a student's own account", c, verdictWant{owned: true, student: "s02"})
				return // nothing else decides an account-wide setting
			}

			// 3. Unreadable tags.
			c = baseCandidate(typ, nil)
			c.TagsErr = errors.New("AccessDenied: not authorised to read tags")
			c.Name = goodName(typ.Naming, "s01")
			c.Parents = []resources.Link{{ARN: "arn:parent:owned-by-s01", Tie: "child of"}}
			if taggable {
				add("tags unreadable, even with a good name and an owned parent", c, verdictWant{reason: "could not be read", unchecked: true})
				c = baseCandidate(typ, nil)
				add("tags never read", c, verdictWant{reason: "not read", unchecked: true})
			}

			// 4. Another class's tag, and near misses of this class's, whatever the name.
			for _, other := range []string{"c42ac", strings.ToUpper(tClass), tClass + "x", tClass[:4], " " + tClass, tClass + " ", "", "C42AB"} {
				c = baseCandidate(typ, classTags(other, "s01"))
				c.Name = goodName(typ.Naming, "s01")
				c.Parents = []resources.Link{{ARN: "arn:parent:owned-by-s01"}}
				w := verdictWant{reason: "another class"}
				if !taggable {
					w = verdictWant{owned: true, student: "s01"} // tags are no evidence for it: its parent is
				}
				add(fmt.Sprintf("tagged labdash:class=%q with a good name and parent", other), c, w)
			}

			// 5. This class's tag.
			add("tagged for the class and a roster student", baseCandidate(typ, classTags(tClass, "s02")), ownedByTag("s02"))
			add("tagged for the class, class-wide (no student)", baseCandidate(typ, classTags(tClass, "-")), ownedByTag(""))
			if typ.Naming != resources.NameNone && typ.Naming != resources.NameTag {
				c = baseCandidate(typ, classTags(tClass, "-"))
				c.Name = goodName(typ.Naming, "s10")
				w := ownedByTag("s10")
				if !taggable {
					w = verdictWant{owned: true, student: "s10"} // its name alone: it cannot carry tags
				}
				add("tagged for the class without a student, named for s10", c, w)
			}
			add("tagged for the class, student shared", baseCandidate(typ, classTags(tClass, "shared")), ownedByTag(""))
			for _, st := range []string{"s99", "S01", "s1", "s010", "s001", " s01", "s01 "} {
				w := verdictWant{reason: "not on its roster"}
				if !taggable {
					w = ownedByTag("")
				}
				add(fmt.Sprintf("tagged for the class, student %q not on the roster", st), baseCandidate(typ, classTags(tClass, st)), w)
			}
			c = baseCandidate(typ, classTags(tClass, "s01"))
			c.Account = tOwnAcct
			w := verdictWant{reason: "own account"}
			if !taggable {
				w = verdictWant{reason: "ownership not proven"}
			}
			add("in s02's own account, tagged for s01", c, w)
			c = baseCandidate(typ, classTags(tClass, "-"))
			c.Account = tOwnAcct
			w = verdictWant{owned: true, student: "s02"}
			if !taggable {
				w = verdictWant{reason: "ownership not proven"}
			}
			add("in s02's own account, class-wide tag", c, w)

			// 6. Untagged: an owned parent, then the name rule.
			empty := map[string]string{}
			c = baseCandidate(typ, empty)
			c.Parents = []resources.Link{{ARN: "arn:parent:not-owned"}, {ARN: "arn:parent:owned-by-s01", Tie: "a child of"}}
			add("untagged, second parent owned", c, verdictWant{owned: true, student: "s01"})
			c = baseCandidate(typ, empty)
			c.Parents = []resources.Link{{ARN: "arn:parent:not-owned"}}
			add("untagged, parent not owned", c, verdictWant{reason: "not proven"})
			c = baseCandidate(typ, empty)
			c.Parents = []resources.Link{{ARN: "arn:parent:owned-by-s01"}}
			c.Account = tOwnAcct
			add("untagged in s02's own account, parent of s01", c, verdictWant{reason: "own account"})

			for _, st := range []string{"s01", "s02", "s10"} {
				c = baseCandidate(typ, empty)
				name := goodName(typ.Naming, st)
				if typ.Naming == resources.NameTag {
					c.Tags = map[string]string{"Name": name}
				} else {
					c.Name = name
				}
				w := verdictWant{owned: true, student: st}
				if typ.Naming == resources.NameNone {
					w = verdictWant{reason: "not proven"}
				}
				add("untagged, named for "+st, c, w)
			}
			for _, name := range nearMisses(typ.Naming) {
				c = baseCandidate(typ, empty)
				if typ.Naming == resources.NameTag {
					c.Tags = map[string]string{"Name": name}
				} else {
					c.Name = name
				}
				add(fmt.Sprintf("untagged, near-miss name %q", name), c, verdictWant{reason: "not proven"})
			}
			if typ.Naming != resources.NameNone {
				c = baseCandidate(typ, empty)
				c.Name = goodName(typ.Naming, "s01")
				if typ.Naming == resources.NameTag {
					c.Tags = map[string]string{"Name": c.Name}
				}
				c.Account = tOwnAcct
				add("untagged in s02's own account, named for s01", c, verdictWant{reason: "own account"})
				c = baseCandidate(typ, empty)
				c.Name = goodName(typ.Naming, "s01")
				if typ.Naming == resources.NameTag {
					c.Tags = map[string]string{"Name": c.Name}
				}
				c.Undeletable = "its deletion would also name a health check"
				add("owned by name but undeletable", c, verdictWant{reason: "health check"})
			}
			if taggable && typ.Naming != resources.NameNone && typ.Naming != resources.NameTag {
				// A name is evidence only for an untagged resource.
				c = baseCandidate(typ, classTags("c42ac", "-"))
				c.Name = goodName(typ.Naming, "s01")
				add("named for s01 but tagged class-wide for another class", c, verdictWant{reason: "another class"})
			}

			for _, k := range cases {
				got := k.own.Decide(typ, k.c)
				ok := got.Owned == k.want.owned && (!k.want.owned || got.Student == k.want.student) &&
					(k.want.owned || strings.Contains(got.Reason, k.want.reason)) && got.Unchecked == k.want.unchecked
				if got.Owned && got.Proof == "" {
					ok = false
				}
				if !got.Owned && got.Reason == "" {
					ok = false
				}
				if !ok {
					t.Errorf("%s: got owned=%v student=%q proof=%q reason=%q unchecked=%v; want owned=%v student=%q reason~%q unchecked=%v",
						k.name, got.Owned, got.Student, got.Proof, got.Reason, got.Unchecked, k.want.owned, k.want.student, k.want.reason, k.want.unchecked)
				}
			}
		})
	}
}

// TestEveryTaggableTypeReadsItsTags: the decision skips a taggable resource whose
// tags were not read, so every type that can carry tags must be able to read them;
// and an untaggable type must have a way to be owned (a parent it lists under, or
// a name rule), or it could never be cleaned up.
func TestEveryTypeHasAnOwnershipPath(t *testing.T) {
	for _, typ := range resources.All() {
		if strings.HasPrefix(typ.Name, "AWS::Test::") {
			continue // the engine tests' own rogue type
		}
		switch {
		case !typ.Untaggable && typ.Tags == nil:
			t.Errorf("%s can carry tags but cannot read them", typ.Name)
		case typ.Untaggable && !typ.AccountPerStudentOnly && len(typ.Under) == 0 && typ.Naming == resources.NameNone:
			t.Errorf("%s cannot carry tags and has neither a parent type nor a name rule: nothing could prove it the class's", typ.Name)
		case typ.List != nil && typ.Untaggable && len(typ.Under) == 0 && typ.Naming == resources.NameNone && !typ.AccountPerStudentOnly:
			t.Errorf("%s lists candidates nothing can prove", typ.Name)
		}
		for _, u := range typ.Under {
			if _, ok := resources.Lookup(u); !ok {
				t.Errorf("%s lists under %q, which is not a registered type", typ.Name, u)
			}
		}
	}
}
