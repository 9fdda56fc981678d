package cloud

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// TestInterceptGenerated keeps intercept_gen.go in step with the interfaces: every
// method of every Clients interface is wrapped (go generate ./labs/cloud rewrites it).
func TestInterceptGenerated(t *testing.T) {
	want, err := exec.Command("go", "run", "./internal/genintercept", "-stdout").Output()
	if err != nil {
		t.Fatalf("genintercept: %v", err)
	}
	have, err := os.ReadFile("intercept_gen.go")
	if err != nil || !bytes.Equal(have, want) {
		t.Fatal("intercept_gen.go is stale: run go generate ./labs/cloud")
	}
}

func TestIsMutating(t *testing.T) {
	for op, want := range map[string]bool{"DescribeServices": false, "ListTags": false, "GetBucketTagging": false, "AssumeRole": false,
		"DeleteService": true, "UpdateAccelerator": true, "PutItem": true, "Publish": true, "Frobnicate": true} {
		if IsMutating(op) != want {
			t.Errorf("IsMutating(%s) = %v, want %v", op, !want, want)
		}
	}
}
