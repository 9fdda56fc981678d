package sim

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/chromedp"
)

// TestSlotMachineInABrowser: the default page, served by World.Website from the
// student's bucket, pulls in Chromium: the basic flow shows three wheel images and
// a verdict, the enhanced flow shows the session policy's denial.
func TestSlotMachineInABrowser(t *testing.T) {
	chromium := os.Getenv("LABDASH_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("LABDASH_SKIP_BROWSER") == "1" {
			t.Skipf("!!! SKIPPING the slot machine browser test: chromium not found at %s and LABDASH_SKIP_BROWSER=1 !!!", chromium)
		}
		t.Fatalf("chromium not found at %s; set LABDASH_CHROMIUM or LABDASH_SKIP_BROWSER=1", chromium)
	}
	e := newEnv(t)
	l := e.slotLab(true, "")
	bucket := "c42s07-slots-site"
	e.site(bucket, true)
	upload := func(key string, body []byte, ctype string) {
		if _, err := e.c.S3.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body), ContentType: aws.String(ctype)}); err != nil {
			t.Fatal(err)
		}
	}
	upload("index.html", SlotMachinePage(l.pool, "us-east-1", l.fn, "basic"), "text/html")
	upload("enhanced/index.html", SlotMachinePage(l.pool, "us-east-1", l.fn, ""), "text/html")
	for name, b := range SlotImages() {
		upload(name, b, "image/svg+xml")
		upload("enhanced/"+name, b, "image/svg+xml")
	}
	srv := httptest.NewServer(http.StripPrefix("/sim/site", e.w.Website()))
	defer srv.Close()

	actx, cancel := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-background-networking", true), chromedp.UserDataDir(t.TempDir()))
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	eval := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("evaluate %s: %v", expr, err)
		}
		return v
	}
	// pull opens a page, presses the handle and waits for the status line to settle.
	pull := func(url string) string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#pull")), chromedp.Click(chromedp.CSS("#pull"))); err != nil {
			t.Fatalf("open %s and pull: %v", url, err)
		}
		for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			if st := eval(`document.getElementById("status").textContent`); st != "" && st != "Pulling…" {
				return st
			}
		}
		t.Fatalf("%s: the pull never answered", url)
		return ""
	}
	status := pull(srv.URL + "/sim/site/" + bucket)
	if status != "Try again." && status != "Winner!" {
		t.Fatalf("basic flow in the browser: status %q", status)
	}
	left := eval(`document.getElementById("left").getAttribute("src")`)
	loaded := ""
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end) && loaded != "true"; time.Sleep(100 * time.Millisecond) {
		loaded = eval(`String(document.getElementById("left").complete && document.getElementById("left").naturalWidth > 0)`)
	}
	if !strings.HasSuffix(left, ".svg") || loaded != "true" {
		t.Errorf("left wheel %q loaded %s", left, loaded)
	}
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		out := filepath.Join(os.TempDir(), "labdash-slot-machine.png")
		if os.WriteFile(out, shot, 0o644) == nil {
			t.Logf("screenshot: %s (%d bytes), status %q, left wheel %s", out, len(shot), status, left)
		}
	}
	status = pull(srv.URL + "/sim/site/" + bucket + "/enhanced/")
	if !strings.Contains(status, "lambda:Invoke: AccessDeniedException") || !strings.Contains(status, "session policy") {
		t.Errorf("enhanced flow shows %q; want the session policy's AccessDeniedException", status)
	}
}
