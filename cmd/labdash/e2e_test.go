package main

// End-to-end test: the real labdash binary, driven by headless Chromium through
// chromedp. It signs in as the instructor, creates a class, imports a CSV
// roster, screenshots the console and opens one student's personal link in an
// isolated browser context.
//
// Environment:
//
//	LABDASH_CHROMIUM       path of the browser (default /usr/bin/chromium)
//	LABDASH_SKIP_BROWSER=1 skip, instead of fail, when the browser is missing
//	LABDASH_SCREENSHOT     where to write the console screenshot (PNG)

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	e2eAdminEmail    = "ana@example.edu"
	e2eAdminPassword = "correct-horse-battery"
	e2eTotal         = 90 * time.Second // the whole browser flow
	e2eStep          = 30 * time.Second // one step, within the total
)

func TestE2EInstructorRosterStudentLink(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end browser test skipped in -short mode")
	}
	chromium := e2eChromium(t)

	start := time.Now()
	dir := t.TempDir()
	base := e2eStartServer(t, dir)
	t.Logf("server up at %s after %s", base, time.Since(start).Round(time.Millisecond))

	// The browser's contexts do not derive from the overall deadline, so that a
	// step that times out still leaves a live tab to read diagnostics from.
	deadline := time.Now().Add(e2eTotal)
	allocCtx, cancelAlloc := e2eAllocator(t, chromium)
	defer cancelAlloc() // runs before t.TempDir's clean-up, so the profile is free to delete
	instrCtx, cancelInstr := chromedp.NewContext(allocCtx)
	defer cancelInstr()
	in := &e2eTab{t: t, ctx: instrCtx, deadline: deadline, name: "instructor"}

	// a. Sign in.
	in.open()
	t.Logf("browser up after %s", time.Since(start).Round(time.Millisecond))
	in.navigate(base + "/login")
	in.step("fill the sign-in form",
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), e2eAdminEmail),
		chromedp.SendKeys(chromedp.CSS("#password"), e2eAdminPassword),
	)
	in.submit("sign in", `form[action="/login"] button[type=submit]`)
	in.waitURL("the Classes page", regexp.MustCompile(`/classes$`))
	in.waitJS("the Classes heading", `(() => { const h = document.querySelector("h1"); return !!h && h.innerText.trim() === "Classes"; })()`)
	t.Logf("signed in as %s", e2eAdminEmail)

	// b. Create a class.
	in.navigate(base + "/classes/new")
	in.step("fill the class form",
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "E2E Class"),
	)
	in.check(`input[name=regions][value=us-east-1]`)
	in.check(`input[name=labs][value=fargate]`)
	in.submit("create the class", `form[action="/classes"] button[type=submit]`)
	loc := in.waitURL("the new class's console", regexp.MustCompile(`/classes/[^/?#]+$`))
	classID := loc[strings.LastIndex(loc, "/")+1:]
	if classID == "new" || classID == "" {
		in.fatalf("creating the class did not leave the form: URL %s", loc)
	}
	in.waitJS("the console", `!!document.querySelector("[data-testid=no-students], table[data-testid=progress-grid]")`)
	t.Logf("created class %s", classID)

	// c. Import a roster of three.
	csvPath := filepath.Join(dir, "roster.csv")
	csv := "name,email\nAda Lovelace,ada@example.edu\nGrace Hopper,grace@example.edu\nAlan Turing,alan@example.edu\n"
	if err := os.WriteFile(csvPath, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	in.step("choose the roster file", chromedp.SetUploadFiles(chromedp.CSS("#roster-file"), []string{csvPath}))
	in.submit("preview the roster", `[data-testid=import-roster] button[type=submit]`)
	in.step("see the roster preview", chromedp.WaitVisible(chromedp.CSS("[data-testid=roster-ok]")))
	in.submit("confirm the import", `[data-testid=confirm-import]`)
	in.step("see the issued links", chromedp.WaitVisible(chromedp.CSS("[data-testid=links]")))
	type issued struct {
		Name  string `json:"name"`
		Email string `json:"email"`
		Link  string `json:"link"`
	}
	links := e2eRun(in, "read the issued links", chromedp.Evaluate[[]issued](`Array.from(document.querySelectorAll("table[data-testid=links] tbody tr")).map(tr => {
		const td = tr.querySelectorAll("td");
		const input = tr.querySelector("input[data-testid=issued-link]");
		return {name: td[1] ? td[1].innerText.trim() : "", email: td[2] ? td[2].innerText.trim() : "", link: input ? input.value : ""};
	})`))
	inputs := e2eRun(in, "read the link inputs", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("input[data-testid=issued-link]")).map(e => e.value)`))
	if len(links) != 3 || len(inputs) != 3 {
		in.fatalf("want 3 issued links, got %d rows and %d inputs: %+v", len(links), len(inputs), links)
	}
	want := []struct{ name, email string }{{"Ada Lovelace", "ada@example.edu"}, {"Grace Hopper", "grace@example.edu"}, {"Alan Turing", "alan@example.edu"}}
	linkRE := regexp.MustCompile(`^` + regexp.QuoteMeta(base) + `/s/[A-Za-z0-9_-]{32}$`)
	for i, w := range want {
		if links[i].Name != w.name || links[i].Email != w.email {
			in.fatalf("links row %d is %q <%s>, want %q <%s> (CSV order)", i+1, links[i].Name, links[i].Email, w.name, w.email)
		}
		if links[i].Link != inputs[i] || !linkRE.MatchString(links[i].Link) {
			in.fatalf("link of %s is %q, want %s/s/<32-character token>", w.name, links[i].Link, base)
		}
	}
	graceLink := links[1].Link
	t.Logf("imported 3 students; Grace Hopper's link is %s/s/…", base)

	// d. Screenshot the console with its grid and roster.
	in.navigate(base + "/classes/" + classID)
	in.step("see the progress grid and roster",
		chromedp.WaitVisible(chromedp.CSS("[data-testid=progress-grid]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=roster]")),
	)
	rows := e2eRun(in, "count the grid rows", chromedp.Evaluate[int](`document.querySelectorAll("table[data-testid=progress-grid] tbody tr[data-student]").length`))
	if rows != 3 {
		in.fatalf("progress grid has %d student rows, want 3", rows)
	}
	in.step("size the viewport", chromedp.EmulateViewport(1280, 1000))
	shot := e2eRun(in, "take the screenshot", chromedp.FullScreenshot(100)) // 100: PNG
	shotPath := os.Getenv("LABDASH_SCREENSHOT")
	if shotPath == "" {
		shotPath = filepath.Join(t.TempDir(), "screenshot-console.png")
	}
	if err := os.MkdirAll(filepath.Dir(shotPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot %s is not a PNG: %v", shotPath, err)
	}
	if len(shot) <= 10<<10 {
		t.Fatalf("screenshot %s is only %d bytes; the page is probably blank", shotPath, len(shot))
	}
	t.Logf("wrote the console screenshot to %s (%dx%d, %d KB)", shotPath, cfg.Width, cfg.Height, len(shot)>>10)

	// e. Grace's link, in a browser context without the instructor's cookies.
	studCtx, cancelStud := chromedp.NewContext(instrCtx, chromedp.WithNewBrowserContext())
	defer cancelStud()
	st := &e2eTab{t: t, ctx: studCtx, deadline: deadline, name: "student"}
	st.open()
	st.navigate(graceLink)
	st.step("see the student page", chromedp.WaitVisible(chromedp.CSS("[data-testid=student-name]")))
	if name := e2eRun(st, "read the student name", chromedp.Text(chromedp.CSS("[data-testid=student-name]"))); strings.TrimSpace(name) != "Grace Hopper" {
		st.fatalf("student page names %q, want \"Grace Hopper\"", name)
	}
	text := e2eRun(st, "read the page text", chromedp.Evaluate[string](`document.body.innerText`))
	html := e2eRun(st, "read the page HTML", chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	for _, leak := range []string{"Ada Lovelace", "Alan Turing", "ada@example.edu", "alan@example.edu", e2eAdminEmail} {
		if strings.Contains(text, leak) {
			st.fatalf("Grace Hopper's page shows %q", leak)
		}
		if strings.Contains(html, leak) {
			st.fatalf("Grace Hopper's page HTML contains %q", leak)
		}
	}
	if n := e2eRun(st, "look for staff navigation", chromedp.Evaluate[int](`document.querySelectorAll('nav[aria-label=Main], form[action="/logout"]').length`)); n != 0 {
		st.fatalf("student page has %d staff navigation element(s)", n)
	}
	for _, path := range []string{"/classes", "/classes/" + classID} {
		st.navigate(base + path)
		st.waitURL("the sign-in page after "+path, regexp.MustCompile(`/login(\?|$)`))
		st.step("see the sign-in form", chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)))
	}
	t.Logf("the student context sees only Grace Hopper's page; staff pages send it to /login")
	t.Logf("end-to-end flow done in %s", time.Since(start).Round(time.Millisecond))
}

// e2eChromium returns the browser to drive: LABDASH_CHROMIUM or Debian's chromium.
// A missing browser fails the test unless LABDASH_SKIP_BROWSER=1 says to skip, loudly.
func e2eChromium(t *testing.T) string {
	t.Helper()
	chromium := os.Getenv("LABDASH_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("LABDASH_SKIP_BROWSER") == "1" {
			t.Skipf("!!! SKIPPING the end-to-end browser test: chromium not found at %s and LABDASH_SKIP_BROWSER=1 !!!", chromium)
		}
		t.Fatalf("chromium not found at %s; `make test` installs it (apt-get install chromium) or set LABDASH_SKIP_BROWSER=1", chromium)
	}
	return chromium
}

// e2eAllocator starts headless Chromium with the flags this machine's closed network
// needs and a fresh profile. The returned context does not derive from any deadline,
// so a step that times out still leaves a live tab to read diagnostics from.
func e2eAllocator(t *testing.T, chromium string) (context.Context, context.CancelFunc) {
	return chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
}

// e2eTab is one browser tab with the test's deadlines and diagnostics.
type e2eTab struct {
	t        *testing.T
	ctx      context.Context
	deadline time.Time
	name     string
}

// open starts the tab (and the browser, for the first tab). chromedp ties the
// browser or tab to the context of the first Run, so that Run gets the tab's own
// context, not a step's context that is cancelled when the step ends.
func (b *e2eTab) open() {
	b.t.Helper()
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(b.ctx, chromedp.Navigate("about:blank")) }()
	select {
	case err := <-done:
		if err != nil {
			b.t.Fatalf("[%s tab] start: %v", b.name, err)
		}
	case <-time.After(time.Until(b.deadline)):
		b.t.Fatalf("[%s tab] the browser did not start before the deadline", b.name)
	}
}

// stepCtx bounds one step by e2eStep and by the overall deadline.
func (b *e2eTab) stepCtx() (context.Context, context.CancelFunc) {
	d := time.Now().Add(e2eStep)
	if b.deadline.Before(d) {
		d = b.deadline
	}
	return context.WithDeadline(b.ctx, d)
}

// step runs actions that return nothing, failing the test with diagnostics.
func (b *e2eTab) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.stepCtx()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fatalf("%s: %v", what, err)
	}
}

// e2eRun runs one action that returns a value.
func e2eRun[T any](b *e2eTab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := b.stepCtx()
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fatalf("%s: %v", what, err)
	}
	return v
}

// navigate loads url and requires a 2xx or 3xx answer.
func (b *e2eTab) navigate(url string) {
	b.t.Helper()
	ctx, cancel := b.stepCtx()
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		b.fatalf("open %s: %v", url, err)
	}
	if resp != nil && resp.Status >= 400 {
		b.fatalf("open %s: HTTP %d %s", url, resp.Status, resp.StatusText)
	}
}

// submit clicks a submit button and waits for the page it leads to.
func (b *e2eTab) submit(what, sel string) {
	b.t.Helper()
	ctx, cancel := b.stepCtx()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		b.fatalf("%s: button %s: %v", what, sel, err)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.fatalf("%s: click %s: %v", what, sel, err)
	}
	if resp != nil && resp.Status >= 400 {
		b.fatalf("%s: HTTP %d %s", what, resp.Status, resp.StatusText)
	}
}

// check ticks a checkbox unless it is ticked already.
func (b *e2eTab) check(sel string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.checked : null; })()`, sel)
	checked := e2eRun(b, "read "+sel, chromedp.Evaluate[*bool](js))
	if checked == nil {
		b.fatalf("no checkbox %s", sel)
	}
	if !*checked {
		b.step("tick "+sel, chromedp.Click(chromedp.CSS(sel)))
	}
	if c := e2eRun(b, "read "+sel, chromedp.Evaluate[*bool](js)); c == nil || !*c {
		b.fatalf("checkbox %s is not ticked after a click", sel)
	}
}

// waitURL polls the tab's URL until re matches it, and returns the URL.
func (b *e2eTab) waitURL(what string, re *regexp.Regexp) string {
	b.t.Helper()
	var last string
	b.poll(what, func(ctx context.Context) (bool, error) {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		last = loc
		return err == nil && re.MatchString(loc), err
	}, func() string { return fmt.Sprintf("URL %s does not match %s", last, re) })
	return last
}

// waitJS polls a JavaScript expression until it is true.
func (b *e2eTab) waitJS(what, expr string) {
	b.t.Helper()
	b.poll(what, func(ctx context.Context) (bool, error) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		return err == nil && ok, err
	}, func() string { return "never true: " + expr })
}

// poll retries f until it reports true; errors in between (a page that is still
// loading, a destroyed execution context) only mean "not yet".
func (b *e2eTab) poll(what string, f func(context.Context) (bool, error), why func() string) {
	b.t.Helper()
	ctx, cancel := b.stepCtx()
	defer cancel()
	var lastErr error
	for {
		actx, acancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := f(actx)
		acancel()
		if ok {
			return
		}
		if err != nil {
			lastErr = err
		}
		select {
		case <-ctx.Done():
			msg := why()
			if lastErr != nil {
				msg += fmt.Sprintf(" (last error: %v)", lastErr)
			}
			b.fatalf("waiting for %s: %s", what, msg)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// fatalf fails the test with the tab's URL and the start of its text.
func (b *e2eTab) fatalf(format string, args ...any) {
	b.t.Helper()
	b.t.Fatalf("[%s tab] %s\n%s", b.name, fmt.Sprintf(format, args...), b.diagnose())
}

func (b *e2eTab) diagnose() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		loc = "(unknown: " + err.Error() + ")"
	}
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : "(no body)"`))
	if err != nil {
		text = "(unreadable: " + err.Error() + ")"
	}
	text = strings.TrimSpace(text)
	if r := []rune(text); len(r) > 1200 {
		text = string(r[:1200]) + " …"
	}
	return fmt.Sprintf("current URL: %s\npage text:\n%s", loc, e2eIndent(text))
}

func e2eIndent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// e2eStartServer builds labdash, runs `labdash serve` on a free port with a fresh
// database and returns its base URL. The server gets SIGTERM at clean-up.
func e2eStartServer(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	return e2eStartStoppable(t, dir, nil, extra...)
}

// e2eStartStoppable is e2eStartServer that also hands back a function stopping the
// server early (SIGTERM, as a restart would).
func e2eStartStoppable(t *testing.T, dir string, stopServer *func(), extra ...string) string {
	t.Helper()
	bin := filepath.Join(dir, "labdash")
	bctx, bcancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer bcancel()
	build := exec.CommandContext(bctx, "go", "build", "-o", bin, ".")
	build.Dir = "."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "e2e.db"), "--log-format", "json"}, extra...)
	cmd := exec.Command(bin, args...)
	// The server's configuration comes from the flags above and the admin
	// account below only, never from LABDASH_* variables of the caller's shell.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LABDASH_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "LABDASH_ADMIN_EMAIL="+e2eAdminEmail, "LABDASH_ADMIN_PASSWORD="+e2eAdminPassword)
	stderr := &e2eBuffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}

	stdoutLog := &e2eBuffer{}
	urlc := make(chan string, 1)
	exited := make(chan error, 1)
	go func() {
		re := regexp.MustCompile(`labdash is running on (http://\S+) \(cloud: `)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(stdoutLog, line)
			if m := re.FindStringSubmatch(line); m != nil {
				select {
				case urlc <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		exited <- cmd.Wait() // after every read from the pipe, as os/exec requires
	}()

	stopped := false
	var exitErr error
	stop := func() {
		if stopped {
			return
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case exitErr = <-exited:
		case <-time.After(15 * time.Second):
			t.Errorf("labdash did not stop within 15 s of SIGTERM; killing it")
			_ = cmd.Process.Kill()
			exitErr = <-exited
		}
		stopped = true
		if exitErr != nil {
			t.Errorf("labdash exited with %v after SIGTERM", exitErr)
		}
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("labdash stdout:\n%s", e2eIndent(stdoutLog.String()))
			t.Logf("labdash stderr (last 4 KB):\n%s", e2eIndent(stderr.Tail(4<<10)))
		}
	})
	if stopServer != nil {
		*stopServer = stop
	}

	select {
	case u := <-urlc:
		return u
	case err := <-exited:
		stopped, exitErr = true, nil
		t.Fatalf("labdash exited before it was ready (%v)\nstdout:\n%s\nstderr:\n%s", err, e2eIndent(stdoutLog.String()), e2eIndent(stderr.String()))
	case <-time.After(30 * time.Second):
		t.Fatalf("labdash printed no \"labdash is running on\" line within 30 s\nstdout:\n%s\nstderr:\n%s", e2eIndent(stdoutLog.String()), e2eIndent(stderr.Tail(4<<10)))
	}
	return ""
}

// e2eBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type e2eBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *e2eBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *e2eBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *e2eBuffer) Tail(n int) string {
	s := b.String()
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
