package db

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// TestPutResultsSkipsRemovedStudents: a batch holding results of a student removed
// since they were observed writes everyone else's, reports the removed student
// once, and writes nothing for them; one result alone is ErrNotFound.
func TestPutResultsSkipsRemovedStudents(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	u := mustUser(t, s, "ana@example.edu", RoleInstructor)
	c := &Class{Name: "Results", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: IsolationShared}
	if err := s.CreateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	sts, _, err := s.AddStudents(ctx, c.ID, []NewStudent{{Name: "A", Email: "a@example.edu"}, {Name: "B", Email: "b@example.edu"}, {Name: "C", Email: "c@example.edu"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveStudent(ctx, c.ID, sts[1].Slug); err != nil {
		t.Fatal(err)
	}
	var batch []CheckpointResult
	for _, st := range sts {
		for _, cp := range []string{"cluster", "service"} {
			batch = append(batch, CheckpointResult{StudentID: st.ID, Lab: "fargate", Checkpoint: cp, Status: StatusPass})
		}
	}
	gone, err := s.PutCheckpointResults(ctx, batch)
	if err != nil || !slices.Equal(gone, []int64{sts[1].ID}) {
		t.Fatalf("PutCheckpointResults: gone %v, %v; want [%d], nil", gone, err, sts[1].ID)
	}
	for i, st := range sts {
		rs, err := s.StudentResults(ctx, st.ID)
		want := 2
		if i == 1 {
			want = 0
		}
		if err != nil || len(rs) != want {
			t.Errorf("%s: %d results (%v), want %d", st.Slug, len(rs), err, want)
		}
	}
	if err := s.PutCheckpointResult(ctx, batch[2]); !errors.Is(err, ErrNotFound) {
		t.Errorf("one result of a removed student: %v, want ErrNotFound", err)
	}
	if err := s.PutCheckpointResult(ctx, batch[0]); err != nil {
		t.Errorf("an upsert of a present student's result: %v", err)
	}
}
