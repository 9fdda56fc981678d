package sim

// Global Accelerator: not modelled yet (it arrives with Lab 5). ListAccelerators
// answers an empty list, as a fresh account does, so code that only lists works.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"
)

// gaClient implements cloud.GlobalAccelerator.
type gaClient struct{ base }

// ListAccelerators lists no accelerators.
func (c *gaClient) ListAccelerators(ctx context.Context, _ *globalaccelerator.ListAcceleratorsInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.ListAcceleratorsOutput, error) {
	if _, err := c.enter(ctx, "globalaccelerator", "ListAccelerators"); err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	return &globalaccelerator.ListAcceleratorsOutput{Accelerators: []gatypes.Accelerator{}}, nil
}
