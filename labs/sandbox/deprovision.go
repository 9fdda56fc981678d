package sandbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/labdash/labdash/db"
)

// Deprovision removes what provisioning made for one student: their prerequisite
// stacks and their sandbox role, marking each gone in the ledger. It deletes only
// ledger entries labdash created (found_by=provisioned); what the student built
// stays for the class cleanup, which this reports. Running it twice is harmless.
func (p *Provisioner) Deprovision(ctx context.Context, classID, slug string) (left int, err error) {
	class, err := p.Store.Class(ctx, classID)
	if err != nil {
		return 0, err
	}
	entries, err := p.Store.Ledger(ctx, classID, slug)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		if e.FoundBy != "provisioned" {
			left++
			continue
		}
		acct := e.Account
		if class.Isolation == db.IsolationShared {
			acct = ""
		}
		region := e.Region
		if region == "" {
			region = class.Regions[0]
		}
		c, err := p.Provider.Clients(ctx, acct, region)
		if err != nil {
			return left, err
		}
		switch e.Type {
		case "AWS::CloudFormation::Stack":
			if _, err := c.CloudFormation.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(e.ARN)}); err != nil {
				return left, fmt.Errorf("delete stack %s: %w", e.ARN, err)
			}
			var final *cfntypes.Stack
			if err := p.waitStack(ctx, c, e.ARN, func(s *cfntypes.Stack) bool {
				final = s
				return s == nil || !strings.HasSuffix(string(s.StackStatus), "_IN_PROGRESS")
			}); err != nil {
				return left, err
			}
			if final != nil && final.StackStatus != cfntypes.StackStatusDeleteComplete {
				return left, fmt.Errorf("stack %s ended %s: %s", e.ARN, final.StackStatus, aws.ToString(final.StackStatusReason))
			}
		case "AWS::IAM::Role":
			name := e.ARN[strings.LastIndex(e.ARN, "/")+1:]
			attached, err := c.IAM.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
			var nse *iamtypes.NoSuchEntityException
			if errors.As(err, &nse) {
				break // already gone
			}
			if err != nil {
				return left, fmt.Errorf("list policies of %s: %w", name, err)
			}
			for _, ap := range attached.AttachedPolicies {
				if _, err := c.IAM.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: ap.PolicyArn}); err != nil && !errors.As(err, &nse) {
					return left, fmt.Errorf("detach %s from %s: %w", aws.ToString(ap.PolicyArn), name, err)
				}
			}
			if _, err := c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)}); err != nil && !errors.As(err, &nse) {
				return left, fmt.Errorf("delete role %s: %w", name, err)
			}
		default:
			left++
			continue
		}
		if err := p.Store.MarkDeleted(ctx, classID, e.ARN); err != nil {
			return left, err
		}
	}
	return left, nil
}
