package main

import (
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestE2EErrorBackAndPasswordChange: in a real browser, an error page reached from a
// page of labdash offers Back to that page (the browser must send the Referer, which
// no-referrer stopped), and the Account page changes the password.
func TestE2EErrorBackAndPasswordChange(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end browser test skipped in -short mode")
	}
	chromium := e2eChromium(t)
	base := e2eStartServer(t, t.TempDir())
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

	// Follow a link from the Account page to a page that does not exist.
	in.navigate(base + "/account?from=here")
	in.step("follow a dead link", chromedp.Evaluate[chromedp.Void](`(() => { const a = document.createElement("a"); a.href = "/classes/cnope"; document.body.append(a); a.click(); })()`))
	in.waitJS("the error page", `!!document.querySelector("[data-testid=error-message]")`)
	back := e2eRun(in, "read Back", chromedp.Evaluate[string](`(document.querySelector("a[data-testid=error-back]") || {}).getAttribute?.("href") || ""`))
	if back != "/account?from=here" {
		t.Fatalf("Back goes to %q; want /account?from=here (did the browser send a Referer?)", back)
	}

	// Change the password; the notice says so and the new one signs in.
	const newPW = "a-new-password-456"
	in.navigate(base + "/account")
	in.step("fill the password form", chromedp.WaitVisible(chromedp.CSS("#current")),
		chromedp.SendKeys(chromedp.CSS("#current"), e2eAdminPassword),
		chromedp.SendKeys(chromedp.CSS("#new-password"), newPW),
		chromedp.SendKeys(chromedp.CSS("#confirm"), newPW))
	in.submit("change the password", `form[action="/account/password"] button[type=submit]`)
	in.waitJS("the notice", `(document.querySelector("[data-testid=password-changed]") || {}).textContent?.includes("Your password was changed") === true`)
	in.submit("sign out", `form[action="/logout"] button[type=submit]`)
	in.waitURL("the sign-in page", regexp.MustCompile(`/login$`))
	in.step("sign in with the new password", chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), e2eAdminEmail), chromedp.SendKeys(chromedp.CSS("#password"), newPW))
	in.submit("sign in", `form[action="/login"] button[type=submit]`)
	in.waitURL("the Classes page", regexp.MustCompile(`/classes$`))
}
