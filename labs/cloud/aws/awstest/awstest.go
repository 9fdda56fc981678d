// Package awstest runs moto, the AWS API double, for tests of labdash's real AWS
// client path. One moto_server per test binary is started on first use on a free
// loopback port and stopped by Main after the tests; tests share it and call Reset
// between them. It is a non-test package so every package's tests can use it.
//
// The moto_server binary is $LABDASH_MOTO, else <module root>/.venv/bin/moto_server
// (`make venv` installs the pinned moto[server] there). When it is missing the
// tests skip loudly, except under CI=true, where they fail: CI must never skip
// silently.
//
// Tests that use moto must not be parallel: they share one server (Reset wipes it)
// and Moto sets environment variables with t.Setenv.
package awstest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Account is the account moto answers as (its default).
const Account = "123456789012"

// Region is the region Moto sets as AWS_REGION.
const Region = "us-east-1"

// startTimeout bounds how long moto may take to answer after it is started.
const startTimeout = 60 * time.Second

var (
	once     sync.Once
	mu       sync.Mutex
	server   *motoServer
	startErr error // missing binary: errMissing wraps it
)

// errMissing marks a start failure caused by an absent moto_server binary.
var errMissing = errors.New("moto_server not found")

type motoServer struct {
	cmd      *exec.Cmd
	endpoint string
	out      *capped
	done     chan struct{}
}

// Main runs the package's tests and then stops moto if they started it. Call it from
// TestMain:
//
//	func TestMain(m *testing.M) { awstest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop ends the moto server, if one runs. Main calls it; it is safe to call twice.
func Stop() {
	mu.Lock()
	s := server
	server = nil
	mu.Unlock()
	if s == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// Moto returns the endpoint ("http://127.0.0.1:PORT") of the test binary's moto
// server, starting it on first use, and points the test's AWS environment at it with
// fake credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "testing",
// AWS_REGION us-east-1, AWS_ENDPOINT_URL the server, and AWS_PROFILE,
// AWS_SESSION_TOKEN, per-service endpoint variables and the shared config files
// cleared, so nothing from the developer's shell or ~/.aws leaks in. It skips the
// test (fails it under CI=true) when moto_server is missing.
func Moto(t testing.TB) string {
	t.Helper()
	once.Do(start)
	mu.Lock()
	s, err := server, startErr
	mu.Unlock()
	if err != nil {
		if errors.Is(err, errMissing) {
			msg := fmt.Sprintf("!!! SKIPPING moto integration tests: %v; run `make venv` !!!", err)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg + " (CI=true: moto tests must not skip)")
			}
			t.Skip(msg)
		}
		t.Fatalf("awstest: moto: %v", err)
	}
	if s == nil {
		t.Fatal("awstest: moto was stopped (Moto called after Main's tests ended?)")
	}
	setEnv(t, s.endpoint)
	return s.endpoint
}

// Reset wipes every resource in moto (POST /moto-api/reset). Call it at the start
// of each test that seeds moto.
func Reset(t testing.TB) {
	t.Helper()
	ep := Moto(t)
	resp, err := http.Post(ep+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("awstest: reset moto: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("awstest: reset moto: %s", resp.Status)
	}
}

// Logs returns the tail of moto's output, for a failing test's message.
func Logs() string {
	mu.Lock()
	defer mu.Unlock()
	if server == nil {
		return ""
	}
	return server.out.String()
}

// setEnv points the AWS SDK's environment at endpoint with fake credentials.
func setEnv(t testing.TB, endpoint string) {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_ENDPOINT_URL_") {
			unset(t, k)
		}
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_DEFAULT_REGION", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"} {
		unset(t, k)
	}
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_REGION", Region)
	t.Setenv("AWS_ENDPOINT_URL", endpoint)
}

// unset removes k for the rest of the test; t.Setenv restores it afterwards.
func unset(t testing.TB, k string) {
	t.Setenv(k, "")
	os.Unsetenv(k)
}

// Binary returns the moto_server path the harness uses: $LABDASH_MOTO, else the
// module root's .venv/bin/moto_server.
func Binary() string {
	if p := os.Getenv("LABDASH_MOTO"); p != "" {
		return p
	}
	root, err := moduleRoot()
	if err != nil {
		return filepath.Join(".venv", "bin", "moto_server")
	}
	return filepath.Join(root, ".venv", "bin", "moto_server")
}

// moduleRoot walks up from the working directory to the directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// start launches moto_server once and waits until it answers.
func start() {
	s, err := launch(Binary())
	mu.Lock()
	server, startErr = s, err
	mu.Unlock()
}

func launch(bin string) (*motoServer, error) {
	if st, err := os.Stat(bin); err != nil || st.IsDir() {
		return nil, fmt.Errorf("%w: %s not found", errMissing, bin)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &motoServer{endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), out: &capped{max: 64 << 10}, done: make(chan struct{})}
	s.cmd = exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	// moto must never see the developer's real credentials.
	s.cmd.Env = append(filteredEnv(), "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_DEFAULT_REGION="+Region)
	setParentDeath(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()

	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-s.done:
			return nil, fmt.Errorf("%s exited before answering: %s", bin, s.out.String())
		default:
		}
		resp, err := client.Get(s.endpoint + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			_ = s.cmd.Process.Kill()
			<-s.done
			return nil, fmt.Errorf("%s did not answer on %s within %s: %v; output: %s", bin, s.endpoint, startTimeout, err, s.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// filteredEnv is the environment without any AWS_ variable.
func filteredEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return env
}

// freePort asks the kernel for a free loopback port. Another process could take it
// before moto binds it; launch then fails with moto's "address in use" message.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// capped keeps the last max bytes written to it. It is safe for concurrent use.
type capped struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if extra := c.buf.Len() - c.max; extra > 0 {
		c.buf.Next(extra)
	}
	return len(p), nil
}

func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}
