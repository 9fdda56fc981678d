package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// bodyLimit caps request bodies at n bytes and answers 413 with the limit when a body
// is larger. Forms and uploads are parsed here, before any handler, because a handler
// that reads a form cut short by the cap sees missing fields and would answer 422
// ("choose a CSV file") for what is really a body too large. A declared Content-Length
// over the cap is refused without reading the body.
func (s *Server) bodyLimit(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body == nil || c.Request.Body == http.NoBody {
			c.Next()
			return
		}
		if c.Request.ContentLength > n {
			s.renderError(c, tooLarge(c, n))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		var err error
		switch ct := c.GetHeader("Content-Type"); {
		case strings.HasPrefix(ct, "multipart/form-data"):
			err = c.Request.ParseMultipartForm(multipartMemory)
		case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
			err = c.Request.ParseForm()
		}
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			s.renderError(c, tooLarge(c, n))
			return
		}
		c.Next() // any other parse error is the handler's to report, as before
	}
}

// multipartMemory is how much of an upload is held in memory; the rest goes to a
// temporary file, as gin's own FormFile does.
const multipartMemory = 1 << 20

// tooLarge is the 413 for a body over n bytes, worded for what was sent.
func tooLarge(c *gin.Context, n int64) *httpError {
	limit := megabytes(n)
	var detail string
	switch ct := c.GetHeader("Content-Type"); {
	case isAPI(c):
		detail = fmt.Sprintf("The request body is larger than %s, which this API does not accept.", limit)
	case strings.HasPrefix(ct, "multipart/form-data"):
		detail = fmt.Sprintf("The file is larger than %s, which labdash does not accept here. A roster CSV is much smaller; check that you chose the right file.", limit)
	default:
		detail = fmt.Sprintf("The form is larger than %s, which labdash does not accept; shorten what you entered and try again.", limit)
	}
	return errorf(http.StatusRequestEntityTooLarge, "request too large", detail)
}

// megabytes says n bytes as "16 MB" (or "512 KB" under a megabyte).
func megabytes(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", n>>10)
	}
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
