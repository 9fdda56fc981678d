package main

import (
	"context"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestE2ELiveDemoClass starts the binary in sim mode, signs in, opens the demo class and
// sees the grid change (checkpoints, task counts) without reloading the page.
func TestE2ELiveDemoClass(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end browser test skipped in -short mode")
	}
	chromium := e2eChromium(t)
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0") // a fixed port, so the restarted server is where the page reconnects
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	serverArgs := []string{"--addr", addr, "--sim-speed", "60", "--monitor-interval", "300ms"}
	var stop func()
	base := e2eStartStoppable(t, dir, &stop, serverArgs...)

	allocCtx, cancelAlloc := e2eAllocator(t, chromium)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	in := &e2eTab{t: t, ctx: ctx, deadline: time.Now().Add(e2eTotal), name: "instructor"}
	in.open()
	in.navigate(base + "/login")
	in.step("sign in", chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), e2eAdminEmail), chromedp.SendKeys(chromedp.CSS("#password"), e2eAdminPassword))
	in.submit("sign in", `form[action="/login"] button[type=submit]`)
	in.waitURL("the Classes page", regexp.MustCompile(`/classes$`))

	// The demo class is seeded in the background once an instructor exists.
	in.poll("the demo class in the list", func(ctx context.Context) (bool, error) {
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			return false, err
		}
		return chromedp.Run(ctx, chromedp.Evaluate[bool](`!!Array.from(document.querySelectorAll("a")).find(a => a.textContent.includes("Demo: Fargate"))`))
	}, func() string { return "no demo class link on /classes" })
	in.step("open the demo class", chromedp.Click(chromedp.CSS(`tr[data-testid=class-row] a`)))
	in.waitJS("the live grid", `!!document.querySelector("table[data-testid=progress-grid] td[data-lab=fargate]")`)
	in.waitJS("the websocket", `!!document.querySelector("[ws-connect]")`)

	initial := e2eRun(in, "read the grid", chromedp.Evaluate[string](
		`window.__labdashMarker = 42; Array.from(document.querySelectorAll("td[data-lab=fargate]")).map(td => td.dataset.tone + ":" + td.innerText).join("|")`))
	t.Logf("initial grid: %s", initial)
	in.waitJS("a grid cell to change without a reload", `window.__labdashMarker === 42 &&
		Array.from(document.querySelectorAll("td[data-lab=fargate]")).map(td => td.dataset.tone + ":" + td.innerText).join("|") !== `+jsString(initial))
	in.waitJS("a checkpoint to pass live", `window.__labdashMarker === 42 &&
		Array.from(document.querySelectorAll("td[data-lab=fargate] [data-testid=cell-label]")).some(el => /^[1-9][0-9]*\/9$/.test(el.textContent.trim()))`)
	final := e2eRun(in, "read the grid again", chromedp.Evaluate[string](
		`Array.from(document.querySelectorAll("td[data-lab=fargate]")).map(td => td.dataset.tone + ":" + td.innerText).join("|")`))
	t.Logf("grid after live updates (no reload): %s", final)
	if os.Getenv("LABDASH_SCREENSHOT_LIVE") != "" { // a livelier picture: some students further along
		in.waitJS("a student past the load balancer", `Array.from(document.querySelectorAll("td[data-lab=fargate] [data-testid=cell-label]")).some(el => parseInt(el.textContent) >= 4)`)
	}
	e2eScreenshot(t, in, "LABDASH_SCREENSHOT_LIVE", "the live demo console")

	// Restart labdash under the open page: the socket drops, the page reconnects by
	// itself and the grid keeps changing, still without a reload.
	grid := `Array.from(document.querySelectorAll("td[data-lab=fargate]")).map(td => td.dataset.tone + ":" + td.innerText).join("|")`
	stop()
	before := e2eRun(in, "read the grid while labdash is down", chromedp.Evaluate[string](grid))
	e2eStartStoppable(t, dir, nil, serverArgs...)
	in.waitJS("the grid to change after the restart, without a reload", `window.__labdashMarker === 42 && `+grid+` !== `+jsString(before))

	// A student's row opens their Fargate widgets, which fill in live too.
	in.step("open a student's widgets", chromedp.Click(chromedp.CSS(`table[data-testid=progress-grid] tbody tr:first-child th a`)))
	in.waitJS("the service tile with a running count", `!!document.querySelector("[data-widget=service] [data-testid=count-running]")`)
	e2eScreenshot(t, in, "LABDASH_SCREENSHOT_STUDENT", "a student's live widgets")
}

// e2eScreenshot writes a full-page PNG to the path in env var, when it is set.
func e2eScreenshot(t *testing.T, in *e2eTab, env, what string) {
	path := os.Getenv(env)
	if path == "" {
		return
	}
	png := e2eRun(in, "screenshot "+what, chromedp.FullScreenshot(100))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func jsString(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		switch r {
		case '"', '\\':
			b = append(b, '\\', byte(r))
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, string(r)...)
		}
	}
	return string(append(b, '"'))
}

// TestE2EDisconnectBanner: with the console open, labdash stops; the grid says it is
// disconnected and reconnecting, with the time of the last update, and the "Cells
// update live" hint stops claiming liveness. When labdash is back on the same address
// the page reconnects by itself and the banner goes.
func TestE2EDisconnectBanner(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end browser test skipped in -short mode")
	}
	chromium := e2eChromium(t)
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0") // a fixed port, so the restarted server is where the page reconnects
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	serverArgs := []string{"--addr", addr, "--sim-speed", "60", "--monitor-interval", "300ms"}
	var stop func()
	base := e2eStartStoppable(t, dir, &stop, serverArgs...)

	allocCtx, cancelAlloc := e2eAllocator(t, chromium)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	in := e2eDemoClass(t, base, ctx)
	in.waitJS("the live grid", `!!document.querySelector("[ws-connect] table[data-testid=progress-grid]")`)
	in.waitJS("a frame over the socket", `(() => { window.__frames = window.__frames || 0;
		if (!window.__counting) { window.__counting = true; document.addEventListener("htmx:wsAfterMessage", () => window.__frames++); }
		return window.__frames > 0; })()`)
	if got := e2eRun(in, "look for a banner while connected", chromedp.Evaluate[bool](`!!document.querySelector("[data-testid=conn-banner]")`)); got {
		in.fatalf("a disconnected banner while the socket is open")
	}
	hint := `document.querySelector("[data-testid=grid-note]").textContent`
	if h := e2eRun(in, "read the hint", chromedp.Evaluate[string](hint)); !strings.Contains(h, "update live") {
		in.fatalf("grid hint %q, want it to say cells update live while connected", h)
	}

	// The student page's live area (the staff view of the first student) has the same banner.
	href := e2eRun(in, "the first student's page", chromedp.Evaluate[string](`document.querySelector("table[data-testid=progress-grid] tbody th a").getAttribute("href")`))
	sctx, scancel := chromedp.NewContext(ctx)
	defer scancel()
	st := &e2eTab{t: t, ctx: sctx, deadline: in.deadline, name: "student page"}
	st.open()
	st.navigate(base + href)
	st.waitJS("the student page's socket to open", `(() => { if (!window.__open) { window.__open = 0; document.addEventListener("htmx:wsOpen", () => window.__open++);
		document.addEventListener("htmx:wsAfterMessage", () => window.__open++); } return window.__open > 0; })()`)

	stop()
	banner := `(() => { const b = document.querySelector("[data-testid=conn-banner]");
		return !!b && b.getAttribute("role") === "status" && b.getAttribute("aria-live") === "polite" &&
			/^Disconnected — reconnecting… \(last update [0-2][0-9]:[0-5][0-9]:[0-5][0-9]\)$/.test(b.textContent); })()`
	in.waitJS("the disconnected banner with the last update's time", banner)
	st.waitJS("the student page's disconnected banner", banner)
	e2eScreenshot(t, in, "LABDASH_SCREENSHOT_DISCONNECTED", "the console while labdash is down")
	// It stays while the page retries against a server that is still down.
	time.Sleep(3 * time.Second)
	if ok := e2eRun(in, "read the banner again", chromedp.Evaluate[bool](banner)); !ok {
		in.fatalf("the banner went away while labdash was still down")
	}
	if h := e2eRun(in, "read the hint while down", chromedp.Evaluate[string](hint)); strings.Contains(h, "update live") {
		in.fatalf("grid hint %q claims liveness while disconnected", h)
	}
	above := e2eRun(in, "where the banner is", chromedp.Evaluate[bool](`(() => { const b = document.querySelector("[data-testid=conn-banner]");
		return b.nextElementSibling === document.querySelector("[ws-connect]"); })()`))
	if !above {
		in.fatalf("the banner is not right above the live grid")
	}

	e2eStartStoppable(t, dir, nil, serverArgs...)
	in.waitJS("the banner to clear after labdash is back", `!document.querySelector("[data-testid=conn-banner]")`)
	st.waitJS("the student page's banner to clear", `!document.querySelector("[data-testid=conn-banner]")`)
	if h := e2eRun(in, "read the hint after reconnecting", chromedp.Evaluate[string](hint)); !strings.Contains(h, "update live") {
		in.fatalf("grid hint %q after reconnecting, want the live wording back", h)
	}
}

// TestE2EGridOnAPhone: at 390 px the console's grid stacks into one card per student,
// with every lab's cell visible under its lab's name, and the page does not scroll
// sideways; at 1280 it is still a table with a header row. A lab's column header
// opens the lab's heatmap, which does not scroll the page sideways either.
func TestE2EGridOnAPhone(t *testing.T) {
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
	in.waitJS("the grid", `!!document.querySelector("table[data-testid=progress-grid] tbody tr td.cell")`)
	labs := e2eRun(in, "count the labs", chromedp.Evaluate[int](`document.querySelectorAll("table[data-testid=progress-grid] thead th[scope=col] a").length`))
	if labs < 2 {
		in.fatalf("the demo class has %d labs; the phone layout needs several to be tested", labs)
	}
	wide := e2eRun(in, "the grid at 1280", chromedp.Evaluate[string](`getComputedStyle(document.querySelector("table[data-testid=progress-grid]")).display + "/" +
		getComputedStyle(document.querySelector("table[data-testid=progress-grid] thead")).display`))
	if wide != "table/table-header-group" {
		in.fatalf("at 1280 the grid is %s, want a table with its header row (table/table-header-group)", wide)
	}
	// The summary row moves with the cells, without a reload: at first nobody is done.
	e2eRun(in, "mark the page", chromedp.Evaluate[int](`window.__noReload = 1`))
	in.waitJS("the summary row to count a student done, matching the cells", `window.__noReload === 1 && (() => {
		const t = document.querySelector("table[data-testid=progress-grid]");
		const tds = Array.from(t.querySelectorAll("tfoot [data-summary-lab]"));
		return tds.some(td => !/^0 of/.test(td.textContent)) && tds.every(td => {
			const cells = Array.from(t.querySelectorAll("tbody td.cell")).filter(c => c.dataset.lab === td.dataset.summaryLab);
			return td.textContent === cells.filter(c => c.dataset.tone === "pass").length + " of " + cells.length + " done";
		}); })()`)
	e2eScreenshot(t, in, "LABDASH_SCREENSHOT_GRID", "the grid at 1280")

	in.step("size the viewport to 390", chromedp.EmulateViewport(390, 844))
	in.waitJS("the grid stacked into cards", `getComputedStyle(document.querySelector("table[data-testid=progress-grid] tbody tr")).display === "block"`)
	type card struct {
		PageScroll, PageWidth int
		Cells                 []struct {
			Label, Before string
			Left, Right   float64
			W, H          float64
		}
		ViewW float64
	}
	got := e2eRun(in, "measure the first student's card", chromedp.Evaluate[card](`(() => {
		const tr = document.querySelector("table[data-testid=progress-grid] tbody tr");
		return {PageScroll: document.documentElement.scrollWidth, PageWidth: document.documentElement.clientWidth, ViewW: window.innerWidth,
			Cells: Array.from(tr.querySelectorAll("td.cell")).map(td => { const r = td.getBoundingClientRect();
				return {Label: td.dataset.label, Before: getComputedStyle(td, "::before").content, Left: r.left, Right: r.right, W: r.width, H: r.height}; })};
	})()`))
	if got.PageScroll > got.PageWidth {
		in.fatalf("at 390 the console scrolls sideways: scrollWidth %d > clientWidth %d", got.PageScroll, got.PageWidth)
	}
	if len(got.Cells) != labs {
		in.fatalf("the first card has %d cells, want one per lab (%d)", len(got.Cells), labs)
	}
	for _, c := range got.Cells {
		if c.W <= 0 || c.H <= 0 || c.Left < 0 || c.Right > got.ViewW {
			in.fatalf("cell %q is not fully visible in the first card at 390: %+v (viewport %v)", c.Label, c, got.ViewW)
		}
		if c.Label == "" || c.Before != jsString(c.Label) {
			in.fatalf("cell %q is not labelled with its lab's name (::before %s)", c.Label, c.Before)
		}
	}
	if !e2eRun(in, "the legend", chromedp.Evaluate[bool](`(() => { const l = document.querySelector("[data-testid=grid-legend]"); return !!l && l.getBoundingClientRect().width > 0 && /failing/.test(l.textContent); })()`)) {
		in.fatalf("no legend under the grid at 390")
	}
	e2eScreenshot(t, in, "LABDASH_SCREENSHOT_GRID_PHONE", "the grid at 390")

	in.step("open a lab's heatmap", chromedp.Click(chromedp.CSS(`table[data-testid=progress-grid] thead a[data-testid=heatmap-link]`)))
	in.waitJS("the heatmap", `!!document.querySelector("table[data-testid=heatmap] tbody td.hm")`)
	asOf := e2eRun(in, "read the heatmap's time", chromedp.Evaluate[string](`document.querySelector("[data-testid=heatmap-asof]").textContent`))
	in.waitJS("the heatmap to re-read itself", `document.querySelector("[data-testid=heatmap-asof]").textContent !== `+jsString(asOf))
	if w := e2eRun(in, "measure the heatmap page", chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`)); w[0] > w[1] {
		in.fatalf("at 390 the heatmap page scrolls sideways: scrollWidth %d > clientWidth %d", w[0], w[1])
	}
	if !e2eRun(in, "the sideways hint", chromedp.Evaluate[bool](`document.querySelector("[data-testid=heatmap-scroll-hint]").offsetWidth > 0`)) {
		in.fatalf("at 390 the heatmap does not say its table scrolls sideways")
	}
	e2eScreenshot(t, in, "LABDASH_SCREENSHOT_HEATMAP_PHONE", "the heatmap at 390")
	in.step("size the viewport to 1280", chromedp.EmulateViewport(1280, 900))
	e2eScreenshot(t, in, "LABDASH_SCREENSHOT_HEATMAP", "the heatmap at 1280")
}
