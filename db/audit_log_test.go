package db

import (
	"context"
	"strings"
	"testing"
)

// TestAuditPageUsesTheClassIndex: every query of the audit page, filtered or not,
// reads one class's entries through audit_log_class, never the whole table, and
// a page is bounded by its limit.
func TestAuditPageUsesTheClassIndex(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	for _, f := range []AuditFilter{
		{ClassID: "c1", Limit: 100},
		{ClassID: "c1", Action: "link.issue", Before: 500, Limit: 100},
		{ClassID: "c1", Student: "s07", After: 20, Limit: 100},
	} {
		cond, args := f.where()
		for _, q := range []string{
			`SELECT id, at, class_id, actor, action, detail FROM audit_log WHERE ` + cond + ` AND id < ? ORDER BY id DESC LIMIT ?`,
			`SELECT COUNT(*) FROM audit_log WHERE ` + cond,
			`SELECT DISTINCT action FROM audit_log WHERE class_id = ? ORDER BY action`,
		} {
			a := append(append([]any(nil), args...), int64(1), 100)
			if strings.HasPrefix(q, "SELECT COUNT") {
				a = args
			} else if strings.HasPrefix(q, "SELECT DISTINCT") {
				a = []any{"c1"}
			}
			rows, err := s.q.QueryContext(ctx, `EXPLAIN QUERY PLAN `+q, a...)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			rows.Close()
			got := strings.Join(plan, "; ")
			if !strings.Contains(got, "audit_log_class") || strings.Contains(got, "SCAN audit_log ") || strings.HasSuffix(got, "SCAN audit_log") {
				t.Errorf("%s\n  plan: %s, want the class index", q, got)
			}
		}
	}
	// Paging reads back what was written, newest first, bounded by the limit.
	for i := 0; i < 5; i++ {
		if err := s.Audit(ctx, AuditEntry{ClassID: "c1", Actor: "cli", Action: "x.y", Detail: "d"}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := s.AuditPage(ctx, AuditFilter{ClassID: "c1", Limit: 2, After: 1})
	if err != nil || len(page) != 2 || page[0].ID != 3 || page[1].ID != 2 {
		t.Fatalf("after 1, limit 2: %+v %v, want entries 3 and 2", page, err)
	}
}
