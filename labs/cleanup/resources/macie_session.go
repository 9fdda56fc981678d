package resources

// AWS::Macie::Session — Amazon Macie in one account and region (Lab 6). Macie is
// account-wide: DisableMacie permanently deletes every job, finding and setting of
// the account in that region, for everyone in it. So the type is
// AccountPerStudentOnly (the planner never offers it in a shared account) and,
// as a second line, Delete itself refuses a Ref without a student or for another
// account than the clients'.
//
// A session has no ARN; labdash names it arn:aws:macie2:REGION:ACCOUNT:session.
// Delete cancels the classification jobs that are still running, paused or idle
// (UpdateClassificationJob jobStatus=CANCELLED: they bill per GB scanned, so they
// stop first — LABS.md §4 "Macie jobs cancelled"), then DisableMacie. Macie that is
// not enabled is gone: AWS answers AccessDeniedException "Macie is not enabled."
// (only that message — an AccessDeniedException about permissions is an error),
// moto ResourceNotFoundException.
//
// Hourly is 0: Macie bills per GB scanned and per bucket monitored, not per hour.
//
// The guard: DisableMacie names no resource and job ids are not known in advance, so
// the session claims cloud.AccountWide("Macie", account, region) in its Targets.
// Ownership: a session is the class's only in a student's own account
// (Scope.Accounts); in any other account it is reported with the reason.

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	macietypes "github.com/aws/aws-sdk-go-v2/service/macie2/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:                  "AWS::Macie::Session",
		Gone:                  macieGone,
		AccountPerStudentOnly: true,
		Match:                 func(arn string) bool { return Service(arn) == "macie2" && Resource(arn) == "session" },
		Untaggable:            true,
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			if _, err := c.Macie.GetMacieSession(ctx, &macie2.GetMacieSessionInput{}); err != nil {
				if isGone("AWS::Macie::Session", err) {
					return nil, nil
				}
				return nil, err
			}
			return []Candidate{{ARN: c.ARN("macie2", "session")}}, nil
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			if r.Student == "" {
				return fmt.Errorf("refusing to disable Macie in %s: it is account-wide, and %s names no student whose own account this is", Account(r.ARN), r.ARN)
			}
			if a := Account(r.ARN); a != c.Account || Region(r.ARN) != c.Region {
				return fmt.Errorf("refusing to disable Macie: %s is not the session of these clients (%s, %s)", r.ARN, c.Account, c.Region)
			}
			if _, err := c.Macie.GetMacieSession(ctx, &macie2.GetMacieSessionInput{}); err != nil {
				return err
			}
			var token *string
			for {
				out, err := c.Macie.ListClassificationJobs(ctx, &macie2.ListClassificationJobsInput{NextToken: token, FilterCriteria: &macietypes.ListJobsFilterCriteria{
					Includes: []macietypes.ListJobsFilterTerm{{Key: macietypes.ListJobsFilterKeyJobStatus, Comparator: macietypes.JobComparatorEq,
						Values: []string{string(macietypes.JobStatusRunning), string(macietypes.JobStatusPaused), string(macietypes.JobStatusUserPaused), string(macietypes.JobStatusIdle)}}}}})
				if err != nil {
					return err
				}
				for _, j := range out.Items {
					switch j.JobStatus {
					case macietypes.JobStatusRunning, macietypes.JobStatusPaused, macietypes.JobStatusUserPaused, macietypes.JobStatusIdle:
					default:
						continue
					}
					_, err := c.Macie.UpdateClassificationJob(ctx, &macie2.UpdateClassificationJobInput{JobId: j.JobId, JobStatus: macietypes.JobStatusCancelled})
					if err != nil && !IsCode(err, "ValidationException", "ResourceNotFoundException") { // finished or gone meanwhile
						return err
					}
				}
				if token = out.NextToken; aws.ToString(token) == "" {
					break
				}
			}
			_, err := c.Macie.DisableMacie(ctx, &macie2.DisableMacieInput{})
			return err
		},
		// DisableMacie names nothing and job ids are not known in advance: the session
		// claims Macie in its account and region (cloud.AccountWide).
		Targets: func(r Ref) (own, context []string) {
			return []string{r.ARN, cloud.AccountWide("Macie", Account(r.ARN), Region(r.ARN))}, nil
		},
	})
}

// macieGone: Macie that is not enabled answers AccessDeniedException "Macie is not
// enabled." (only that message: an AccessDeniedException about permissions is an
// error); moto answers ResourceNotFoundException.
var macieGone = []NotFound{{Code: "AccessDeniedException", Message: "Macie is not enabled"}, {Code: "ResourceNotFoundException"}}
