package main

import (
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestE2ESpotInterruptionLive: in the demo class (simulated AWS at 60×), a
// student's Auto Scaling group runs its Spot instances; the instructor presses
// "Interrupt a Spot instance" on that student's page and, without a reload, the
// instance list shows the interruption notice (and the Events widget EventBridge's
// warning), then the group's replacement in
// the scaling-activity feed; the class's mix bar is drawn as SVG beside them.
func TestE2ESpotInterruptionLive(t *testing.T) {
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
	classURL := e2eRun(in, "read the class URL", chromedp.Evaluate[string](`location.pathname`))
	// A student whose group has a running Spot instance, so the button is offered.
	ready := `(() => { const b = document.querySelector("button[data-testid=action-interrupt-spot]");
		const rows = Array.from(document.querySelectorAll("[data-widget=instances] tbody tr")).map(r => r.innerText);
		return !!b && !b.disabled && rows.some(r => /\bspot\b/.test(r) && /InService/.test(r)); })()`
	href := e2eFindDemoStudent(in, base, classURL, ready, 60*time.Second, "no demo student's group ran a Spot instance in time")
	t.Logf("student %s runs Spot instances", href)
	in.waitJS("the class mix bar, drawn as SVG", `!!document.querySelector("[data-widget=class-mix] svg[data-testid=bar]")`)
	e2eRun(in, "mark the page", chromedp.Evaluate[bool](`window.__labdashMarker = 8; true`))
	in.step("press Interrupt a Spot instance", chromedp.Click(chromedp.CSS(`button[data-testid=action-interrupt-spot]`)))
	in.waitJS("the rehearsal block to say what happened, in place", `window.__labdashMarker === 8 &&
		/^Sent a Spot interruption notice/.test(document.querySelector("[data-testid=rehearsal-result-asg]").textContent)`)
	in.waitJS("the instance list to show the notice without a reload", `window.__labdashMarker === 8 &&
		Array.from(document.querySelectorAll("[data-widget=instances] tbody tr")).some(r => /interruption notice/.test(r.innerText))`)
	in.waitJS("the Events widget to show EventBridge's interruption warning", `window.__labdashMarker === 8 &&
		Array.from(document.querySelectorAll("[data-widget=events] tbody tr")).some(r => /Spot interruption warning/.test(r.innerText))`)
	e2eScreenshot(t, in, "LABDASH_SCREENSHOT_ASG", "a Spot interruption notice")
	// Two simulated minutes later (2 s at 60×) the instance is reclaimed and the group
	// launches its replacement: the feed says so, still without a reload.
	in.waitJS("the feed to show the termination and the replacement", `window.__labdashMarker === 8 && (() => {
		const t = document.querySelector("[data-widget=activity]").innerText;
		return /EC2 health check indicating it has been terminated/.test(t) && /unhealthy instance needing to be replaced/.test(t); })()`)
	if !regexp.MustCompile(`/students/`).MatchString(e2eRun(in, "read the URL", chromedp.Evaluate[string](`location.pathname`))) {
		t.Error("the page left the student")
	}
}
