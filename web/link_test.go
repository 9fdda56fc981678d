package web

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/labdash/labdash/labs"
)

// TestWidgetLinks: a tile's link is drawn only for an absolute http(s) URL, and
// opens in a new tab without an opener (the site is the student's page).
func TestWidgetLinks(t *testing.T) {
	for u, drawn := range map[string]bool{
		"http://127.0.0.1:4567/c42s07-slots-site/":             true,
		"https://b.s3-website-us-east-1.amazonaws.com/":        true,
		"javascript:alert(1)":                                  false,
		"data:text/html,<script>alert(1)</script>":             false,
		"/classes/c42/delete":                                  false,
		"//evil.test/":                                         false,
		"http://user:pw@b.s3-website-us-east-1.amazonaws.com/": false,
		"": false,
	} {
		var buf bytes.Buffer
		box := WidgetBox{Slug: "s07", Lab: "slots", ID: "website", Title: "Website probe",
			View: labs.WidgetView{Tile: &labs.Tile{Lines: []string{"HTTP 200"}, Links: []labs.Link{{Label: "Open the slot machine", URL: u}}}}}
		if err := Widget(box).Render(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		html := buf.String()
		if got := strings.Contains(html, `data-testid="link-website"`); got != drawn {
			t.Errorf("link %q drawn = %v, want %v:\n%s", u, got, drawn, html)
		}
		if drawn && !strings.Contains(html, `rel="noopener noreferrer"`) {
			t.Errorf("link %q without rel=noopener: %s", u, html)
		}
	}
}
