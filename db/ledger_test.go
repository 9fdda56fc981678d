package db

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

const roleARN = "arn:aws:iam::123456789012:role/labdash/c1/ana/sandbox"

func liveARNs(t *testing.T, s *Store, classID string) map[string]LedgerEntry {
	t.Helper()
	entries, err := s.Ledger(context.Background(), classID, "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]LedgerEntry{}
	for _, e := range entries {
		out[e.ARN] = e
	}
	return out
}

// TestRecordRevivesADeletedEntry: a class cleaned up and provisioned again records
// its role under the same ARN; the row must read as live again, with the new facts
// and time, not stay deleted (ON CONFLICT DO NOTHING kept deleted_at).
func TestRecordRevivesADeletedEntry(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	now := time.Unix(1_800_000_000, 0).UTC()
	s.SetClock(func() time.Time { return now })
	first := LedgerEntry{ClassID: "c1", Student: "ana", ARN: roleARN, Type: "AWS::IAM::Role", Account: "123456789012",
		Parent: "arn:aws:iam::123456789012:policy/old-boundary", FoundBy: "tag", Detail: `{"old":"1"}`}
	if added, err := s.Record(ctx, first); err != nil || !added {
		t.Fatalf("first Record = %v, %v; want new", added, err)
	}
	now = now.Add(time.Hour)
	if err := s.MarkDeleted(ctx, "c1", roleARN); err != nil {
		t.Fatal(err)
	}
	if got := liveARNs(t, s, "c1"); len(got) != 0 {
		t.Fatalf("after MarkDeleted the ledger lists %v", got)
	}
	now = now.Add(time.Hour)
	again := LedgerEntry{ClassID: "c1", Student: "ana", ARN: roleARN, Type: "AWS::IAM::Role", Account: "123456789012",
		Parent: "arn:aws:iam::123456789012:policy/new-boundary", FoundBy: FoundProvisioned}
	added, err := s.Record(ctx, again)
	if err != nil || !added {
		t.Fatalf("Record after delete = %v, %v; want revived (true, nil)", added, err)
	}
	got, ok := liveARNs(t, s, "c1")[roleARN]
	if !ok {
		t.Fatal("the re-provisioned role is not listed as live")
	}
	if !got.DeletedAt.IsZero() || !got.CreatedAt.Equal(now) || got.Parent != again.Parent || got.FoundBy != FoundProvisioned || got.Detail != "" {
		t.Fatalf("revived entry = %+v; want deleted_at cleared, recorded at %v, the new parent and found-by, the stale detail gone", got, now)
	}
	f, err := s.ClassFootprint(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if f.Live != 1 || f.LiveSandboxes != 1 {
		t.Fatalf("delete-class footprint = %d live, %d provisioned; want 1, 1", f.Live, f.LiveSandboxes)
	}
}

// TestRecordTwiceIsIdempotent: recording a live entry again adds nothing, keeps
// its time, and only refreshes its detail when given one.
func TestRecordTwiceIsIdempotent(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	now := time.Unix(1_800_000_000, 0).UTC()
	s.SetClock(func() time.Time { return now })
	e := LedgerEntry{ClassID: "c1", Student: "ana", ARN: roleARN, Type: "AWS::CloudFormation::Stack", Account: "1", FoundBy: FoundProvisioned, Detail: `{"a":"1"}`}
	if added, err := s.Record(ctx, e); err != nil || !added {
		t.Fatalf("first Record = %v, %v", added, err)
	}
	now = now.Add(time.Hour)
	for i, d := range []string{"", `{"a":"2"}`} {
		e.Detail = d
		if added, err := s.Record(ctx, e); err != nil || added {
			t.Fatalf("Record #%d again = %v, %v; want (false, nil)", i+2, added, err)
		}
	}
	entries, err := s.Ledger(ctx, "c1", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Detail != `{"a":"2"}` || !entries[0].CreatedAt.Equal(now.Add(-time.Hour)) {
		t.Fatalf("ledger after three records = %+v; want one row, detail refreshed, first time kept", entries)
	}
}

// TestRecordNeverTakesAnotherClassesLiveARN: a second class recording an ARN the
// first holds live gets ErrConflict, and the first class's row is unchanged; once
// the first class's row is deleted, the second class may record it.
func TestRecordNeverTakesAnotherClassesLiveARN(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	a := LedgerEntry{ClassID: "c1", Student: "ana", ARN: roleARN, Type: "AWS::IAM::Role", Account: "1", FoundBy: FoundProvisioned}
	if _, err := s.Record(ctx, a); err != nil {
		t.Fatal(err)
	}
	b := LedgerEntry{ClassID: "c2", Student: "bob", ARN: roleARN, Type: "AWS::S3::Bucket", Account: "1", FoundBy: "prefix"}
	added, err := s.Record(ctx, b)
	if !errors.Is(err, ErrConflict) || added || !strings.Contains(err.Error(), "c1") {
		t.Fatalf("class c2 recording c1's live ARN = %v, %v; want ErrConflict naming c1", added, err)
	}
	if got := liveARNs(t, s, "c2"); len(got) != 0 {
		t.Fatalf("class c2 lists %v after a refused record", got)
	}
	if got := liveARNs(t, s, "c1")[roleARN]; got.Student != "ana" || got.Type != "AWS::IAM::Role" || got.FoundBy != FoundProvisioned {
		t.Fatalf("class c1's row changed: %+v", got)
	}

	// c2 had the ARN once and it was deleted; c1 holding it live still wins.
	if err := s.MarkDeleted(ctx, "c1", roleARN); err != nil {
		t.Fatal(err)
	}
	if added, err := s.Record(ctx, b); err != nil || !added {
		t.Fatalf("class c2 recording the ARN c1 deleted = %v, %v; want new", added, err)
	}
	if err := s.MarkDeleted(ctx, "c2", roleARN); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Record(ctx, a); err != nil {
		t.Fatalf("c1 reviving its row while c2's is deleted: %v", err)
	}
	if _, err := s.Record(ctx, b); !errors.Is(err, ErrConflict) {
		t.Fatalf("c2 reviving its deleted row while c1 holds the ARN live = %v; want ErrConflict", err)
	}
	if got := liveARNs(t, s, "c2"); len(got) != 0 {
		t.Fatalf("class c2 revived its row over c1's live one: %v", got)
	}
}

// TestRecordRaceHasOneOwner: classes racing to record one ARN end with exactly one
// live owner, and every loser is told ErrConflict.
func TestRecordRaceHasOneOwner(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	const n = 8
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			_, err := s.Record(ctx, LedgerEntry{ClassID: string(rune('a' + i)), ARN: roleARN, Type: "AWS::IAM::Role", Account: "1", FoundBy: "tag"})
			errs <- err
		}(i)
	}
	won := 0
	for i := 0; i < n; i++ {
		switch err := <-errs; {
		case err == nil:
			won++
		case !errors.Is(err, ErrConflict):
			t.Fatalf("racing Record: %v", err)
		}
	}
	var live int
	if err := s.db.QueryRow(`SELECT COUNT(*) FROM ledger WHERE arn = ? AND deleted_at IS NULL`, roleARN).Scan(&live); err != nil {
		t.Fatal(err)
	}
	if won != 1 || live != 1 {
		t.Fatalf("%d classes won, %d live rows; want 1 and 1", won, live)
	}
}

// TestRecordLooksUpTheARNThroughItsIndex: the other-class check reads the ARN's
// rows through ledger_arn, never the whole ledger, since every Record makes it.
func TestRecordLooksUpTheARNThroughItsIndex(t *testing.T) {
	s, _ := openTemp(t)
	rows, err := s.db.Query(`EXPLAIN QUERY PLAN SELECT 1 FROM ledger o WHERE o.arn = ? AND o.class_id <> ? AND o.deleted_at IS NULL`, roleARN, "c1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if got := strings.Join(plan, "; "); !strings.Contains(got, "ledger_arn") {
		t.Fatalf("query plan %q does not use ledger_arn", got)
	}
}
