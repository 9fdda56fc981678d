package sim

// Operations declared in labs/cloud but not simulated yet: each answers
// UnsupportedOperation, so nothing pretends to work. Files that model them replace these.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
)

func (c *ec2Client) DescribeInstances(ctx context.Context, _ *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	return nil, c.unsupported(ctx, "ec2", "DescribeInstances")
}

func (c *ec2Client) RunInstances(ctx context.Context, _ *ec2.RunInstancesInput, _ ...func(*ec2.Options)) (*ec2.RunInstancesOutput, error) {
	return nil, c.unsupported(ctx, "ec2", "RunInstances")
}

func (c *ec2Client) TerminateInstances(ctx context.Context, _ *ec2.TerminateInstancesInput, _ ...func(*ec2.Options)) (*ec2.TerminateInstancesOutput, error) {
	return nil, c.unsupported(ctx, "ec2", "TerminateInstances")
}

func (c *ec2Client) CreateLaunchTemplate(ctx context.Context, _ *ec2.CreateLaunchTemplateInput, _ ...func(*ec2.Options)) (*ec2.CreateLaunchTemplateOutput, error) {
	return nil, c.unsupported(ctx, "ec2", "CreateLaunchTemplate")
}

func (c *ec2Client) DescribeLaunchTemplates(ctx context.Context, _ *ec2.DescribeLaunchTemplatesInput, _ ...func(*ec2.Options)) (*ec2.DescribeLaunchTemplatesOutput, error) {
	return nil, c.unsupported(ctx, "ec2", "DescribeLaunchTemplates")
}

func (c *ec2Client) DeleteLaunchTemplate(ctx context.Context, _ *ec2.DeleteLaunchTemplateInput, _ ...func(*ec2.Options)) (*ec2.DeleteLaunchTemplateOutput, error) {
	return nil, c.unsupported(ctx, "ec2", "DeleteLaunchTemplate")
}

func (c *ec2Client) DescribeSpotInstanceRequests(ctx context.Context, _ *ec2.DescribeSpotInstanceRequestsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSpotInstanceRequestsOutput, error) {
	return nil, c.unsupported(ctx, "ec2", "DescribeSpotInstanceRequests")
}

func (c *ec2Client) CancelSpotInstanceRequests(ctx context.Context, _ *ec2.CancelSpotInstanceRequestsInput, _ ...func(*ec2.Options)) (*ec2.CancelSpotInstanceRequestsOutput, error) {
	return nil, c.unsupported(ctx, "ec2", "CancelSpotInstanceRequests")
}

func (c *gaClient) CreateAccelerator(ctx context.Context, _ *globalaccelerator.CreateAcceleratorInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.CreateAcceleratorOutput, error) {
	return nil, c.unsupported(ctx, "globalaccelerator", "CreateAccelerator")
}

func (c *gaClient) DescribeAccelerator(ctx context.Context, _ *globalaccelerator.DescribeAcceleratorInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.DescribeAcceleratorOutput, error) {
	return nil, c.unsupported(ctx, "globalaccelerator", "DescribeAccelerator")
}

func (c *gaClient) UpdateAccelerator(ctx context.Context, _ *globalaccelerator.UpdateAcceleratorInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.UpdateAcceleratorOutput, error) {
	return nil, c.unsupported(ctx, "globalaccelerator", "UpdateAccelerator")
}

func (c *gaClient) DeleteAccelerator(ctx context.Context, _ *globalaccelerator.DeleteAcceleratorInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.DeleteAcceleratorOutput, error) {
	return nil, c.unsupported(ctx, "globalaccelerator", "DeleteAccelerator")
}

func (c *gaClient) ListListeners(ctx context.Context, _ *globalaccelerator.ListListenersInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.ListListenersOutput, error) {
	return nil, c.unsupported(ctx, "globalaccelerator", "ListListeners")
}

func (c *gaClient) CreateListener(ctx context.Context, _ *globalaccelerator.CreateListenerInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.CreateListenerOutput, error) {
	return nil, c.unsupported(ctx, "globalaccelerator", "CreateListener")
}

func (c *gaClient) DeleteListener(ctx context.Context, _ *globalaccelerator.DeleteListenerInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.DeleteListenerOutput, error) {
	return nil, c.unsupported(ctx, "globalaccelerator", "DeleteListener")
}

func (c *gaClient) ListEndpointGroups(ctx context.Context, _ *globalaccelerator.ListEndpointGroupsInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.ListEndpointGroupsOutput, error) {
	return nil, c.unsupported(ctx, "globalaccelerator", "ListEndpointGroups")
}

func (c *gaClient) CreateEndpointGroup(ctx context.Context, _ *globalaccelerator.CreateEndpointGroupInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.CreateEndpointGroupOutput, error) {
	return nil, c.unsupported(ctx, "globalaccelerator", "CreateEndpointGroup")
}

func (c *gaClient) DescribeEndpointGroup(ctx context.Context, _ *globalaccelerator.DescribeEndpointGroupInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.DescribeEndpointGroupOutput, error) {
	return nil, c.unsupported(ctx, "globalaccelerator", "DescribeEndpointGroup")
}

func (c *gaClient) DeleteEndpointGroup(ctx context.Context, _ *globalaccelerator.DeleteEndpointGroupInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.DeleteEndpointGroupOutput, error) {
	return nil, c.unsupported(ctx, "globalaccelerator", "DeleteEndpointGroup")
}

func (c *gaClient) ListTagsForResource(ctx context.Context, _ *globalaccelerator.ListTagsForResourceInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.ListTagsForResourceOutput, error) {
	return nil, c.unsupported(ctx, "globalaccelerator", "ListTagsForResource")
}

// unsupported counts the call and answers UnsupportedOperation.
func (b base) unsupported(ctx context.Context, service, op string) error {
	if _, err := b.enter(ctx, service, op); err != nil {
		return err
	}
	b.w.mu.Unlock()
	return apiError("UnsupportedOperation", "The simulator does not model %s:%s yet.", service, op)
}
