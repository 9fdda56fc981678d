package resources_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
)

func TestCognitoUserPoolSim(t *testing.T)  { testCognitoUserPool(t, simEnv(t)) }
func TestCognitoUserPoolMoto(t *testing.T) { testCognitoUserPool(t, motoEnv(t)) }

// testCognitoUserPool: the student's pool (deletion protection on, a hosted-UI
// domain, the class tags) is found by its prefix, its domain under it as an owned
// child; the domain goes first, then the pool — deletion protection turned off
// without losing the tags to UpdateUserPool's reset (checked by failing the
// DeleteUserPool that follows once) — and the decoys keep their domain, protection
// and tags. moto does not enforce deletion protection or the domain rule on
// DeleteUserPool (the simulator does), but it does model UpdateUserPool's reset.
func testCognitoUserPool(t *testing.T, e *env) {
	mk := func(name, domain string, tags map[string]string) string {
		out, err := e.c.Cognito.CreateUserPool(e.ctx, &cip.CreateUserPoolInput{PoolName: aws.String(name), UserPoolTags: tags,
			DeletionProtection: ciptypes.DeletionProtectionTypeActive, MfaConfiguration: ciptypes.UserPoolMfaTypeOff})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		id := aws.ToString(out.UserPool.Id)
		if domain != "" {
			if _, err := e.c.Cognito.CreateUserPoolDomain(e.ctx, &cip.CreateUserPoolDomainInput{Domain: aws.String(domain), UserPoolId: aws.String(id)}); err != nil {
				t.Fatalf("domain %s: %v", domain, err)
			}
		}
		return id
	}
	mine := mk(classID+"s01-photos", classID+"s01-photos", map[string]string{"labdash:class": classID, "labdash:student": "s01"})
	other := mk("c9zzzs01-photos", "c9zzzs01-photos", nil)
	lookalike := mk(classID+"s02-photos", "c9zzzs02-photos", map[string]string{"labdash:class": "c9zzz"})

	pools, _ := resources.Lookup("AWS::Cognito::UserPool")
	domains, _ := resources.Lookup("AWS::Cognito::UserPoolDomain")
	arn := func(id string) string { return e.c.ARN("cognito-idp", "userpool/"+id) }
	scope := resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}, Owned: map[string]resources.Ref{}}
	found, err := judge(e.ctx, pools, e.c, scope)
	if err != nil {
		t.Fatal(err)
	}
	var pool resources.Ref
	for _, f := range found {
		switch f.ARN {
		case arn(mine):
			if f.Proof == "" || f.Student != "s01" {
				t.Errorf("own pool not proven: %+v", f)
			}
			pool = f.Ref
		case arn(lookalike):
			if f.Proof != "" || f.Reason == "" {
				t.Errorf("look-alike tagged for another class proven owned: %+v", f)
			}
		default:
			t.Errorf("lister found %s, which is not the class's", f.ARN)
		}
	}
	if pool.ARN == "" {
		t.Fatalf("lister did not find %s among %+v", arn(mine), found)
	}
	if tags, err := pools.Tags(e.ctx, e.c, pool); err != nil || tags["labdash:class"] != classID {
		t.Fatalf("Tags: %v %v", tags, err)
	}
	scope.Owned[pool.ARN] = pool
	found, err = judge(e.ctx, domains, e.c, scope)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].ARN != arn(mine)+"/domain/"+classID+"s01-photos" || found[0].Proof == "" || found[0].Parent != pool.ARN || found[0].Student != "s01" {
		t.Fatalf("domain lister: %+v", found)
	}
	domain := found[0].Ref
	for a, want := range map[string]string{pool.ARN: "AWS::Cognito::UserPool", domain.ARN: "AWS::Cognito::UserPoolDomain"} {
		if got, ok := resources.ForARN(a); !ok || got.Name != want {
			t.Errorf("ForARN(%s) = %q, %v; want %s", a, got.Name, ok, want)
		}
	}
	if r, _ := resources.Lookup("AWS::Cognito::UserPool"); r.Rank() <= domains.Rank() {
		t.Errorf("pool rank %d is not after domain rank %d", r.Rank(), domains.Rank())
	}

	// On the simulator the pool waits for its domain.
	if e.world != nil {
		err := pools.Delete(e.ctx, cloud.Intercept(e.c, resources.Guard([]resources.Ref{pool}, nil)), pool)
		if !errors.Is(err, resources.ErrWaiting) {
			t.Fatalf("pool delete with its domain: %v, want Waiting", err)
		}
	}
	e.DeleteUntilGone(e.c, domain, 3)
	e.Gone(e.c, domain)

	// One attempt whose DeleteUserPool fails after the protection is off: the tags survive.
	failed := false
	flaky := cloud.Intercept(e.c, func(ctx context.Context, call cloud.Call) error {
		if call.Op == "DeleteUserPool" && !failed {
			failed = true
			return &smithy.GenericAPIError{Code: "TooManyRequestsException", Message: "injected"}
		}
		return nil
	})
	if err := pools.Delete(e.ctx, cloud.Intercept(flaky, resources.Guard([]resources.Ref{pool}, nil)), pool); resources.ErrorCode(err) != "TooManyRequestsException" {
		t.Fatalf("injected failure: %v", err)
	}
	d, err := e.c.Cognito.DescribeUserPool(e.ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(mine)})
	if err != nil || d.UserPool.DeletionProtection == ciptypes.DeletionProtectionTypeActive || d.UserPool.UserPoolTags["labdash:class"] != classID ||
		d.UserPool.UserPoolTags["labdash:student"] != "s01" {
		t.Fatalf("after UpdateUserPool: protection %s, tags %v (%v); want INACTIVE and the tags kept", d.UserPool.DeletionProtection, d.UserPool.UserPoolTags, err)
	}
	e.DeleteUntilGone(e.c, pool, 3)
	e.Gone(e.c, pool)
	if _, err := pools.Tags(e.ctx, e.c, pool); !errors.Is(err, resources.ErrGone) {
		t.Fatalf("Tags of the deleted pool: %v, want ErrGone", err)
	}

	for id, domain := range map[string]string{other: "c9zzzs01-photos", lookalike: "c9zzzs02-photos"} {
		d, err := e.c.Cognito.DescribeUserPool(e.ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(id)})
		if err != nil {
			t.Errorf("decoy %s: %v", id, err)
			continue
		}
		if aws.ToString(d.UserPool.Domain) != domain || d.UserPool.DeletionProtection != ciptypes.DeletionProtectionTypeActive {
			t.Errorf("decoy %s changed: domain %q, protection %s", id, aws.ToString(d.UserPool.Domain), d.UserPool.DeletionProtection)
		}
		if id == lookalike && d.UserPool.UserPoolTags["labdash:class"] != "c9zzz" {
			t.Errorf("look-alike's tags changed: %v", d.UserPool.UserPoolTags)
		}
	}
}
