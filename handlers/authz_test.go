package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The seven callers of the authorization matrix.
const (
	anon = iota
	studentA
	studentB
	assistant      // assistant of the class, signed in
	otherAssistant // assistant of another class, signed in
	instructor     // owner of the class, signed in
	token          // the owner's API token
	numRoles
)

var roleNames = [numRoles]string{"anonymous", "student A's link", "student B's link", "assistant", "other class's assistant", "instructor", "API token"}

// expect lists the status for each role, in the order of the constants above.
type expect [numRoles]int

// Common rows.
var (
	public     = expect{200, 200, 200, 200, 200, 200, 200}
	pageRead   = expect{303, 303, 303, 200, 404, 200, 303}
	apiRead    = expect{401, 401, 401, 200, 404, 200, 200}
	studentPg  = expect{404, 200, 200, 404, 404, 404, 404}
	signedInPg = expect{303, 303, 303, 200, 200, 200, 303}
)

// matrixCase is one route of the router with how to call it and what each role gets.
type matrixCase struct {
	method, route string
	call          func(h *harness, c *client, role int, path string) response
	want          expect
}

func form(vals url.Values) func(*harness, *client, int, string) response {
	return func(h *harness, c *client, _ int, path string) response { return c.postForm(path, vals) }
}

func jsonBody(body string) func(*harness, *client, int, string) response {
	return func(h *harness, c *client, _ int, path string) response { return c.postJSON(path, body) }
}

func matrix() []matrixCase {
	get := func(h *harness, c *client, _ int, path string) response { return c.get(path) }
	return []matrixCase{
		// Operations.
		{"GET", "/healthz", get, public},
		{"GET", "/readyz", get, public},
		{"GET", "/metrics", get, public},
		{"GET", "/static/*filepath", get, public},
		// Sign-in and set-up.
		{"GET", "/", get, expect{303, 303, 303, 303, 303, 303, 303}},
		{"GET", "/login", get, expect{200, 200, 200, 303, 303, 303, 200}},
		{"POST", "/login", form(url.Values{"email": {"ana@example.edu"}, "password": {"wrong-password-123"}}), expect{401, 401, 401, 401, 401, 401, 401}},
		{"GET", "/setup/:token", get, expect{404, 404, 404, 404, 404, 404, 404}},
		{"POST", "/setup/:token", form(url.Values{"email": {"x@example.edu"}, "name": {"X"}, "password": {testPassword}, "confirm": {testPassword}}), expect{404, 404, 404, 404, 404, 404, 404}},
		{"GET", "/s/:token", get, studentPg},
		// A plain GET to a websocket route passes authentication, then fails the upgrade (400).
		{"GET", "/s/:token/ws", get, expect{404, 400, 400, 404, 404, 404, 404}},
		{"GET", "/s/:token/console", get, studentPg},
		{"GET", "/classes/:class/ws", get, expect{303, 303, 303, 400, 404, 400, 303}},
		{"GET", "/classes/:class/students/:student/ws", get, expect{303, 303, 303, 400, 404, 400, 303}},
		{"POST", "/classes/:class/demo/reset", form(nil), expect{303, 303, 303, 403, 404, 404, 303}},
		{"POST", "/classes/:class/provision", form(nil), expect{303, 303, 303, 403, 404, 303, 303}},
		{"GET", "/classes/:class/provision/progress", get, pageRead},
		{"GET", "/classes/:class/sandboxes/policies", get, pageRead},
		{"GET", "/classes/:class/cleanup", get, expect{303, 303, 303, 403, 404, 200, 303}},
		// An empty class's plan has the hash of nothing; a wrong typed name is refused.
		{"POST", "/classes/:class/cleanup/run", form(url.Values{"hash": {"x"}, "confirm": {"not the name"}}), expect{303, 303, 303, 403, 404, 422, 303}},
		{"GET", "/classes/:class/cleanup/progress", get, expect{303, 303, 303, 403, 404, 303, 303}}, // no cleanup yet: back to the plan
		{"POST", "/classes/:class/students/:student/deprovision", form(nil), expect{303, 303, 303, 403, 404, 303, 303}},
		// The Fargate lab has no rehearsal action by that name: the owner gets a 422.
		{"POST", "/classes/:class/students/:student/actions", form(url.Values{"lab": {"fargate"}, "action": {"stop"}}), expect{303, 303, 303, 403, 404, 422, 303}},
		// The Fargate lab has no rehearsal actions either.
		{"GET", "/classes/:class/students/:student/actions", func(h *harness, c *client, _ int, path string) response { return c.get(path + "?lab=fargate") },
			expect{303, 303, 303, 403, 404, 422, 303}},
		// Pages.
		{"POST", "/logout", form(nil), expect{303, 303, 303, 303, 303, 303, 303}},
		{"GET", "/classes", get, signedInPg},
		{"GET", "/classes/new", get, expect{303, 303, 303, 403, 403, 200, 303}},
		{"POST", "/classes", form(url.Values{"name": {"New"}, "regions": {"us-east-1"}, "isolation": {"shared-account"}, "labs": {"fargate"}}), expect{303, 303, 303, 403, 403, 303, 303}},
		{"GET", "/classes/:class", get, pageRead},
		{"GET", "/classes/:class/edit", get, expect{303, 303, 303, 403, 404, 200, 303}},
		// The harness's class has a provisioning job: a rename is saved, a delete is refused (409).
		{"POST", "/classes/:class/edit", form(url.Values{"name": {"AWS 101 renamed"}}), expect{303, 303, 303, 403, 404, 303, 303}},
		{"POST", "/classes/:class/delete", form(url.Values{"confirm": {"AWS 101"}}), expect{303, 303, 303, 403, 404, 409, 303}},
		{"GET", "/classes/:class/audit", get, pageRead},
		{"GET", "/classes/:class/roster.csv", get, pageRead},
		{"GET", "/classes/:class/students/:student", get, pageRead},
		{"GET", "/classes/:class/labs/:lab", get, pageRead},
		{"POST", "/classes/:class/students", form(url.Values{"name": {"Dee New"}, "email": {"dee@example.edu"}}), expect{303, 303, 303, 403, 404, 303, 303}},
		{"POST", "/classes/:class/students/:student/remove", form(nil), expect{303, 303, 303, 403, 404, 303, 303}},
		{"POST", "/classes/:class/students/:student/link", form(nil), expect{303, 303, 303, 403, 404, 303, 303}},
		{"POST", "/classes/:class/students/:student/link/revoke", form(nil), expect{303, 303, 303, 403, 404, 303, 303}},
		{"POST", "/classes/:class/roster/preview", func(h *harness, c *client, _ int, path string) response {
			return c.postFile(path, "roster", "r.csv", []byte("name,email\nDee,dee@example.edu\n"), nil)
		}, expect{303, 303, 303, 403, 404, 200, 303}},
		// Pages that show a secret once answer with a redirect to it (GET /shown/:id).
		{"POST", "/classes/:class/roster/import", form(url.Values{"csv": {"name,email\nDee,dee@example.edu\n"}}), expect{303, 303, 303, 403, 404, 303, 303}},
		{"POST", "/classes/:class/assistants", form(url.Values{"email": {"new.ta@example.edu"}}), expect{303, 303, 303, 403, 404, 303, 303}},
		{"POST", "/classes/:class/assistants/:user/remove", form(nil), expect{303, 303, 303, 403, 404, 303, 303}},
		{"GET", "/account", get, signedInPg},
		// A wrong current password is an inline error (the change itself is tested in account_password_test.go).
		{"POST", "/account/password", form(url.Values{"current": {"wrong-password-123"}, "password": {"a-new-password-456"}, "confirm": {"a-new-password-456"}}), expect{303, 303, 303, 422, 422, 422, 303}},
		{"POST", "/account/tokens", form(url.Values{"name": {"ci"}}), expect{303, 303, 303, 303, 303, 303, 303}},
		// Someone else's (or no) shown-once page: not found for everyone signed in.
		{"GET", "/shown/:id", get, expect{303, 303, 303, 404, 404, 404, 303}},
		{"POST", "/account/tokens/:id/delete", form(nil), expect{303, 303, 303, 404, 404, 303, 303}},
		// JSON API.
		{"GET", "/api/v1/openapi.json", get, public},
		{"GET", "/api/v1/labs", get, expect{401, 401, 401, 200, 200, 200, 200}},
		{"GET", "/api/v1/classes", get, expect{401, 401, 401, 200, 200, 200, 200}},
		{"POST", "/api/v1/classes", jsonBody(`{"name":"API class","regions":["us-east-1"],"labs":["fargate"]}`), expect{401, 401, 401, 403, 403, 201, 201}},
		{"GET", "/api/v1/classes/:class", get, apiRead},
		{"PATCH", "/api/v1/classes/:class", func(h *harness, c *client, _ int, path string) response {
			return c.do(http.MethodPatch, path, strings.NewReader(`{"name":"AWS 101 renamed"}`), "application/json", nil)
		}, expect{401, 401, 401, 403, 404, 200, 200}},
		{"DELETE", "/api/v1/classes/:class", func(h *harness, c *client, _ int, path string) response {
			return c.do(http.MethodDelete, path+"?confirm="+url.QueryEscape("AWS 101"), nil, "", nil)
		}, expect{401, 401, 401, 403, 404, 409, 409}},
		{"GET", "/api/v1/classes/:class/students", get, apiRead},
		{"POST", "/api/v1/classes/:class/students", jsonBody(`{"name":"Dee New","email":"dee@example.edu"}`), expect{401, 401, 401, 403, 404, 201, 201}},
		{"DELETE", "/api/v1/classes/:class/students/:student", func(h *harness, c *client, _ int, path string) response {
			return c.do(http.MethodDelete, path, nil, "", nil)
		}, expect{401, 401, 401, 403, 404, 204, 204}},
		{"POST", "/api/v1/classes/:class/roster", func(h *harness, c *client, _ int, path string) response {
			return c.do(http.MethodPost, path, strings.NewReader("name,email\nDee,dee@example.edu\n"), "text/csv", nil)
		}, expect{401, 401, 401, 403, 404, 200, 200}},
		{"GET", "/api/v1/classes/:class/progress", get, apiRead},
		{"GET", "/api/v1/classes/:class/live", get, expect{401, 401, 401, 400, 404, 400, 400}},
		{"POST", "/api/v1/classes/:class/provision", func(h *harness, c *client, _ int, path string) response {
			return c.do(http.MethodPost, path, nil, "", nil)
		}, expect{401, 401, 401, 403, 404, 202, 202}},
		{"GET", "/api/v1/classes/:class/policies", get, apiRead},
		{"GET", "/api/v1/jobs/:job", get, apiRead},
		{"POST", "/api/v1/classes/:class/cleanup/run", jsonBody(`{"hash":"x","confirm":"not the name"}`), expect{401, 401, 401, 403, 404, 422, 422}},
		{"POST", "/api/v1/classes/:class/cleanup/plan", func(h *harness, c *client, _ int, path string) response {
			return c.do(http.MethodPost, path, nil, "", nil)
		}, expect{401, 401, 401, 403, 404, 200, 200}},
		{"POST", "/api/v1/classes/:class/students/:student/deprovision", func(h *harness, c *client, _ int, path string) response {
			return c.do(http.MethodPost, path, nil, "", nil)
		}, expect{401, 401, 401, 403, 404, 200, 200}},
	}
}

// clientFor returns the caller for role. Students have no account: their only credential
// is their link, which the matrix also presents as a bearer token to prove it opens nothing else.
func (h *harness) clientFor(role int) *client {
	switch role {
	case studentA:
		return h.withToken(h.a.token)
	case studentB:
		return h.withToken(h.b.token)
	case assistant:
		return h.as(h.assistant)
	case otherAssistant:
		return h.as(h.otherAssistant)
	case instructor:
		return h.as(h.instructor)
	case token:
		return h.withToken(h.apiToken)
	}
	return h.anon()
}

// pathFor fills the route's parameters for role.
func (h *harness) pathFor(route string, role int) string {
	link := strings.Repeat("0", 32) // not a link: only a student holds one
	switch role {
	case studentA:
		link = h.a.token
	case studentB:
		link = h.b.token
	}
	r := strings.NewReplacer(":class", h.class.ID, ":student", h.a.slug, ":user", fmt.Sprint(h.assistant.ID),
		":id", fmt.Sprint(h.apiTokenID), ":job", fmt.Sprint(h.jobID), ":lab", "fargate", "*filepath", "labdash.css")
	p := r.Replace(route)
	if strings.HasPrefix(route, "/s/") {
		return strings.Replace(route, ":token", link, 1)
	}
	return strings.Replace(p, ":token", link, 1)
}

// forbidden lists student data role must never see in a response.
func (h *harness) forbidden(role int) []string {
	aData := []string{h.a.name, h.a.email}
	bData := []string{h.b.name, h.b.email}
	cData := []string{h.c.name, h.c.email}
	switch role {
	case studentA:
		return append(bData, cData...)
	case studentB:
		return append(aData, cData...)
	case assistant, instructor, token:
		return cData
	}
	return append(append(aData, bData...), cData...)
}

// TestAuthorizationMatrix calls every route as every role on a fresh database and checks
// the status and that no other student's data is in the body.
func TestAuthorizationMatrix(t *testing.T) {
	cases := matrix()
	covered := map[string]bool{}
	for _, mc := range cases {
		covered[mc.method+" "+mc.route] = true
	}
	probe := newHarness(t)
	for _, r := range probe.srv.Engine().Routes() {
		if r.Method == http.MethodHead {
			continue
		}
		if !covered[r.Method+" "+r.Path] {
			t.Errorf("route %s %s is missing from the authorization matrix", r.Method, r.Path)
		}
	}
	for _, mc := range cases {
		for role := 0; role < numRoles; role++ {
			t.Run(fmt.Sprintf("%s %s as %s", mc.method, mc.route, roleNames[role]), func(t *testing.T) {
				h := newHarness(t)
				path := h.pathFor(mc.route, role)
				resp := mc.call(h, h.clientFor(role), role, path)
				if resp.status != mc.want[role] {
					t.Errorf("%s %s as %s: status %d, want %d\n%.300s", mc.method, path, roleNames[role], resp.status, mc.want[role], resp.body)
				}
				for _, secret := range h.forbidden(role) {
					if strings.Contains(resp.body, secret) {
						t.Errorf("%s %s as %s: body shows %q, which this caller must not see", mc.method, path, roleNames[role], secret)
					}
				}
				if resp.status >= 500 {
					t.Errorf("server error: %s", resp.body)
				}
			})
		}
	}
}
