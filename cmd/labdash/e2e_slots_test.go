package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestE2ESlotMachine: what a newcomer on `go run ./cmd/labdash` can do with Lab 4.
// In the demo class, a virtual student who has pulled the handle has a website
// widget with a link to their slot machine; the link opens the simulated S3
// website on its own loopback origin, and pressing "Pull the handle" goes through
// the simulated Cognito identity pool (guest credentials) to the simulated
// slotPull function reading the simulated DynamoDB table: three wheel pictures
// come back.
func TestE2ESlotMachine(t *testing.T) {
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
	// The lab's first and last checkpoints passed: the site is public (a student
	// who never lifts Block Public Access pulls from their shell, and their site
	// answers 403), and their pulls get through.
	ready := `(() => { const list = "ol[id^='checklist-'][id$='-slots'] ";
		const done = document.querySelector(list + "li:first-child.check-pass") && document.querySelector(list + "li:last-child.check-pass");
		const a = document.querySelector("a[data-testid=link-website]");
		return !!done && !!a && a.href.startsWith("http://127.0.0.1:"); })()`
	href := e2eFindDemoStudent(in, base, classURL, ready, 30*time.Second, "no demo student pulled the slot machine's handle in time",
		`(document.querySelector("ol[id^='checklist-'][id$='-slots']") || {}).textContent || "no Lab 4 checklist"`)
	site := e2eRun(in, "read the site link", chromedp.Evaluate[string](`document.querySelector("a[data-testid=link-website]").href`))
	t.Logf("student %s: site %s", href, site)
	if got := e2eRun(in, "the link's target", chromedp.Evaluate[string](`document.querySelector("a[data-testid=link-website]").rel`)); got != "noopener noreferrer" {
		t.Errorf("the site link's rel is %q, want noopener noreferrer", got)
	}
	in.navigate(site)
	in.waitJS("the slot machine page", `!!document.querySelector("button#pull") && document.querySelectorAll("#wheels img").length === 3`)
	if got := e2eRun(in, "the page's origin", chromedp.Evaluate[string](`location.origin`)); got+"/" == base+"/" || got == base {
		t.Fatalf("the student's site is served on labdash's own origin %s", got)
	}
	in.step("pull the handle", chromedp.Click(chromedp.CSS("button#pull")))
	in.waitJS("three wheel pictures from the table", `/^(Jackpot!|Pulled with the basic flow)$/.test(document.getElementById("status").textContent) &&
		Array.from(document.querySelectorAll("#wheels img")).every(img => img.complete && img.naturalWidth > 0 && /\/\d\d-[a-z]+\.svg$/.test(img.src))`)
	e2eScreenshot(t, in, "LABDASH_SCREENSHOT_SLOTS", "the slot machine after a pull")
}
