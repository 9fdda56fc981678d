package xray

import (
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	xraytypes "github.com/aws/aws-sdk-go-v2/service/xray/types"

	"github.com/labdash/labdash/labs"
)

func checkpoints() []labs.Checkpoint {
	return []labs.Checkpoint{
		{ID: "env-up", Title: "Environment Ready and Green", Check: labs.Typed(checkEnvUp)},
		{ID: "first-signup", Title: "First signup traced", Check: labs.Typed(checkFirstSignup)},
		{ID: "service-map", Title: "Service map shows DynamoDB and SNS", Check: labs.Typed(checkServiceMap)},
		{ID: "auto-signups", Title: "Auto signups running", Check: labs.Typed(checkAutoSignups)},
		{ID: "found-409", Title: "Find the 409s", Check: labs.Typed(checkFound409)},
		{ID: "break-sns", Title: "Remove sns:Publish from the instance role", Check: labs.Typed(checkBreakSNS)},
		{ID: "found-500", Title: "Find the 500s", Check: labs.Typed(checkFound500)},
		{ID: "fixed", Title: "(optional) Restore sns:Publish", Optional: true, Check: labs.Typed(checkFixed)},
	}
}

func checkEnvUp(o *Observation) labs.Result {
	e := o.Env
	if e == nil {
		return labs.Pendingf("no environment %s yet", envName(o.Target))
	}
	switch {
	case e.Status == ebtypes.EnvironmentStatusLaunching || e.Status == ebtypes.EnvironmentStatusUpdating:
		return labs.Pendingf("environment %s is %s", envName(o.Target), e.Status)
	case e.Status != ebtypes.EnvironmentStatusReady:
		return labs.Failf("environment %s is %s", envName(o.Target), e.Status)
	case e.Health != ebtypes.EnvironmentHealthGreen:
		return labs.Failf("environment %s is Ready but its health is %s", envName(o.Target), e.Health)
	}
	return labs.Passf("environment %s is Ready and Green", envName(o.Target))
}

func count(o *Observation, keep func(s Trace) bool) (n int, last string) {
	for _, s := range o.Summaries {
		if keep(s) {
			n++
			last = s.ID
		}
	}
	return n, last
}

func checkFirstSignup(o *Observation) labs.Result {
	if len(o.Summaries) == 0 {
		return labs.Pendingf("no traces of service(%q) in the last %s", tracingName(o.Target), labs.Duration(o.SummaryWindow))
	}
	n, id := count(o, func(s Trace) bool {
		return s.Status == 200 && strings.EqualFold(s.Method, "POST")
	})
	if n == 0 {
		return labs.Failf("%d traces of %s, none a POST answered 200", len(o.Summaries), tracingName(o.Target))
	}
	return labs.Passf("%d successful signups traced, e.g. %s", n, id)
}

// node returns the graph node named name, or the first whose Type starts with typ.
func node(g []xraytypes.Service, name, typ string) *xraytypes.Service {
	for i := range g {
		if (name != "" && aws.ToString(g[i].Name) == name) || (typ != "" && strings.HasPrefix(aws.ToString(g[i].Type), typ)) {
			return &g[i]
		}
	}
	return nil
}

func byRef(g []xraytypes.Service, ref *int32) *xraytypes.Service {
	for i := range g {
		if ref != nil && aws.ToInt32(g[i].ReferenceId) == *ref {
			return &g[i]
		}
	}
	return nil
}

func checkServiceMap(o *Observation) labs.Result {
	if o.Group == nil {
		return labs.Pendingf("no X-Ray group %s yet", groupName(o.Target))
	}
	root := node(o.Graph, tracingName(o.Target), "")
	if root == nil {
		return labs.Pendingf("no node %s in group %s's service map yet", tracingName(o.Target), groupName(o.Target))
	}
	var ddb, sns bool
	for _, e := range root.Edges {
		if to := byRef(o.Graph, e.ReferenceId); to != nil {
			ddb = ddb || strings.HasPrefix(aws.ToString(to.Type), "AWS::DynamoDB")
			sns = sns || strings.HasPrefix(aws.ToString(to.Type), "AWS::SNS")
		}
	}
	if !ddb || !sns {
		return labs.Failf("%s calls DynamoDB: %t, SNS: %t; want both", tracingName(o.Target), ddb, sns)
	}
	return labs.Passf("%s → DynamoDB and SNS in the service map", tracingName(o.Target))
}

func checkAutoSignups(o *Observation) labs.Result {
	root := node(o.Graph, tracingName(o.Target), "")
	if root == nil || root.SummaryStatistics == nil {
		return labs.Pendingf("no requests to %s in the last %s", tracingName(o.Target), labs.Duration(o.GraphWindow))
	}
	n := aws.ToInt64(root.SummaryStatistics.TotalCount)
	if n < 20 {
		return labs.Pendingf("%d requests to %s in the last %s; auto signups make about 10 a minute", n, tracingName(o.Target), labs.Duration(o.GraphWindow))
	}
	return labs.Passf("%d requests to %s in the last %s", n, tracingName(o.Target), labs.Duration(o.GraphWindow))
}

func checkFound409(o *Observation) labs.Result {
	n, id := count(o, func(s Trace) bool { return s.Status == 409 })
	if n == 0 {
		return labs.Pendingf("no 409 traces in the last %s", labs.Duration(o.SummaryWindow))
	}
	ddb := node(o.Graph, "", "AWS::DynamoDB")
	if ddb == nil || ddb.SummaryStatistics == nil || ddb.SummaryStatistics.ErrorStatistics == nil || aws.ToInt64(ddb.SummaryStatistics.ErrorStatistics.OtherCount) == 0 {
		return labs.Pendingf("%d 409 traces (e.g. %s), but the DynamoDB node shows no errors in the map yet", n, id)
	}
	return labs.Passf("%d 409 traces, e.g. %s; DynamoDB node has %d errors", n, id, aws.ToInt64(ddb.SummaryStatistics.ErrorStatistics.OtherCount))
}

func checkBreakSNS(o *Observation) labs.Result {
	switch o.Publish {
	case "":
		return labs.Pendingf("instance role %s not evaluated yet", roleName(o.Target))
	case iamtypes.PolicyEvaluationDecisionTypeImplicitDeny, iamtypes.PolicyEvaluationDecisionTypeExplicitDeny:
		return labs.Passf("sns:Publish on %s is %s for %s", o.TopicArn, o.Publish, roleName(o.Target))
	}
	return labs.Pendingf("sns:Publish is still %s for %s", o.Publish, roleName(o.Target))
}

const snsDenied = "not authorized to perform: SNS:Publish"

func checkFound500(o *Observation) labs.Result {
	n, id := count(o, func(s Trace) bool { return s.Status == 500 || s.Fault })
	if n == 0 {
		return labs.Pendingf("no 500 traces in the last %s", labs.Duration(o.SummaryWindow))
	}
	for _, c := range o.Causes {
		if strings.Contains(c, snsDenied) {
			return labs.Passf("%d 500 traces, e.g. %s: %s", n, id, trim(c, 200))
		}
	}
	if len(o.Causes) > 0 {
		return labs.Failf("%d 500 traces, but their cause is not SNS: %s", n, trim(o.Causes[0], 200))
	}
	return labs.Pendingf("%d 500 traces (e.g. %s); causes not read yet", n, id)
}

func checkFixed(o *Observation) labs.Result {
	faults, _ := count(o, func(s Trace) bool { return s.Fault })
	if faults == 0 {
		return labs.Pendingf("no 500s seen in the last %s", labs.Duration(o.SummaryWindow))
	}
	if o.Publish != iamtypes.PolicyEvaluationDecisionTypeAllowed {
		return labs.Pendingf("sns:Publish is %s for %s", o.Publish, roleName(o.Target))
	}
	recent := 0
	for _, s := range o.Summaries {
		if s.Fault && o.At.Sub(s.Start) < 2*time.Minute {
			recent++
		}
	}
	if recent > 0 {
		return labs.Pendingf("sns:Publish is allowed again; %d 500s in the last 2 minutes", recent)
	}
	return labs.Passf("sns:Publish allowed again and no 500s for 2 minutes")
}

func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
