package handlers

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/labdash/labdash/db"
)

var auditRowRE = regexp.MustCompile(`<tr><td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td></tr>`)

// auditPageRows reads the detail column of an audit page's rows.
func auditPageRows(body string) []string {
	var out []string
	for _, m := range auditRowRE.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[2]))
	}
	return out
}

// auditLink is the href of the pager link with data-testid id, "" when absent.
func auditLink(body, id string) string {
	m := regexp.MustCompile(`href="([^"]*)"[^>]*data-testid="` + id + `"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// seedAudit writes entries for class in one transaction.
func seedAudit(t *testing.T, h *harness, classID string, entries ...db.AuditEntry) {
	t.Helper()
	ctx := context.Background()
	err := h.store.WithTx(ctx, func(tx *db.Store) error {
		for _, e := range entries {
			e.ClassID = classID
			if err := tx.Audit(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAuditPagesAHundredAtATime: 250 entries are three pages of 100, 100 and 50,
// newest first, joined by Older and Newer links; a page stays the same when new
// entries arrive meanwhile; another class's entries never show.
func TestAuditPagesAHundredAtATime(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	base, _ := h.store.AuditCount(ctx, db.AuditFilter{ClassID: h.class.ID}, 0)
	var es []db.AuditEntry
	for i := 1; i <= 250-base; i++ {
		es = append(es, db.AuditEntry{Actor: "cli", Action: "roster.import", Detail: fmt.Sprintf("entry %03d", i)})
	}
	seedAudit(t, h, h.class.ID, es...)
	seedAudit(t, h, h.otherClass.ID, db.AuditEntry{Actor: "cli", Action: "roster.import", Detail: "the other class's entry"})
	owner := h.as(h.instructor)
	path := "/classes/" + h.class.ID + "/audit"
	seen := map[string]bool{}
	var pages [][]string
	var hrefs []string
	for path != "" {
		r := owner.get(path)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.status, clip(r.body, 300))
		}
		rows := auditPageRows(r.body)
		for _, d := range rows {
			if seen[d] || d == "the other class's entry" {
				t.Fatalf("page %d: %q shown twice or from the other class", len(pages)+1, d)
			}
			seen[d] = true
		}
		pages = append(pages, rows)
		hrefs = append(hrefs, path)
		if len(pages) == 1 {
			if auditLink(r.body, "audit-newer") != "" {
				t.Errorf("the newest page has a Newer link")
			}
			// New entries arrive while the instructor reads page 1: page 2 still starts where page 1 ended (counted from the newest, it is now entries 103–202).
			seedAudit(t, h, h.class.ID, db.AuditEntry{Actor: "cli", Action: "link.issue", Detail: "late 1"}, db.AuditEntry{Actor: "cli", Action: "link.issue", Detail: "late 2"})
		}
		if len(pages) == 2 && !strings.Contains(r.body, "Entries 103–202 of 252") {
			t.Errorf("page 2 does not say where it is: %s", clip(r.body, 2000))
		}
		path = auditLink(r.body, "audit-older")
		if len(pages) > 5 {
			t.Fatal("more than 5 pages for 250 entries")
		}
	}
	if len(pages) != 3 || len(pages[0]) != 100 || len(pages[1]) != 100 || len(pages[2]) != 50 {
		t.Fatalf("pages of %v entries, want 100, 100, 50", lens(pages))
	}
	if pages[0][0] != "entry 250" && base == 0 || pages[1][0] != fmt.Sprintf("entry %03d", 150-base) {
		t.Errorf("pages not newest first, or shifted by the new entries: page 1 starts %q, page 2 %q", pages[0][0], pages[1][0])
	}
	// Newer from the last page is the middle page again.
	last := owner.get(hrefs[2])
	if newer := auditLink(last.body, "audit-newer"); newer == "" {
		t.Fatal("the last page has no Newer link")
	} else if got := auditPageRows(owner.get(newer).body); len(got) != 100 || got[0] != pages[1][0] {
		t.Errorf("Newer from the last page: %d rows starting %v, want page 2", len(got), got[:min(1, len(got))])
	}
	// The first page now starts with the late entries.
	if got := auditPageRows(owner.get("/classes/" + h.class.ID + "/audit").body); got[0] != "late 2" {
		t.Errorf("the newest page starts %q, want the newest entry", got[0])
	}
}

func lens(pages [][]string) []int {
	var out []int
	for _, p := range pages {
		out = append(out, len(p))
	}
	return out
}

// TestAuditFiltersByActionAndStudent: ?action= keeps exactly that action (the
// pager keeps the filter); ?student= keeps the entries naming the student, as a
// word or inside the class's resource names, and not a longer slug (s010 for s01).
func TestAuditFiltersByActionAndStudent(t *testing.T) {
	h := newHarness(t)
	id := h.class.ID
	var es []db.AuditEntry
	for i := 0; i < 130; i++ {
		es = append(es, db.AuditEntry{Actor: "cli", Action: "link.issue", Detail: fmt.Sprintf("new personal link for s%02d; n%d", i%3+1, i)})
		es = append(es, db.AuditEntry{Actor: "cli", Action: "rehearsal.action", Detail: fmt.Sprintf("s02 fargate stop %d", i)})
	}
	es = append(es,
		db.AuditEntry{Actor: "cleanup", Action: "cleanup.delete", Detail: "AWS::ECS::Cluster arn:aws:ecs:us-east-1:111122223333:cluster/" + id + "s01-cluster"},
		db.AuditEntry{Actor: "cleanup", Action: "cleanup.delete", Detail: "AWS::ECS::Cluster arn:aws:ecs:us-east-1:111122223333:cluster/" + id + "s010-cluster"},
		db.AuditEntry{Actor: "cli", Action: "student.add", Detail: "added s010 (x@example.edu)"},
		db.AuditEntry{Actor: "cli", Action: "student.remove", Detail: "removed s01 (ada@example.edu)"},
		db.AuditEntry{Actor: "cli", Action: "link.revoke", Detail: "revoked the personal link of s01"},
		db.AuditEntry{Actor: "cli", Action: "link.revoke", Detail: "revoked the personal link of ks01x"},
	)
	seedAudit(t, h, id, es...)
	owner := h.as(h.instructor)

	all := func(path string) []string {
		var out []string
		for n := 0; path != "" && n < 10; n++ {
			r := owner.get(path)
			if r.status != 200 {
				t.Fatalf("GET %s: %d %s", path, r.status, clip(r.body, 300))
			}
			out = append(out, auditPageRows(r.body)...)
			path = auditLink(r.body, "audit-older")
		}
		return out
	}
	rows := all("/classes/" + id + "/audit?action=link.issue")
	if len(rows) != 130 {
		t.Errorf("action=link.issue over its pages: %d rows, want 130", len(rows))
	}
	for _, d := range rows {
		if !strings.HasPrefix(d, "new personal link") {
			t.Errorf("action=link.issue shows %q", d)
		}
	}
	page := owner.get("/classes/" + id + "/audit?action=link.issue")
	if older := auditLink(page.body, "audit-older"); !strings.Contains(older, "action=link.issue") {
		t.Errorf("the Older link %q drops the filter", older)
	}
	if !strings.Contains(page.body, `<option value="link.issue" selected>`) {
		t.Errorf("the chosen action is not selected in the form")
	}

	rows = all("/classes/" + id + "/audit?student=s01")
	want := 130/3 + 1 + 3 // link.issue for s01 (i%3==0: 44), the cluster, the removal, the revoke
	if len(rows) != want {
		t.Errorf("student=s01: %d rows, want %d", len(rows), want)
	}
	for _, d := range rows {
		if strings.Contains(d, "s010") || strings.Contains(d, "ks01x") || strings.Contains(d, "s02") {
			t.Errorf("student=s01 shows %q", d)
		}
	}
	both := all("/classes/" + id + "/audit?student=s02&action=rehearsal.action")
	if len(both) != 130 {
		t.Errorf("student=s02 and action=rehearsal.action: %d rows, want 130", len(both))
	}
	if r := owner.get("/classes/" + id + "/audit?student=s77"); r.status != 200 || !strings.Contains(r.body, `data-testid="audit-none"`) {
		t.Errorf("a student with no entries: %d, want the empty filter message", r.status)
	}
	// The assistant reads the same filtered log.
	if r := h.as(h.assistant).get("/classes/" + id + "/audit?action=link.revoke"); r.status != 200 || len(auditPageRows(r.body)) != 2 {
		t.Errorf("assistant, action=link.revoke: %d, %d rows", r.status, len(auditPageRows(r.body)))
	}
}

// TestAuditRefusesHostileQueries: a bad page bound, an unknown or malformed
// action and a malformed student are a 422 naming the parameter, with the form
// and nothing unescaped; never a 500.
func TestAuditRefusesHostileQueries(t *testing.T) {
	h := newHarness(t)
	seedAudit(t, h, h.class.ID, db.AuditEntry{Actor: "cli", Action: "link.issue", Detail: "new personal link for s01"})
	owner := h.as(h.instructor)
	for q, want := range map[string]string{
		"page=-1":                       "page:",
		"page=abc":                      "page:",
		"page=2":                        "page:",
		"before=-1":                     "before:",
		"before=abc":                    "before:",
		"before=0":                      "before:",
		"after=1e9":                     "after:",
		"after=99999999999999999999999": "after:",
		"before=5&after=2":              "not both",
		"action=%3Cscript%3Ealert(1)%3C%2Fscript%3E": "action:",
		"action=no.such":                    "nothing of this class was recorded as",
		"action=link.issue%27%20OR%201%3D1": "action:",
		"student=%3Cscript%3Ex":             "student:",
		"student=s1%27--":                   "student:",
		"student=s01%00":                    "student:",
	} {
		r := owner.get("/classes/" + h.class.ID + "/audit?" + q)
		body := html.UnescapeString(r.body)
		if r.status != 422 || !strings.Contains(r.body, `data-testid="audit-error"`) || !strings.Contains(body, want) || !strings.Contains(r.body, `data-testid="audit-filter"`) {
			t.Errorf("?%s: %d, want 422 saying %q: %s", q, r.status, want, clip(r.body, 400))
		}
		if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<script>x") {
			t.Errorf("?%s: the value reaches the page unescaped", q)
		}
	}
	// A bound past the end is no error: nothing older, and a way back.
	r := owner.get("/classes/" + h.class.ID + "/audit?before=1")
	if r.status != 200 || auditLink(r.body, "audit-newest") == "" {
		t.Errorf("before=1: %d, want 200 with a link to the newest page: %s", r.status, clip(r.body, 400))
	}
	// Nothing newer than the newest: the newest page.
	if r := owner.get("/classes/" + h.class.ID + "/audit?after=999999"); r.status != 200 || len(auditPageRows(r.body)) != 1 {
		t.Errorf("after past the newest: %d, %d rows", r.status, len(auditPageRows(r.body)))
	}
}
