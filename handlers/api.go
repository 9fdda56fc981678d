package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
)

// decodeJSON reads exactly one JSON object into v, refusing unknown fields, and
// names what was wrong.
func decodeJSON(c *gin.Context, v any) error {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "application/json" {
		return errorf(http.StatusUnsupportedMediaType, "unsupported media type", "send Content-Type: application/json")
	}
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return errorf(http.StatusBadRequest, "invalid JSON", "the body must hold exactly one JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return errorf(http.StatusRequestEntityTooLarge, "request too large", fmt.Sprintf("The request body is larger than %s, which this API does not accept.", megabytes(mbe.Limit)))
	case errors.As(err, &syn):
		return errorf(http.StatusBadRequest, "invalid JSON", fmt.Sprintf("syntax error at byte %d: %s", syn.Offset, syn.Error()))
	case errors.As(err, &typ):
		return errorf(http.StatusBadRequest, "invalid JSON", fmt.Sprintf("field %q must be %s", typ.Field, typ.Type.String()))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(http.StatusBadRequest, "invalid JSON", "the body is empty or cut short")
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return errorf(http.StatusBadRequest, "invalid JSON", err.Error())
	}
	return errorf(http.StatusBadRequest, "invalid JSON", err.Error())
}

// validationError is a 422 whose detail lists each field's problem in a stable order.
func validationError(errs map[string]string) error {
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + errs[k]
	}
	return errorf(http.StatusUnprocessableEntity, "invalid input", strings.Join(parts, "; "))
}

type apiClass struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Isolation string    `json:"isolation"`
	Regions   []string  `json:"regions"`
	Labs      []string  `json:"labs"`
	AccountID string    `json:"account_id,omitempty"`
	Students  int       `json:"students"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

func toAPIClass(c *gin.Context, cl *db.Class) apiClass {
	role := "assistant"
	if canEdit(c, cl) {
		role = "owner"
	}
	return apiClass{ID: cl.ID, Name: cl.Name, Isolation: cl.Isolation, Regions: nonNil(cl.Regions), Labs: nonNil(cl.Labs),
		AccountID: cl.AccountID, Students: cl.Students, Role: role, CreatedAt: cl.CreatedAt}
}

type apiStudent struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Email        string     `json:"email"`
	AccountID    string     `json:"account_id,omitempty"`
	LinkActive   bool       `json:"link_active"`
	LinkIssuedAt *time.Time `json:"link_issued_at"`
	Link         string     `json:"link,omitempty"` // only in the response that issued it
}

func toAPIStudent(st db.Student) apiStudent {
	out := apiStudent{ID: st.Slug, Name: st.Name, Email: st.Email, AccountID: st.AccountID, LinkActive: st.HasLink}
	if !st.LinkIssuedAt.IsZero() {
		t := st.LinkIssuedAt
		out.LinkIssuedAt = &t
	}
	return out
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
