package db

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"
)

// The batched re-checks of open sockets report exactly the credentials that
// still hold: each one ended a different way is missing, and everything else,
// including look-alikes in another class, is reported as it is.
func TestLiveAccessReportsWhatStillHolds(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	now := time.Unix(1_800_000_000, 0)
	s.SetClock(func() time.Time { return now })
	owner := mustUser(t, s, "ana@example.edu", RoleInstructor)
	ta := mustUser(t, s, "ta@example.edu", RoleAssistant)
	gone := mustUser(t, s, "gone@example.edu", RoleAssistant)
	c1 := &Class{Name: "AWS 101", OwnerID: owner.ID, Regions: []string{"us-east-1"}, Isolation: IsolationShared}
	c2 := &Class{Name: "AWS 202", OwnerID: owner.ID, Regions: []string{"us-east-1"}, Isolation: IsolationShared}
	for _, c := range []*Class{c1, c2} {
		if err := s.CreateClass(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := s.AddAssistant(ctx, c.ID, ta.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddAssistant(ctx, c1.ID, gone.ID); err != nil {
		t.Fatal(err)
	}

	// Sessions: one live, one signed out, one expired.
	for tok, ttl := range map[string]time.Duration{"live": time.Hour, "out": time.Hour, "expired": time.Minute} {
		if err := s.CreateSession(ctx, tok, ta.ID, ttl); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteSession(ctx, "out"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute)
	sessions, err := s.LiveSessions(ctx, []string{HashToken("live"), HashToken("out"), HashToken("expired"), HashToken("never")})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int64{HashToken("live"): ta.ID}; !maps.Equal(sessions, want) {
		t.Errorf("LiveSessions = %v, want only the live one %v", sessions, want)
	}

	// API tokens: one kept, one deleted.
	_, kept, _ := s.CreateAPIToken(ctx, owner.ID, "kept")
	_, deleted, _ := s.CreateAPIToken(ctx, ta.ID, "deleted")
	if err := s.DeleteAPIToken(ctx, ta.ID, deleted.ID); err != nil {
		t.Fatal(err)
	}
	tokens, err := s.LiveAPITokens(ctx, []int64{kept.ID, deleted.ID, 9999})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[int64]int64{kept.ID: owner.ID}; !maps.Equal(tokens, want) {
		t.Errorf("LiveAPITokens = %v, want %v", tokens, want)
	}

	// Links: kept, revoked, reissued (old one ends, new one holds), student removed.
	sts, toks, err := s.AddStudents(ctx, c1.ID, []NewStudent{{Name: "A", Email: "a@x.edu"}, {Name: "B", Email: "b@x.edu"}, {Name: "C", Email: "c@x.edu"}, {Name: "D", Email: "d@x.edu"}})
	if err != nil {
		t.Fatal(err)
	}
	other, otherToks, err := s.AddStudents(ctx, c2.ID, []NewStudent{{Name: "A2", Email: "a@x.edu"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeLink(ctx, c1.ID, sts[1].Slug); err != nil {
		t.Fatal(err)
	}
	fresh, err := s.IssueLink(ctx, c1.ID, sts[2].Slug)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveStudent(ctx, c1.ID, sts[3].Slug); err != nil {
		t.Fatal(err)
	}
	links, err := s.LiveLinks(ctx, []string{HashToken(toks[0]), HashToken(toks[1]), HashToken(toks[2]), HashToken(fresh), HashToken(toks[3]), HashToken(otherToks[0])})
	if err != nil {
		t.Fatal(err)
	}
	wantLinks := map[string]StudentRef{
		HashToken(toks[0]):      {c1.ID, sts[0].Slug},
		HashToken(fresh):        {c1.ID, sts[2].Slug},
		HashToken(otherToks[0]): {c2.ID, other[0].Slug}, // same slug, other class: told apart
	}
	if !maps.Equal(links, wantLinks) {
		t.Errorf("LiveLinks = %v, want %v", links, wantLinks)
	}

	// Students: on the roster, removed, and a slug of another class.
	exist, err := s.StudentsExist(ctx, []StudentRef{{c1.ID, sts[0].Slug}, {c1.ID, sts[3].Slug}, {c2.ID, sts[1].Slug}, {"cnone", "s01"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[StudentRef]bool{{c1.ID, sts[0].Slug}: true}; !maps.Equal(exist, want) {
		t.Errorf("StudentsExist = %v, want %v", exist, want)
	}

	// Members: owner, assistant, removed assistant, assistant of a deleted class, stranger.
	if err := s.RemoveAssistant(ctx, c1.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteClass(ctx, c2.ID); err != nil {
		t.Fatal(err)
	}
	stranger := mustUser(t, s, "olga@example.edu", RoleInstructor)
	members, err := s.ClassMembers(ctx, []Membership{{owner.ID, c1.ID}, {ta.ID, c1.ID}, {gone.ID, c1.ID}, {ta.ID, c2.ID}, {owner.ID, c2.ID}, {stranger.ID, c1.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[Membership]bool{{owner.ID, c1.ID}: true, {ta.ID, c1.ID}: true}; !maps.Equal(members, want) {
		t.Errorf("ClassMembers = %v, want %v", members, want)
	}

	// Nothing asked, nothing queried.
	for name, f := range map[string]func() (int, error){
		"sessions": func() (int, error) { m, err := s.LiveSessions(ctx, nil); return len(m), err },
		"tokens":   func() (int, error) { m, err := s.LiveAPITokens(ctx, nil); return len(m), err },
		"links":    func() (int, error) { m, err := s.LiveLinks(ctx, nil); return len(m), err },
		"students": func() (int, error) { m, err := s.StudentsExist(ctx, nil); return len(m), err },
		"members":  func() (int, error) { m, err := s.ClassMembers(ctx, nil); return len(m), err },
	} {
		if n, err := f(); n != 0 || err != nil {
			t.Errorf("%s of nothing = %d, %v", name, n, err)
		}
	}
}

// A re-check of 2,000 links is one query that still finds every live one.
func TestLiveLinksAtClassSize(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	owner := mustUser(t, s, "ana@example.edu", RoleInstructor)
	c := &Class{Name: "Big", OwnerID: owner.ID, Regions: []string{"us-east-1"}, Isolation: IsolationShared}
	if err := s.CreateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	rows := make([]NewStudent, 2000)
	for i := range rows {
		rows[i] = NewStudent{Name: fmt.Sprint("S", i), Email: fmt.Sprintf("s%d@x.edu", i)}
	}
	_, toks, err := s.AddStudents(ctx, c.ID, rows)
	if err != nil {
		t.Fatal(err)
	}
	hashes := make([]string, len(toks))
	for i, tok := range toks {
		hashes[i] = HashToken(tok)
	}
	links, err := s.LiveLinks(ctx, hashes)
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 2000 {
		t.Fatalf("LiveLinks found %d of 2000", len(links))
	}
}
