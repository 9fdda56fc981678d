package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestE2EDNSAnswerLive: in the demo class (simulated AWS at 60×), a student who
// has finished Lab 3 has a CNAME, and the DNS answer panel shows it in two steps;
// the instructor presses "Replace the CNAME with an alias" on that student's page
// and, without a reload, the panel shows one step with the ALB's 60 s TTL; then
// "Replace the alias with a CNAME" brings the two steps back. The page shows the
// dig command for the simulator's loopback DNS server, and the Change status
// widget the alias's change batch, found in the simulated CloudTrail.
func TestE2EDNSAnswerLive(t *testing.T) {
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
	ready := `(() => { const d = document.querySelector("[data-widget=dns-answer] .diagram[data-dns-kind='CNAME'] svg[data-steps='2']");
		const b = document.querySelector("button[data-testid=action-make-alias]");
		return !!d && !!b && !b.disabled; })()`
	href := e2eFindDemoStudent(in, base, classURL, ready, 30*time.Second, "no demo student reached the CNAME step of Lab 3 in time")
	t.Logf("student %s: CNAME answered in two steps", href)
	in.waitJS("the dig command for the loopback DNS server", `/^dig @127\.0\.0\.1 -p \d+ www\.s\d+\.[a-z0-9]+\.labs\.example\.com CNAME$/.test(document.querySelector("[data-widget=dns-answer] [data-testid=dig]").textContent)`)
	e2eRun(in, "mark the page", chromedp.Evaluate[bool](`window.__labdashMarker = 3; true`))
	in.step("press Replace the CNAME with an alias", chromedp.Click(chromedp.CSS(`button[data-testid=action-make-alias]`)))
	in.waitJS("the rehearsal block to say what happened, in place", `window.__labdashMarker === 3 &&
		/^Replaced the CNAME with an A\/Alias record at \d\d:\d\d:\d\d \(simulated time\)\.$/.test(document.querySelector("[data-testid=rehearsal-result-route53]").textContent)`)
	in.waitJS("the panel to show the alias in one step, TTL 60, without a reload", `window.__labdashMarker === 3 &&
		!!document.querySelector("[data-widget=dns-answer] .diagram[data-dns-kind='alias'] svg[data-steps='1'] g.dns-step[data-type='A'][data-ttl='60']")`)
	in.waitJS("the Change status widget to show the alias's change batch from CloudTrail, PENDING or INSYNC, without a reload", `window.__labdashMarker === 3 &&
		[...document.querySelectorAll("[data-widget=change-status] tbody tr")].some(tr => /www\.s\d+\.[a-z0-9]+\.labs\.example\.com A\b/.test(tr.cells[1].textContent) &&
			/^(PENDING|INSYNC)$/.test(tr.cells[2].textContent))`)
	in.waitJS("Replace the alias with a CNAME to be offered", `window.__labdashMarker === 3 &&
		!document.querySelector("button[data-testid=action-make-cname]").disabled`)
	in.step("press Replace the alias with a CNAME", chromedp.Click(chromedp.CSS(`button[data-testid=action-make-cname]`)))
	in.waitJS("the panel to show the CNAME in two steps again, without a reload", `window.__labdashMarker === 3 &&
		!!document.querySelector("[data-widget=dns-answer] .diagram[data-dns-kind='CNAME'] svg[data-steps='2'] g.dns-step[data-type='CNAME'][data-ttl='300']")`)
	e2eScreenshot(t, in, "LABDASH_SCREENSHOT_ROUTE53", "the DNS answer panel")
}
