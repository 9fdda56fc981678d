package route53

// The change feed (the "Change status" widget, LABS.md Lab 3: GetChange until
// INSYNC). Route 53 tells no one the id of a student's change batch but the
// student; CloudTrail does: every ChangeResourceRecordSets is a management event
// in the account's us-east-1 history (Route 53 is global), whose
// requestParameters name the records and whose responseElements hold the change
// id. So, per account (one Observe group):
//
//   - one LookupEvents poller, EventName = ChangeResourceRecordSets, at most
//     changePages pages of 50 a cycle, every changesEvery once caught up.
//     LookupEvents allows 2 requests a second per account and region for every
//     caller (labdash's own limiter: 1.5/s, labs/cloud/aws/limits.go), so the
//     feed spends 2 requests per 30 s, about 0.07 a second, and leaves the rest
//     of the account's bucket to the other CloudTrail readers (issue 16).
//   - A scan is a fixed window [from, to] read newest first; its NextToken is
//     kept between cycles, so a burst larger than a cycle's pages is read over
//     several cycles (one each, not every changesEvery) rather than cut off.
//     When a scan ends, the next starts changeLookback before its end: AWS
//     delivers an event to the event history about 5 minutes after the call on
//     average, up to 15, so an event may appear after a later one was read. Event
//     ids already seen are skipped.
//   - Each event is attributed to the students whose names it changed: a
//     student owns <student>.<class zone> and every name below it (studentName),
//     in the class zone by id; s070 is not s07, another class's zone is not this
//     one, a zone of the same name with another id is not the class zone.
//   - GetChange for every change still PENDING, oldest first, at most
//     changeChecks a cycle (Route 53 allows an account 5–10 requests a second for
//     every caller, and TestDNSAnswer has its own budget), until INSYNC; a change
//     older than changeGiveUp, or one Route 53 no longer knows (NoSuchChange), is
//     no longer asked.
//
// On AWS the widget's first row appears 5–15 minutes after the change, by which
// time Route 53 has usually synced it (within 60 s): the widget says so.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// The change feed's cadence and budgets.
const (
	changesEvery   = 30 * time.Second
	changePages    = 2                // LookupEvents pages a cycle: the rate limit's burst
	changeLookback = 15 * time.Minute // CloudTrail's delivery delay, re-read by every scan
	changeFirst    = time.Hour        // how far back the first scan looks
	changeChecks   = 5                // GetChange calls a cycle
	changeGiveUp   = 30 * time.Minute // a change PENDING longer is no longer asked
	changesKeep    = 2 * time.Hour    // changes older are forgotten
	changesShown   = 10               // a student's changes in the widget
	changeRegion   = "us-east-1"      // where Route 53's events are recorded
	changeEvent    = "ChangeResourceRecordSets"
	changesKey     = ID + "-changes" // the group's feed in the cache
)

// Change is one change batch of a student's, as the feed knows it.
type Change struct {
	ID          string // "C…" ("" for a refused call)
	SubmittedAt time.Time
	Items       []ChangeItem // the student's own changes in the batch
	Status      string       // "PENDING", "INSYNC", or "" when not known
	// PendingAt is when it was last seen PENDING, InsyncAt when first seen INSYNC.
	PendingAt, InsyncAt time.Time
	// Gone is set when Route 53 no longer knows the id; Error is a refused call's error code.
	Gone  bool
	Error string
}

// ChangeItem is one change of a batch.
type ChangeItem struct{ Action, Name, Type string }

// changeFeed is the group's poller state.
type changeFeed struct {
	zone     string               // the class zone id the changes are of
	from, to time.Time            // the scan in progress (to zero: none)
	token    *string              // its next page
	started  time.Time            // when the last scan began
	done     time.Time            // the end of the last completed scan
	read     time.Time            // when the last scan completed
	seen     map[string]time.Time // event id → event time
	changes  map[string]*changeRec
	// owners is every student the group has been read with, by the name they own
	// (<student>.<class zone> → student): the monitor reads only the students due
	// in a cycle (a settled one every 30 s), but an event read now may be about
	// any of them, and its id is not read again.
	owners map[string]string
}

// changeRec is one change batch and the students it touched.
type changeRec struct {
	Change
	items map[string][]ChangeItem // student → their changes
}

// trailEvent is the part of a CloudTrailEvent the feed reads (encoding/json
// matches CloudTrail's lower-cased field names to these).
type trailEvent struct {
	ErrorCode         string
	RequestParameters struct {
		HostedZoneId string
		ChangeBatch  struct {
			Changes []struct {
				Action            string
				ResourceRecordSet struct{ Name, Type string }
			}
		}
	}
	ResponseElements *struct {
		ChangeInfo struct{ Id, Status string }
	}
}

// observeChanges runs the feed for the group and hands each student their changes.
func observeChanges(ctx context.Context, c *cloud.Clients, cache *labs.Cache, targets []labs.Target, obs map[string]*Observation) {
	if len(targets) == 0 {
		return
	}
	feed := labs.Keep[changeFeed](cache, "", changesKey)
	zone := ""
	for _, o := range obs {
		zone = o.ZoneID
		break
	}
	now := c.Clock()
	if zone != "" && zone != feed.zone { // a new class zone: the old one's changes are of no use
		*feed = changeFeed{zone: zone, owners: feed.owners}
	}
	if feed.seen == nil {
		feed.seen, feed.changes = map[string]time.Time{}, map[string]*changeRec{}
	}
	if zone != "" && c.CloudTrail != nil {
		readTrail(ctx, c, feed, targets, obs, now)
	}
	if zone != "" && c.Route53 != nil {
		checkChanges(ctx, c, feed, obs, now)
	}
	for id, t := range feed.seen {
		if t.Before(feed.done.Add(-changeLookback)) && !feed.done.IsZero() {
			delete(feed.seen, id)
		}
	}
	for id, ch := range feed.changes {
		if now.Sub(ch.SubmittedAt) > changesKeep {
			delete(feed.changes, id)
		}
	}
	for _, t := range targets {
		o := obs[t.StudentID]
		o.ChangesRead = feed.read
		for _, ch := range feed.changes {
			if items, ok := ch.items[t.StudentID]; ok {
				v := ch.Change
				v.Items = items
				o.Changes = append(o.Changes, v)
			}
		}
		sort.Slice(o.Changes, func(i, j int) bool {
			a, b := o.Changes[i], o.Changes[j]
			if !a.SubmittedAt.Equal(b.SubmittedAt) {
				return a.SubmittedAt.After(b.SubmittedAt)
			}
			return a.ID > b.ID
		})
		if len(o.Changes) > changesShown {
			o.Changes = o.Changes[:changesShown]
		}
	}
}

// readTrail reads up to changePages pages of the scan in progress, starting a
// new scan when the last one ended changesEvery ago.
func readTrail(ctx context.Context, c *cloud.Clients, feed *changeFeed, targets []labs.Target, obs map[string]*Observation, now time.Time) {
	if feed.to.IsZero() {
		if !feed.started.IsZero() && now.Sub(feed.started) < changesEvery && !now.Before(feed.started) {
			return
		}
		feed.from, feed.to, feed.token, feed.started = now.Add(-changeFirst), now, nil, now
		if !feed.done.IsZero() {
			feed.from = feed.done.Add(-changeLookback)
		}
	}
	ct := c
	if c.Region != changeRegion && c.InRegion != nil {
		east, err := c.InRegion(ctx, changeRegion)
		if err != nil {
			staleAll(obs, fmt.Errorf("CloudTrail in %s: %w", changeRegion, err))
			return
		}
		ct = east
	}
	if feed.owners == nil {
		feed.owners = map[string]string{}
	}
	for _, t := range targets {
		feed.owners[studentName(t)] = t.StudentID
	}
	owners := feed.owners
	for page := 0; page < changePages; page++ {
		from, to := feed.from, feed.to
		out, err := ct.CloudTrail.LookupEvents(ctx, &cloudtrail.LookupEventsInput{
			LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String(changeEvent)}},
			StartTime:        &from, EndTime: &to, NextToken: feed.token})
		if err != nil {
			var bad *cttypes.InvalidNextTokenException
			if errors.As(err, &bad) { // start the window again (seen ids are skipped)
				feed.token = nil
			}
			staleAll(obs, fmt.Errorf("LookupEvents: %w", err))
			return
		}
		for _, e := range out.Events {
			id := aws.ToString(e.EventId)
			if _, ok := feed.seen[id]; ok || id == "" {
				continue
			}
			feed.seen[id] = aws.ToTime(e.EventTime)
			attribute(feed, owners, e)
		}
		feed.token = out.NextToken
		if feed.token == nil {
			feed.done, feed.read, feed.to = feed.to, now, time.Time{}
			return
		}
	}
}

// attribute files one event's changes under the students whose names they are.
func attribute(feed *changeFeed, owners map[string]string, e cttypes.Event) {
	var ev trailEvent
	if json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &ev) != nil {
		return
	}
	rp := ev.RequestParameters
	if strings.TrimPrefix(rp.HostedZoneId, "/hostedzone/") != feed.zone {
		return
	}
	items := map[string][]ChangeItem{}
	for _, ch := range rp.ChangeBatch.Changes {
		name := normName(ch.ResourceRecordSet.Name)
		if student := ownerOf(owners, name); student != "" {
			items[student] = append(items[student], ChangeItem{Action: ch.Action, Name: strings.TrimSuffix(name, "."), Type: ch.ResourceRecordSet.Type})
		}
	}
	if len(items) == 0 {
		return
	}
	rec := &changeRec{Change: Change{SubmittedAt: aws.ToTime(e.EventTime), Error: ev.ErrorCode}, items: items}
	key := "event:" + aws.ToString(e.EventId)
	if r := ev.ResponseElements; r != nil && r.ChangeInfo.Id != "" && ev.ErrorCode == "" {
		rec.ID = strings.TrimPrefix(r.ChangeInfo.Id, "/change/")
		rec.Status = r.ChangeInfo.Status
		key = rec.ID
		switch rec.Status {
		case string(r53types.ChangeStatusPending):
			rec.PendingAt = rec.SubmittedAt
		case string(r53types.ChangeStatusInsync):
			rec.InsyncAt = rec.SubmittedAt
		}
	}
	if _, ok := feed.changes[key]; !ok {
		feed.changes[key] = rec
	}
}

// normName is a record name as the checks compare it: lowercase, absolute, "*" unescaped.
func normName(name string) string {
	name = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(name), `\052`, "*"))
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}

// ownerOf is the student who owns name: whose <student>.<zone> is name or one of
// its parents, label by label (never a substring: s070… is not s07's).
func ownerOf(owners map[string]string, name string) string {
	for n := name; n != ""; {
		if s, ok := owners[n]; ok {
			return s
		}
		_, rest, ok := strings.Cut(n, ".")
		if !ok {
			break
		}
		n = rest
	}
	return ""
}

// checkChanges asks GetChange about the changes still PENDING, oldest first,
// changeChecks at most.
func checkChanges(ctx context.Context, c *cloud.Clients, feed *changeFeed, obs map[string]*Observation, now time.Time) {
	var pending []*changeRec
	for _, ch := range feed.changes {
		if ch.ID != "" && !ch.Gone && ch.Status != string(r53types.ChangeStatusInsync) && now.Sub(ch.SubmittedAt) <= changeGiveUp {
			pending = append(pending, ch)
		}
	}
	sort.Slice(pending, func(i, j int) bool {
		if !pending[i].SubmittedAt.Equal(pending[j].SubmittedAt) {
			return pending[i].SubmittedAt.Before(pending[j].SubmittedAt)
		}
		return pending[i].ID < pending[j].ID
	})
	for _, ch := range pending[:min(len(pending), changeChecks)] {
		out, err := c.Route53.GetChange(ctx, &route53.GetChangeInput{Id: aws.String(ch.ID)})
		if err != nil {
			if isCode(err, "NoSuchChange") {
				ch.Gone, ch.Status = true, ""
				continue
			}
			staleAll(obs, fmt.Errorf("GetChange: %w", err))
			return
		}
		if out.ChangeInfo == nil {
			continue
		}
		ch.Status = string(out.ChangeInfo.Status)
		switch out.ChangeInfo.Status {
		case r53types.ChangeStatusInsync:
			ch.InsyncAt = now
		default:
			ch.PendingAt = now
		}
	}
}

// staleAll marks every student's change feed stale.
func staleAll(obs map[string]*Observation, err error) {
	for _, o := range obs {
		o.stale("changes", err)
	}
}
