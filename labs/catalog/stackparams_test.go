package catalog

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/goccy/go-yaml"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// TestStackParametersMatchTemplates: for every lab with a template, every
// parameter the template declares without a Default is supplied, and nothing is
// supplied that it does not declare.
func TestStackParametersMatchTemplates(t *testing.T) {
	ctx := context.Background()
	checked := 0
	for _, l := range New().All() {
		if len(l.Template) == 0 {
			continue
		}
		checked++
		t.Run(l.ID, func(t *testing.T) {
			var tmpl struct {
				Parameters map[string]map[string]any `yaml:"Parameters"`
			}
			if err := yaml.Unmarshal(l.Template, &tmpl); err != nil {
				t.Fatal(err)
			}
			world := sim.New(sim.Options{Clock: sim.NewManualClock(time.Unix(1_800_000_000, 0)), DefaultAccount: "111122223333"})
			for _, region := range l.StackRegions("us-east-1") {
				c, err := world.Clients(ctx, "", region)
				if err != nil {
					t.Fatal(err)
				}
				params, err := labs.StackParameters(ctx, c, l, labs.NewTarget("c42", "s01", "111122223333", region))
				if err != nil {
					t.Fatal(err)
				}
				supplied := map[string]bool{}
				for _, p := range params {
					k := aws.ToString(p.ParameterKey)
					if _, ok := tmpl.Parameters[k]; !ok {
						t.Errorf("%s: supplied %s, which the template does not declare", region, k)
					}
					if supplied[k] {
						t.Errorf("%s: supplied %s twice", region, k)
					}
					supplied[k] = true
				}
				var missing []string
				for k, decl := range tmpl.Parameters {
					if _, hasDefault := decl["Default"]; !hasDefault && !supplied[k] {
						missing = append(missing, k)
					}
				}
				sort.Strings(missing)
				if len(missing) > 0 {
					t.Errorf("%s: parameters without a Default not supplied: %v", region, missing)
				}
			}
		})
	}
	if checked == 0 {
		t.Fatal("no lab has a template")
	}
}

// TestCapabilitiesMatchTemplates: each lab acknowledges exactly what its template
// needs: CAPABILITY_NAMED_IAM when it names an IAM resource, CAPABILITY_IAM when it
// has unnamed ones only, nothing otherwise (CloudFormation refuses a create with
// InsufficientCapabilitiesException when one is missing).
func TestCapabilitiesMatchTemplates(t *testing.T) {
	names := map[string]string{"AWS::IAM::Role": "RoleName", "AWS::IAM::InstanceProfile": "InstanceProfileName", "AWS::IAM::User": "UserName",
		"AWS::IAM::Group": "GroupName", "AWS::IAM::ManagedPolicy": "ManagedPolicyName"}
	for _, l := range New().All() {
		if len(l.Template) == 0 {
			continue
		}
		var tmpl struct {
			Resources map[string]struct {
				Type       string         `yaml:"Type"`
				Properties map[string]any `yaml:"Properties"`
			} `yaml:"Resources"`
		}
		if err := yaml.Unmarshal(l.Template, &tmpl); err != nil {
			t.Fatal(err)
		}
		var want []cfntypes.Capability
		iam, named := false, false
		for _, r := range tmpl.Resources {
			if strings.HasPrefix(r.Type, "AWS::IAM::") {
				iam = true
				if _, ok := r.Properties[names[r.Type]]; ok && names[r.Type] != "" {
					named = true
				}
			}
		}
		switch {
		case named:
			want = []cfntypes.Capability{cfntypes.CapabilityCapabilityNamedIam}
		case iam:
			want = []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}
		}
		if !slices.Equal(l.Capabilities, want) {
			t.Errorf("%s acknowledges %v, its template needs %v", l.ID, l.Capabilities, want)
		}
	}
}
