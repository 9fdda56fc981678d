package cleanup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	tagtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/cloud"
)

// Item is one resource in a plan, with why labdash believes the class owns it.
type Item struct {
	ARN       string  `json:"arn"`
	Type      string  `json:"type"`
	Region    string  `json:"region"`
	Account   string  `json:"account"`
	Student   string  `json:"student"`
	Parent    string  `json:"parent,omitempty"` // the resource this one belongs to
	Proof     string  `json:"proof"`            // how ownership was proven
	Reason    string  `json:"reason,omitempty"` // why it is skipped
	HourlyUSD float64 `json:"hourly_usd"`
	Rank      int     `json:"rank"`               // deletion order: lower first
	Children  int     `json:"children,omitempty"` // resources deleted with it (a stack's)
}

// Plan is what cleaning up a class would delete, and what it would leave and why.
type Plan struct {
	ClassID   string   `json:"class"`
	Account   string   `json:"account"`
	Regions   []string `json:"regions"`
	Items     []Item   `json:"items"`   // in deletion order: hourly-billed first within a rank
	Skipped   []Item   `json:"skipped"` // ownership not proven or type not handled: never deleted
	HourlyUSD float64  `json:"hourly_usd"`
	Hash      string   `json:"hash"` // what a confirmation is bound to
}

// Planner builds plans. It reads only: a plan is a dry run.
type Planner struct {
	Store    *db.Store
	Provider cloud.Provider
}

// Plan lists what class classID owns: every ledger entry still present and every
// resource the tag sweep finds with the class's tag, each re-checked as owned. A
// candidate whose ownership cannot be proven is listed as skipped with the reason.
func (p *Planner) Plan(ctx context.Context, classID string) (*Plan, error) {
	class, err := p.Store.Class(ctx, classID)
	if err != nil {
		return nil, err
	}
	students, err := p.Store.Students(ctx, classID)
	if err != nil {
		return nil, err
	}
	roster := map[string]bool{}
	for _, st := range students {
		roster[st.Slug] = true
	}
	ledger, err := p.Store.Ledger(ctx, classID, "")
	if err != nil {
		return nil, err
	}
	base, err := p.Provider.Clients(ctx, "", class.Regions[0])
	if err != nil {
		return nil, err
	}
	plan := &Plan{ClassID: classID, Account: base.Account, Regions: class.Regions, Items: []Item{}, Skipped: []Item{}}

	// The tag sweep, per region: what carries labdash:class=<class>, with its tags.
	tagged := map[string]map[string]string{}
	sweepErr := map[string]error{}
	for _, r := range class.Regions {
		c, err := p.Provider.Clients(ctx, "", r)
		if err != nil {
			return nil, err
		}
		if err := sweep(ctx, c, classID, tagged); err != nil {
			sweepErr[r] = err
		}
	}

	seen := map[string]bool{}
	consider := func(it Item, tags map[string]string, foundBy, parent string) {
		if seen[it.ARN] {
			return
		}
		seen[it.ARN] = true
		k, known := kinds[it.Type]
		switch {
		case !known:
			it.Reason = "labdash does not handle this type yet, so it will not delete it"
		case tags != nil && tags["labdash:class"] == classID:
			it.Proof = "tag labdash:class=" + classID
		case k.global && ownedByIAMName(it.ARN, classID):
			it.Proof = "IAM name under the class: " + iamName(it.ARN)
		case foundBy == "prefix" && it.Student != "" && roster[it.Student] && strings.Contains(it.ARN, classID+it.Student+"-"):
			it.Proof = "name prefix " + classID + it.Student + "-"
		case parent != "" && seen[parent] && tagged[parent] != nil:
			it.Proof = "its parent " + parent + " is the class's"
		case sweepErr[it.Region] != nil:
			it.Reason = fmt.Sprintf("the class tag could not be read in %s: %v", it.Region, sweepErr[it.Region])
		default:
			it.Reason = "no class tag, no owned parent and no class name: ownership not proven"
		}
		if it.Reason != "" {
			plan.Skipped = append(plan.Skipped, it)
			return
		}
		it.Rank, it.HourlyUSD = k.rank, k.hourly
		plan.Items = append(plan.Items, it)
	}
	// Tag-swept resources a stack made are deleted with their stack.
	var children []string
	for arn, tags := range tagged {
		if stackID := tags["aws:cloudformation:stack-id"]; stackID != "" && typeOfARN(arn) != "AWS::CloudFormation::Stack" {
			children = append(children, stackID)
			seen[arn] = true
		}
	}
	for _, e := range ledger {
		consider(Item{ARN: e.ARN, Type: e.Type, Region: e.Region, Account: e.Account, Student: e.Student, Parent: e.Parent}, tagged[e.ARN], e.FoundBy, e.Parent)
	}
	for _, arn := range sortedKeys(tagged) {
		tags := tagged[arn]
		consider(Item{ARN: arn, Type: typeOfARN(arn), Region: regionOf(arn), Account: base.Account, Student: tags["labdash:student"]}, tags, "tag", "")
	}
	// Count a stack's children on it.
	for i := range plan.Items {
		if plan.Items[i].Type == "AWS::CloudFormation::Stack" {
			for _, id := range children {
				if id == plan.Items[i].ARN {
					plan.Items[i].Children++
				}
			}
		}
	}
	sort.SliceStable(plan.Items, func(i, j int) bool {
		a, b := plan.Items[i], plan.Items[j]
		if a.Rank != b.Rank {
			return a.Rank < b.Rank
		}
		if a.HourlyUSD != b.HourlyUSD {
			return a.HourlyUSD > b.HourlyUSD
		}
		return a.ARN < b.ARN
	})
	sort.Slice(plan.Skipped, func(i, j int) bool { return plan.Skipped[i].ARN < plan.Skipped[j].ARN })
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%s\n", classID, plan.Account, strings.Join(plan.Regions, ","))
	for _, it := range plan.Items {
		plan.HourlyUSD += it.HourlyUSD
		fmt.Fprintln(h, it.ARN)
	}
	plan.Hash = hex.EncodeToString(h.Sum(nil))[:16]
	return plan, nil
}

func sweep(ctx context.Context, c *cloud.Clients, classID string, into map[string]map[string]string) error {
	var token *string
	for {
		out, err := c.Tagging.GetResources(ctx, &tagging.GetResourcesInput{
			TagFilters:       []tagtypes.TagFilter{{Key: aws.String("labdash:class"), Values: []string{classID}}},
			ResourcesPerPage: aws.Int32(100), PaginationToken: token,
		})
		if err != nil {
			return err
		}
		for _, m := range out.ResourceTagMappingList {
			tags := map[string]string{}
			for _, t := range m.Tags {
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			into[aws.ToString(m.ResourceARN)] = tags
		}
		if token = out.PaginationToken; token == nil || *token == "" {
			return nil
		}
	}
}

// ownedByIAMName reports whether an IAM ARN is under the class's path or names:
// roles under /labdash/<class>/, policies named <class>-student-*.
func ownedByIAMName(arn, classID string) bool {
	return strings.Contains(arn, ":role/labdash/"+classID+"/") || strings.Contains(arn, ":policy/"+classID+"-student-")
}

func iamName(arn string) string {
	_, rest, _ := strings.Cut(arn, ":role")
	if rest == "" {
		_, rest, _ = strings.Cut(arn, ":policy")
	}
	return rest
}

func regionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 4 {
		return ""
	}
	return parts[3]
}

func sortedKeys(m map[string]map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
