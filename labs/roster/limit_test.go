package roster

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labdash/labdash/db"
)

// classWith opens a fresh store with one class of existing students.
func classWith(t *testing.T, existing int) (*db.Store, *db.Class) {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor, PasswordHash: "x"}
	if err := store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	c := &db.Class{Name: "Big", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate"}}
	if err := store.CreateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	if existing > 0 {
		news := make([]db.NewStudent, existing)
		for i := range news {
			news[i] = db.NewStudent{Name: fmt.Sprintf("Old %d", i), Email: fmt.Sprintf("old%d@example.edu", i)}
		}
		if _, _, err := store.AddStudents(ctx, c.ID, news); err != nil {
			t.Fatal(err)
		}
	}
	return store, c
}

func csvOf(n int) []byte {
	var b strings.Builder
	b.WriteString("name,email\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "New %d,new%d@example.edu\n", i, i)
	}
	return []byte(b.String())
}

func count(t *testing.T, store *db.Store, c *db.Class) int {
	t.Helper()
	sts, err := store.Students(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(sts)
}

func TestImportKeepsTheRosterAtMostMaxStudents(t *testing.T) {
	for name, tc := range map[string]struct {
		existing, added int
		ok              bool
	}{
		"empty class, 1999 rows":      {0, 1999, true},
		"empty class, 2000 rows":      {0, 2000, true},
		"empty class, 2001 rows":      {0, 2001, false},
		"1998 existing + 1 = 1999":    {1998, 1, true},
		"1999 existing + 1 = 2000":    {1999, 1, true},
		"1999 existing + 2 = 2001":    {1999, 2, false},
		"2000 existing + 1 = 2001":    {2000, 1, false},
		"1000 existing + 1000 = 2000": {1000, 1000, true},
		"1000 existing + 1001 = 2001": {1000, 1001, false},
		"1 existing + 2000 = 2001":    {1, 2000, false},
	} {
		t.Run(name, func(t *testing.T) {
			store, c := classWith(t, tc.existing)
			ctx := context.Background()
			data := csvOf(tc.added)
			_, checkErrs, err := Check(ctx, store, c, data)
			if err != nil {
				t.Fatal(err)
			}
			sts, _, rowErrs, err := Import(ctx, store, c, data, "test")
			got := count(t, store, c)
			if tc.ok {
				if err != nil || len(checkErrs) > 0 || len(sts) != tc.added || got != tc.existing+tc.added {
					t.Fatalf("import: err %v, preview errors %v, roster %d; want %d", err, checkErrs, got, tc.existing+tc.added)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || got != tc.existing {
				t.Fatalf("import past %d: err %v, roster now %d (was %d); want ErrInvalid and nothing written", MaxStudents, err, got, tc.existing)
			}
			if len(rowErrs) != 1 || rowErrs[0].Field != "file" || !strings.Contains(rowErrs[0].Message, "2000") {
				t.Fatalf("row errors %v; want one file error naming the limit", rowErrs)
			}
			if len(checkErrs) != 1 || checkErrs[0].Message != rowErrs[0].Message {
				t.Fatalf("preview %v does not refuse as the import does (%v)", checkErrs, rowErrs)
			}
		})
	}
}

func TestAddOneKeepsTheRosterAtMostMaxStudents(t *testing.T) {
	for _, tc := range []struct {
		existing int
		ok       bool
	}{{1998, true}, {1999, true}, {2000, false}} {
		t.Run(fmt.Sprint(tc.existing, " existing"), func(t *testing.T) {
			store, c := classWith(t, tc.existing)
			st, _, rowErrs, err := AddOne(context.Background(), store, c, Row{Name: "One More", Email: "one.more@example.edu"}, "test")
			got := count(t, store, c)
			if tc.ok {
				if err != nil || st == nil || got != tc.existing+1 {
					t.Fatalf("add to %d: err %v, roster %d", tc.existing, err, got)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || got != tc.existing || len(rowErrs) != 1 || rowErrs[0].Field != "name" ||
				!strings.Contains(rowErrs[0].Message, "already has 2000 students") {
				t.Fatalf("add to a full class: err %v, roster %d, errors %v; want one clear refusal and nothing written", err, got, rowErrs)
			}
		})
	}
}

func TestFullMessageWording(t *testing.T) {
	for _, tc := range []struct {
		existing, n int
		want        string
	}{
		{1, 2000, "the class has 1 student and this adds 2000, but a class may have at most 2000 (room for 1999 more)"},
		{1999, 2, "the class has 1999 students and this adds 2, but a class may have at most 2000 (room for 1 more)"},
		{2000, 1, "the class already has 2000 students, the most a class may have"},
	} {
		if got := fullMessage(tc.existing, tc.n); !strings.HasPrefix(got, tc.want) {
			t.Errorf("fullMessage(%d, %d) = %q; want it to start %q", tc.existing, tc.n, got, tc.want)
		}
	}
}
