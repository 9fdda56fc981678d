package awstest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestMissingBinary: an absent moto_server is reported as missing (Moto then
// skips, or fails under CI=true), not as a start failure.
func TestMissingBinary(t *testing.T) {
	_, err := launch(filepath.Join(t.TempDir(), "moto_server"))
	if !errors.Is(err, errMissing) {
		t.Fatalf("launch of a missing binary: %v, want errMissing", err)
	}
}

func TestBinary(t *testing.T) {
	t.Setenv("LABDASH_MOTO", "/opt/moto/bin/moto_server")
	if got := Binary(); got != "/opt/moto/bin/moto_server" {
		t.Errorf("Binary() = %q with LABDASH_MOTO set", got)
	}
	os.Unsetenv("LABDASH_MOTO")
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	if got, want := Binary(), filepath.Join(root, ".venv", "bin", "moto_server"); got != want {
		t.Errorf("Binary() = %q, want %q", got, want)
	}
}
