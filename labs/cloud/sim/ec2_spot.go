package sim

// Lab 8's EC2 reads and the Spot market: DescribeLaunchTemplateVersions,
// DescribeSpotPriceHistory, and Spot interruptions.
//
// DescribeLaunchTemplateVersions describes version 1 (the only one the simulator
// keeps) of one template by id or name, or, with neither, the $Latest or
// $Default version of every template, as AWS allows; an unknown template is
// InvalidLaunchTemplateName.NotFoundException (or …Id.NotFound), a version
// other than 1, $Latest or $Default is InvalidLaunchTemplateId.VersionNotFound.
//
// DescribeSpotPriceHistory answers, per instance type and Availability Zone of
// the region, one price per hour (the price in effect at StartTime, then each
// hourly change up to EndTime, newest first), between about a quarter and a
// third of the type's On-Demand price and the same for every caller: the Spot
// market is a region's, not an account's. Types the simulator has no On-Demand
// price for are priced from $0.10. MaxResults is 5–1000 (default 1000).
//
// Interruptions (World.InterruptSpot, the rehearsal's stand-in for Amazon EC2
// reclaiming capacity; AWS Fault Injection Service's
// aws:ec2:send-spot-instance-interruptions does the same on AWS) follow AWS's
// "Spot request status" table. The instance gets the two-minute interruption
// notice and keeps running through it; then:
//   - interruption behaviour terminate (every Auto Scaling group's Spot
//     instance): the request's status is instance-terminated-no-capacity at
//     once (AWS: "it is not set to marked-for-termination"), state closed for a
//     one-time request and open for a persistent one; after the notice the
//     instance is terminated with state reason Server.SpotInstanceTermination.
//     A persistent request then launches a new instance (spotRelaunchDelay
//     later), as it does after any termination. An Auto Scaling group sees the
//     instance go and replaces it (autoscaling_groups.go).
//   - stop or hibernate (persistent requests only): the request is active with
//     status marked-for-stop; after the notice the instance stops (state reason
//     Server.SpotInstanceShutdown) and the request is disabled with
//     instance-stopped-no-capacity; spotRelaunchDelay after it has stopped the
//     capacity is back: the same instance starts again and the request is
//     active and fulfilled. Hibernation itself is not modelled: it stops.
//
// Not modelled: instance metadata's spot/instance-action, EventBridge events,
// rebalance recommendations, hibernation (a hibernate request's instance stops).

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

const (
	spotKey            = "ec2-spot-interruptions"
	spotNotice         = 2 * time.Minute // the interruption notice comes this long before the instance is reclaimed
	spotPriceInterval  = time.Hour       // the simulated Spot price changes once an hour
	spotHistoryMaximum = 90 * 24 * time.Hour
)

func init() {
	// Steps at order 25: notices run out after the groups asked for instances and
	// before instances change state.
	registerService(spotKey, nil, everySecond(25, stepInterruptions))
}

type spotState struct {
	due []*instance // instances under an interruption notice, by when they are reclaimed
}

// DescribeLaunchTemplateVersions describes launch template versions.
func (c *ec2Client) DescribeLaunchTemplateVersions(ctx context.Context, in *ec2.DescribeLaunchTemplateVersionsInput, _ ...func(*ec2.Options)) (*ec2.DescribeLaunchTemplateVersionsOutput, error) {
	return do(ctx, c.base, "ec2", "DescribeLaunchTemplateVersions", in, func(r *region) (*ec2.DescribeLaunchTemplateVersionsOutput, error) {
		if in == nil {
			in = &ec2.DescribeLaunchTemplateVersionsInput{}
		}
		id, name := str(in.LaunchTemplateId), str(in.LaunchTemplateName)
		if id != "" && name != "" {
			return nil, apiError("InvalidParameterCombination", "The parameters LaunchTemplateId and LaunchTemplateName cannot be used together.")
		}
		max := int(i32(in.MaxResults, 200))
		if max < 1 || max > 200 {
			return nil, apiError("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Parameter must be between 1 and 200.", max)
		}
		var tpls []*launchTemplate
		s := ec2State(r)
		if id == "" && name == "" {
			if len(in.Versions) == 0 {
				return nil, apiError("MissingParameter", "The request must contain the parameter LaunchTemplateId or LaunchTemplateName")
			}
			for _, v := range in.Versions {
				if v != "$Latest" && v != "$Default" {
					return nil, apiError("InvalidParameterValue", "Only the $Latest and $Default versions can be described without a launch template ID or name.")
				}
			}
			for _, t := range s.tplOrder {
				if !t.dead {
					tpls = append(tpls, t)
				}
			}
		} else {
			lt, err := r.findTemplate(id, name, "")
			if err != nil {
				return nil, err
			}
			for _, v := range in.Versions {
				if _, err := r.findTemplate(lt.id, "", v); err != nil {
					return nil, err
				}
			}
			tpls = []*launchTemplate{lt}
		}
		start, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, apiError("InvalidPaginationToken", "The pagination token is invalid")
		}
		out := &ec2.DescribeLaunchTemplateVersionsOutput{LaunchTemplateVersions: []ec2types.LaunchTemplateVersion{}}
		for i := start; i < len(tpls); i++ {
			lt := tpls[i]
			ok, err := filterSet(in.Filters).match(func(f string) ([]string, bool) {
				switch f {
				case "image-id":
					return []string{str(lt.data.ImageId)}, true
				case "instance-type":
					return []string{string(lt.data.InstanceType)}, true
				case "is-default-version":
					return []string{"true"}, true
				case "create-time":
					return []string{lt.created.UTC().Format(time.RFC3339)}, true
				}
				return nil, false
			})
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if len(out.LaunchTemplateVersions) == max {
				out.NextToken = intToken(i)
				break
			}
			v, err := r.versionOut(lt)
			if err != nil {
				return nil, err
			}
			out.LaunchTemplateVersions = append(out.LaunchTemplateVersions, v)
		}
		return out, nil
	})
}

// versionOut is a template's version 1 as AWS describes it: the request's data
// in the response's shape (the two share their field names).
func (r *region) versionOut(lt *launchTemplate) (ec2types.LaunchTemplateVersion, error) {
	var data ec2types.ResponseLaunchTemplateData
	b, err := json.Marshal(lt.data)
	if err == nil {
		err = json.Unmarshal(b, &data)
	}
	if err != nil {
		return ec2types.LaunchTemplateVersion{}, fmt.Errorf("sim: launch template %s: %w", lt.id, err)
	}
	return ec2types.LaunchTemplateVersion{LaunchTemplateId: ptr(lt.id), LaunchTemplateName: ptr(lt.name), VersionNumber: ptr(int64(1)),
		VersionDescription: optStr(lt.desc), DefaultVersion: ptr(true), CreateTime: ptr(lt.created),
		CreatedBy: ptr("arn:aws:iam::" + r.account + ":root"), LaunchTemplateData: &data}, nil
}

// spotPrice is the simulated Spot price of itype in az for the hour starting at
// hour: between 25 % and 35 % of the On-Demand price, the same for every caller.
func spotPrice(itype, az string, hour time.Time) float64 {
	od, err := strconv.ParseFloat(onDemandPrice[itype], 64)
	if err != nil || od <= 0 {
		od = 0.1
	}
	h := fnv.New32a()
	fmt.Fprintf(h, "%s|%s|%d", itype, az, hour.Unix())
	share := 0.25 + float64(h.Sum32()%1000)/10000
	return float64(int64(od*share*1e6)) / 1e6
}

// DescribeSpotPriceHistory lists simulated Spot prices, newest first.
func (c *ec2Client) DescribeSpotPriceHistory(ctx context.Context, in *ec2.DescribeSpotPriceHistoryInput, _ ...func(*ec2.Options)) (*ec2.DescribeSpotPriceHistoryOutput, error) {
	return do(ctx, c.base, "ec2", "DescribeSpotPriceHistory", in, func(r *region) (*ec2.DescribeSpotPriceHistoryOutput, error) {
		if in == nil {
			in = &ec2.DescribeSpotPriceHistoryInput{}
		}
		max := int(i32(in.MaxResults, 1000))
		if max < 5 || max > 1000 {
			return nil, apiError("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.", max)
		}
		end := r.w.now
		if in.EndTime != nil && in.EndTime.Before(end) {
			end = *in.EndTime
		}
		begin := end
		if in.StartTime != nil {
			begin = *in.StartTime
		}
		if begin.After(end) {
			return nil, apiError("InvalidParameterValue", "The start time must be before the end time.")
		}
		if end.Sub(begin) > spotHistoryMaximum {
			begin = end.Add(-spotHistoryMaximum)
		}
		types := make([]string, 0, len(in.InstanceTypes))
		for _, t := range in.InstanceTypes {
			if !instanceTypeRE.MatchString(string(t)) {
				return nil, apiError("InvalidParameterValue", "Invalid value '%s' for InstanceType.", t)
			}
			types = append(types, string(t))
		}
		if len(types) == 0 {
			for t := range onDemandPrice {
				types = append(types, t)
			}
		}
		sort.Strings(types)
		var azs []string
		for _, s := range r.subOrder {
			if !contains(azs, s.az) {
				azs = append(azs, s.az)
			}
		}
		if az := str(in.AvailabilityZone); az != "" {
			if !contains(azs, az) {
				return nil, apiError("InvalidParameterValue", "Invalid availability zone: [%s]", az)
			}
			azs = []string{az}
		}
		products := in.ProductDescriptions
		if len(products) == 0 {
			products = []string{"Linux/UNIX"}
		}
		var all []ec2types.SpotPrice
		for h := end.Truncate(spotPriceInterval); !h.Before(begin.Truncate(spotPriceInterval)); h = h.Add(-spotPriceInterval) {
			for _, t := range types {
				for _, az := range azs {
					for _, p := range products {
						price := spotPrice(t, az, h)
						if p != "Linux/UNIX" && p != "Linux/UNIX (Amazon VPC)" {
							continue // the simulator prices Linux only
						}
						sp := ec2types.SpotPrice{AvailabilityZone: ptr(az), InstanceType: ec2types.InstanceType(t), ProductDescription: ec2types.RIProductDescription(p),
							SpotPrice: ptr(strconv.FormatFloat(price, 'f', 6, 64)), Timestamp: ptr(h)}
						ok, err := filterSet(in.Filters).match(func(f string) ([]string, bool) {
							switch f {
							case "availability-zone":
								return []string{az}, true
							case "instance-type":
								return []string{t}, true
							case "product-description":
								return []string{p}, true
							case "spot-price":
								return []string{*sp.SpotPrice}, true
							case "timestamp":
								return []string{h.UTC().Format(time.RFC3339)}, true
							}
							return nil, false
						})
						if err != nil {
							return nil, err
						}
						if ok {
							all = append(all, sp)
						}
					}
				}
			}
		}
		start, ok := readIntToken(in.NextToken)
		if !ok || start > len(all) {
			return nil, apiError("InvalidPaginationToken", "The pagination token is invalid")
		}
		out := &ec2.DescribeSpotPriceHistoryOutput{SpotPriceHistory: []ec2types.SpotPrice{}}
		stop := min(start+max, len(all))
		out.SpotPriceHistory = append(out.SpotPriceHistory, all[start:stop]...)
		if stop < len(all) {
			out.NextToken = intToken(stop)
		}
		return out, nil
	})
}

// InterruptSpot gives a running Spot instance of (account, region) the two-minute
// interruption notice, after which it is reclaimed (see the file comment). It is
// the simulator's stand-in for Amazon EC2 needing the capacity back.
func (w *World) InterruptSpot(acct, regionName, instanceID string) error {
	if acct == "" {
		acct = w.defAcct
	}
	if !regionRE.MatchString(regionName) {
		return fmt.Errorf("sim: invalid region %q", regionName)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.advanceLocked()
	r := w.regionLocked(acct, regionName)
	in := ec2State(r).instances[instanceID]
	switch {
	case in == nil:
		return fmt.Errorf("sim: interrupt: instance %s not found in %s", instanceID, regionName)
	case in.spot == nil:
		return fmt.Errorf("sim: interrupt: instance %s is not a Spot instance", instanceID)
	case in.state != ec2types.InstanceStateNameRunning:
		return fmt.Errorf("sim: interrupt: instance %s is %s, not running", instanceID, in.state)
	case !in.interruptAt.IsZero():
		return fmt.Errorf("sim: interrupt: instance %s already has its interruption notice", instanceID)
	}
	in.interruptAt = w.now.Add(spotNotice)
	if sr := in.spot; sr.inst == in {
		// Set directly: setStatus would forget a closed request's tags at once,
		// while its instance still runs through the notice.
		switch {
		case sr.opts.behavior != ec2types.InstanceInterruptionBehaviorTerminate:
			sr.state, sr.code, sr.msg = ec2types.SpotInstanceStateActive, "marked-for-stop", "Spot Instance is marked for stop."
		case sr.opts.typ == ec2types.SpotInstanceTypePersistent:
			sr.state, sr.code, sr.msg = ec2types.SpotInstanceStateOpen, "instance-terminated-no-capacity", "Spot Instance terminated due to no available capacity."
		default:
			sr.state, sr.code, sr.msg = ec2types.SpotInstanceStateClosed, "instance-terminated-no-capacity", "Spot Instance terminated due to no available capacity."
		}
		sr.updated = w.now
	}
	s := state(r, spotKey, func() *spotState { return &spotState{} })
	s.due = append(s.due, in)
	action := "terminate"
	switch in.spot.opts.behavior {
	case ec2types.InstanceInterruptionBehaviorStop:
		action = "stop"
	case ec2types.InstanceInterruptionBehaviorHibernate:
		action = "hibernate"
	}
	r.spotInterruptionEvent(in, action)
	return nil
}

// stepInterruptions reclaims the instances whose notice has run out.
func stepInterruptions(r *region, now time.Time) {
	s, _ := r.ext[spotKey].(*spotState)
	if s == nil || len(s.due) == 0 {
		return
	}
	s.due = compact(s.due, func(in *instance) bool {
		if now.Before(in.interruptAt) {
			return true
		}
		if in.state != ec2types.InstanceStateNamePending && in.state != ec2types.InstanceStateNameRunning {
			in.interruptAt = time.Time{} // terminated or stopped meanwhile: nothing left to reclaim
			return false
		}
		sr := in.spot
		if sr != nil && sr.opts.behavior != ec2types.InstanceInterruptionBehaviorTerminate {
			r.spotStop(in)
			return false
		}
		r.terminate(in)
		in.reason = "Server.SpotInstanceTermination: Spot instance termination"
		in.stateReason = &ec2types.StateReason{Code: ptr("Server.SpotInstanceTermination"), Message: ptr("Server.SpotInstanceTermination: Spot instance termination")}
		if sr != nil && sr.inst == in {
			st := ec2types.SpotInstanceStateClosed
			if sr.opts.typ == ec2types.SpotInstanceTypePersistent {
				st = ec2types.SpotInstanceStateOpen // and launches again once the instance is gone (spotInstanceEnded)
			}
			sr.setStatus(st, "instance-terminated-no-capacity", "Spot Instance terminated due to no available capacity.", now)
		}
		return false
	})
}

// spotStop stops an interrupted instance of a stop or hibernate request: stopping
// now, stopped 15–30 s later (stepInstances then disables the request and sets
// when the capacity is back, spotStopped).
func (r *region) spotStop(in *instance) {
	now := r.w.now
	in.state = ec2types.InstanceStateNameStopping
	in.changeAt = now.Add(r.w.jitter(instanceStopping, instanceStopping))
	in.reason = "Server.SpotInstanceShutdown: Spot instance shutdown"
	in.stateReason = &ec2types.StateReason{Code: ptr("Server.SpotInstanceShutdown"), Message: ptr("Server.SpotInstanceShutdown: Spot instance shutdown")}
	s := ec2State(r)
	if !containsInst(s.busy, in) {
		s.busy = append(s.busy, in)
	}
}

// spotStopped is an interrupted instance that has stopped: its request is
// disabled until the capacity is back, spotRelaunchDelay later.
func (r *region) spotStopped(in *instance, now time.Time) {
	if sr := in.spot; sr != nil && sr.inst == in && sr.state == ec2types.SpotInstanceStateActive {
		sr.setStatus(ec2types.SpotInstanceStateDisabled, "instance-stopped-no-capacity", "Spot Instance stopped due to no available capacity.", now)
		sr.relaunchAt = now.Add(spotRelaunchDelay)
	}
	in.interruptAt = time.Time{} // the notice is spent: terminating it now is the user's doing
}

// spotRestart starts a disabled request's stopped instance again: the capacity is
// back ("fulfilled, active, stopped → running").
func (r *region) spotRestart(sr *spotRequest, now time.Time) {
	in := sr.inst
	sr.relaunchAt = time.Time{}
	if in == nil || in.state != ec2types.InstanceStateNameStopped {
		return
	}
	in.state, in.launched, in.interruptAt = ec2types.InstanceStateNamePending, now, time.Time{}
	in.changeAt = now.Add(r.w.jitter(instancePending, instancePending))
	in.reason, in.stateReason = "", nil
	s := ec2State(r)
	if !containsInst(s.busy, in) {
		s.busy = append(s.busy, in)
	}
	sr.setStatus(ec2types.SpotInstanceStateActive, "fulfilled", "Your spot request is fulfilled.", now)
}
