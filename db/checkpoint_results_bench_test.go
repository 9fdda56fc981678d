package db

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkPutCheckpointResults writes one monitor cycle's results for 500
// students × 6 checkpoints (3,000 rows) in one PutCheckpointResults.
func BenchmarkPutCheckpointResults(b *testing.B) {
	ctx := context.Background()
	s, _ := openTemp(b)
	u := mustUser(b, s, "ana@example.edu", RoleInstructor)
	c := &Class{Name: "Bench", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: IsolationShared}
	if err := s.CreateClass(ctx, c); err != nil {
		b.Fatal(err)
	}
	var rows []NewStudent
	for i := range 500 {
		rows = append(rows, NewStudent{Name: fmt.Sprintf("S %d", i), Email: fmt.Sprintf("s%d@example.edu", i)})
	}
	sts, _, err := s.AddStudents(ctx, c.ID, rows)
	if err != nil {
		b.Fatal(err)
	}
	var batch []CheckpointResult
	for _, st := range sts {
		for k := range 6 {
			batch = append(batch, CheckpointResult{StudentID: st.ID, Lab: "fargate", Checkpoint: fmt.Sprintf("cp%d", k), Status: StatusPending, Evidence: "no service yet"})
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		batch[i%len(batch)].Evidence = fmt.Sprint("changed ", i)
		if gone, err := s.PutCheckpointResults(ctx, batch); err != nil || len(gone) != 0 {
			b.Fatal(gone, err)
		}
	}
	b.ReportMetric(float64(len(batch)), "rows/op")
}
