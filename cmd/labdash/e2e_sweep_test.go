package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestE2ESweep visits every page of every role in one headless Chromium at a
// laptop's 1280×800 and a phone's 390×844, and checks on each what a newcomer's
// audit found wrong: no page-level horizontal scroll at 390, no table clipped
// inside a widget or card at 1280, SVG diagram text at least 11 px on screen,
// a focus ring of at least 3:1 against the page and the element, disabled
// buttons that do not look enabled, cards without a blank band at the top, and
// axe-core (static/vendor/axe.min.js, vendored from npm) with no serious or
// critical violation. Findings in files another owner is still fixing are in
// sweepKnownIssues: logged loudly, never silently passed.
//
// Roles and pages: the instructor (class list, new class form, the demo class's
// console, a student's page, cleanup plan, policies, account, audit log, roster
// preview), an assistant it invites (class list, console read-only, a refused
// page), a student through a personal link it issues, and anonymous visitors
// (sign-in, set-up, not-found and bad-link error pages).
func TestE2ESweep(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end browser test skipped in -short mode")
	}
	chromium := e2eChromium(t)
	axe, err := os.ReadFile(filepath.Join("..", "..", "static", "vendor", "axe.min.js"))
	if err != nil {
		t.Fatalf("read the vendored axe-core: %v", err)
	}
	start := time.Now()
	dir := t.TempDir()
	base := e2eStartServer(t, dir, "--sim-speed", "60", "--monitor-interval", "300ms")
	allocCtx, cancelAlloc := e2eAllocator(t, chromium)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	sw := &sweep{t: t, axe: string(axe), base: base}

	// Anonymous visitors, in a context of their own (no cookies), first: the
	// instructor's context is where the others are made from.
	in := &e2eTab{t: t, ctx: ctx, deadline: time.Now().Add(3 * e2eTotal), name: "instructor"}
	in.open()
	anonCtx, cancelAnon := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancelAnon()
	anon := &e2eTab{t: t, ctx: anonCtx, deadline: in.deadline, name: "anonymous"}
	anon.open()
	sw.page(anon, "anonymous: sign-in", "/login", 200)
	sw.page(anon, "anonymous: set-up with a bad link", "/setup/not-a-real-token", 0)
	sw.page(anon, "anonymous: not found", "/no-such-page", 404)
	sw.page(anon, "anonymous: bad personal link", "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0)

	// The instructor.
	in.navigate(base + "/login")
	in.step("sign in", chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), e2eAdminEmail), chromedp.SendKeys(chromedp.CSS("#password"), e2eAdminPassword))
	in.submit("sign in", `form[action="/login"] button[type=submit]`)
	in.waitURL("the Classes page", regexp.MustCompile(`/classes$`))
	in.poll("the demo class in the list", func(ctx context.Context) (bool, error) {
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			return false, err
		}
		return chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector("tr[data-testid=class-row] a")`))
	}, func() string { return "no demo class on /classes" })
	classURL := e2eRun(in, "read the demo class's URL", chromedp.Evaluate[string](`document.querySelector("tr[data-testid=class-row] a").getAttribute("href")`))
	sw.page(in, "instructor: class list", "/classes", 200)
	sw.page(in, "instructor: new class form", "/classes/new", 200)
	sw.page(in, "instructor: console", classURL, 200)

	// A student's page once the demo's virtual students have drawn its diagrams
	// (the failover view and the service map), so their text is checked too.
	// The virtual students need a while under -race on a busy machine, hence a
	// budget of its own rather than one step's.
	studentURL := sweepDiagramStudent(in, base, classURL, 2*time.Minute)
	sw.page(in, "instructor: student page", studentURL, 200)
	sw.page(in, "instructor: policies", classURL+"/sandboxes/policies", 200)
	sw.page(in, "instructor: account", "/account", 200)
	sw.page(in, "instructor: audit log", classURL+"/audit", 200)
	sw.page(in, "instructor: edit class", classURL+"/edit", 200)
	sw.page(in, "instructor: lab heatmap", classURL+"/labs/ga", 200)

	// The roster preview (not confirmed yet), then the confirmed import's links.
	csvPath := filepath.Join(dir, "sweep.csv")
	if err := os.WriteFile(csvPath, []byte("name,email\nSweep Student,sweep@example.edu\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	in.navigate(base + classURL)
	in.step("choose the roster file", chromedp.SetUploadFiles(chromedp.CSS("#roster-file"), []string{csvPath}))
	in.submit("preview the roster", `[data-testid=import-roster] button[type=submit]`)
	in.step("see the roster preview", chromedp.WaitVisible(chromedp.CSS("[data-testid=roster-ok]")))
	sw.check(in, "instructor: roster preview")
	in.submit("confirm the import", `[data-testid=confirm-import]`)
	in.step("see the issued link", chromedp.WaitVisible(chromedp.CSS("input[data-testid=issued-link]")))
	sw.check(in, "instructor: import result")
	studentLink := e2eRun(in, "read the issued link", chromedp.Evaluate[string](`document.querySelector("input[data-testid=issued-link]").value`))

	// An assistant, invited from the console.
	in.navigate(base + classURL)
	in.step("type the assistant's e-mail", chromedp.SendKeys(chromedp.CSS("#assistant-email"), "asa@example.edu"))
	in.submit("invite the assistant", `form[action$="/assistants"] button[type=submit]`)
	in.step("see the invitation", chromedp.WaitVisible(chromedp.CSS("#invite-url")))
	sw.check(in, "instructor: assistant invited")
	invite := e2eRun(in, "read the set-up link", chromedp.Evaluate[string](`document.querySelector("#invite-url").value`))

	asCtx, cancelAs := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancelAs()
	as := &e2eTab{t: t, ctx: asCtx, deadline: in.deadline, name: "assistant"}
	as.open()
	sw.page(as, "assistant: set-up form", strings.TrimPrefix(invite, base), 200)
	as.step("fill the set-up form", chromedp.SendKeys(chromedp.CSS("#name"), "Asa Assistant"),
		chromedp.SendKeys(chromedp.CSS("#password"), "assistant-password-1"), chromedp.SendKeys(chromedp.CSS("#confirm"), "assistant-password-1"))
	as.submit("create the account", `form[action^="/setup/"] button[type=submit]`)
	as.waitURL("the assistant's class list", regexp.MustCompile(`/classes$`))
	sw.page(as, "assistant: class list", "/classes", 200)
	sw.page(as, "assistant: console (read-only)", classURL, 200)
	if n := e2eRun(as, "look for the read-only mark", chromedp.Evaluate[int](`document.querySelectorAll("[data-testid=read-only]").length`)); n != 1 {
		as.fatalf("the assistant's console has %d read-only marks, want 1", n)
	}
	sw.page(as, "assistant: lab heatmap", classURL+"/labs/xray", 200)
	sw.page(as, "assistant: refused cleanup plan", classURL+"/cleanup", 0)

	// The student, through the personal link, without anyone's cookies.
	stCtx, cancelSt := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancelSt()
	st := &e2eTab{t: t, ctx: stCtx, deadline: in.deadline, name: "student"}
	st.open()
	sw.page(st, "student: own page via personal link", strings.TrimPrefix(studentLink, base), 200)

	// Last, since a cleanup plan is where a class's rehearsal may pause.
	sw.page(in, "instructor: cleanup plan", classURL+"/cleanup", 200)

	sw.report()
	t.Logf("sweep of %d pages at 2 widths done in %s", sw.pages, time.Since(start).Round(time.Millisecond))
}

// sweepDiagramStudent returns the path of a demo student's page that draws both
// diagrams (the failover view and the service map), trying each student in turn
// until budget runs out.
func sweepDiagramStudent(in *e2eTab, base, classURL string, budget time.Duration) string {
	in.t.Helper()
	const drawn = `!!document.querySelector("[data-widget=failover] .diagram svg text") && !!document.querySelector(".diagram[data-map] svg g.node")`
	run := func(a chromedp.Action[chromedp.Void]) error {
		ctx, cancel := context.WithTimeout(in.ctx, 10*time.Second)
		defer cancel()
		return chromedp.Do(ctx, a)
	}
	end := time.Now().Add(budget)
	tried := 0
	for time.Now().Before(end) {
		var hrefs []string
		ctx, cancel := context.WithTimeout(in.ctx, 10*time.Second)
		err := chromedp.Do(ctx, chromedp.Navigate(base+classURL))
		if err == nil {
			hrefs, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("table[data-testid=progress-grid] tbody th a")).map(a => a.getAttribute("href"))`))
		}
		cancel()
		for _, h := range hrefs {
			if time.Now().After(end) {
				break
			}
			tried++
			if run(chromedp.Navigate(base+h)) != nil {
				continue
			}
			ctx, cancel := context.WithTimeout(in.ctx, 5*time.Second)
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](drawn))
			cancel()
			if err == nil && ok {
				return h
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	in.fatalf("no demo student's page drew the failover view and the service map within %s (%d pages tried)", budget, tried)
	return ""
}

// sweepKnownIssues are findings in files owned by another helper that is fixing
// them now: page (as named in TestE2ESweep) + " " + check (an axe rule id, or
// "page-scroll-390", "clipped-table-1280", "svg-text-390", "focus-ring",
// "disabled-looks-enabled", "card-blank-band") → the owner. Each is
// logged loudly every run; remove an entry once it is fixed, so it stays fixed.
var sweepKnownIssues = map[string]string{}

// sweep holds the axe-core source and the findings of TestE2ESweep.
type sweep struct {
	t        *testing.T
	axe      string
	base     string
	pages    int
	failures []string
	known    []string
}

// page opens path in tab and checks it. want is the HTTP status to expect: 0 for
// any error status (a refusal or a bad link), since error pages are swept too.
func (s *sweep) page(tab *e2eTab, name, path string, want int64) {
	s.t.Helper()
	ctx, cancel := tab.stepCtx()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(s.base+path))
	cancel()
	if err != nil {
		tab.fatalf("%s: open %s: %v", name, path, err)
	}
	if resp != nil {
		if want != 0 && resp.Status != want {
			tab.fatalf("%s: %s answered HTTP %d, want %d", name, path, resp.Status, want)
		}
		if want == 0 && resp.Status < 400 {
			tab.fatalf("%s: %s answered HTTP %d, want an error page", name, path, resp.Status)
		}
	}
	s.check(tab, name)
}

// sweepProbe is what one width's look at a page finds.
type sweepProbe struct {
	ScrollWidth int      `json:"scrollWidth"`
	ClientWidth int      `json:"clientWidth"`
	Wide        []string `json:"wide"`    // elements sticking out past the viewport
	Clipped     []string `json:"clipped"` // tables wider than their box in a widget or card
	SmallText   []string `json:"small"`   // SVG diagram text under 11 px on screen
	Looks       []string `json:"looks"`   // "rule: detail": focus ring, disabled buttons, card bands
}

// sweepProbeJS measures the page at its current width.
const sweepProbeJS = `(() => {
	const d = document.documentElement, cw = d.clientWidth;
	const path = e => { const p = []; for (; e && e !== document.body && p.length < 4; e = e.parentElement) {
		let s = e.tagName.toLowerCase(); if (e.id) s += "#" + e.id; else if (e.className && typeof e.className === "string") s += "." + e.className.trim().split(/\s+/).join(".");
		p.unshift(s); } return p.join(" > "); };
	const wide = [];
	for (const e of document.body.querySelectorAll("*")) {
		const r = e.getBoundingClientRect();
		const placed = ["absolute", "fixed"].includes(getComputedStyle(e).position);
		if (r.right > cw + 1 && r.width > 0 && (placed || !(e.parentElement && e.parentElement.getBoundingClientRect().right > cw + 1))) {
			let clipped = false; // inside a scroll container that keeps it on the page
			for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
				const o = getComputedStyle(a).overflowX; if (o === "auto" || o === "scroll" || o === "hidden") { clipped = true; break; } }
			// an absolutely placed child escapes a scroll box that is not its containing block
			if (!clipped || placed) wide.push(path(e) + " (right edge " + Math.round(r.right) + " px)");
		}
	}
	if (wide.length === 0 && d.scrollWidth > cw + 1) { // content overflowing a box that itself fits: text, pseudo-elements
		for (const e of document.body.querySelectorAll("*")) {
			const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
			if (cs.overflowX !== "visible" || r.width === 0) continue;
			if (r.left + e.scrollWidth > cw + 1 && e.scrollWidth > e.clientWidth + 1) {
				let clipped = false;
				for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
					const o = getComputedStyle(a).overflowX; if (o === "auto" || o === "scroll" || o === "hidden") { clipped = true; break; } }
				if (!clipped) wide.push(path(e) + " (content " + e.scrollWidth + " px wide in a " + e.clientWidth + " px box)");
			}
		}
		wide.reverse(); // innermost first: that is where the long content is
	}
	const clipped = [];
	for (const tb of document.querySelectorAll(".widget table, .card table")) {
		const c = tb.parentElement;
		if (c.scrollWidth > c.clientWidth + 1) clipped.push(path(tb) + " (" + c.scrollWidth + " px in " + c.clientWidth + " px)");
	}
	const small = [];
	for (const tx of document.querySelectorAll(".diagram svg text")) {
		const svg = tx.ownerSVGElement, m = svg && svg.getScreenCTM();
		if (!m || !tx.textContent.trim()) continue;
		const px = parseFloat(getComputedStyle(tx).fontSize) * m.a;
		if (px < 11 - 0.05) small.push(JSON.stringify(tx.textContent.trim().slice(0, 40)) + " at " + px.toFixed(1) + " px");
	}
	// Looks: the focus ring against the page and the element, disabled buttons,
	// and cards whose first line starts below a blank band.
	const rgb = c => { const m = c.match(/[\d.]+/g); return m && (m.length < 4 || +m[3] > 0) ? m.slice(0, 3).map(Number) : null; };
	const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
	const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
	const bgOf = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c) return c; } return [255, 255, 255]; };
	const looks = [];
	const page = bgOf(document.body);
	const focusable = Array.from(document.querySelectorAll("main button:not([disabled]), main a.button, main a[href], main input:not([type=hidden])")).slice(0, 40);
	const seen = new Set();
	for (const e of focusable) {
		if (!e.getClientRects().length) continue;
		const bg = bgOf(e), key = bg.join();
		if (seen.has(key)) continue;
		seen.add(key);
		e.focus({preventScroll: true});
		const cs = getComputedStyle(e), ring = rgb(cs.outlineColor);
		if (!ring || cs.outlineStyle === "none" || parseFloat(cs.outlineWidth) < 2) { looks.push("focus-ring: " + path(e) + " shows no outline of 2 px or more when focused"); continue; }
		for (const [what, c] of [["page", page], ["element", bg]]) {
			const r = ratio(ring, c);
			if (r < 3) looks.push("focus-ring: " + path(e) + " ring " + cs.outlineColor + " is " + r.toFixed(2) + ":1 against the " + what + " (" + c.join(",") + "), under 3:1");
		}
	}
	if (document.activeElement) document.activeElement.blur();
	const enabled = document.querySelector("main button:not([disabled]):not(.secondary):not(.danger):not(.link)");
	for (const e of document.querySelectorAll("main button:disabled, main [aria-disabled=true]")) {
		const cs = getComputedStyle(e);
		const plain = enabled ? getComputedStyle(enabled) : null;
		const accent = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim();
		const same = !!plain && cs.backgroundColor === plain.backgroundColor && cs.color === plain.color;
		const accentBg = (() => { const i = document.createElement("i"); i.style.color = accent; document.body.appendChild(i); const c = getComputedStyle(i).color; i.remove(); return c; })();
		if (same || cs.backgroundColor === accentBg || cs.cursor === "pointer") looks.push("disabled-looks-enabled: " + path(e) + " (background " + cs.backgroundColor + ", cursor " + cs.cursor + ")");
	}
	for (const c of document.querySelectorAll("main .card")) {
		const first = Array.from(c.children).find(k => k.getClientRects().length);
		if (!first) continue;
		const cs = getComputedStyle(c), band = first.getBoundingClientRect().top - c.getBoundingClientRect().top - parseFloat(cs.borderTopWidth) - parseFloat(cs.paddingTop);
		if (band > 8) looks.push("card-blank-band: " + path(c) + " starts its first line " + Math.round(band) + " px below its padding");
	}
	return {scrollWidth: d.scrollWidth, clientWidth: cw, wide: wide.slice(0, 8), clipped, small: small.slice(0, 8), looks};
})()`

// sweepViolation is one axe-core violation, trimmed to what a report needs.
type sweepViolation struct {
	ID      string     `json:"id"`
	Impact  string     `json:"impact"`
	Help    string     `json:"help"`
	Targets [][]string `json:"targets"`
}

// sweepAxeJS runs axe-core on the page and keeps serious and critical violations.
const sweepAxeJS = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
	.filter(v => v.impact === "serious" || v.impact === "critical")
	.map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 6).map(n => n.target.map(String))})))`

// check looks at the page tab is on, at 1280×800 and at 390×844.
func (s *sweep) check(tab *e2eTab, name string) {
	s.t.Helper()
	s.pages++
	for _, vp := range []struct {
		w, h  int64
		label string
	}{{1280, 800, "1280"}, {390, 844, "390"}} {
		tab.step("size the viewport to "+vp.label, chromedp.EmulateViewport(vp.w, vp.h))
		// Let the layout settle (fonts, a live update) before measuring.
		tab.step("let the layout settle", chromedp.Sleep(150*time.Millisecond))
		p := e2eRun(tab, name+": measure at "+vp.label, chromedp.Evaluate[sweepProbe](sweepProbeJS))
		if vp.w == 390 {
			if p.ScrollWidth > p.ClientWidth+1 {
				s.finding(name, "page-scroll-390", fmt.Sprintf("the page scrolls sideways: %d px wide in a %d px viewport; sticking out: %s", p.ScrollWidth, p.ClientWidth, strings.Join(p.Wide, "; ")))
			}
			if len(p.SmallText) > 0 {
				s.finding(name, "svg-text-390", "diagram text below 11 px: "+strings.Join(p.SmallText, "; "))
			}
		}
		for _, l := range p.Looks {
			rule, detail, _ := strings.Cut(l, ": ")
			s.finding(name, rule, "at "+vp.label+" px, "+detail)
		}
		if vp.w == 1280 && len(p.Clipped) > 0 {
			s.finding(name, "clipped-table-1280", "tables clipped in their box: "+strings.Join(p.Clipped, "; "))
		}
		loaded := e2eRun(tab, name+": look for axe", chromedp.Evaluate[bool](`typeof axe === "object"`))
		if !loaded {
			e2eRun(tab, name+": inject axe-core", chromedp.Evaluate[bool](s.axe+";true"))
		}
		vs := e2eRun(tab, name+": run axe-core at "+vp.label, chromedp.Evaluate[[]sweepViolation](sweepAxeJS, chromedp.EvalAwaitPromise))
		for _, v := range vs {
			var targets []string
			for _, tg := range v.Targets {
				targets = append(targets, strings.Join(tg, " "))
			}
			s.finding(name, v.ID, fmt.Sprintf("at %s px, %s (%s): %s", vp.label, v.Help, v.Impact, strings.Join(targets, " | ")))
		}
	}
	tab.step("restore the viewport", chromedp.EmulateViewport(1280, 800))
}

// finding records one failed check, as known (owner logged) or as a failure.
func (s *sweep) finding(page, rule, detail string) {
	line := fmt.Sprintf("%s — %s: %s", page, rule, detail)
	if owner, ok := sweepKnownIssues[page+" "+rule]; ok {
		s.known = append(s.known, line+" [known, owner: "+owner+"]")
		return
	}
	s.failures = append(s.failures, line)
}

// report logs the known issues loudly and fails on everything else.
func (s *sweep) report() {
	s.t.Helper()
	sort.Strings(s.known)
	for _, k := range s.known {
		s.t.Logf("!!! KNOWN ISSUE, NOT YET FIXED: %s", k)
	}
	if len(s.failures) > 0 {
		b, _ := json.MarshalIndent(s.failures, "", "  ")
		s.t.Errorf("%d sweep finding(s):\n%s", len(s.failures), b)
	}
}
