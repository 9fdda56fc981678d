package labs

import (
	"github.com/labdash/labdash/labs/cloud/authz"
)

// GrantScope is what a lab's grants are written for: one class in one shared account.
type GrantScope struct {
	ClassID string
	Account string
	Regions []string
}

// StudentVar is the IAM policy variable that resolves to the calling student's slug:
// every sandbox role carries the tag labdash:student (and no role may set session tags).
const StudentVar = "${aws:PrincipalTag/labdash:student}"

// Prefix is the name prefix of the calling student's resources in a policy:
// "<class>${aws:PrincipalTag/labdash:student}-", so "c42s01-" for student s01.
func (g GrantScope) Prefix() string { return g.ClassID + StudentVar + "-" }

// ARN is an ARN pattern of service in this account, in any region (the region fence
// is a condition), for resource ("cluster/" + g.Prefix() + "*").
func (g GrantScope) ARN(service, resource string) string {
	return "arn:aws:" + service + ":*:" + g.Account + ":" + resource
}

// Global is an ARN pattern of a global service's resource in this account.
func (g GrantScope) Global(service, resource string) string {
	return "arn:aws:" + service + "::" + g.Account + ":" + resource
}

// InRegions limits a statement to the class's regions.
func (g GrantScope) InRegions(st authz.Statement) authz.Statement {
	if st.Condition == nil {
		st.Condition = map[string]any{}
	}
	eq, _ := st.Condition["StringEquals"].(map[string]any)
	if eq == nil {
		eq = map[string]any{}
	}
	eq["aws:RequestedRegion"] = g.Regions
	st.Condition["StringEquals"] = eq
	return st
}

// Allow is a statement allowing actions on resources.
func Allow(sid string, actions []string, resources ...string) authz.Statement {
	var res any = resources
	if len(resources) == 1 {
		res = resources[0]
	}
	return authz.Statement{Sid: sid, Effect: "Allow", Action: actions, Resource: res}
}

// CreateTagged allows create actions only when the request tags the new resource
// as the calling student's, in this class: what tag-on-create fences hang on.
func (g GrantScope) CreateTagged(sid string, actions []string, resources ...string) authz.Statement {
	st := Allow(sid, actions, resources...)
	st.Condition = map[string]any{"StringEquals": map[string]any{"aws:RequestTag/labdash:class": g.ClassID, "aws:RequestTag/labdash:student": StudentVar}}
	return st
}

// OnTagged allows actions only on resources tagged as the calling student's, in
// this class (for resources whose ARN carries no name, such as accelerators and
// instances).
func (g GrantScope) OnTagged(sid string, actions []string, resources ...string) authz.Statement {
	st := Allow(sid, actions, resources...)
	st.Condition = map[string]any{"StringEquals": map[string]any{"aws:ResourceTag/labdash:class": g.ClassID, "aws:ResourceTag/labdash:student": StudentVar}}
	return st
}
