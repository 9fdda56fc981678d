package sim

// Amazon Macie (macie2), as Lab 6 uses it in a student's own account: the account's
// Macie session in a region and its one-time classification jobs. Modelled as AWS
// does it:
//   - one session per (account, region). Until EnableMacie (Status ENABLED or
//     PAUSED) every other call answers AccessDeniedException "Macie is not
//     enabled."; EnableMacie on an enabled account is ConflictException;
//   - DisableMacie ends the session and deletes every job (and, on AWS, every
//     finding and setting) for good; enabling again starts empty;
//   - jobs are created by StartMacieJob (CreateClassificationJob is not part of
//     labdash's interface: the student starts the job in the console). A job is
//     RUNNING for 10–15 minutes, then COMPLETE. UpdateClassificationJob JobStatus
//     CANCELLED cancels a RUNNING, USER_PAUSED or PAUSED job; USER_PAUSED pauses a
//     RUNNING one and RUNNING resumes it. A job that is COMPLETE or CANCELLED
//     cannot change (ValidationException); an unknown job id is
//     ResourceNotFoundException;
//   - ListClassificationJobs filters on name, jobStatus and jobType (EQ, NE, and
//     CONTAINS / STARTS_WITH for name) and sorts by createdAt (default), name,
//     jobStatus or jobType.
//
// Not modelled: findings, bucket inventory (DescribeBuckets), scheduled jobs,
// automated sensitive data discovery, members and administrators, custom data
// identifiers, allow lists, usage and cost (Macie bills per GB scanned and per
// bucket monitored).

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/macie2"
	macietypes "github.com/aws/aws-sdk-go-v2/service/macie2/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	registerService("macie2", func(b base, c *cloud.Clients) { c.Macie = &macieClient{b} })
}

// macieClient implements cloud.Macie.
type macieClient struct{ base }

var _ cloud.Macie = (*macieClient)(nil)

// macieState is one (account, region)'s Macie session and jobs.
type macieState struct {
	enabled   bool
	status    macietypes.MacieStatus
	frequency macietypes.FindingPublishingFrequency
	created   time.Time
	updated   time.Time
	jobs      []*macieJob
}

type macieJob struct {
	id, name string
	created  time.Time
	state    macietypes.JobStatus // RUNNING, USER_PAUSED or CANCELLED as last set
	doneAt   time.Time            // when a RUNNING job completes
	left     time.Duration        // a paused job's remaining run time
}

func macieOf(r *region) *macieState {
	return state(r, "macie2", func() *macieState { return &macieState{} })
}

func macieNotEnabled() error {
	return &macietypes.AccessDeniedException{Message: ptr("Macie is not enabled.")}
}

func (j *macieJob) status(now time.Time) macietypes.JobStatus {
	if j.state == macietypes.JobStatusRunning && !now.Before(j.doneAt) {
		return macietypes.JobStatusComplete
	}
	return j.state
}

// EnableMacie starts the account's Macie session in this region.
func (c *macieClient) EnableMacie(ctx context.Context, in *macie2.EnableMacieInput, _ ...func(*macie2.Options)) (*macie2.EnableMacieOutput, error) {
	return do(ctx, c.base, "macie2", "EnableMacie", in, func(r *region) (*macie2.EnableMacieOutput, error) {
		if in == nil {
			in = &macie2.EnableMacieInput{}
		}
		st := macieOf(r)
		if st.enabled {
			return nil, &macietypes.ConflictException{Message: ptr("Macie is already enabled.")}
		}
		status := in.Status
		switch status {
		case "":
			status = macietypes.MacieStatusEnabled
		case macietypes.MacieStatusEnabled, macietypes.MacieStatusPaused:
		default:
			return nil, &macietypes.ValidationException{Message: msg("Invalid status: %s", status)}
		}
		freq := in.FindingPublishingFrequency
		switch freq {
		case "":
			freq = macietypes.FindingPublishingFrequencyFifteenMinutes
		case macietypes.FindingPublishingFrequencyFifteenMinutes, macietypes.FindingPublishingFrequencyOneHour, macietypes.FindingPublishingFrequencySixHours:
		default:
			return nil, &macietypes.ValidationException{Message: msg("Invalid findingPublishingFrequency: %s", freq)}
		}
		*st = macieState{enabled: true, status: status, frequency: freq, created: r.w.now, updated: r.w.now}
		return &macie2.EnableMacieOutput{}, nil
	})
}

// GetMacieSession describes the session.
func (c *macieClient) GetMacieSession(ctx context.Context, in *macie2.GetMacieSessionInput, _ ...func(*macie2.Options)) (*macie2.GetMacieSessionOutput, error) {
	return do(ctx, c.base, "macie2", "GetMacieSession", in, func(r *region) (*macie2.GetMacieSessionOutput, error) {
		st := macieOf(r)
		if !st.enabled {
			return nil, macieNotEnabled()
		}
		return &macie2.GetMacieSessionOutput{CreatedAt: tptr(st.created), UpdatedAt: tptr(st.updated), Status: st.status,
			FindingPublishingFrequency: st.frequency,
			ServiceRole:                ptr("arn:aws:iam::" + r.account + ":role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie")}, nil
	})
}

// DisableMacie ends the session and deletes every job.
func (c *macieClient) DisableMacie(ctx context.Context, in *macie2.DisableMacieInput, _ ...func(*macie2.Options)) (*macie2.DisableMacieOutput, error) {
	return do(ctx, c.base, "macie2", "DisableMacie", in, func(r *region) (*macie2.DisableMacieOutput, error) {
		st := macieOf(r)
		if !st.enabled {
			return nil, macieNotEnabled()
		}
		*st = macieState{}
		return &macie2.DisableMacieOutput{}, nil
	})
}

// ListClassificationJobs lists jobs, filtered and sorted.
func (c *macieClient) ListClassificationJobs(ctx context.Context, in *macie2.ListClassificationJobsInput, _ ...func(*macie2.Options)) (*macie2.ListClassificationJobsOutput, error) {
	return do(ctx, c.base, "macie2", "ListClassificationJobs", in, func(r *region) (*macie2.ListClassificationJobsOutput, error) {
		if in == nil {
			in = &macie2.ListClassificationJobsInput{}
		}
		st := macieOf(r)
		if !st.enabled {
			return nil, macieNotEnabled()
		}
		limit := int(i32(in.MaxResults, 100))
		if limit < 1 || limit > 200 {
			return nil, &macietypes.ValidationException{Message: msg("maxResults must be between 1 and 200")}
		}
		from, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, &macietypes.ValidationException{Message: ptr("The nextToken is not valid.")}
		}
		now := r.w.now
		var hits []*macieJob
		for _, j := range st.jobs {
			keep := true
			if f := in.FilterCriteria; f != nil {
				for _, t := range f.Includes {
					m, err := macieJobMatches(j, now, t)
					if err != nil {
						return nil, err
					}
					keep = keep && m
				}
				for _, t := range f.Excludes {
					m, err := macieJobMatches(j, now, t)
					if err != nil {
						return nil, err
					}
					keep = keep && !m
				}
			}
			if keep {
				hits = append(hits, j)
			}
		}
		if sc := in.SortCriteria; sc != nil && sc.AttributeName != "" {
			key := func(j *macieJob) string {
				switch sc.AttributeName {
				case macietypes.ListJobsSortAttributeNameName:
					return j.name
				case macietypes.ListJobsSortAttributeNameJobStatus:
					return string(j.status(now))
				case macietypes.ListJobsSortAttributeNameJobType:
					return string(macietypes.JobTypeOneTime)
				}
				return j.created.Format(time.RFC3339Nano)
			}
			sort.SliceStable(hits, func(a, b int) bool {
				if sc.OrderBy == macietypes.OrderByDesc {
					return key(hits[a]) > key(hits[b])
				}
				return key(hits[a]) < key(hits[b])
			})
		}
		out := &macie2.ListClassificationJobsOutput{Items: []macietypes.JobSummary{}}
		for i := from; i < len(hits); i++ {
			if i == from+limit {
				out.NextToken = intToken(i)
				break
			}
			j := hits[i]
			out.Items = append(out.Items, macietypes.JobSummary{JobId: ptr(j.id), Name: ptr(j.name), CreatedAt: tptr(j.created),
				JobStatus: j.status(now), JobType: macietypes.JobTypeOneTime})
		}
		return out, nil
	})
}

// macieJobMatches evaluates one filter term on a job.
func macieJobMatches(j *macieJob, now time.Time, t macietypes.ListJobsFilterTerm) (bool, error) {
	var v string
	switch t.Key {
	case macietypes.ListJobsFilterKeyName:
		v = j.name
	case macietypes.ListJobsFilterKeyJobStatus:
		v = string(j.status(now))
	case macietypes.ListJobsFilterKeyJobType:
		v = string(macietypes.JobTypeOneTime)
	default:
		return false, &macietypes.ValidationException{Message: msg("The simulator does not filter jobs on %q.", t.Key)}
	}
	hit := false
	for _, want := range t.Values {
		switch t.Comparator {
		case macietypes.JobComparatorEq, "":
			hit = hit || v == want
		case macietypes.JobComparatorNe:
			hit = hit || v != want
		case macietypes.JobComparatorContains:
			hit = hit || strings.Contains(v, want)
		case macietypes.JobComparatorStartsWith:
			hit = hit || strings.HasPrefix(v, want)
		default:
			return false, &macietypes.ValidationException{Message: msg("Comparator %s is not valid for %s.", t.Comparator, t.Key)}
		}
	}
	return hit, nil
}

// UpdateClassificationJob cancels, pauses or resumes a job.
func (c *macieClient) UpdateClassificationJob(ctx context.Context, in *macie2.UpdateClassificationJobInput, _ ...func(*macie2.Options)) (*macie2.UpdateClassificationJobOutput, error) {
	return do(ctx, c.base, "macie2", "UpdateClassificationJob", in, func(r *region) (*macie2.UpdateClassificationJobOutput, error) {
		if in == nil {
			in = &macie2.UpdateClassificationJobInput{}
		}
		st := macieOf(r)
		if !st.enabled {
			return nil, macieNotEnabled()
		}
		var j *macieJob
		for _, x := range st.jobs {
			if x.id == str(in.JobId) {
				j = x
			}
		}
		if j == nil {
			return nil, &macietypes.ResourceNotFoundException{Message: ptr("The request failed because the specified resource doesn't exist.")}
		}
		now := r.w.now
		cur := j.status(now)
		if cur == macietypes.JobStatusComplete || cur == macietypes.JobStatusCancelled {
			return nil, &macietypes.ValidationException{Message: msg("The status of a job that is %s can't be changed.", cur)}
		}
		switch in.JobStatus {
		case macietypes.JobStatusCancelled:
			j.state = macietypes.JobStatusCancelled
		case macietypes.JobStatusUserPaused:
			if cur != macietypes.JobStatusRunning {
				return nil, &macietypes.ValidationException{Message: msg("Only a RUNNING job can be paused; this one is %s.", cur)}
			}
			j.state, j.left = macietypes.JobStatusUserPaused, j.doneAt.Sub(now)
		case macietypes.JobStatusRunning:
			if cur != macietypes.JobStatusUserPaused {
				return nil, &macietypes.ValidationException{Message: msg("Only a USER_PAUSED job can be resumed; this one is %s.", cur)}
			}
			j.state, j.doneAt = macietypes.JobStatusRunning, now.Add(j.left)
		default:
			return nil, &macietypes.ValidationException{Message: msg("jobStatus must be CANCELLED, RUNNING or USER_PAUSED, not %q.", in.JobStatus)}
		}
		return &macie2.UpdateClassificationJobOutput{}, nil
	})
}

// StartMacieJob starts a one-time classification job named name in (acct, region),
// as a student does in the Macie console (CreateClassificationJob is not part of
// labdash's interface). It returns the job id; Macie must be enabled.
func (w *World) StartMacieJob(acct, regionName, name string) (string, error) {
	if acct == "" {
		acct = w.defAcct
	}
	if !regionRE.MatchString(regionName) {
		return "", fmt.Errorf("sim: invalid region %q", regionName)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.advanceLocked()
	r := w.regionLocked(acct, regionName)
	st := macieOf(r)
	if !st.enabled {
		return "", macieNotEnabled()
	}
	if name == "" || len(name) > 500 {
		return "", &macietypes.ValidationException{Message: ptr("A job name must be 1 to 500 characters.")}
	}
	j := &macieJob{id: w.hexID(32), name: name, created: w.now, state: macietypes.JobStatusRunning}
	j.doneAt = w.now.Add(w.jitter(10*time.Minute, 5*time.Minute)).Truncate(time.Second)
	st.jobs = append(st.jobs, j)
	return j.id, nil
}
