package handlers

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

type apiErr struct {
	Error  string `json:"error"`
	Detail string `json:"detail"`
	Rows   []struct {
		Line    int    `json:"line"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"rows"`
}

func decode(t *testing.T, r response, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("response is not JSON (%d): %v\n%.300s", r.status, err, r.body)
	}
}

func TestAPIRosterIsAllOrNothing(t *testing.T) {
	h := newHarness(t)
	c := h.withToken(h.apiToken)
	path := "/api/v1/classes/" + h.class.ID + "/roster"
	bad := "name,email\nDee,dee@example.edu\n,empty@example.edu\nEve,not-an-email\nFay,dee@example.edu\nGus," + h.a.email + "\n"
	r := c.do(http.MethodPost, path, strings.NewReader(bad), "text/csv", nil)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad roster: status %d, want 422: %s", r.status, r.body)
	}
	var e apiErr
	decode(t, r, &e)
	want := []struct {
		line  int
		field string
	}{{3, "name"}, {4, "email"}, {5, "email"}, {6, "email"}}
	if len(e.Rows) != len(want) || e.Error == "" || e.Detail == "" {
		t.Fatalf("rows = %+v; want %d bad rows with error and detail", e.Rows, len(want))
	}
	for i, w := range want {
		if e.Rows[i].Line != w.line || e.Rows[i].Field != w.field || e.Rows[i].Message == "" {
			t.Errorf("row %d = %+v, want line %d field %s", i, e.Rows[i], w.line, w.field)
		}
	}
	if sts, _ := h.store.Students(t.Context(), h.class.ID); len(sts) != 2 {
		t.Fatalf("a rejected roster wrote students: %d on the roster, want 2", len(sts))
	}
	r = c.do(http.MethodPost, path, strings.NewReader("name,email\nDee,dee@example.edu\nEve,eve@example.edu\n"), "text/csv; charset=utf-8", nil)
	var ok struct {
		Imported int `json:"imported"`
		Students []struct {
			ID, Email, Link string
		} `json:"students"`
	}
	decode(t, r, &ok)
	if r.status != http.StatusOK || ok.Imported != 2 || len(ok.Students) != 2 || !strings.Contains(ok.Students[0].Link, "/s/") {
		t.Fatalf("good roster: %d %+v", r.status, ok)
	}
	// The returned link opens that student's page.
	link := ok.Students[1].Link[strings.Index(ok.Students[1].Link, "/s/"):]
	if p := h.anon().get(link); p.status != http.StatusOK || !strings.Contains(p.body, "Eve") {
		t.Fatalf("returned link: %d", p.status)
	}
	// Wrong media type and oversize bodies are refused with JSON errors.
	r = c.do(http.MethodPost, path, strings.NewReader("name,email\n"), "application/json", nil)
	decode(t, r, &e)
	if r.status != http.StatusUnsupportedMediaType || e.Error == "" {
		t.Fatalf("json roster: %d %+v", r.status, e)
	}
	big := "name,email\n" + strings.Repeat("Someone,someone@example.edu\n", 40000)
	r = c.do(http.MethodPost, path, strings.NewReader(big), "text/csv", nil)
	decode(t, r, &e)
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(e.Detail, "1 MB") {
		t.Fatalf("1 MB+ roster: %d %+v", r.status, e)
	}
}

func TestAPIErrorsAreJSONAndNever500(t *testing.T) {
	h := newHarness(t)
	c := h.withToken(h.apiToken)
	cases := []struct {
		name, method, path, ctype, body string
		status                          int
		detail                          string
	}{
		{"syntax", "POST", "/api/v1/classes", "application/json", `{"name":`, 400, ""},
		{"not an object", "POST", "/api/v1/classes", "application/json", `[1,2]`, 400, ""},
		{"unknown field", "POST", "/api/v1/classes", "application/json", `{"name":"x","regions":["us-east-1"],"labs":["fargate"],"admin":true}`, 400, "admin"},
		{"wrong type", "POST", "/api/v1/classes", "application/json", `{"name":7}`, 400, "name"},
		{"two objects", "POST", "/api/v1/classes", "application/json", `{} {}`, 400, ""},
		{"empty body", "POST", "/api/v1/classes", "application/json", ``, 400, ""},
		{"form body", "POST", "/api/v1/classes", "application/x-www-form-urlencoded", `name=x`, 415, ""},
		{"validation", "POST", "/api/v1/classes", "application/json", `{"name":"","regions":["mars-1"],"labs":["nope"],"isolation":"chaos"}`, 422, "regions"},
		{"shared-account macie", "POST", "/api/v1/classes", "application/json", `{"name":"x","regions":["us-east-1"],"labs":["macie"]}`, 422, "account-per-student"},
		{"unknown class", "GET", "/api/v1/classes/cnope", "", "", 404, ""},
		{"huge class id", "GET", "/api/v1/classes/" + strings.Repeat("c", 5000), "", "", 404, ""},
		{"unknown student", "DELETE", "/api/v1/classes/" + h.class.ID + "/students/s99", "", "", 404, ""},
		{"bad student e-mail", "POST", "/api/v1/classes/" + h.class.ID + "/students", "application/json", `{"name":"x","email":"x"}`, 422, "email"},
		{"duplicate student", "POST", "/api/v1/classes/" + h.class.ID + "/students", "application/json", `{"name":"x","email":"` + strings.ToUpper(h.a.email) + `"}`, 422, "already on the roster"},
		{"unknown route", "GET", "/api/v1/nothing", "", "", 404, ""},
		{"wrong method", "PUT", "/api/v1/classes", "", "", 405, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.do(tc.method, tc.path, strings.NewReader(tc.body), tc.ctype, nil)
			var e apiErr
			decode(t, r, &e)
			if r.status != tc.status || e.Error == "" || e.Detail == "" || !strings.Contains(e.Detail, tc.detail) {
				t.Fatalf("status %d %+v; want %d with a detail containing %q", r.status, e, tc.status, tc.detail)
			}
		})
	}
}

func TestAPIAuthentication(t *testing.T) {
	h := newHarness(t)
	for name, hdr := range map[string]string{"none": "", "garbage": "Bearer nope", "basic": "Basic YTpi", "student link": "Bearer " + h.a.token} {
		t.Run(name, func(t *testing.T) {
			hs := map[string]string{}
			if hdr != "" {
				hs["Authorization"] = hdr
			}
			r := h.anon().do(http.MethodGet, "/api/v1/classes", nil, "", hs)
			var e apiErr
			decode(t, r, &e)
			if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" || e.Error != "unauthorized" {
				t.Fatalf("status %d %+v", r.status, e)
			}
		})
	}
	// A session-authenticated write from another origin is refused.
	r := h.as(h.instructor).do(http.MethodPost, "/api/v1/classes", strings.NewReader(`{"name":"x","regions":["us-east-1"],"labs":["fargate"]}`),
		"application/json", map[string]string{"Origin": "https://evil.example"})
	if r.status != http.StatusForbidden {
		t.Fatalf("cross-origin session write: %d, want 403", r.status)
	}
	// The assistant's own token reads but cannot write.
	a := h.withToken(h.assistantToken)
	if r := a.get("/api/v1/classes/" + h.class.ID + "/students"); r.status != http.StatusOK {
		t.Fatalf("assistant token read: %d", r.status)
	}
	if r := a.postJSON("/api/v1/classes/"+h.class.ID+"/students", `{"name":"x","email":"x@example.edu"}`); r.status != http.StatusForbidden {
		t.Fatalf("assistant token write: %d, want 403", r.status)
	}
}

func TestAPIProgressAndClasses(t *testing.T) {
	h := newHarness(t)
	c := h.withToken(h.apiToken)
	r := c.get("/api/v1/classes")
	var list struct {
		Classes []apiClass `json:"classes"`
	}
	decode(t, r, &list)
	if len(list.Classes) != 1 || list.Classes[0].ID != h.class.ID || list.Classes[0].Students != 2 || list.Classes[0].Role != "owner" {
		t.Fatalf("classes = %+v", list)
	}
	r = c.get("/api/v1/classes/" + h.class.ID + "/progress")
	var p struct {
		Class    string   `json:"class"`
		Labs     []string `json:"labs"`
		Monitor  string   `json:"monitor"`
		Students []struct {
			ID      string            `json:"id"`
			Results []json.RawMessage `json:"results"`
		} `json:"students"`
	}
	decode(t, r, &p)
	if p.Class != h.class.ID || len(p.Labs) != 2 || len(p.Students) != 2 || p.Students[0].Results == nil || !strings.HasPrefix(p.Monitor, "running:") {
		t.Fatalf("progress = %+v", p)
	}
	r = c.get("/api/v1/labs")
	var labs struct {
		Labs []apiLab `json:"labs"`
	}
	decode(t, r, &labs)
	if len(labs.Labs) != 10 || labs.Labs[1].ID != "fargate" || !labs.Labs[1].Built || labs.Labs[0].Built {
		t.Fatalf("labs = %+v; want Lab 2 (fargate) built and Lab 1 not yet", labs)
	}
}
