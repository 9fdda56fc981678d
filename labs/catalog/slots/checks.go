package slots

import (
	"fmt"
	"slices"
	"strings"

	"github.com/labdash/labdash/labs"
)

func checkpoints() []labs.Checkpoint {
	return []labs.Checkpoint{
		{ID: "website", Title: "Website bucket serves the page", Check: labs.Typed(checkWebsite)},
		{ID: "identity-pool", Title: "Identity pool allows guests", Check: labs.Typed(checkPool)},
		{ID: "guest-invoke", Title: "Guest role can invoke slotPull", Check: labs.Typed(checkGuestInvoke)},
		{ID: "table", Title: "slotWheels table populated", Check: labs.Typed(checkTable)},
		{ID: "function", Title: "slotPull deployed and can read the table", Check: labs.Typed(checkFunction)},
		{ID: "pulled", Title: "Handle pulled", Check: labs.Typed(checkPulled)},
	}
}

// blockFlags names the Block Public Access settings of b that stop a public
// bucket policy.
func blockFlags(b *Block) string {
	var on []string
	if b.BlockPublicPolicy {
		on = append(on, "BlockPublicPolicy")
	}
	if b.RestrictPublicBuckets {
		on = append(on, "RestrictPublicBuckets")
	}
	return strings.Join(on, " and ")
}

func checkWebsite(o *Observation) labs.Result {
	s := o.Site
	name := bucketName(o.Target)
	switch {
	case s == nil:
		return labs.Pendingf("no bucket %s yet", name)
	case !s.Website:
		return labs.Pendingf("bucket %s is not a website yet: turn on static website hosting (PutBucketWebsite, index document index.html)", name)
	case s.Index != "index.html":
		return labs.Failf("bucket %s's index document is %q; the page is index.html", name, s.Index)
	case !s.Public && s.Block.blocksPolicy():
		// The trap: every bucket made since April 2023 has Block Public Access on.
		return labs.Failf("Block Public Access is on for bucket %s (%s): since April 2023 new buckets block public policies, so S3 refuses "+
			"the tutorial's public-read policy with AccessDenied. Turn these settings off for this bucket (PutPublicAccessBlock), then put the policy", name, blockFlags(s.Block))
	case !s.Policy:
		return labs.Pendingf("bucket %s has no bucket policy yet: allow s3:GetObject on %s/* to everyone (Principal \"*\")", name, name)
	case !s.Public:
		return labs.Failf("bucket %s's policy is not public (GetBucketPolicyStatus IsPublic=false): it must allow s3:GetObject on %s/* to Principal \"*\"", name, name)
	case s.Block != nil && s.Block.RestrictPublicBuckets:
		return labs.Failf("bucket %s's policy is public, but its Block Public Access setting RestrictPublicBuckets still refuses anonymous reads: turn it off", name)
	case !s.HasIndex:
		return labs.Pendingf("no index.html in bucket %s yet (%s read)", name, labs.Plural(s.Objects, "object", "objects"))
	case s.Images == 0:
		return labs.Pendingf("index.html is in bucket %s, but no wheel images yet (.png, .jpg, .gif …)", name)
	}
	p := o.Probe
	switch {
	case p == nil:
		return labs.Pendingf("website %s not probed yet", websiteEndpoint(name, o.Target.Region))
	case p.Err != "":
		return labs.Failf("GET %s failed: %s", p.URL, p.Err)
	case p.Status == 403:
		return labs.Failf("GET %s answered 403 although the bucket policy is public: the account's Block Public Access (a shared account's setting) may forbid public sites; ask your instructor", p.URL)
	case p.Status != 200:
		return labs.Failf("GET %s answered %d, want 200", p.URL, p.Status)
	}
	return labs.Passf("%s answers 200; public policy, index.html and %s in the bucket", p.URL, labs.Plural(s.Images, "image", "images"))
}

func checkPool(o *Observation) labs.Result {
	p := o.Pool
	switch {
	case p == nil:
		return labs.Pendingf("no identity pool %s yet", poolName(o.Target))
	case !p.AllowUnauth:
		return labs.Failf("identity pool %s (%s) does not allow unauthenticated identities: the page's visitors are guests, so turn on guest access", p.Name, p.ID)
	case !p.RolesRead:
		return labs.Pendingf("identity pool %s's roles not read yet", p.Name)
	case p.UnauthRole == "":
		return labs.Pendingf("identity pool %s (%s) has no unauthenticated role yet: set %s (SetIdentityPoolRoles)", p.Name, p.ID, guestRoleName(o.Target))
	case !strings.HasPrefix(p.UnauthRole, "arn:aws:iam::"+o.Target.Account+":role"+rolePath(o.Target)):
		// SetIdentityPoolRoles has no resource type to fence (grants.go): a role
		// from elsewhere on a student's pool is a mistake or someone else's doing.
		return labs.Failf("identity pool %s's unauthenticated role %s is not one of yours (under %s): set %s", p.Name, p.UnauthRole, rolePath(o.Target), guestRoleName(o.Target))
	}
	flow := "basic (classic) flow on"
	if !p.AllowClassic {
		flow = "enhanced flow only"
	}
	return labs.Passf("identity pool %s (%s) allows guests with role %s; %s", p.Name, p.ID, roleNameOf(p.UnauthRole), flow)
}

// roleNameOf is the name part of a role ARN.
func roleNameOf(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// allowed is SimulatePrincipalPolicy's allowing decision.
const allowed = "allowed"

func checkGuestInvoke(o *Observation) labs.Result {
	p, g := o.Pool, o.Guest
	fn := functionName(o.Target)
	switch {
	case p == nil || p.UnauthRole == "":
		return labs.Pendingf("no guest role on identity pool %s yet", poolName(o.Target))
	case g == nil:
		return labs.Pendingf("guest role %s not read yet", roleNameOf(p.UnauthRole))
	case g.Missing:
		return labs.Failf("identity pool %s's unauthenticated role %s does not exist", p.Name, p.UnauthRole)
	case !g.Trusted:
		return labs.Failf("role %s's trust policy does not let cognito-identity.amazonaws.com assume it (sts:AssumeRoleWithWebIdentity)", roleNameOf(g.Arn))
	case !slices.Contains(g.Aud, p.ID):
		return labs.Failf("role %s trusts cognito-identity.amazonaws.com:aud %s, not this pool %s: set the aud condition to the pool's ID", roleNameOf(g.Arn), quoted(g.Aud), p.ID)
	case !slices.Contains(g.Amr, "unauthenticated"):
		return labs.Failf("role %s's trust does not require cognito-identity.amazonaws.com:amr \"unauthenticated\" (has %s)", roleNameOf(g.Arn), quoted(g.Amr))
	case o.Func == nil:
		return labs.Pendingf("no function %s yet to invoke", fn)
	case g.Invoke == "":
		return labs.Pendingf("lambda:InvokeFunction not evaluated yet for %s", roleNameOf(g.Arn))
	case g.Invoke != allowed:
		return labs.Failf("lambda:InvokeFunction on %s is %s for guest role %s: give it a policy allowing lambda:InvokeFunction on %s", fn, g.Invoke, roleNameOf(g.Arn), functionARN(o.Target))
	case !p.AllowClassic:
		// The trap: the role allows it, the session Cognito hands out does not.
		return labs.Failf("role %s allows lambda:InvokeFunction, but identity pool %s uses the enhanced flow only: Cognito then scopes guest credentials with "+
			"the session policy AmazonCognitoUnAuthedIdentitiesSessionPolicy, which leaves out lambda:InvokeFunction, so every pull is denied. "+
			"Turn on the basic (classic) flow (AllowClassicFlow) and have the page use GetOpenIdToken + AssumeRoleWithWebIdentity", roleNameOf(g.Arn), p.Name)
	}
	return labs.Passf("guest role %s trusts pool %s (unauthenticated) and may invoke %s; the basic flow is on", roleNameOf(g.Arn), p.ID, fn)
}

func quoted(v []string) string {
	if len(v) == 0 {
		return "none"
	}
	return `"` + strings.Join(v, `", "`) + `"`
}

func checkTable(o *Observation) labs.Result {
	t := o.Table
	name := tableName(o.Target)
	switch {
	case t == nil:
		return labs.Pendingf("no table %s yet", name)
	case t.Status == "CREATING":
		return labs.Pendingf("table %s is CREATING", name)
	case t.Status != "ACTIVE":
		return labs.Failf("table %s is %s, want ACTIVE", name, t.Status)
	case !t.KeyOK:
		return labs.Failf("table %s's key is %s; the function reads %s (Number) as the only partition key", name, t.Key, keyAttr)
	case !t.Counted:
		return labs.Pendingf("table %s not scanned yet", name)
	case t.Count == 0:
		return labs.Pendingf("table %s is empty: write the wheel items (%s, %s) with BatchWriteItem", name, keyAttr, imageAttr)
	}
	return labs.Passf("table %s is ACTIVE with %s (Scan COUNT)", name, labs.Plural(int(t.Count), "item", "items"))
}

func checkFunction(o *Observation) labs.Result {
	f := o.Func
	name := functionName(o.Target)
	switch {
	case f == nil:
		return labs.Pendingf("no function %s yet", name)
	case f.State == "Pending":
		return labs.Pendingf("function %s is Pending", name)
	case f.State != "Active":
		return labs.Failf("function %s is %s, want Active", name, f.State)
	case f.LastUpdateStatus == "InProgress":
		return labs.Pendingf("function %s is being updated", name)
	case f.LastUpdateStatus != "" && f.LastUpdateStatus != "Successful":
		return labs.Failf("function %s's last update is %s", name, f.LastUpdateStatus)
	case runtimeDeprecated(f.Runtime, o.At):
		return labs.Failf("function %s runs %s, a deprecated runtime: ship the updated code on a supported one (nodejs22.x or later)", name, f.Runtime)
	case f.GetItem == "":
		return labs.Pendingf("dynamodb:GetItem not evaluated yet for execution role %s", roleNameOf(f.Role))
	case f.GetItem != allowed:
		return labs.Failf("execution role %s: dynamodb:GetItem on table %s is %s, so the function cannot read the wheels: allow it", roleNameOf(f.Role), tableName(o.Target), f.GetItem)
	}
	return labs.Passf("function %s is Active on %s; its role %s may read %s", name, f.Runtime, roleNameOf(f.Role), tableName(o.Target))
}

func checkPulled(o *Observation) labs.Result {
	m := o.Metrics
	win := labs.Duration(o.MetricWindow)
	if m == nil {
		return labs.Pendingf("no metrics of %s read yet", functionName(o.Target))
	}
	inv, errs := int(sum(m.Invocations)), int(sum(m.Errors))
	switch {
	case inv == 0:
		return labs.Pendingf("no invocations of %s in the last %s: pull the handle on the page", functionName(o.Target), win)
	case errs > 0:
		why := ""
		if l := lastError(o.Pulls); l != "" {
			why = "; last error: " + trim(l, 160)
		}
		return labs.Failf("%s, %s in the last %s%s", labs.Plural(inv, "invocation", "invocations"), labs.Plural(errs, "error", "errors"), win, why)
	}
	return labs.Passf("%s, no errors in the last %s", labs.Plural(inv, "pull", "pulls"), win)
}

func lastError(ps []Pull) string {
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].Error {
			return ps[i].Message
		}
	}
	return ""
}

func trim(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Summary is the class grid's badge: the pulls of the last window and their errors.
func Summary(obs labs.Observation) labs.Summary {
	o, ok := obs.(*Observation)
	if !ok || o == nil || o.Metrics == nil {
		return labs.Summary{Running: -1}
	}
	inv, errs := int(sum(o.Metrics.Invocations)), int(sum(o.Metrics.Errors))
	s := labs.Summary{Running: -1, Badge: labs.Plural(inv, "pull", "pulls"), BadgeTone: "ok",
		BadgeTitle: fmt.Sprintf("invocations of %s in the last %s", functionName(o.Target), labs.Duration(o.MetricWindow))}
	switch {
	case inv == 0:
		s.BadgeTone = ""
	case errs > 0:
		s.Badge += fmt.Sprintf(" · %d err", errs)
		s.BadgeTone = "bad"
	}
	return s
}
