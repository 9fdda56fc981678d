package sim

// STS: GetCallerIdentity answers with the client's account and a fixed
// simulated principal. Nothing else of STS is modelled.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// stsClient implements cloud.STS.
type stsClient struct{ base }

// GetCallerIdentity reports the account the client was made for.
func (c *stsClient) GetCallerIdentity(ctx context.Context, _ *sts.GetCallerIdentityInput, _ ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	if _, err := c.enter(ctx, "sts", "GetCallerIdentity"); err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	return &sts.GetCallerIdentityOutput{
		Account: ptr(c.account),
		Arn:     ptr("arn:aws:iam::" + c.account + ":user/labdash-simulated"),
		UserId:  ptr("AIDA" + hashID(17, c.account, "labdash-simulated")),
	}, nil
}
