package sim

// Operations declared in labs/cloud but not simulated yet: each answers
// UnsupportedOperation, so nothing pretends to work. Files that model them replace these.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func (c *ec2Client) StopInstances(ctx context.Context, _ *ec2.StopInstancesInput, _ ...func(*ec2.Options)) (*ec2.StopInstancesOutput, error) {
	return nil, c.unsupported(ctx, "ec2", "StopInstances")
}

func (c *ec2Client) StartInstances(ctx context.Context, _ *ec2.StartInstancesInput, _ ...func(*ec2.Options)) (*ec2.StartInstancesOutput, error) {
	return nil, c.unsupported(ctx, "ec2", "StartInstances")
}

func (c *gaClient) UpdateEndpointGroup(ctx context.Context, _ *globalaccelerator.UpdateEndpointGroupInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.UpdateEndpointGroupOutput, error) {
	return nil, c.unsupported(ctx, "globalaccelerator", "UpdateEndpointGroup")
}

func (c *gaClient) DescribeListener(ctx context.Context, _ *globalaccelerator.DescribeListenerInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.DescribeListenerOutput, error) {
	return nil, c.unsupported(ctx, "globalaccelerator", "DescribeListener")
}

func (c *iamClient) SimulatePrincipalPolicy(ctx context.Context, _ *iam.SimulatePrincipalPolicyInput, _ ...func(*iam.Options)) (*iam.SimulatePrincipalPolicyOutput, error) {
	return nil, c.unsupported(ctx, "iam", "SimulatePrincipalPolicy")
}

func (c *ebClient) DescribeEnvironmentHealth(ctx context.Context, _ *elasticbeanstalk.DescribeEnvironmentHealthInput, _ ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.DescribeEnvironmentHealthOutput, error) {
	return nil, c.unsupported(ctx, "elasticbeanstalk", "DescribeEnvironmentHealth")
}

// unsupported counts the call and answers UnsupportedOperation.
func (b base) unsupported(ctx context.Context, service, op string) error {
	if _, err := b.enter(ctx, service, op); err != nil {
		return err
	}
	b.w.mu.Unlock()
	return apiError("UnsupportedOperation", "The simulator does not model %s:%s yet.", service, op)
}
