package sim

// Service Quotas: GetServiceQuota answers AWS's default value for the quotas the
// labs press on, per (account, region), unless a test or demo set another with
// SetQuota. Unknown quota codes answer NoSuchResourceException, as AWS does.
//
// AWS's defaults are a new account's. The live simulator's account is instead an
// account prepared for a class (PrepareClassAccount): LABS.md §3 has instructors
// request the vCPU increases days ahead, since a new account's 5 vCPUs of each
// of On-Demand and Spot Standard instances run one Lab 8 student (4 of each).

import (
	"context"
	"strings"

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
	"ec2/L-1216C47A":                  {"Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", 5},
	"ec2/L-34B43A08":                  {"All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests", 5},
	"globalaccelerator/L-0AA8EE0C":    {"Standard accelerators per account", 20},
	"rds/L-7B6409FD":                  {"DB instances", 40},
}

// ClassAccountQuotas are the applied values of an account prepared for a class,
// keyed "service/code": 512 vCPUs each of On-Demand and Spot Standard instances,
// what an instructor asks for ahead of a class of up to 120 students running
// Lab 8 (4 vCPUs of each a student) with room for their own instances. The other
// quotas stay at AWS's defaults.
var ClassAccountQuotas = map[string]float64{
	"ec2/L-1216C47A": 512,
	"ec2/L-34B43A08": 512,
}

// PrepareClassAccount applies ClassAccountQuotas to account in every region, as
// the increases an instructor has requested before the first class (SetQuota
// still overrides a region's value).
func (w *World) PrepareClassAccount(account string) {
	for key, v := range ClassAccountQuotas {
		service, code, _ := strings.Cut(key, "/")
		w.SetQuota(account, "*", service, code, v)
	}
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
		} else if x, ok := c.w.quotas[c.account+"/*/"+key]; ok {
			v = x // PrepareClassAccount's, in every region
		}
		return &servicequotas.GetServiceQuotaOutput{Quota: &sqtypes.ServiceQuota{ServiceCode: in.ServiceCode, QuotaCode: in.QuotaCode,
			QuotaName: ptr(d.name), Value: ptr(v), Adjustable: true}}, nil
	})
}

func init() {
	registerService("servicequotas", func(b base, c *cloud.Clients) { c.Quotas = &quotasClient{b} })
}
