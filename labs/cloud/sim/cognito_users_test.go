package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func (e *env) userPool(name string) string {
	e.t.Helper()
	out, err := e.c.Cognito.CreateUserPool(e.ctx, &cip.CreateUserPoolInput{PoolName: aws.String(name)})
	if err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(out.UserPool.Id)
}

// Checkpoint 4 as Lab 1 reads it: a client, an ACTIVE domain, a CONFIRMED user.
func TestCognitoClientsDomainUsers(t *testing.T) {
	e := newEnv(t)
	c, ctx := e.c.Cognito, e.ctx
	pool := e.userPool("c42s07-photos")
	other := e.userPool("c42s08-photos")
	cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("photos-web"), GenerateSecret: true})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(cl.UserPoolClient.ClientId)
	if len(id) != 26 || cl.UserPoolClient.ClientSecret == nil {
		t.Errorf("client %q secret %v", id, cl.UserPoolClient.ClientSecret)
	}
	if _, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("bad/name")}); !errorsAs[*ciptypes.InvalidParameterException](err) {
		t.Errorf("bad client name: %v", err)
	}
	if _, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool + "x"), ClientName: aws.String("w")}); !errorsAs[*ciptypes.ResourceNotFoundException](err) {
		t.Errorf("near-miss pool: %v", err)
	}
	for i := 0; i < 3; i++ {
		if _, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String(fmt.Sprint("extra", i))}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	var tok *string
	for {
		l, err := c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(3), NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range l.UserPoolClients {
			ids = append(ids, aws.ToString(d.ClientId))
		}
		if tok = l.NextToken; tok == nil {
			break
		}
	}
	if len(ids) != 4 || ids[0] != id {
		t.Errorf("clients %v", ids)
	}
	if l, err := c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(other)}); err != nil || len(l.UserPoolClients) != 0 {
		t.Errorf("another pool's clients: %v %v", l, err)
	}
	if _, err := c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(61)}); !errorsAs[*ciptypes.InvalidParameterException](err) {
		t.Errorf("MaxResults 61: %v", err)
	}

	// The domain: CREATING, then ACTIVE a minute later; not visible to another account.
	if _, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String("c42s07-photos")}); err != nil {
		t.Fatal(err)
	}
	status := func(d string) ciptypes.DomainStatusType {
		out, err := e.c.Cognito.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String(d)})
		if err != nil {
			t.Fatal(err)
		}
		return out.DomainDescription.Status
	}
	if s := status("c42s07-photos"); s != ciptypes.DomainStatusTypeCreating {
		t.Errorf("new domain %q", s)
	}
	e.clock.Advance(61 * time.Second)
	if s := status("c42s07-photos"); s != ciptypes.DomainStatusTypeActive {
		t.Errorf("a minute on %q", s)
	}
	if s := status("c42s07-photo"); s != "" {
		t.Errorf("near-miss domain %q", s)
	}
	oc, _ := e.w.Clients(ctx, "444455556666", "us-east-1")
	if out, err := oc.Cognito.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("c42s07-photos")}); err != nil || out.DomainDescription.UserPoolId != nil {
		t.Errorf("another account sees %+v %v", out, err)
	}
	wc, _ := e.w.Clients(ctx, "", "us-west-2")
	if out, err := wc.Cognito.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("c42s07-photos")}); err != nil || out.DomainDescription.UserPoolId != nil {
		t.Errorf("another region sees %+v %v", out, err)
	}

	// Users.
	signUp := func(client, user, pw string) error {
		_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String(user), Password: aws.String(pw),
			UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(user + "@example.edu")}}})
		return err
	}
	if err := signUp(id, "ana", "short"); !errorsAs[*ciptypes.InvalidPasswordException](err) {
		t.Errorf("weak password: %v", err)
	}
	if err := signUp(id, "ana", "longbutnoupper1!"); !errorsAs[*ciptypes.InvalidPasswordException](err) {
		t.Errorf("no upper case: %v", err)
	}
	if err := signUp(id+"x", "ana", "Photos-2026!"); !errorsAs[*ciptypes.ResourceNotFoundException](err) {
		t.Errorf("unknown client: %v", err)
	}
	if err := signUp(id, "ana", "Photos-2026!"); err != nil {
		t.Fatal(err)
	}
	if err := signUp(id, "ana", "Photos-2026!"); !errorsAs[*ciptypes.UsernameExistsException](err) {
		t.Errorf("same user twice: %v", err)
	}
	if err := signUp(id, "ben", "Photos-2026!"); err != nil {
		t.Fatal(err)
	}
	list := func(filter string, limit int32) []ciptypes.UserType {
		out, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), Limit: aws.Int32(limit), Filter: aws.String(filter)})
		if err != nil {
			t.Fatal(err)
		}
		return out.Users
	}
	if us := list("", 60); len(us) != 2 || us[0].UserStatus != ciptypes.UserStatusTypeUnconfirmed {
		t.Fatalf("users %+v", us)
	}
	if _, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), Limit: aws.Int32(61)}); !errorsAs[*ciptypes.InvalidParameterException](err) {
		t.Errorf("Limit 61: %v", err)
	}
	confirm := func(user string) error {
		_, err := c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(pool), Username: aws.String(user)})
		return err
	}
	if err := confirm("anna"); !errorsAs[*ciptypes.UserNotFoundException](err) {
		t.Errorf("near-miss user: %v", err)
	}
	if err := confirm("ana"); err != nil {
		t.Fatal(err)
	}
	if err := confirm("ana"); !errorsAs[*ciptypes.NotAuthorizedException](err) {
		t.Errorf("confirm twice: %v", err)
	}
	if us := list(`cognito:user_status = "CONFIRMED"`, 60); len(us) != 1 || aws.ToString(us[0].Username) != "ana" {
		t.Errorf("confirmed users %+v", us)
	}
	if us := list(`email ^= "be"`, 60); len(us) != 1 || aws.ToString(us[0].Username) != "ben" {
		t.Errorf("email prefix %+v", us)
	}
	if _, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), Filter: aws.String("email ~ x")}); !errorsAs[*ciptypes.InvalidParameterException](err) {
		t.Errorf("bad filter: %v", err)
	}
	if us := list("", 1); len(us) != 1 {
		t.Errorf("Limit 1: %d", len(us))
	}
	// AdminCreateUser: FORCE_CHANGE_PASSWORD, not CONFIRMED.
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("cy")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("ana")}); !errorsAs[*ciptypes.UsernameExistsException](err) {
		t.Errorf("admin create existing: %v", err)
	}
	if us := list(`status = "FORCE_CHANGE_PASSWORD"`, 60); len(us) != 1 {
		t.Errorf("force change %+v", us)
	}
	// Users of one pool are not another's.
	if out, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(other)}); err != nil || len(out.Users) != 0 {
		t.Errorf("other pool's users %v %v", out, err)
	}
	// Deleting the pool removes its clients with it: SignUp through one is refused.
	if _, err := c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String("c42s07-photos")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(pool)}); err != nil {
		t.Fatal(err)
	}
	if err := signUp(id, "dee", "Photos-2026!"); !errorsAs[*ciptypes.ResourceNotFoundException](err) {
		t.Errorf("sign-up through a deleted pool's client: %v", err)
	}
}
