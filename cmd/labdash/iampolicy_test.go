package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func runIAMPolicy(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errs e2eBuffer
	err = run(t.Context(), append([]string{"iam-policy"}, args...), strings.NewReader(""), &out, &errs, envOf(nil))
	return out.String(), errs.String(), err
}

func readDoc(t *testing.T, part string) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/labdash-iam-policy-" + part + ".json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestIAMPolicyCommand: labdash iam-policy prints the documents docs/ keeps,
// one part or all, as text or JSON, and refuses an unknown part.
func TestIAMPolicyCommand(t *testing.T) {
	parts := []string{"monitor", "provision", "cleanup"}

	t.Run("all parts", func(t *testing.T) {
		out, _, err := runIAMPolicy(t)
		if err != nil {
			t.Fatal(err)
		}
		at := 0
		for _, p := range parts {
			header := "# " + p + ": "
			i := strings.Index(out, header)
			if i < at {
				t.Fatalf("no %q header after offset %d in:\n%s", header, at, out)
			}
			line, _, _ := strings.Cut(out[i:], "\n")
			if !strings.Contains(line, "of 6144 characters; docs/labdash-iam-policy-"+p+".json)") {
				t.Errorf("header %q does not give the size and the file", line)
			}
			if !strings.Contains(out[i:], line+"\n"+readDoc(t, p)) {
				t.Errorf("the %s document printed is not docs/labdash-iam-policy-%s.json", p, p)
			}
			at = i
		}
	})

	t.Run("one part", func(t *testing.T) {
		for _, p := range parts {
			out, _, err := runIAMPolicy(t, "--part", p)
			if err != nil {
				t.Fatal(err)
			}
			if out != readDoc(t, p) {
				t.Errorf("--part %s printed something else than docs/labdash-iam-policy-%s.json:\n%s", p, p, out)
			}
		}
	})

	t.Run("json", func(t *testing.T) {
		for args, want := range map[string][]string{"--json": parts, "--json --part cleanup": {"cleanup"}} {
			out, _, err := runIAMPolicy(t, strings.Fields(args)...)
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Parts []struct {
					Part, Purpose string
					Size, Limit   int
					Document      struct {
						Version   string
						Statement []struct{ Sid, Effect string }
					}
				}
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%s: %v in %s", args, err, out)
			}
			if len(got.Parts) != len(want) {
				t.Fatalf("%s: %d parts, want %v", args, len(got.Parts), want)
			}
			for i, p := range got.Parts {
				if p.Part != want[i] || p.Purpose == "" || p.Size == 0 || p.Size > p.Limit || p.Limit != 6144 ||
					p.Document.Version != "2012-10-17" || len(p.Document.Statement) == 0 || p.Document.Statement[0].Sid == "" {
					t.Errorf("%s: part %d = %+v", args, i, p)
				}
			}
		}
	})

	t.Run("unknown part", func(t *testing.T) {
		out, _, err := runIAMPolicy(t, "--part", "billing")
		if err == nil || !strings.Contains(err.Error(), `--part is "billing"; use one of monitor, provision, cleanup`) {
			t.Errorf("err = %v, want the parts named", err)
		}
		if out != "" {
			t.Errorf("printed %q before refusing", out)
		}
		if _, _, err := runIAMPolicy(t, "monitor"); err == nil || !strings.Contains(err.Error(), "takes no arguments") {
			t.Errorf("a positional argument: err = %v", err)
		}
		if _, _, err := runIAMPolicy(t, "--part"); err == nil {
			t.Error("--part without a value was accepted")
		}
	})

	t.Run("help", func(t *testing.T) {
		var out e2eBuffer
		if err := run(t.Context(), []string{"help"}, strings.NewReader(""), &out, &out, envOf(nil)); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "labdash iam-policy [--part monitor|provision|cleanup] [--json]") {
			t.Errorf("the usage does not list iam-policy:\n%s", out.String())
		}
	})
}
