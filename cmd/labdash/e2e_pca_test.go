package main

import (
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestE2EDisableSubordinateCALive: in the demo class (simulated AWS at 60×), a
// student's subordinate CA is ACTIVE; the instructor presses "Disable the
// subordinate CA" on that student's page and, without a reload, the CA
// hierarchy widget shows the subordinate DISABLED (and still billed); pressing
// "Re-enable the subordinate CA" turns it back to ACTIVE, still without a reload.
func TestE2EDisableSubordinateCALive(t *testing.T) {
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
	const sub = `document.querySelector("[data-widget=hierarchy] g.node[data-kind='Subordinate CA']")`
	// A student whose whole chain is built right (the subordinate ACTIVE and signing
	// the certificate, the :443 listener verified by the TLS probe), so Disable is
	// offered and the picture shows what disabling breaks; a student who made one
	// of the usual mistakes, or has not got that far, is passed over.
	ready := `(() => { const b = document.querySelector("button[data-testid=action-disable-sub-ca]"); const s = ` + sub + `;
		const st = document.querySelector("[data-testid=rehearsal-state-pca]");
		return !!b && !b.disabled && !!s && s.dataset.state === "ACTIVE" && /signs the certificate/.test(s.textContent) &&
			!!document.querySelector("[data-widget=hierarchy] .diagram[data-chain-tls=true]") &&
			!!document.querySelector("[data-widget=hierarchy] g.node.tone-ok[data-kind='Certificate'][data-state=ISSUED]") &&
			!!st && /HTTPS :443 listener: present/.test(st.textContent); })()`
	href := e2eFindDemoStudent(in, base, classURL, ready, 60*time.Second, "no demo student's subordinate CA was ACTIVE with an issued certificate in time")
	t.Logf("student %s has an ACTIVE subordinate CA", href)
	in.waitJS("the hierarchy drawn as SVG with its cost line", `/CAs? billed: \$400\/month each/.test(document.querySelector("[data-widget=hierarchy] svg.cachain [data-testid=ca-cost]").textContent)`)
	e2eRun(in, "mark the page", chromedp.Evaluate[bool](`window.__labdashMarker = 9; true`))
	in.step("press Disable the subordinate CA", chromedp.Click(chromedp.CSS(`button[data-testid=action-disable-sub-ca]`)))
	in.waitJS("the rehearsal block to say what happened, in place", `window.__labdashMarker === 9 &&
		/^Disabled the subordinate CA \(still billed\)/.test(document.querySelector("[data-testid=rehearsal-result-pca]").textContent) &&
		document.querySelector("button[data-testid=action-disable-sub-ca]").disabled`)
	in.waitJS("the hierarchy to show the subordinate DISABLED without a reload", `window.__labdashMarker === 9 && (() => { const s = `+sub+`;
		return !!s && s.dataset.state === "DISABLED" && s.classList.contains("tone-bad") &&
			/2 CAs billed/.test(document.querySelector("[data-widget=hierarchy] [data-testid=ca-cost]").textContent); })()`)
	// The picture is the lab's card alone (the whole student page is 8,000 px tall).
	if path := os.Getenv("LABDASH_SCREENSHOT_PCA"); path != "" {
		png := e2eRun(in, "screenshot the lab's card", chromedp.Screenshot(chromedp.CSS(`section.lab[data-lab=pca]`)))
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in.waitJS("Re-enable to be offered", `window.__labdashMarker === 9 && (() => {
		const b = document.querySelector("button[data-testid=action-enable-sub-ca]"); return !!b && !b.disabled; })()`)
	in.step("press Re-enable the subordinate CA", chromedp.Click(chromedp.CSS(`button[data-testid=action-enable-sub-ca]`)))
	in.waitJS("the hierarchy to show the subordinate ACTIVE again without a reload", `window.__labdashMarker === 9 &&
		/^Re-enabled the subordinate CA/.test(document.querySelector("[data-testid=rehearsal-result-pca]").textContent) &&
		(() => { const s = `+sub+`; return !!s && s.dataset.state === "ACTIVE" && s.classList.contains("tone-ok"); })()`)
	if !regexp.MustCompile(`/students/`).MatchString(e2eRun(in, "read the URL", chromedp.Evaluate[string](`location.pathname`))) {
		t.Error("the page left the student")
	}
}
