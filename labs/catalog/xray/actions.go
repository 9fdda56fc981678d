package xray

// Rehearsal actions (simulator only) and the class grid's badge.

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/labdash/labdash/labs"
)

func actions() []labs.Action {
	return []labs.Action{
		{ID: "remove-sns-publish", Title: "Remove sns:Publish from the instance role", Do: removePublishNow,
			Done: "Removed sns:Publish from the instance role", Subject: "sns:Publish", From: []string{"allowed"}, State: publishState},
		{ID: "restore-sns-publish", Title: "Restore sns:Publish", Do: restorePublishNow,
			Done: "Restored sns:Publish on the instance role", Subject: "sns:Publish", From: []string{"denied"}, State: publishState},
		// The simulator keeps the auto-signup rate to itself, so this pair has no
		// State: both buttons are always offered.
		{ID: "auto-signups-on", Title: "Switch auto signups on", Done: "Switched auto signups on",
			Do: func(ctx context.Context, e *labs.Env) error { return setSignups(e, true) }},
		{ID: "auto-signups-off", Title: "Switch auto signups off", Done: "Switched auto signups off",
			Do: func(ctx context.Context, e *labs.Env) error { return setSignups(e, false) }},
	}
}

// publishState is "allowed" while the instance role has its sns:Publish policy
// and "denied" once it was removed.
func publishState(ctx context.Context, e *labs.Env) (string, error) {
	out, err := e.C.IAM.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(roleName(e.T))})
	if err != nil {
		return "", err
	}
	if contains(out.PolicyNames, publishPolicy) {
		return "allowed", nil
	}
	return "denied", nil
}

// removePublishNow deletes the role's sns:Publish policy, remembering it.
func removePublishNow(ctx context.Context, e *labs.Env) error {
	return removePolicy(ctx, e, publishPolicy)
}

// restorePublishNow puts the sns:Publish policy back.
func restorePublishNow(ctx context.Context, e *labs.Env) error {
	doc, err := policyDocument(ctx, e, publishPolicy)
	if err != nil {
		return err
	}
	return putPolicy(ctx, e, publishPolicy, doc)
}

func setSignups(e *labs.Env, on bool) error {
	if e.Load == nil {
		return fmt.Errorf("this sandbox has no load tool")
	}
	rps := 0.0
	if on {
		rps = autoSignupRate
	}
	env := e.Memo["env"]
	if env == "" {
		env = e.C.ARN("elasticbeanstalk", "environment/"+appName(e.T)+"/"+envName(e.T))
	}
	return e.Load(env, rps)
}

// Summary is the class grid's badge: the app's requests in the graph window with
// their 4xx and 5xx shares (red with faults, amber with errors).
func Summary(obs labs.Observation) labs.Summary {
	s := labs.Summary{Running: -1}
	o, ok := obs.(*Observation)
	if !ok || o == nil {
		return s
	}
	for _, svc := range o.Graph {
		if aws.ToString(svc.Name) != tracingName(o.Target) || svc.SummaryStatistics == nil {
			continue
		}
		st := svc.SummaryStatistics
		total := aws.ToInt64(st.TotalCount)
		if total == 0 {
			return s
		}
		var errs, faults int64
		if st.ErrorStatistics != nil {
			errs = aws.ToInt64(st.ErrorStatistics.TotalCount)
		}
		if st.FaultStatistics != nil {
			faults = aws.ToInt64(st.FaultStatistics.TotalCount)
		}
		pct := func(n int64) int { return int(100*n/total + boolInt(n > 0 && 100*n/total == 0)) }
		s.Badge = fmt.Sprintf("%d%% 4xx · %d%% 5xx", pct(errs), pct(faults))
		s.BadgeTitle = fmt.Sprintf("%d requests in the last %s: %d errors, %d faults", total, labs.Duration(o.GraphWindow), errs, faults)
		switch {
		case faults > 0:
			s.BadgeTone = "bad"
		case errs > 0:
			s.BadgeTone = "warn"
		default:
			s.BadgeTone = "ok"
		}
	}
	return s
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
