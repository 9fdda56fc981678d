package ga

import (
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud/authz"
)

// grants are what a Global Accelerator student may do in a shared account:
// create an accelerator only tagged as theirs (CreateAccelerator has no resource
// type, so the tag condition is the whole fence), change only accelerators tagged
// as theirs and the listeners and endpoint groups under them, and stop and start
// only the origin instances their prerequisite stacks made (tagged by the stack).
// Accelerator ARNs carry a random id, never a name, so tags are the fence; the
// listener's and endpoint group's aws:ResourceTag are their accelerator's tags (the
// AWS Load Balancer Controller's published Global Accelerator policy fences
// CreateListener and CreateEndpointGroup on listener ARNs the same way).
func grants(g labs.GrantScope) []authz.Statement {
	acc := g.Global("globalaccelerator", "accelerator/*")
	return []authz.Statement{
		labs.Allow("GARead", []string{"globalaccelerator:Describe*", "globalaccelerator:List*"}, "*"),
		g.CreateTagged("GACreateTagged", []string{"globalaccelerator:CreateAccelerator"}, "*"),
		g.OnTagged("GAChangeMine", []string{"globalaccelerator:UpdateAccelerator", "globalaccelerator:UpdateAcceleratorAttributes", "globalaccelerator:DeleteAccelerator",
			"globalaccelerator:CreateListener", "globalaccelerator:UpdateListener", "globalaccelerator:DeleteListener", "globalaccelerator:CreateEndpointGroup",
			"globalaccelerator:UpdateEndpointGroup", "globalaccelerator:DeleteEndpointGroup", "globalaccelerator:AddEndpoints", "globalaccelerator:RemoveEndpoints"},
			acc, acc+"/listener/*", acc+"/listener/*/endpoint-group/*"),
		g.InRegions(g.OnTagged("GAMyOrigins", []string{"ec2:StopInstances", "ec2:StartInstances"}, g.ARN("ec2", "instance/*"))),
		g.InRegions(labs.Allow("GAReadOrigins", []string{"ec2:DescribeInstances", "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTargetHealth"}, "*")),
	}
}
