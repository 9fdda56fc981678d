package sim

// Service Quotas: GetServiceQuota answers AWS's default value for the quotas the
// labs press on, per (account, region), unless a test or demo set another with
// SetQuota. Unknown quota codes answer NoSuchResourceException, as AWS does.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	sqtypes "github.com/aws/aws-sdk-go-v2/service/servicequotas/types"
	"github.com/labdash/labdash/labs/cloud"
)

// defaultQuotas are AWS's defaults (LABS.md §3), keyed "service/code".
var defaultQuotas = map[string]struct {
	name  string
	value float64
}{
	"elasticloadbalancing/L-53DA6B97": {"Application Load Balancers per Region", 50},
	"vpc/L-F678F1CE":                  {"VPCs per Region", 5},
	"ec2/L-0263D0A3":                  {"EC2-VPC Elastic IPs", 5},
	"fargate/L-3032A538":              {"Fargate On-Demand vCPU resource count", 100},
	"ec2/L-1216C47A":                  {"Running On-Demand Standard instances", 5},
	"globalaccelerator/L-0AA8EE0C":    {"Standard accelerators per account", 20},
	"rds/L-7B6409FD":                  {"DB instances", 40},
}

// SetQuota overrides a quota's applied value in one account and region.
func (w *World) SetQuota(account, region, service, code string, value float64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.quotas == nil {
		w.quotas = map[string]float64{}
	}
	w.quotas[account+"/"+region+"/"+service+"/"+code] = value
}

// quotasClient implements cloud.ServiceQuotas.
type quotasClient struct{ base }

// GetServiceQuota returns the applied (or default) value of a quota.
func (c *quotasClient) GetServiceQuota(ctx context.Context, in *servicequotas.GetServiceQuotaInput, _ ...func(*servicequotas.Options)) (*servicequotas.GetServiceQuotaOutput, error) {
	return do(ctx, c.base, "servicequotas", "GetServiceQuota", in, func(_ *region) (*servicequotas.GetServiceQuotaOutput, error) {
		if in == nil || str(in.ServiceCode) == "" || str(in.QuotaCode) == "" {
			return nil, validationError("ServiceCode and QuotaCode are required")
		}
		key := str(in.ServiceCode) + "/" + str(in.QuotaCode)
		d, ok := defaultQuotas[key]
		if !ok {
			return nil, &sqtypes.NoSuchResourceException{Message: ptr("The request failed because the specified quota doesn't exist.")}
		}
		v := d.value
		if x, ok := c.w.quotas[c.account+"/"+c.region+"/"+key]; ok {
			v = x
		}
		return &servicequotas.GetServiceQuotaOutput{Quota: &sqtypes.ServiceQuota{ServiceCode: in.ServiceCode, QuotaCode: in.QuotaCode,
			QuotaName: ptr(d.name), Value: ptr(v), Adjustable: true}}, nil
	})
}

func init() {
	registerService("servicequotas", func(b base, c *cloud.Clients) { c.Quotas = &quotasClient{b} })
}
