package sim

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	macietypes "github.com/aws/aws-sdk-go-v2/service/macie2/types"
)

func TestMacieSessionAndJobs(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c.Macie
	var denied *macietypes.AccessDeniedException
	if _, err := c.GetMacieSession(ctx, &macie2.GetMacieSessionInput{}); !errors.As(err, &denied) || aws.ToString(denied.Message) != "Macie is not enabled." {
		t.Fatalf("GetMacieSession before EnableMacie: %v", err)
	}
	if _, err := c.DisableMacie(ctx, &macie2.DisableMacieInput{}); !errors.As(err, &denied) {
		t.Fatalf("DisableMacie before EnableMacie: %v", err)
	}
	if _, err := e.w.StartMacieJob("", "us-east-1", "c42s07-scan"); !errors.As(err, &denied) {
		t.Fatalf("job before EnableMacie: %v", err)
	}
	if _, err := c.EnableMacie(ctx, &macie2.EnableMacieInput{}); err != nil {
		t.Fatal(err)
	}
	var conflict *macietypes.ConflictException
	if _, err := c.EnableMacie(ctx, &macie2.EnableMacieInput{}); !errors.As(err, &conflict) {
		t.Fatalf("second EnableMacie: %v", err)
	}
	s, err := c.GetMacieSession(ctx, &macie2.GetMacieSessionInput{})
	if err != nil || s.Status != macietypes.MacieStatusEnabled || s.FindingPublishingFrequency != macietypes.FindingPublishingFrequencyFifteenMinutes {
		t.Fatalf("session: %+v %v", s, err)
	}
	// Another region of the same account has its own session.
	east2, _ := e.w.Clients(ctx, "", "us-east-2")
	if _, err := east2.Macie.GetMacieSession(ctx, &macie2.GetMacieSessionInput{}); !errors.As(err, &denied) {
		t.Fatalf("other region: %v", err)
	}

	done, _ := e.w.StartMacieJob("", "us-east-1", "c42s07-done")
	running, _ := e.w.StartMacieJob("", "us-east-1", "c42s07-running")
	status := func() map[string]macietypes.JobStatus {
		out, err := c.ListClassificationJobs(ctx, &macie2.ListClassificationJobsInput{})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]macietypes.JobStatus{}
		for _, j := range out.Items {
			m[aws.ToString(j.JobId)] = j.JobStatus
		}
		return m
	}
	if st := status(); st[done] != macietypes.JobStatusRunning || st[running] != macietypes.JobStatusRunning {
		t.Fatalf("new jobs: %v", st)
	}
	if _, err := c.UpdateClassificationJob(ctx, &macie2.UpdateClassificationJobInput{JobId: aws.String(running), JobStatus: macietypes.JobStatusUserPaused}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(16 * time.Minute)
	if st := status(); st[done] != macietypes.JobStatusComplete || st[running] != macietypes.JobStatusUserPaused {
		t.Fatalf("after 16 min: %v", st)
	}
	// Filter: the jobs still to cancel.
	out, err := c.ListClassificationJobs(ctx, &macie2.ListClassificationJobsInput{FilterCriteria: &macietypes.ListJobsFilterCriteria{Includes: []macietypes.ListJobsFilterTerm{
		{Key: macietypes.ListJobsFilterKeyJobStatus, Comparator: macietypes.JobComparatorEq, Values: []string{"RUNNING", "USER_PAUSED"}}}}})
	if err != nil || len(out.Items) != 1 || aws.ToString(out.Items[0].JobId) != running {
		t.Fatalf("filtered jobs: %+v %v", out, err)
	}
	var invalid *macietypes.ValidationException
	if _, err := c.UpdateClassificationJob(ctx, &macie2.UpdateClassificationJobInput{JobId: aws.String(done), JobStatus: macietypes.JobStatusCancelled}); !errors.As(err, &invalid) {
		t.Fatalf("cancel a COMPLETE job: %v", err)
	}
	if _, err := c.UpdateClassificationJob(ctx, &macie2.UpdateClassificationJobInput{JobId: aws.String(running), JobStatus: macietypes.JobStatusCancelled}); err != nil {
		t.Fatal(err)
	}
	var nf *macietypes.ResourceNotFoundException
	if _, err := c.UpdateClassificationJob(ctx, &macie2.UpdateClassificationJobInput{JobId: aws.String("0123"), JobStatus: macietypes.JobStatusCancelled}); !errors.As(err, &nf) {
		t.Fatalf("unknown job: %v", err)
	}
	if st := status(); st[running] != macietypes.JobStatusCancelled {
		t.Fatalf("after cancel: %v", st)
	}
	// DisableMacie deletes everything; enabling again starts empty.
	if _, err := c.DisableMacie(ctx, &macie2.DisableMacieInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListClassificationJobs(ctx, &macie2.ListClassificationJobsInput{}); !errors.As(err, &denied) {
		t.Fatalf("jobs after DisableMacie: %v", err)
	}
	if _, err := c.EnableMacie(ctx, &macie2.EnableMacieInput{Status: macietypes.MacieStatusPaused}); err != nil {
		t.Fatal(err)
	}
	if st := status(); len(st) != 0 {
		t.Fatalf("jobs survived DisableMacie: %v", st)
	}
}
