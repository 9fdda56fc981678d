package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labdash/labdash/db"
)

// noEnv is a getenv that sees no LABDASH_* variables unless given.
func envOf(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestConfigErrorsNameTheSetting(t *testing.T) {
	cases := map[string]struct {
		args []string
		env  map[string]string
		want []string
	}{
		"bad log format":     {[]string{"--log-format", "xml"}, nil, []string{"--log-format (LABDASH_LOG_FORMAT)", "text or json"}},
		"bad addr":           {[]string{"--addr", "nowhere"}, nil, []string{"--addr (LABDASH_ADDR)"}},
		"bad cloud":          {[]string{"--cloud", "gcp"}, nil, []string{"--cloud (LABDASH_CLOUD)", "sim or aws"}},
		"bad env number":     {nil, map[string]string{"LABDASH_SIM_SPEED": "fast"}, []string{"LABDASH_SIM_SPEED", "fast"}},
		"bad env bool":       {nil, map[string]string{"LABDASH_DEMO": "maybe"}, []string{"LABDASH_DEMO"}},
		"half the admin":     {nil, map[string]string{"LABDASH_ADMIN_EMAIL": "a@example.edu"}, []string{"LABDASH_ADMIN_PASSWORD"}},
		"several at once":    {[]string{"--log-format", "xml", "--addr", "x"}, nil, []string{"--log-format", "--addr"}},
		"unknown command":    {[]string{"frobnicate"}, nil, []string{"unknown command"}},
		"bad base url":       {[]string{"--base-url", "labs.example.edu"}, nil, []string{"--base-url (LABDASH_BASE_URL)"}},
		"sites off loopback": {[]string{"--sim-website", "0.0.0.0:8081"}, nil, []string{"--sim-website (LABDASH_SIM_WEBSITE)", "loopback"}},
		"dns off loopback":   {nil, map[string]string{"LABDASH_SIM_DNS": "192.0.2.1:53"}, []string{"--sim-dns (LABDASH_SIM_DNS)", "loopback"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			args := append([]string{}, tc.args...)
			if name != "unknown command" {
				args = append([]string{"serve", "--db", filepath.Join(t.TempDir(), "x.db")}, args...)
			}
			err := run(t.Context(), args, strings.NewReader(""), io.Discard, io.Discard, envOf(tc.env))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

var runningRE = regexp.MustCompile(`labdash is running on (http://\S+) `)

// serveInProcess starts `labdash serve` through run and returns its base URL and a stop function.
func serveInProcess(t *testing.T, dbPath string, env map[string]string) (string, *e2eBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &e2eBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", dbPath}, strings.NewReader(""), out, io.Discard, envOf(env))
	}()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := runningRE.FindStringSubmatch(out.String()); m != nil {
			return m[1], out, func() error { cancel(); return <-done }
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve exited: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("serve did not start:\n%s", out.String())
	return "", nil, nil
}

func apiGet(t *testing.T, url, token string) (int, string) {
	t.Helper()
	return apiCall(t, http.MethodGet, url, token, "", "")
}

// apiCall sends one request with an optional bearer token and body, and returns the
// status and body.
func apiCall(t *testing.T, method, url, token, ctype, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestFirstStartTokenAndAPI follows the README: first start prints a setup link, `user add`
// and `token create` make a token, and the API answers it (and refuses without it).
func TestFirstStartTokenAndAPI(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "labdash.db")
	base, out, stop := serveInProcess(t, dbPath, nil)
	if !regexp.MustCompile(`/setup/[0-9a-f]{32}`).MatchString(out.String()) {
		t.Fatalf("first start did not print a setup link:\n%s", out.String())
	}
	var stdout e2eBuffer
	err := run(t.Context(), []string{"user", "add", "--db", dbPath, "--email", "ana@example.edu", "--name", "Ana", "--password-stdin"},
		strings.NewReader("correct-horse-battery\n"), &stdout, io.Discard, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	var tok e2eBuffer
	if err := run(t.Context(), []string{"token", "create", "--db", dbPath, "--email", "ana@example.edu"}, nil, &tok, io.Discard, envOf(nil)); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(tok.String())
	if !strings.HasPrefix(token, db.TokenPrefix) || strings.Contains(token, "\n") {
		t.Fatalf("token create printed %q; want only the token", token)
	}
	status, body := apiGet(t, base+"/api/v1/classes", token)
	var got struct {
		Classes []any `json:"classes"`
	}
	if status != 200 || json.Unmarshal([]byte(body), &got) != nil || got.Classes == nil {
		t.Fatalf("with token: %d %s", status, body)
	}
	if status, body := apiGet(t, base+"/api/v1/classes", ""); status != 401 || !strings.Contains(body, `"error"`) {
		t.Fatalf("without token: %d %s", status, body)
	}
	addr := strings.TrimPrefix(base, "http://")
	if err := run(t.Context(), []string{"healthcheck", "--addr", addr}, nil, io.Discard, io.Discard, envOf(nil)); err != nil {
		t.Fatalf("healthcheck against a running server: %v", err)
	}
	if err := stop(); err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}
	if err := run(t.Context(), []string{"healthcheck", "--addr", addr}, nil, io.Discard, io.Discard, envOf(nil)); err == nil {
		t.Fatal("healthcheck passed with the server stopped")
	}
	// Unknown account: a clear error.
	err = run(t.Context(), []string{"token", "create", "--db", dbPath, "--email", "nobody@example.edu"}, nil, io.Discard, io.Discard, envOf(nil))
	if err == nil || !strings.Contains(err.Error(), "no account") {
		t.Fatalf("token for unknown account: %v", err)
	}
}

func TestRosterImportCommand(t *testing.T) {
	ctx := t.Context()
	dbPath := filepath.Join(t.TempDir(), "labdash.db")
	store, err := db.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	store.CreateUser(ctx, u)
	class := &db.Class{Name: "c", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate"}}
	store.CreateClass(ctx, class)
	store.Close()

	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("name,email\nA,a@example.edu\nB,broken\nC,a@example.edu\n"), 0o600)
	var stderr e2eBuffer
	err = run(ctx, []string{"roster", "import", "--db", dbPath, class.ID, bad}, nil, io.Discard, &stderr, envOf(nil))
	if err == nil || !strings.Contains(err.Error(), "2 problems; nothing was imported") ||
		!strings.Contains(stderr.String(), "line 3, email") || !strings.Contains(stderr.String(), "line 4, email") {
		t.Fatalf("bad roster: %v\n%s", err, stderr.String())
	}
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("name,email\n=A,a@example.edu\nB,b@example.edu\n"), 0o600)
	var stdout e2eBuffer
	if err := run(ctx, []string{"roster", "import", "--db", dbPath, "--base-url", "https://labs.example.edu", class.ID, good}, nil, &stdout, io.Discard, envOf(nil)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "s01,'=A,a@example.edu,https://labs.example.edu/s/") {
		t.Fatalf("import output:\n%s", stdout.String())
	}
	if err := run(ctx, []string{"roster", "import", "--db", dbPath, "cnope", good}, nil, io.Discard, io.Discard, envOf(nil)); err == nil || !strings.Contains(err.Error(), `no class "cnope"`) {
		t.Fatalf("unknown class: %v", err)
	}
}

// startServing starts cmd, a `labdash serve` of the built binary, and returns it
// with the URL it says it runs on; what it prints after that is discarded.
func startServing(t *testing.T, cmd *exec.Cmd) (*exec.Cmd, string) {
	t.Helper()
	pipe, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		if m := runningRE.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, pipe)
			return cmd, m[1]
		}
	}
	cmd.Process.Kill()
	t.Fatal("server did not start")
	return nil, ""
}

// TestSurvivesKill9 runs the real binary, creates a class and students through the API,
// kills the process with SIGKILL and starts it again: everything is still there.
func TestSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "labdash")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dbPath := filepath.Join(dir, "labdash.db")
	env := append(os.Environ(), "LABDASH_ADMIN_EMAIL=ana@example.edu", "LABDASH_ADMIN_PASSWORD=correct-horse-battery")
	start := func() (*exec.Cmd, string) {
		cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", dbPath)
		cmd.Env = env
		return startServing(t, cmd)
	}
	cmd, base := start()
	out, err := exec.Command(bin, "token", "create", "--db", dbPath, "--email", "ana@example.edu").Output()
	if err != nil {
		cmd.Process.Kill()
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(out))
	post := func(path, ctype, body string) (int, string) {
		return apiCall(t, http.MethodPost, base+path, token, ctype, body)
	}
	status, body := post("/api/v1/classes", "application/json", `{"name":"Kill test","regions":["us-east-1"],"labs":["fargate"]}`)
	var class struct{ ID string }
	if status != 201 || json.Unmarshal([]byte(body), &class) != nil {
		t.Fatalf("create class: %d %s", status, body)
	}
	if status, body := post("/api/v1/classes/"+class.ID+"/roster", "text/csv", "name,email\nA,a@example.edu\nB,b@example.edu\n"); status != 200 {
		t.Fatalf("roster: %d %s", status, body)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown code runs
		t.Fatal(err)
	}
	cmd.Wait()

	cmd, base = start()
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	status, body = apiGet(t, base+"/api/v1/classes/"+class.ID+"/students", token)
	if status != 200 || !strings.Contains(body, "a@example.edu") || !strings.Contains(body, "b@example.edu") {
		t.Fatalf("after kill -9 and restart: %d %s", status, body)
	}
}
