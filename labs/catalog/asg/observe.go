package asg

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// Batch sizes and cadences (LABS.md Lab 8 and §3).
const (
	groupBatch      = 100 // DescribeAutoScalingGroups: names per call (MaxRecords ≤ 100)
	filterBatch     = 200 // EC2 filter values per call
	maxPages        = 50  // page cap of any paged read
	activityPages   = 10  // the region's newest 1,000 scaling activities per read
	activityEvery   = 15 * time.Second
	activityKeep    = 12               // activities kept per student
	activitySkew    = 30 * time.Second // margin for AWS's clock against ours when paging activities
	priceEvery      = 5 * time.Minute
	priceWindow     = time.Hour
	productLinux    = "Linux/UNIX"
	lifecycleSpot   = "spot"
	lifecycleDemand = "on-demand"
)

// Observation is one student's Lab 8 state as read in one cycle.
type Observation struct {
	Target labs.Target
	At     time.Time
	// Template is the $Latest version of <prefix>lt (nil: none).
	Template *ec2types.LaunchTemplateVersion
	// Group is <prefix>asg (nil: none).
	Group *astypes.AutoScalingGroup
	// Instances are the EC2 instances of the group (its aws:autoscaling:groupName
	// tag), by id: InstanceLifecycle "spot" or none, state, type, AZ.
	Instances map[string]ec2types.Instance
	// Spot holds the Spot requests of the group's Spot instances, by instance id.
	Spot map[string]ec2types.SpotInstanceRequest
	// Activities are the group's newest scaling activities, newest first.
	Activities []astypes.Activity
	// Prices is the region's Spot price history of the lab's instance types over
	// the last hour (shared by every student of the group), newest first.
	Prices   []ec2types.SpotPrice
	PricesAt time.Time
	// Class is how far the whole class has got with its mix (every student's
	// last standing, across the class's accounts: classMix).
	Class ClassMix
	// Problems are reads that failed for this student; Stale names the parts whose
	// read failed for a reason other than "not found": they hold the last state.
	Problems []string
	Stale    []string
}

// ClassMix counts students by where their group stands: the class distribution bar.
type ClassMix struct {
	Reached   int // 2 On-Demand + 2 Spot, all InService
	Wrong     int // four InService, but not 2 + 2
	Launching int // a group whose instances are not all InService yet
	NoGroup   int
	Total     int
}

// StaleParts reports the parts carried over from the last cycle (labs.Staler).
func (o *Observation) StaleParts() []string { return o.Stale }

// Resources lists the student's resources the observation found, for the ledger.
func (o *Observation) Resources() []labs.Resource {
	if o == nil {
		return nil
	}
	var out []labs.Resource
	region := o.Target.Region
	if t := o.Template; t != nil {
		out = append(out, labs.Resource{ARN: arnOf(o.Target, "ec2", "launch-template/"+aws.ToString(t.LaunchTemplateId)), Type: "AWS::EC2::LaunchTemplate", Region: region, FoundBy: "prefix"})
	}
	if g := o.Group; g != nil {
		arn := aws.ToString(g.AutoScalingGroupARN)
		out = append(out, labs.Resource{ARN: arn, Type: "AWS::AutoScaling::AutoScalingGroup", Region: region, FoundBy: "prefix"})
		for _, id := range sortedKeys(o.Instances) {
			in := o.Instances[id]
			if in.State != nil && in.State.Name == ec2types.InstanceStateNameTerminated {
				continue
			}
			iarn := arnOf(o.Target, "ec2", "instance/"+id)
			out = append(out, labs.Resource{ARN: iarn, Type: "AWS::EC2::Instance", Region: region, Parent: arn, FoundBy: "tag"})
			if sr, ok := o.Spot[id]; ok {
				out = append(out, labs.Resource{ARN: arnOf(o.Target, "ec2", "spot-instances-request/"+aws.ToString(sr.SpotInstanceRequestId)),
					Type: "AWS::EC2::SpotInstanceRequest", Region: region, Parent: iarn, FoundBy: "tag"})
			}
		}
	}
	return out
}

func arnOf(t labs.Target, service, resource string) string {
	return "arn:aws:" + service + ":" + t.Region + ":" + t.Account + ":" + resource
}

// memory is what the lab remembers about one student between cycles.
type memory struct {
	last       *Observation
	activities []astypes.Activity // newest first, by ActivityId
}

// standing is where one student's group stood when last read, kept in the class's
// shared cache so the distribution bar counts the whole class: every student in
// a shared account, and every student account of an account-per-student class
// (each account is its own group).
type standing struct{ state string }

// classMix counts the class's students by their last standing, after recording
// this cycle's (obs). The monitor reads only the students due in a cycle (a
// settled one every 30 s), so obs may be a few of them; without a cache it is obs.
func classMix(cache *labs.Cache, obs map[string]*Observation) ClassMix {
	var mix ClassMix
	count := func(state string) {
		switch state {
		case stateReached:
			mix.Reached++
		case stateWrong:
			mix.Wrong++
		case stateLaunching:
			mix.Launching++
		default:
			mix.NoGroup++
		}
		mix.Total++
	}
	class := cache.Class()
	if class == nil {
		for _, o := range obs {
			count(o.mixState().state)
		}
		return mix
	}
	for id, o := range obs {
		labs.Keep[standing](class, id, "standing").state = o.mixState().state
	}
	for _, id := range class.Students() {
		count(labs.Keep[standing](class, id, "standing").state)
	}
	return mix
}

// groupMemory is what the lab remembers about the whole group of students.
type groupMemory struct {
	activitiesAt time.Time
	// activitiesTo is how far back the next read of scaling activities must page:
	// the last read's time less activitySkew, or the start of the oldest activity
	// still InProgress then (its end is news too). Zero: page the whole window.
	activitiesTo time.Time
	// backlog is where the first read stopped short of the list's end (a large
	// class's older activities); later reads page on from it until backlogDone.
	backlog     *string
	backlogDone bool
	prices      []ec2types.SpotPrice
	pricesAt    time.Time
}

// Observe reads Lab 8 for every target of one (account, region).
func Observe(ctx context.Context, c *cloud.Clients, cache *labs.Cache, targets []labs.Target) (map[string]labs.Observation, error) {
	now := c.Clock()
	obs := map[string]*Observation{}
	byGroup := map[string]*Observation{}
	byTemplate := map[string]*Observation{}
	var names []string
	for _, t := range targets {
		t.Account, t.Region = c.Account, c.Region
		o := &Observation{Target: t, At: now, Instances: map[string]ec2types.Instance{}, Spot: map[string]ec2types.SpotInstanceRequest{}}
		obs[t.StudentID] = o
		byGroup[groupName(t)] = o
		byTemplate[ltName(t)] = o
		names = append(names, groupName(t))
	}
	last := func(o *Observation) *Observation { return labs.Keep[memory](cache, o.Target.StudentID, "memory").last }
	staleAll := func(part string, err error, keep func(o, l *Observation)) {
		for _, o := range obs {
			o.stale(part, err)
			if l := last(o); l != nil {
				keep(o, l)
			}
		}
	}

	// 1. The groups, by name (unknown names are left out, never an error).
	for chunk := range slices.Chunk(names, groupBatch) {
		err := pages(ctx, func(ctx context.Context, token *string) (*string, error) {
			out, err := c.ASG.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: chunk, MaxRecords: aws.Int32(groupBatch), NextToken: token})
			if err != nil {
				return nil, err
			}
			for i := range out.AutoScalingGroups {
				g := out.AutoScalingGroups[i]
				if o := byGroup[aws.ToString(g.AutoScalingGroupName)]; o != nil {
					o.Group = &g
				}
			}
			return out.NextToken, nil
		})
		if err != nil {
			for _, n := range chunk {
				o := byGroup[n]
				o.stale("group", err)
				if l := last(o); l != nil {
					o.Group, o.Instances, o.Spot = l.Group, l.Instances, l.Spot
				}
			}
		}
	}

	// 2. Every launch template's $Latest version, one paged read for the region.
	err := pages(ctx, func(ctx context.Context, token *string) (*string, error) {
		out, err := c.EC2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{Versions: []string{"$Latest"}, MaxResults: aws.Int32(200), NextToken: token})
		if err != nil {
			return nil, err
		}
		for i := range out.LaunchTemplateVersions {
			v := out.LaunchTemplateVersions[i]
			if o := byTemplate[aws.ToString(v.LaunchTemplateName)]; o != nil {
				o.Template = &v
			}
		}
		return out.NextToken, nil
	})
	if err != nil {
		staleAll("launch template", err, func(o, l *Observation) { o.Template = l.Template })
	}

	// 3. The groups' instances by their group tag, and 4. the Spot ones' requests.
	var live []string
	for _, o := range obs {
		if o.Group != nil && !slices.Contains(o.Stale, "group") {
			live = append(live, aws.ToString(o.Group.AutoScalingGroupName))
		}
	}
	sort.Strings(live)
	var spotIDs []string
	for chunk := range slices.Chunk(live, filterBatch) {
		err := pages(ctx, func(ctx context.Context, token *string) (*string, error) {
			out, err := c.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(1000), NextToken: token,
				Filters: []ec2types.Filter{{Name: aws.String("tag:aws:autoscaling:groupName"), Values: chunk}}})
			if err != nil {
				return nil, err
			}
			for _, r := range out.Reservations {
				for _, in := range r.Instances {
					if o := byGroup[tagValue(in.Tags, "aws:autoscaling:groupName")]; o != nil {
						o.Instances[aws.ToString(in.InstanceId)] = in
						if in.InstanceLifecycle == ec2types.InstanceLifecycleTypeSpot {
							spotIDs = append(spotIDs, aws.ToString(in.InstanceId))
						}
					}
				}
			}
			return out.NextToken, nil
		})
		if err != nil {
			for _, n := range chunk {
				o := byGroup[n]
				o.stale("instances", err)
				if l := last(o); l != nil {
					o.Instances, o.Spot = l.Instances, l.Spot
				}
			}
		}
	}
	owner := map[string]*Observation{}
	for _, o := range obs {
		for id := range o.Instances {
			owner[id] = o
		}
	}
	sort.Strings(spotIDs)
	for chunk := range slices.Chunk(spotIDs, filterBatch) {
		err := pages(ctx, func(ctx context.Context, token *string) (*string, error) {
			out, err := c.EC2.DescribeSpotInstanceRequests(ctx, &ec2.DescribeSpotInstanceRequestsInput{MaxResults: aws.Int32(1000), NextToken: token,
				Filters: []ec2types.Filter{{Name: aws.String("instance-id"), Values: chunk}}})
			if err != nil {
				return nil, err
			}
			for _, sr := range out.SpotInstanceRequests {
				id := aws.ToString(sr.InstanceId)
				if o := owner[id]; o != nil {
					o.Spot[id] = sr
				}
			}
			return out.NextToken, nil
		})
		if err != nil {
			for _, id := range chunk {
				o := owner[id]
				o.stale("spot requests", err)
				if l := last(o); l != nil {
					if sr, ok := l.Spot[id]; ok {
						o.Spot[id] = sr
					}
				}
			}
		}
	}

	// 5. Scaling activities: the region's newest, every 15 s, kept per student.
	// They come newest first, so a read stops at the page that reaches back past
	// what the last read saw (activitiesTo): at rest one page a read. What the
	// first read could not reach (a large class's older activities, past its
	// activityPages) is read on, from where it stopped, with each read's pages
	// left over, until the list's end: every student's feed fills within a few
	// reads, and never more than activityPages calls a read.
	gm := labs.Keep[groupMemory](cache, "", "group")
	if len(live) > 0 && now.Sub(gm.activitiesAt) >= activityEvery {
		fresh := map[string][]astypes.Activity{}
		// The read moves on past what it saw, so it files the activities of every
		// student the group remembers, not only this cycle's due ones (a settled
		// student is read every 30 s): theirs would never be read again.
		owner := map[string]string{} // group name → student
		if len(targets) > 0 {
			for _, id := range cache.Students() {
				owner[groupName(labs.NewTarget(targets[0].ClassID, id, "", ""))] = id
			}
		}
		for n, o := range byGroup {
			owner[n] = o.Target.StudentID
		}
		to := now.Add(-activitySkew)
		read := func(token *string, stopAt time.Time) (*string, bool, error) {
			out, err := c.ASG.DescribeScalingActivities(ctx, &autoscaling.DescribeScalingActivitiesInput{MaxRecords: aws.Int32(100), NextToken: token})
			if err != nil {
				return nil, false, err
			}
			reached := false
			for _, a := range out.Activities {
				start := aws.ToTime(a.StartTime)
				if !stopAt.IsZero() && start.Before(stopAt) {
					reached = true
				}
				if a.StatusCode == astypes.ScalingActivityStatusCodeInProgress && start.Before(to) {
					to = start
				}
				if id := owner[aws.ToString(a.AutoScalingGroupName)]; id != "" {
					fresh[id] = append(fresh[id], a)
				}
			}
			return out.NextToken, reached, nil
		}
		var token *string
		var aerr error
		page := 0
		for page < activityPages {
			next, reached, err := read(token, gm.activitiesTo)
			page++
			if err != nil {
				aerr = err
				break
			}
			if token = next; aws.ToString(token) == "" || reached {
				break
			}
		}
		if aerr == nil && gm.activitiesTo.IsZero() {
			// The first read: what it did not reach is the backlog.
			gm.backlog, gm.backlogDone = token, aws.ToString(token) == ""
		}
		for aerr == nil && !gm.backlogDone && page < activityPages {
			next, _, err := read(gm.backlog, time.Time{})
			page++
			if err != nil {
				break // the backlog waits for the next read; what is fresh stands
			}
			if gm.backlog = next; aws.ToString(next) == "" {
				gm.backlogDone = true
			}
		}
		if aerr == nil {
			gm.activitiesAt, gm.activitiesTo = now, to
			for id, acts := range fresh {
				m := labs.Keep[memory](cache, id, "memory")
				m.activities = mergeActivities(acts, m.activities)
			}
		} else {
			for _, o := range obs {
				if o.Group != nil {
					o.stale("scaling activities", aerr)
				}
			}
		}
	}
	for _, o := range obs {
		m := labs.Keep[memory](cache, o.Target.StudentID, "memory")
		if o.Group == nil && !slices.Contains(o.Stale, "group") {
			m.activities = nil // the group is gone: so is its history
		}
		o.Activities = m.activities
	}

	// 6. Spot prices: every 5 min, one read for the whole group of students.
	if len(spotIDs) > 0 && now.Sub(gm.pricesAt) >= priceEvery {
		var prices []ec2types.SpotPrice
		types := make([]ec2types.InstanceType, len(instanceTypes()))
		for i, t := range instanceTypes() {
			types[i] = ec2types.InstanceType(t)
		}
		err := pages(ctx, func(ctx context.Context, token *string) (*string, error) {
			out, err := c.EC2.DescribeSpotPriceHistory(ctx, &ec2.DescribeSpotPriceHistoryInput{InstanceTypes: types, ProductDescriptions: []string{productLinux},
				StartTime: aws.Time(now.Add(-priceWindow)), EndTime: aws.Time(now), MaxResults: aws.Int32(1000), NextToken: token})
			if err != nil {
				return nil, err
			}
			prices = append(prices, out.SpotPriceHistory...)
			return out.NextToken, nil
		})
		if err == nil {
			gm.prices, gm.pricesAt = prices, now
		} else {
			for _, o := range obs {
				o.stale("spot prices", err)
			}
		}
	}

	// Remember this cycle, then the class distribution over every student the
	// class's cache remembers (classMix).
	for id, o := range obs {
		labs.Keep[memory](cache, id, "memory").last = o
	}
	mix := classMix(cache, obs)
	res := make(map[string]labs.Observation, len(obs))
	for id, o := range obs {
		o.Class = mix
		o.Prices, o.PricesAt = gm.prices, gm.pricesAt
		res[id] = o
	}
	return res, nil
}

// stale marks part as not read this cycle for a reason other than "not found".
func (o *Observation) stale(part string, err error) {
	if slices.Contains(o.Stale, part) {
		return
	}
	o.Problems = append(o.Problems, part+": "+errText(err))
	if !notFound(err) {
		o.Stale = append(o.Stale, part)
	}
}

// pages calls page until it returns no token, at most maxPages times.
func pages(ctx context.Context, page func(ctx context.Context, token *string) (*string, error)) error {
	var token *string
	for i := 0; i < maxPages; i++ {
		next, err := page(ctx, token)
		if err != nil {
			return err
		}
		if aws.ToString(next) == "" {
			return nil
		}
		token = next
	}
	return nil
}

// mergeActivities puts fresh (newest first) before the remembered ones it does not
// repeat, updating those it does (an activity moves from InProgress to Successful).
func mergeActivities(fresh, old []astypes.Activity) []astypes.Activity {
	seen := map[string]bool{}
	var out []astypes.Activity
	for _, list := range [][]astypes.Activity{fresh, old} {
		for _, a := range list {
			if id := aws.ToString(a.ActivityId); !seen[id] {
				seen[id] = true
				out = append(out, a)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return aws.ToTime(out[i].StartTime).After(aws.ToTime(out[j].StartTime)) })
	if len(out) > activityKeep {
		out = out[:activityKeep]
	}
	return out
}

func notFound(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	return strings.Contains(ae.ErrorCode(), "NotFound")
}

func errText(err error) string {
	s := err.Error()
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

func tagValue(tags []ec2types.Tag, key string) string {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
