package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/labdash/labdash/db"
)

// freshClass is a class of the harness's instructor that was never provisioned.
func freshClass(t *testing.T, h *harness, name string, regions, labIDs []string) *db.Class {
	t.Helper()
	cl := &db.Class{Name: name, OwnerID: h.instructor.ID, Regions: regions, Isolation: db.IsolationShared, Labs: labIDs}
	if err := h.store.CreateClass(t.Context(), cl); err != nil {
		t.Fatal(err)
	}
	return cl
}

// finishProvisioning ends the harness's provisioning job, with one sandbox role
// of student A recorded in the ledger.
func finishProvisioning(t *testing.T, h *harness) string {
	t.Helper()
	ctx := t.Context()
	if err := h.store.FinishJob(ctx, h.jobID, db.JobDone, "", ""); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:iam::111122223333:role/labdash/" + h.class.ID + "/" + h.a.slug + "/" + h.class.ID + h.a.slug + "-student"
	if _, err := h.store.Record(ctx, db.LedgerEntry{ClassID: h.class.ID, Student: h.a.slug, ARN: arn, Type: "AWS::IAM::Role", Account: "111122223333", FoundBy: db.FoundProvisioned}); err != nil {
		t.Fatal(err)
	}
	return arn
}

// finishCleanup records a whole-class cleanup of the harness's class that deleted
// arn and ended with outcome.
func finishCleanup(t *testing.T, h *harness, arn, outcome string) {
	t.Helper()
	ctx := t.Context()
	if arn != "" {
		if err := h.store.MarkDeleted(ctx, h.class.ID, arn); err != nil {
			t.Fatal(err)
		}
	}
	job, err := h.store.CreatePlannedJob(ctx, h.class.ID, "cleanup", "", "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.store.FinishJob(ctx, job.ID, db.JobDone, outcome, ""); err != nil {
		t.Fatal(err)
	}
}

func TestClassRenameWorksAndShows(t *testing.T) {
	h := newHarness(t)
	owner := h.as(h.instructor)
	page := "/classes/" + h.class.ID
	if r := owner.get(page); !strings.Contains(r.body, `href="`+page+`/edit"`) {
		t.Fatalf("the console offers its owner no edit link")
	}
	if r := h.as(h.assistant).get(page); strings.Contains(r.body, page+"/edit") {
		t.Errorf("the console offers an assistant the edit link")
	}
	r := owner.postForm(page+"/edit", url.Values{"name": {"  Cloud Ops 2027  "}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != page+"/edit?notice=saved" {
		t.Fatalf("rename: %d %s\n%.500s", r.status, r.header.Get("Location"), r.body)
	}
	if r := owner.get(page + "/edit?notice=saved"); !strings.Contains(r.body, `data-testid="saved"`) || !strings.Contains(r.body, `value="Cloud Ops 2027"`) {
		t.Errorf("the edit page after saving does not say so or show the new name")
	}
	for _, p := range []string{page, "/classes"} {
		if r := owner.get(p); !strings.Contains(r.body, ">Cloud Ops 2027</a>") || strings.Contains(r.body, ">AWS 101<") {
			t.Errorf("%s does not show the new name (or still shows the old one)", p)
		}
	}
	cl, err := h.store.Class(t.Context(), h.class.ID)
	if err != nil || cl.Name != "Cloud Ops 2027" || strings.Join(cl.Regions, ",") != "us-east-1" || strings.Join(cl.Labs, ",") != "fargate,slots" {
		t.Fatalf("stored: %+v, %v (regions and labs not sent must stay)", cl, err)
	}
	entries, _ := h.store.AuditLog(t.Context(), h.class.ID, 5)
	if len(entries) == 0 || entries[0].Action != "class.edit" || !strings.Contains(entries[0].Detail, `"AWS 101" → "Cloud Ops 2027"`) || entries[0].Actor != "user:"+h.instructor.Email {
		t.Errorf("audit = %+v, want a class.edit row naming the old and new name", entries)
	}
	// Saving the same name again changes nothing and writes no audit row.
	owner.postForm(page+"/edit", url.Values{"name": {"Cloud Ops 2027"}})
	if again, _ := h.store.AuditLog(t.Context(), h.class.ID, 5); len(again) != len(entries) {
		t.Errorf("an edit that changed nothing wrote an audit row")
	}
	// The assistant may read the class, not change it.
	if r := h.as(h.assistant).postForm(page+"/edit", url.Values{"name": {"Hijacked"}}); r.status != http.StatusForbidden {
		t.Errorf("assistant rename: %d, want 403", r.status)
	}
	if r := h.withToken(h.assistantToken).do(http.MethodPatch, "/api/v1/classes/"+h.class.ID, strings.NewReader(`{"name":"Hijacked"}`), "application/json", nil); r.status != http.StatusForbidden {
		t.Errorf("assistant API rename: %d, want 403", r.status)
	}
	// The API renames too.
	r = h.withToken(h.apiToken).do(http.MethodPatch, "/api/v1/classes/"+h.class.ID, strings.NewReader(`{"name":"Cloud Ops"}`), "application/json", nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, `"name":"Cloud Ops"`) {
		t.Fatalf("API rename: %d %s", r.status, r.body)
	}
	if cl, _ := h.store.Class(t.Context(), h.class.ID); cl.Name != "Cloud Ops" {
		t.Errorf("API rename not stored: %q", cl.Name)
	}
}

func TestClassRegionsAndLabsFixedOnceProvisioned(t *testing.T) {
	h := newHarness(t)
	owner := h.as(h.instructor)
	page := "/classes/" + h.class.ID
	finishProvisioning(t, h)
	r := owner.get(page + "/edit")
	if !strings.Contains(r.body, `data-testid="config-locked"`) || !strings.Contains(r.body, "<fieldset disabled") {
		t.Fatalf("a provisioned class's regions and labs are not shown disabled with the reason\n%.2000s", r.body)
	}
	r = owner.postForm(page+"/edit", url.Values{"name": {"AWS 101"}, "regions": {"us-east-1", "eu-west-1"}, "labs": {"fargate", "slots"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Regions and labs cannot change while the class has sandboxes") {
		t.Fatalf("regions change of a provisioned class: %d\n%.1500s", r.status, r.body)
	}
	r = h.withToken(h.apiToken).do(http.MethodPatch, "/api/v1/classes/"+h.class.ID, strings.NewReader(`{"labs":["fargate"]}`), "application/json", nil)
	if r.status != http.StatusConflict || !strings.Contains(r.body, "cannot change") {
		t.Fatalf("API labs change of a provisioned class: %d %s", r.status, r.body)
	}
	// Sent unchanged (the API client echoing the class back) is fine, with a rename.
	r = h.withToken(h.apiToken).do(http.MethodPatch, "/api/v1/classes/"+h.class.ID, strings.NewReader(`{"name":"Renamed","regions":["us-east-1"],"labs":["slots","fargate"]}`), "application/json", nil)
	if r.status != http.StatusOK {
		t.Fatalf("unchanged regions and labs with a rename: %d %s", r.status, r.body)
	}
	cl, _ := h.store.Class(t.Context(), h.class.ID)
	if cl.Name != "Renamed" || strings.Join(cl.Regions, ",") != "us-east-1" || strings.Join(cl.Labs, ",") != "fargate,slots" {
		t.Fatalf("stored: %+v", cl)
	}

	// A class never provisioned changes freely; its home region stays first.
	fresh := freshClass(t, h, "Fresh", []string{"eu-west-1"}, []string{"fargate"})
	r = owner.postForm("/classes/"+fresh.ID+"/edit", url.Values{"name": {"Fresh"}, "regions": {"us-east-1", "eu-west-1"}, "labs": {"fargate", "ga"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("fresh class re-configured: %d\n%.1500s", r.status, r.body)
	}
	cl, _ = h.store.Class(t.Context(), fresh.ID)
	if strings.Join(cl.Regions, ",") != "eu-west-1,us-east-1" || strings.Join(cl.Labs, ",") != "fargate,ga" {
		t.Fatalf("fresh class stored %v %v; want the home region eu-west-1 kept first, and ga added", cl.Regions, cl.Labs)
	}
	// Item 11 holds at edit too: dropping a region GA needs is refused.
	r = owner.postForm("/classes/"+fresh.ID+"/edit", url.Values{"name": {"Fresh"}, "regions": {"us-east-1"}, "labs": {"fargate", "ga"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "add eu-west-1") {
		t.Fatalf("GA left with one region at edit: %d", r.status)
	}
}

func TestClassEditHostileInput(t *testing.T) {
	h := newHarness(t)
	owner := h.as(h.instructor)
	fresh := freshClass(t, h, "Fresh", []string{"us-east-1"}, []string{"fargate"})
	long := strings.Repeat("x", 10<<10)
	for name, c := range map[string]struct {
		form  url.Values
		json  string
		field string
		want  string
	}{
		"empty name":       {url.Values{"name": {"   "}, "regions": {"us-east-1"}, "labs": {"fargate"}}, `{"name":"   "}`, "name", "name is required"},
		"10 KB name":       {url.Values{"name": {long}, "regions": {"us-east-1"}, "labs": {"fargate"}}, `{"name":"` + long + `"}`, "name", "100 characters"},
		"control in name":  {url.Values{"name": {"a\x07b"}, "regions": {"us-east-1"}, "labs": {"fargate"}}, `{"name":"a\u0007b"}`, "name", "control characters"},
		"unknown lab":      {url.Values{"name": {"Fresh"}, "regions": {"us-east-1"}, "labs": {"fargate", "<script>x</script>"}}, `{"labs":["fargate","<script>x</script>"]}`, "labs", "is not a lab"},
		"duplicate region": {url.Values{"name": {"Fresh"}, "regions": {"us-east-1", "us-east-1"}, "labs": {"fargate"}}, `{"regions":["us-east-1","us-east-1"]}`, "regions", "chosen more than once"},
		"unknown region":   {url.Values{"name": {"Fresh"}, "regions": {"mars-north-1"}, "labs": {"fargate"}}, `{"regions":["mars-north-1"]}`, "regions", "not a region labdash supports"},
		"no regions":       {url.Values{"name": {"Fresh"}, "labs": {"fargate"}}, `{"regions":[]}`, "regions", "choose at least one region"},
		"no labs":          {url.Values{"name": {"Fresh"}, "regions": {"us-east-1"}}, `{"labs":[]}`, "labs", "choose at least one lab"},
	} {
		t.Run(name, func(t *testing.T) {
			r := owner.postForm("/classes/"+fresh.ID+"/edit", c.form)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `data-field="`+c.field+`"`) || !strings.Contains(r.body, c.want) {
				t.Errorf("form: %d, want 422 with %q beside %s\n%.600s", r.status, c.want, c.field, r.body)
			}
			if strings.Contains(r.body, "<script>x") {
				t.Errorf("form: the lab id is echoed unescaped")
			}
			r = h.withToken(h.apiToken).do(http.MethodPatch, "/api/v1/classes/"+fresh.ID, strings.NewReader(c.json), "application/json", nil)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, c.want) {
				t.Errorf("API: %d %.300s, want 422 with %q", r.status, r.body, c.want)
			}
			cl, _ := h.store.Class(t.Context(), fresh.ID)
			if cl.Name != "Fresh" || strings.Join(cl.Regions, ",") != "us-east-1" || strings.Join(cl.Labs, ",") != "fargate" {
				t.Errorf("refused input changed the class: %+v", cl)
			}
		})
	}
	for _, body := range []string{`{"name":1}`, `{"owner_id":7}`, `not json`, `{"name":"a"}{"name":"b"}`} {
		r := h.withToken(h.apiToken).do(http.MethodPatch, "/api/v1/classes/"+fresh.ID, strings.NewReader(body), "application/json", nil)
		if r.status != http.StatusBadRequest && r.status != http.StatusUnprocessableEntity {
			t.Errorf("PATCH %s: %d, want 400 or 422", body, r.status)
		}
	}
}

func TestClassDeleteRefusedWhileSandboxesExist(t *testing.T) {
	h := newHarness(t)
	owner := h.as(h.instructor)
	page := "/classes/" + h.class.ID
	// The provisioning job is still queued.
	r := owner.postForm(page+"/delete", url.Values{"confirm": {"AWS 101"}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "still running") {
		t.Fatalf("delete while provisioning runs: %d\n%.800s", r.status, r.body)
	}
	finishProvisioning(t, h)
	for _, check := range []func() response{
		func() response { return owner.postForm(page+"/delete", url.Values{"confirm": {"AWS 101"}}) },
		func() response {
			return h.withToken(h.apiToken).do(http.MethodDelete, "/api/v1/classes/"+h.class.ID+"?confirm="+h.class.ID, nil, "", nil)
		},
	} {
		r = check()
		if r.status != http.StatusConflict || !strings.Contains(r.body, "still has sandboxes") || !strings.Contains(r.body, "Clean up the class first") {
			t.Fatalf("delete with a sandbox: %d\n%.800s", r.status, r.body)
		}
	}
	if !strings.Contains(r.body, "records 1 resource of the class there (1 made by provisioning") || strings.Contains(r.body, "1 resources") {
		t.Errorf("the count reads badly: %s", r.body)
	}
	edit := owner.get(page + "/edit")
	if !strings.Contains(edit.body, `data-testid="delete-blocked"`) || !strings.Contains(edit.body, `href="`+page+`/cleanup"`) || strings.Contains(edit.body, `data-testid="delete-class"`) {
		t.Errorf("the edit page offers the delete of a provisioned class, or gives no reason and cleanup link")
	}
	// A cleanup that left the sandbox (not verified, resource still live) does not free it.
	finishCleanup(t, h, "", db.OutcomeNotVerified)
	if r := owner.postForm(page+"/delete", url.Values{"confirm": {"AWS 101"}}); r.status != http.StatusConflict {
		t.Errorf("delete after a cleanup that left a sandbox: %d, want 409", r.status)
	}
	if _, err := h.store.Class(t.Context(), h.class.ID); err != nil {
		t.Fatalf("the class is gone after refusals: %v", err)
	}
	if _, err := h.store.Student(t.Context(), h.class.ID, h.a.slug); err != nil {
		t.Fatalf("a student is gone after refusals: %v", err)
	}
}

func TestClassDeleteAfterCleanupRemovesClassAndMembers(t *testing.T) {
	h := newHarness(t)
	owner := h.as(h.instructor)
	page := "/classes/" + h.class.ID
	arn := finishProvisioning(t, h)
	finishCleanup(t, h, arn, db.OutcomeVerified)
	edit := owner.get(page + "/edit")
	if !strings.Contains(edit.body, `data-testid="delete-class"`) {
		t.Fatalf("a cleaned-up class offers no delete\n%.1500s", edit.body)
	}
	// A mistyped name deletes nothing and says so on the page.
	r := owner.postForm(page+"/delete", url.Values{"confirm": {"AWS 10"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `data-field="confirm"`) || !strings.Contains(r.body, "Nothing was deleted") {
		t.Fatalf("mistyped confirmation: %d\n%.800s", r.status, r.body)
	}
	if r := owner.postForm(page+"/delete", url.Values{"confirm": {"AWS 101"}, "csrf_token": {"forged"}}); r.status != http.StatusForbidden {
		t.Errorf("delete without a valid CSRF token: %d, want 403", r.status)
	}
	if r := h.as(h.assistant).postForm(page+"/delete", url.Values{"confirm": {"AWS 101"}}); r.status != http.StatusForbidden {
		t.Errorf("assistant delete: %d, want 403", r.status)
	}
	if _, err := h.store.Class(t.Context(), h.class.ID); err != nil {
		t.Fatalf("class gone before the confirmed delete: %v", err)
	}
	r = owner.postForm(page+"/delete", url.Values{"confirm": {" aws 101 "}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/classes?notice=class-deleted" {
		t.Fatalf("delete: %d %s\n%.800s", r.status, r.header.Get("Location"), r.body)
	}
	if r := owner.get("/classes?notice=class-deleted"); !strings.Contains(r.body, "Class deleted") || strings.Contains(r.body, "AWS 101") {
		t.Errorf("the class list does not confirm the delete, or still lists the class")
	}
	if _, err := h.store.Class(t.Context(), h.class.ID); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("class still there: %v", err)
	}
	if _, err := h.store.Student(t.Context(), h.class.ID, h.a.slug); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("student A survived the delete: %v", err)
	}
	if r := h.anon().get("/s/" + h.a.token); r.status != http.StatusNotFound {
		t.Errorf("student A's personal link still opens: %d", r.status)
	}
	if r := h.as(h.assistant).get(page); r.status != http.StatusNotFound {
		t.Errorf("the assistant still reaches the deleted class: %d", r.status)
	}
	if classes, _ := h.store.ClassesFor(t.Context(), h.assistant); len(classes) != 0 {
		t.Errorf("the assistant still lists %d classes", len(classes))
	}
	if entries, _ := h.store.AuditLog(t.Context(), h.class.ID, 1); len(entries) != 1 || entries[0].Action != "class.delete" {
		t.Errorf("no class.delete audit row kept: %+v", entries)
	}

	// A class never provisioned is deleted through the API with its id as confirmation.
	fresh := freshClass(t, h, "Never provisioned", []string{"us-east-1"}, []string{"fargate"})
	if r := h.withToken(h.apiToken).do(http.MethodDelete, "/api/v1/classes/"+fresh.ID, nil, "", nil); r.status != http.StatusUnprocessableEntity {
		t.Errorf("API delete without confirm: %d, want 422", r.status)
	}
	if r := h.withToken(h.apiToken).do(http.MethodDelete, "/api/v1/classes/"+fresh.ID+"?confirm="+fresh.ID, nil, "", nil); r.status != http.StatusNoContent {
		t.Fatalf("API delete of a class never provisioned: %d %s", r.status, r.body)
	}
	if _, err := h.store.Class(t.Context(), fresh.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("class still there after the API delete: %v", err)
	}
}
