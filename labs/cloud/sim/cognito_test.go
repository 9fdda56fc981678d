package sim

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
)

func TestCognitoUserPoolDeletionRules(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c.Cognito
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("c42s07-photos"), DeletionProtection: ciptypes.DeletionProtectionTypeActive,
		MfaConfiguration: ciptypes.UserPoolMfaTypeOptional, AutoVerifiedAttributes: []ciptypes.VerifiedAttributeType{ciptypes.VerifiedAttributeTypeEmail},
		UserPoolTags: map[string]string{"labdash:class": "c42", "labdash:student": "s07"}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.UserPool.Id)
	if !regexp.MustCompile(`^us-east-1_[A-Za-z0-9]{9}$`).MatchString(id) || aws.ToString(out.UserPool.Arn) != "arn:aws:cognito-idp:us-east-1:111122223333:userpool/"+id {
		t.Fatalf("pool id %s, ARN %s", id, aws.ToString(out.UserPool.Arn))
	}
	got, err := e.c.Tagging.GetResources(ctx, &rgt.GetResourcesInput{ResourceTypeFilters: []string{"cognito-idp:userpool"}})
	if err != nil || len(got.ResourceTagMappingList) != 1 || len(got.ResourceTagMappingList[0].Tags) != 2 {
		t.Fatalf("tagging API: %+v %v", got, err)
	}
	if _, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{Domain: aws.String("c42s07-photos"), UserPoolId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	var inv *ciptypes.InvalidParameterException
	if _, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{Domain: aws.String("c42s07-other"), UserPoolId: aws.String(id)}); !errors.As(err, &inv) {
		t.Fatalf("second domain: %v", err)
	}
	// The prefix is taken for the whole region, every account.
	other, _ := e.w.Clients(ctx, "444455556666", "us-east-1")
	op, err := other.Cognito.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("x")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Cognito.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{Domain: aws.String("c42s07-photos"), UserPoolId: op.UserPool.Id}); !errors.As(err, &inv) || !strings.Contains(err.Error(), "Domain already exists") {
		t.Fatalf("taken prefix in another account: %v", err)
	}
	if _, err := other.Cognito.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{Domain: aws.String("my-cognito-login"), UserPoolId: op.UserPool.Id}); !errors.As(err, &inv) || !strings.Contains(err.Error(), "reserved word") {
		t.Fatalf("reserved word: %v", err)
	}
	d, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(id)})
	if err != nil || aws.ToString(d.UserPool.Domain) != "c42s07-photos" || d.UserPool.DeletionProtection != ciptypes.DeletionProtectionTypeActive {
		t.Fatalf("describe: %+v %v", d, err)
	}

	// Protection first, then the domain block deletion.
	_, err = c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(id)})
	if !errors.As(err, &inv) || !strings.Contains(err.Error(), "deletion protection is activated") {
		t.Fatalf("delete protected pool: %v", err)
	}
	// UpdateUserPool resets what it is not given: tags and MFA included.
	if _, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(id), DeletionProtection: ciptypes.DeletionProtectionTypeInactive}); err != nil {
		t.Fatal(err)
	}
	d, _ = c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(id)})
	if len(d.UserPool.UserPoolTags) != 0 || d.UserPool.MfaConfiguration != ciptypes.UserPoolMfaTypeOff || len(d.UserPool.AutoVerifiedAttributes) != 0 ||
		d.UserPool.DeletionProtection != ciptypes.DeletionProtectionTypeInactive || aws.ToString(d.UserPool.Domain) != "c42s07-photos" {
		t.Fatalf("after a bare UpdateUserPool: %+v", d.UserPool)
	}
	got, _ = e.c.Tagging.GetResources(ctx, &rgt.GetResourcesInput{ResourceTypeFilters: []string{"cognito-idp"}})
	if len(got.ResourceTagMappingList) != 0 {
		t.Fatalf("tags reset, yet the tagging API lists %+v", got.ResourceTagMappingList)
	}
	_, err = c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(id)})
	if !errors.As(err, &inv) || !strings.Contains(err.Error(), "domain configured") {
		t.Fatalf("delete pool with domain: %v", err)
	}
	if _, err := c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{Domain: aws.String("c42s07-photos"), UserPoolId: op.UserPool.Id}); err == nil {
		t.Fatal("deleting a domain through another pool succeeded")
	}
	if _, err := c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{Domain: aws.String("c42s07-photos"), UserPoolId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	var nf *ciptypes.ResourceNotFoundException
	if _, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(id)}); !errors.As(err, &nf) {
		t.Fatalf("second delete: %v, want ResourceNotFoundException", err)
	}
	if _, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(id)}); !errors.As(err, &nf) {
		t.Fatalf("describe deleted: %v", err)
	}
	// The prefix is free again.
	if _, err := other.Cognito.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{Domain: aws.String("c42s07-photos"), UserPoolId: op.UserPool.Id}); err != nil {
		t.Fatalf("freed prefix: %v", err)
	}
}

func TestCognitoListUserPools(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c.Cognito
	for i := 0; i < 5; i++ {
		if _, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("pool")}); err != nil {
			t.Fatal(err)
		}
	}
	var inv *ciptypes.InvalidParameterException
	if _, err := c.ListUserPools(ctx, &cip.ListUserPoolsInput{}); !errors.As(err, &inv) {
		t.Fatalf("ListUserPools without MaxResults: %v", err)
	}
	ids := map[string]bool{}
	var token *string
	for {
		out, err := c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range out.UserPools {
			ids[aws.ToString(p.Id)] = true
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(ids) != 5 {
		t.Fatalf("paged pools: %v", ids)
	}
	if _, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bad/name")}); !errors.As(err, &inv) {
		t.Fatalf("bad name: %v", err)
	}
	if _, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String("nope")}); !errors.As(err, &inv) {
		t.Fatalf("malformed id: %v", err)
	}
}
