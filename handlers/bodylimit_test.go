package handlers

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestOversizedBodiesAnswer413(t *testing.T) {
	h := newHarness(t)
	c := h.as(h.instructor)
	big := func(n int) []byte { return bytes.Repeat([]byte("name,email\n"), n/11+1) }
	classPath := "/classes/" + h.class.ID

	check := func(t *testing.T, r response, wantText string) {
		t.Helper()
		if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, wantText) {
			t.Fatalf("status %d, want 413 saying %q: %.600s", r.status, wantText, r.body)
		}
		if strings.Contains(r.body, "choose a CSV file") {
			t.Fatalf("413 page still says 'choose a CSV file': %.600s", r.body)
		}
	}
	t.Run("upload over 16 MB, token in the form", func(t *testing.T) {
		r := c.postFile(classPath+"/roster/preview", "roster", "big.csv", big(uploadLimit+1<<20), nil)
		check(t, r, "larger than 16 MB")
	})
	t.Run("upload over 16 MB, token in the header", func(t *testing.T) {
		tok := c.csrf()
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		fw, _ := w.CreateFormFile("roster", "big.csv")
		fw.Write(big(uploadLimit + 1<<20))
		w.Close()
		r := c.do(http.MethodPost, classPath+"/roster/preview", &b, w.FormDataContentType(), map[string]string{"X-CSRF-Token": tok})
		check(t, r, "larger than 16 MB")
	})
	t.Run("upload over 16 MB, file before the token", func(t *testing.T) {
		tok := c.csrf()
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		fw, _ := w.CreateFormFile("roster", "big.csv")
		fw.Write(big(uploadLimit + 1<<20))
		w.WriteField("csrf_token", tok)
		w.Close()
		r := c.do(http.MethodPost, classPath+"/roster/preview", &b, w.FormDataContentType(), nil)
		check(t, r, "larger than 16 MB")
	})
	t.Run("upload over 16 MB, no Content-Length (chunked)", func(t *testing.T) {
		tok := c.csrf()
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		fw, _ := w.CreateFormFile("roster", "big.csv")
		fw.Write(big(uploadLimit + 1<<20))
		w.Close()
		r := c.do(http.MethodPost, classPath+"/roster/preview", io.MultiReader(&b), w.FormDataContentType(), map[string]string{"X-CSRF-Token": tok})
		check(t, r, "The file is larger than 16 MB")
	})
	t.Run("form over 1 MB, no Content-Length (chunked)", func(t *testing.T) {
		tok := c.csrf()
		body := "name=" + strings.Repeat("a", formLimit+10) + "&email=x%40example.edu"
		r := c.do(http.MethodPost, classPath+"/students", io.MultiReader(strings.NewReader(body)), "application/x-www-form-urlencoded", map[string]string{"X-CSRF-Token": tok})
		check(t, r, "The form is larger than 1 MB")
	})
	t.Run("upload just under 16 MB is not refused for size", func(t *testing.T) {
		r := c.postFile(classPath+"/roster/preview", "roster", "big.csv", big(uploadLimit-1<<20), nil)
		if r.status == http.StatusRequestEntityTooLarge {
			t.Fatalf("15 MB upload refused as too large for the body limit: %.300s", r.body)
		}
	})
	t.Run("form over 1 MB", func(t *testing.T) {
		r := c.postForm(classPath+"/students", url.Values{"name": {strings.Repeat("a", formLimit+10)}, "email": {"x@example.edu"}})
		check(t, r, "larger than 1 MB")
	})
	t.Run("form over 1 MB, token in the header", func(t *testing.T) {
		tok := c.csrf()
		body := "name=" + strings.Repeat("a", formLimit+10) + "&email=x%40example.edu"
		r := c.do(http.MethodPost, classPath+"/students", strings.NewReader(body), "application/x-www-form-urlencoded", map[string]string{"X-CSRF-Token": tok})
		check(t, r, "larger than 1 MB")
	})
	t.Run("sign-in form over 1 MB", func(t *testing.T) {
		r := h.anon().postForm("/login", url.Values{"email": {"a@example.edu"}, "password": {strings.Repeat("p", formLimit+10)}})
		check(t, r, "larger than 1 MB")
	})
	api := h.withToken(h.apiToken)
	t.Run("API JSON over 2 MB", func(t *testing.T) {
		r := api.postJSON("/api/v1/classes/"+h.class.ID+"/students", `{"name":"`+strings.Repeat("a", apiLimit+10)+`","email":"x@example.edu"}`)
		check(t, r, "larger than 2 MB")
		if !strings.Contains(r.header.Get("Content-Type"), "json") {
			t.Fatalf("API 413 is not JSON: %q", r.header.Get("Content-Type"))
		}
	})
	t.Run("API JSON over 2 MB, no Content-Length (chunked)", func(t *testing.T) {
		body := `{"name":"` + strings.Repeat("a", apiLimit+10) + `","email":"x@example.edu"}`
		r := api.do(http.MethodPost, "/api/v1/classes/"+h.class.ID+"/students", io.MultiReader(strings.NewReader(body)), "application/json", nil)
		check(t, r, "larger than 2 MB")
	})
	t.Run("API roster over 2 MB", func(t *testing.T) {
		r := api.do(http.MethodPost, "/api/v1/classes/"+h.class.ID+"/roster", bytes.NewReader(big(apiLimit+10)), "text/csv", nil)
		check(t, r, "larger than 2 MB")
		r = api.do(http.MethodPost, "/api/v1/classes/"+h.class.ID+"/roster", bytes.NewReader(big(apiLimit-10)), "text/csv", nil)
		if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "at most 1 MB") {
			t.Fatalf("API roster between its own 1 MB and the 2 MB body limit: status %d: %.300s", r.status, r.body)
		}
	})
	t.Run("API class over 2 MB", func(t *testing.T) {
		r := api.postJSON("/api/v1/classes", `{"name":"`+strings.Repeat("a", apiLimit+10)+`"}`)
		check(t, r, "larger than 2 MB")
	})
}
