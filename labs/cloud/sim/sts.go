package sim

// STS: GetCallerIdentity answers with the client's account and a fixed
// simulated principal; AssumeRole of an existing role returns simulated
// credentials (there is no console to use them with). Nothing else is modelled.

import (
	"context"
	"strings"
	"time"

	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	smithy "github.com/aws/smithy-go"
	"github.com/labdash/labdash/labs/cloud"

	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// stsClient implements cloud.STS.
type stsClient struct{ base }

// GetCallerIdentity reports the account the client was made for.
func (c *stsClient) GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, _ ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return do(ctx, c.base, "sts", "GetCallerIdentity", in, func(_ *region) (*sts.GetCallerIdentityOutput, error) {
		if c.principal != "" {
			name := c.principal[strings.LastIndex(c.principal, "/")+1:]
			return &sts.GetCallerIdentityOutput{Account: ptr(c.account), Arn: ptr(c.principal), UserId: ptr("AROA" + hashID(17, c.principal) + ":" + name)}, nil
		}
		return &sts.GetCallerIdentityOutput{
			Account: ptr(c.account),
			Arn:     ptr("arn:aws:iam::" + c.account + ":user/labdash-simulated"),
			UserId:  ptr("AIDA" + hashID(17, c.account, "labdash-simulated")),
		}, nil
	})
}

// AssumeRole returns simulated credentials for an existing role of the client's account.
func (c *stsClient) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, _ ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	return do(ctx, c.base, "sts", "AssumeRole", in, func(r *region) (*sts.AssumeRoleOutput, error) {
		if in == nil || str(in.RoleArn) == "" || str(in.RoleSessionName) == "" {
			return nil, validationError("RoleArn and RoleSessionName are required")
		}
		arn := str(in.RoleArn)
		name := arn[strings.LastIndex(arn, "/")+1:]
		if _, ok := r.acct.roles[strings.ToLower(name)]; !ok || !strings.HasPrefix(arn, "arn:aws:iam::"+c.account+":role/") {
			return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "User is not authorized to perform: sts:AssumeRole on resource: " + arn}
		}
		exp := c.w.now.Add(time.Hour)
		return &sts.AssumeRoleOutput{
			Credentials:     &ststypes.Credentials{AccessKeyId: ptr("ASIASIMULATED"), SecretAccessKey: ptr("simulated"), SessionToken: ptr("simulated"), Expiration: &exp},
			AssumedRoleUser: &ststypes.AssumedRoleUser{Arn: ptr("arn:aws:sts::" + c.account + ":assumed-role/" + name + "/" + str(in.RoleSessionName)), AssumedRoleId: ptr("AROASIM:" + str(in.RoleSessionName))},
		}, nil
	})
}

func init() {
	registerService("sts", func(b base, c *cloud.Clients) { c.STS = &stsClient{b} })
}
