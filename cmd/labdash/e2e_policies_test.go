package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/labdash/labdash/labs/catalog"
)

// TestE2EPoliciesPageOfTheDemoClass: in the running binary, the instructor follows
// the demo class's "Read the policies students get" and reads, for a class of
// the demo's labs, how students are kept apart and, under each lab's policy, the lab's
// steps it lets a student do, above the documents themselves.
func TestE2EPoliciesPageOfTheDemoClass(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end browser test skipped in -short mode")
	}
	chromium := e2eChromium(t)
	base := e2eStartServer(t, t.TempDir(), "--sim-speed", "60", "--monitor-interval", "300ms")
	allocCtx, cancelAlloc := e2eAllocator(t, chromium)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	in := e2eDemoClass(t, base, ctx)
	in.waitJS("the policies link", `!!document.querySelector("a[data-testid=policies-link]")`)
	in.step("read the policies", chromedp.Click(chromedp.CSS(`a[data-testid=policies-link]`)))
	in.waitURL("the policies page", regexp.MustCompile(`/sandboxes/policies$`))
	in.waitJS("how students are kept apart", `!!document.querySelector("[data-testid=policies-fences]")`)
	text := e2eRun(in, "read the page", chromedp.Evaluate[string](`document.body.innerText`))
	for _, want := range []string{"How students are kept apart", "anything tagged as another student", "-student-boundary", "-student-identity",
		"-student-fargate", "-student-ga", "-student-xray", "-student-asg", "-student-route53", "create the cluster", "add the endpoint groups", "restore sns:Publish",
		"create the Auto Scaling group", "simulated"} {
		if !strings.Contains(text, want) {
			t.Errorf("the policies page lacks %q", want)
		}
	}
	steps := e2eRun(in, "count the lab step lists", chromedp.Evaluate[int](`document.querySelectorAll("[data-testid^=policy-steps-]").length`))
	if want := len(catalog.New().Demo()); steps != want {
		t.Errorf("%d labs' step lists; want the demo's %d", steps, want)
	}
	e2eScreenshot(t, in, "LABDASH_SCREENSHOT_POLICIES", "the policies page")
}
