package sim

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestServeWebsite: the simulated sites answer on a loopback port of their own,
// by the same rules as the endpoint, and only on loopback.
func TestServeWebsite(t *testing.T) {
	e := newEnv(t)
	e.site("c42s07-slots-site", true)
	e.site("c42s08-slots-site", false)
	if _, err := e.w.ServeWebsite(context.Background(), "0.0.0.0:0"); err == nil || !strings.Contains(err.Error(), "loopback only") {
		t.Fatalf("ServeWebsite on every interface: %v, want refused", err)
	}
	if got := e.w.browse(WebsiteURL("c42s07-slots-site", "us-east-1")); got != "" {
		t.Errorf("before ServeWebsite, browse = %q, want \"\"", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	at, err := e.w.ServeWebsite(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if e.w.WebsiteServer() != at {
		t.Errorf("WebsiteServer = %q, want %q", e.w.WebsiteServer(), at)
	}
	get := func(u string) (int, string) {
		t.Helper()
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	pub := e.w.browse(WebsiteURL("c42s07-slots-site", "us-east-1"))
	if pub != "http://"+at+"/c42s07-slots-site/" {
		t.Fatalf("browse = %q", pub)
	}
	if code, body := get(pub); code != 200 || body != "<html>slots</html>" {
		t.Errorf("the public site: %d %q", code, body)
	}
	if code, body := get(e.w.browse(WebsiteURL("c42s08-slots-site", "us-east-1"))); code != 403 || !strings.Contains(body, "AccessDenied") {
		t.Errorf("a site that is not public: %d %q, want 403 AccessDenied", code, body)
	}
}

// TestBrowseMapsOnlyWebsiteEndpoints: only an S3 website endpoint becomes a
// loopback URL; look-alike hosts, other schemes, ports and credentials in the URL
// map to nothing, so a link never points anywhere the student's name chose.
func TestBrowseMapsOnlyWebsiteEndpoints(t *testing.T) {
	e := newEnv(t)
	e.w.webAt.Store("127.0.0.1:4567")
	for in, want := range map[string]string{
		"http://b1.s3-website-us-east-1.amazonaws.com/":           "http://127.0.0.1:4567/b1/",
		"http://b1.s3-website.eu-west-1.amazonaws.com/index.html": "http://127.0.0.1:4567/b1/index.html",
		"http://B1.S3-WEBSITE-US-EAST-1.AMAZONAWS.COM":            "http://127.0.0.1:4567/b1/",
		"http://b1.s3-website-us-east-1.amazonaws.com/?x=1":       "http://127.0.0.1:4567/b1/?x=1",
		"https://b1.s3-website-us-east-1.amazonaws.com/":          "",
		"http://b1.s3-website-us-east-1.amazonaws.com:8080/":      "",
		"http://u:p@b1.s3-website-us-east-1.amazonaws.com/":       "",
		"http://b1.s3-website-us-east-1.amazonaws.com.evil.test/": "",
		"http://b1.s3.us-east-1.amazonaws.com/":                   "",
		"http://s3-website-us-east-1.amazonaws.com/":              "",
		"javascript:alert(1)":                                     "",
		"":                                                        "",
	} {
		if got := e.w.browse(in); got != want {
			t.Errorf("browse(%q) = %q, want %q", in, got, want)
		}
	}
}
