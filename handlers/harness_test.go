package handlers

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/handlers/live"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/cleanup"
	"github.com/labdash/labdash/labs/cloud/sim"
	"github.com/labdash/labdash/labs/monitor"
)

const testPassword = "correct-horse-battery"

// student is a roster entry seeded by the harness with its personal-link token.
type student struct {
	slug, name, email, token string
}

// harness is a running labdash on real SQLite with two classes:
//   - class (owner: instructor; assistant: assistant) with students A and B;
//   - otherClass (owner: otherInstructor; assistant: otherAssistant) with student C.
type harness struct {
	t                               *testing.T
	srv                             *Server
	ts                              *httptest.Server
	store                           *db.Store
	instructor, assistant           *db.User
	otherInstructor, otherAssistant *db.User
	class, otherClass               *db.Class
	a, b, c                         student
	apiToken, assistantToken        string
	apiTokenID                      int64
	hub                             *live.Hub
	jobID                           int64
	rehearsal                       *fakeRehearsal // also the cleanup's Quiesce
}

// fakeProvisioner records a job without running it, or returns the class's
// unfinished one as the real one does; labs/sandbox tests the real one.
type fakeProvisioner struct{ store *db.Store }

func (f fakeProvisioner) StartProvisioning(ctx context.Context, classID string) (*db.Job, error) {
	if j, err := f.store.OpenJob(ctx, classID, "provision"); err == nil {
		return j, nil
	}
	return f.store.CreateJob(ctx, classID, "provision", []string{"s01"})
}

func (f fakeProvisioner) Deprovision(context.Context, string, string) (int, error) { return 0, nil }

// cleanupConfirmer confirms for real but does not run the job (labs/cleanup tests
// that); its Quiesce stops the virtual students of fakeRehearsal.
type cleanupConfirmer struct {
	x         *cleanup.Executor
	rehearsal *fakeRehearsal
}

func (c cleanupConfirmer) ConfirmCleanup(ctx context.Context, classID, student, hash, name string) (*db.Job, error) {
	c.rehearsal.record("confirm " + classID)
	return c.x.ConfirmFor(ctx, classID, student, hash, name)
}

func (c cleanupConfirmer) Quiesce(classID string) { c.rehearsal.quiesce(classID) }

// fakeRehearsal stands in for cmd/labdash's live stack, which is both the
// rehearsal and the cleanup's Quiesce: it accepts every rehearsal action until
// the class is quiesced, and from then on answers ErrNoAction, as the real one
// does once the class's virtual students are stopped for good. It records the
// Quiesce and ConfirmCleanup calls in order.
type fakeRehearsal struct {
	mu      sync.Mutex
	stopped map[string]bool
	calls   []string
	// states and acts: the rehearsal's sandbox state and the actions run
	// (rehearsal_test.go).
	states map[string]string
	acts   []string
}

func (f *fakeRehearsal) Act(_ context.Context, classID, slug, labID, actionID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped[classID] {
		return ErrNoAction
	}
	return f.actLocked(classID, slug, labID, actionID)
}

func (f *fakeRehearsal) quiesce(classID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped == nil {
		f.stopped = map[string]bool{}
	}
	f.stopped[classID] = true
	f.calls = append(f.calls, "quiesce "+classID)
}

func (f *fakeRehearsal) record(call string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
}

// Calls returns the Quiesce and ConfirmCleanup calls so far, in order.
func (f *fakeRehearsal) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// fakeDemo accepts demo resets; the real one lives in cmd/labdash.
type fakeDemo struct{}

func (fakeDemo) ResetDemo(_ context.Context, id string) (string, error) { return id, nil }

func (fakeDemo) SeedDemo(context.Context) error { return nil }

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	reg := prometheus.NewRegistry()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := New(ctx, log, store, catalog.New(), Config{Cloud: "sim", BcryptCost: bcrypt.MinCost}, reg, reg)
	if err != nil {
		t.Fatal(err)
	}
	hub := live.NewHub(log, live.Options{})
	hctx, stop := context.WithCancel(context.Background())
	go hub.Run(hctx)
	srv.WithLive(hub, monitor.New(log, store, catalog.New(), nil, monitor.Options{}), fakeDemo{})
	srv.WithProvisioner(fakeProvisioner{store})
	rehearsal := &fakeRehearsal{}
	srv.WithRehearsal(rehearsal)
	world := sim.New(sim.Options{Clock: sim.NewManualClock(time.Unix(1_800_000_000, 0)), DefaultAccount: "111122223333"})
	planner := &cleanup.Planner{Store: store, Provider: world, Registry: catalog.New()}
	srv.WithCleanupPlanner(planner)
	srv.WithCleanupRunner(cleanupConfirmer{&cleanup.Executor{Log: log, Store: store, Provider: world, Planner: planner}, rehearsal})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); stop() })
	h := &harness{t: t, srv: srv, ts: ts, store: store, hub: hub, rehearsal: rehearsal}

	hash, _ := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	mk := func(email, role string) *db.User {
		u := &db.User{Email: email, Name: strings.Split(email, "@")[0], Role: role, PasswordHash: string(hash)}
		if err := store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	h.instructor = mk("ana@example.edu", db.RoleInstructor)
	h.assistant = mk("ta@example.edu", db.RoleAssistant)
	h.otherInstructor = mk("olga@example.edu", db.RoleInstructor)
	h.otherAssistant = mk("otto@example.edu", db.RoleAssistant)

	h.class = &db.Class{Name: "AWS 101", OwnerID: h.instructor.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate", "slots"}}
	h.otherClass = &db.Class{Name: "Other 202", OwnerID: h.otherInstructor.ID, Regions: []string{"eu-west-1"}, Isolation: db.IsolationShared, Labs: []string{"xray"}}
	for _, c := range []*db.Class{h.class, h.otherClass} {
		if err := store.CreateClass(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	store.AddAssistant(ctx, h.class.ID, h.assistant.ID)
	store.AddAssistant(ctx, h.otherClass.ID, h.otherAssistant.ID)
	sts, toks, err := store.AddStudents(ctx, h.class.ID, []db.NewStudent{
		{Name: "Ada Zephyrine", Email: "ada.zephyrine@example.edu"}, {Name: "Bea Quillfeather", Email: "bea.quillfeather@example.edu"}})
	if err != nil {
		t.Fatal(err)
	}
	h.a = student{sts[0].Slug, sts[0].Name, sts[0].Email, toks[0]}
	h.b = student{sts[1].Slug, sts[1].Name, sts[1].Email, toks[1]}
	sts, toks, err = store.AddStudents(ctx, h.otherClass.ID, []db.NewStudent{{Name: "Cal Otherclass", Email: "cal.otherclass@example.edu"}})
	if err != nil {
		t.Fatal(err)
	}
	h.c = student{sts[0].Slug, sts[0].Name, sts[0].Email, toks[0]}
	var tok *db.APIToken
	h.apiToken, tok, _ = store.CreateAPIToken(ctx, h.instructor.ID, "test")
	h.apiTokenID = tok.ID
	h.assistantToken, _, _ = store.CreateAPIToken(ctx, h.assistant.ID, "ta")
	job, err := store.CreateJob(ctx, h.class.ID, "provision", []string{h.a.slug, h.b.slug})
	if err != nil {
		t.Fatal(err)
	}
	h.jobID = job.ID
	return h
}

// client is a browser-like HTTP client: a cookie jar, no redirect following.
type client struct {
	h      *harness
	http   *http.Client
	bearer string
}

func (h *harness) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{h: h, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// as returns a client signed in as u through a real session cookie.
func (h *harness) as(u *db.User) *client {
	c := h.anon()
	tok := db.NewToken(32)
	if err := h.store.CreateSession(context.Background(), tok, u.ID, time.Hour); err != nil {
		h.t.Fatal(err)
	}
	base, _ := url.Parse(h.ts.URL)
	c.http.Jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: tok, Path: "/"}})
	return c
}

func (h *harness) withToken(tok string) *client {
	c := h.anon()
	c.bearer = tok
	return c
}

type response struct {
	status int
	body   string
	header http.Header
}

func (c *client) do(method, path string, body io.Reader, contentType string, hdr map[string]string) response {
	c.h.t.Helper()
	req, err := http.NewRequest(method, c.h.ts.URL+path, body)
	if err != nil {
		c.h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: string(b), header: resp.Header}
}

func (c *client) get(path string) response { return c.do(http.MethodGet, path, nil, "", nil) }

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([0-9a-f]+)"`)

// csrf fetches a page carrying a form (the sign-in page, or the account page when
// signed in), which also sets the CSRF cookie, and returns the form token.
func (c *client) csrf() string {
	c.h.t.Helper()
	for _, page := range []string{"/login", "/account"} {
		if m := csrfRE.FindStringSubmatch(c.get(page).body); m != nil {
			return m[1]
		}
	}
	c.h.t.Fatal("no page with a CSRF token")
	return ""
}

// postForm sends a form with a valid CSRF token unless vals already has one.
func (c *client) postForm(path string, vals url.Values) response {
	c.h.t.Helper()
	vals = cloneValues(vals)
	if _, ok := vals["csrf_token"]; !ok {
		vals.Set("csrf_token", c.csrf())
	}
	return c.do(http.MethodPost, path, strings.NewReader(vals.Encode()), "application/x-www-form-urlencoded", nil)
}

// postFile uploads a roster file through the preview form.
func (c *client) postFile(path, field, filename string, data []byte, vals url.Values) response {
	c.h.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	vals = cloneValues(vals)
	if _, ok := vals["csrf_token"]; !ok {
		vals.Set("csrf_token", c.csrf())
	}
	for k, vs := range vals {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile(field, filename)
	fw.Write(data)
	w.Close()
	return c.do(http.MethodPost, path, &b, w.FormDataContentType(), nil)
}

func (c *client) postJSON(path, body string) response {
	return c.do(http.MethodPost, path, strings.NewReader(body), "application/json", nil)
}

// cloneValues copies vals so a table's shared values are never mutated by a request.
func cloneValues(vals url.Values) url.Values {
	out := url.Values{}
	for k, v := range vals {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
