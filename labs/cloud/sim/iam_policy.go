package sim

// Customer managed IAM policies: created with a document (validated as JSON and
// within IAM's 6,144-character limit), read back by ARN. Documents are stored,
// never evaluated.

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

type managedPolicy struct {
	name, path, arn, id, doc string
	tags                     tagList
	createdAt                time.Time
}

func (p *managedPolicy) out() *iamtypes.Policy {
	return &iamtypes.Policy{Arn: ptr(p.arn), PolicyName: ptr(p.name), Path: ptr(p.path), PolicyId: ptr(p.id),
		DefaultVersionId: ptr("v1"), IsAttachable: true, CreateDate: ptr(p.createdAt), UpdateDate: ptr(p.createdAt)}
}

// CreatePolicy stores a customer managed policy.
func (c *iamClient) CreatePolicy(ctx context.Context, in *iam.CreatePolicyInput, _ ...func(*iam.Options)) (*iam.CreatePolicyOutput, error) {
	a, err := c.enter(ctx, "CreatePolicy")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	if in == nil || !roleNameRE.MatchString(str(in.PolicyName)) {
		return nil, validationError("1 validation error detected: Value at 'policyName' failed to satisfy constraint")
	}
	path := str(in.Path)
	if path == "" {
		path = "/"
	}
	if !iamPathRE.MatchString(path) {
		return nil, validationError("The specified value for path is invalid.")
	}
	doc := str(in.PolicyDocument)
	var parsed map[string]any
	if json.Unmarshal([]byte(doc), &parsed) != nil {
		return nil, &iamtypes.MalformedPolicyDocumentException{Message: ptr("Syntax errors in policy.")}
	}
	size := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			size++
		}
	}
	if size > 6144 {
		return nil, &iamtypes.LimitExceededException{Message: ptr("Cannot exceed quota for PolicySize: 6144")}
	}
	arn := "arn:aws:iam::" + a.id + ":policy" + path + str(in.PolicyName)
	for _, p := range a.policies {
		if strings.EqualFold(p.name, str(in.PolicyName)) {
			return nil, &iamtypes.EntityAlreadyExistsException{Message: msg("A policy called %s already exists. Duplicate names are not allowed.", str(in.PolicyName))}
		}
	}
	p := &managedPolicy{name: str(in.PolicyName), path: path, arn: arn, doc: doc, createdAt: c.w.now,
		id: "ANPA" + strings.ToUpper(hashID(17, a.id, arn))}
	for _, t := range in.Tags {
		p.tags.set(str(t.Key), str(t.Value))
	}
	a.policies[arn] = p
	return &iam.CreatePolicyOutput{Policy: p.out()}, nil
}

// GetPolicy returns a customer managed policy by ARN.
func (c *iamClient) GetPolicy(ctx context.Context, in *iam.GetPolicyInput, _ ...func(*iam.Options)) (*iam.GetPolicyOutput, error) {
	a, err := c.enter(ctx, "GetPolicy")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	if in == nil || !policyArnRE.MatchString(str(in.PolicyArn)) {
		return nil, validationError("The policy ARN is not valid.")
	}
	p := a.policies[str(in.PolicyArn)]
	if p == nil {
		return nil, &iamtypes.NoSuchEntityException{Message: msg("Policy %s does not exist or is not attachable.", str(in.PolicyArn))}
	}
	return &iam.GetPolicyOutput{Policy: p.out()}, nil
}

// DeletePolicy deletes a customer managed policy; one still attached to a role or used
// as a role's permissions boundary is a DeleteConflict, as in IAM.
func (c *iamClient) DeletePolicy(ctx context.Context, in *iam.DeletePolicyInput, _ ...func(*iam.Options)) (*iam.DeletePolicyOutput, error) {
	a, err := c.enter(ctx, "DeletePolicy")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	if in == nil || !policyArnRE.MatchString(str(in.PolicyArn)) {
		return nil, validationError("The policy ARN is not valid.")
	}
	arn := str(in.PolicyArn)
	if a.policies[arn] == nil {
		return nil, &iamtypes.NoSuchEntityException{Message: msg("Policy %s does not exist or is not attachable.", arn)}
	}
	for _, r := range a.roles {
		if r.boundary == arn || contains(r.attached, arn) {
			return nil, &iamtypes.DeleteConflictException{Message: ptr("Cannot delete a policy attached to entities.")}
		}
	}
	delete(a.policies, arn)
	return &iam.DeletePolicyOutput{}, nil
}
