package cloud

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
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
	for op, want := range map[string]bool{"DescribeServices": false, "ListTags": false, "GetBucketTagging": false, "AssumeRole": false, "SimulatePrincipalPolicy": false, "FilterLogEvents": false, "Invoke": true,
		"DeleteService": true, "UpdateAccelerator": true, "PutItem": true, "Publish": true, "Frobnicate": true} {
		if IsMutating(op) != want {
			t.Errorf("IsMutating(%s) = %v, want %v", op, !want, want)
		}
	}
}

// TestGeneratedMutatingAgrees: the generator keeps its own copy of the read-only
// verbs (it must build while intercept_gen.go is stale); every wrapper's Mutating
// flag must still be what IsMutating says.
func TestGeneratedMutatingAgrees(t *testing.T) {
	src, err := os.ReadFile("intercept_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`Op: "([A-Za-z0-9]+)",.*Mutating: (true|false)\}`)
	n := 0
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		n++
		if IsMutating(m[1]) != (m[2] == "true") {
			t.Errorf("%s: generated Mutating %s, IsMutating says %v", m[1], m[2], IsMutating(m[1]))
		}
	}
	if n < 100 {
		t.Fatalf("found %d wrapped operations, want every one", n)
	}
}
