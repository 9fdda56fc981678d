package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoModTidy: go.mod and go.sum are what `go mod tidy` makes of the code,
// so a build never depends on an edit tidy would undo (or on one it would add).
// It uses `go mod tidy -diff` (Go 1.23+), which changes nothing and exits
// non-zero with the diff when tidy would change either file.
func TestGoModTidy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command over the whole module")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH: cannot check that go.mod is tidy")
	}
	if help, _ := exec.Command(gobin, "help", "mod", "tidy").CombinedOutput(); !bytes.Contains(help, []byte("-diff")) {
		v, _ := exec.Command(gobin, "version").Output()
		t.Skipf("%s has no `go mod tidy -diff` (Go 1.23+ has): cannot check that go.mod is tidy without changing it", strings.TrimSpace(string(v)))
	}
	gomod, err := exec.Command(gobin, "env", "GOMOD").Output()
	if err != nil || len(bytes.TrimSpace(gomod)) == 0 {
		t.Fatalf("go env GOMOD: %v %s", err, gomod)
	}
	cmd := exec.Command(gobin, "mod", "tidy", "-diff")
	cmd.Dir = filepath.Dir(string(bytes.TrimSpace(gomod)))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if stdout.Len() > 0 {
			t.Fatalf("go.mod/go.sum are not tidy; run `go mod tidy` (in %s). It would change:\n%s%s", cmd.Dir, stdout.String(), stderr.String())
		}
		t.Fatalf("go mod tidy -diff: %v\n%s", err, stderr.String())
	}
}
