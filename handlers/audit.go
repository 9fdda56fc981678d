package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/web"
)

// auditPageSize is how many entries the audit page shows at once.
const auditPageSize = 100

// auditActionRE is the shape of an action ("link.issue"); anything else is refused
// before the database is asked.
var auditActionRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$`)

// showAudit is the full audit log of a class, newest first and a page at a time.
// Pages are bounded by entry ids (?before=, ?after=), not numbers, so a page stays
// the same while new entries arrive; ?action= and ?student= narrow it. A bad
// parameter is a 422 naming it, with the filter form, never a 500.
func (s *Server) showAudit(c *gin.Context) {
	class, err := s.classFor(c, false)
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	actions, err := s.store.AuditActions(ctx, class.ID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	sts, err := s.store.Students(ctx, class.ID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	v := web.AuditLogPage{AuditPage: web.AuditPage{Page: s.page(c, "Audit log · "+class.Name, "classes"), Class: classView(c, class)}}
	v.Filter.Actions = actions
	for _, st := range sts {
		v.Filter.Students = append(v.Filter.Students, web.AuditStudent{Slug: st.Slug, Label: st.Name + " (" + st.Slug + ")"})
	}
	f, bad := auditFilter(c, class.ID, actions)
	v.Filter.Action, v.Filter.Student = f.Action, f.Student
	if bad != "" {
		v.Filter.Error = bad
		render(c, s.log, http.StatusUnprocessableEntity, web.Audit(v))
		return
	}
	entries, err := s.store.AuditPage(ctx, f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if len(entries) == 0 && f.After > 0 {
		// Nothing newer than the page asked for: the newest page instead.
		f.After = 0
		if entries, err = s.store.AuditPage(ctx, f); err != nil {
			s.renderError(c, err)
			return
		}
	}
	total, err := s.store.AuditCount(ctx, f, 0)
	if err != nil {
		s.renderError(c, err)
		return
	}
	v.Rows = auditRows(entries)
	if len(entries) > 0 {
		newer, err := s.store.AuditCount(ctx, f, entries[0].ID)
		if err != nil {
			s.renderError(c, err)
			return
		}
		first, last := newer+1, newer+len(entries)
		v.Filter.Showing = fmt.Sprintf("Entries %d–%d of %d, newest first", first, last, total)
		if total == 1 {
			v.Filter.Showing = "1 entry"
		} else if first == 1 && last == total {
			v.Filter.Showing = fmt.Sprintf("All %d entries, newest first", total)
		}
		base := "/classes/" + class.ID + "/audit"
		if newer > 0 {
			v.Filter.Newer = auditURL(base, f, "after", entries[0].ID)
			if newer > auditPageSize {
				v.Filter.Newest = auditURL(base, f, "", 0)
			}
		}
		if last < total {
			v.Filter.Older = auditURL(base, f, "before", entries[len(entries)-1].ID)
		}
	} else if f.Before > 0 && total > 0 {
		v.Filter.Showing = fmt.Sprintf("No entry older than entry %d matches; %s in all", f.Before, entryCount(total))
		v.Filter.Newest = auditURL("/classes/"+class.ID+"/audit", f, "", 0)
		v.Filter.Newer = v.Filter.Newest
	}
	render(c, s.log, http.StatusOK, web.Audit(v))
}

// auditFilter reads the audit page's query: the filter and page, or what was wrong
// with it in words. actions are the class's recorded actions.
func auditFilter(c *gin.Context, classID string, actions []string) (db.AuditFilter, string) {
	f := db.AuditFilter{ClassID: classID, Limit: auditPageSize}
	var bad []string
	if a := strings.TrimSpace(c.Query("action")); a != "" {
		switch {
		case !auditActionRE.MatchString(a) || len(a) > 64:
			bad = append(bad, fmt.Sprintf("action: %q is not an action name such as link.issue", clip(a, 40)))
		case !slices.Contains(actions, a):
			bad = append(bad, fmt.Sprintf("action: nothing of this class was recorded as %q; choose one from the list", a))
		default:
			f.Action = a
		}
	}
	if st := strings.TrimSpace(c.Query("student")); st != "" {
		if !studentSlugRE.MatchString(st) {
			bad = append(bad, fmt.Sprintf("student: %q is not a student id such as s07", clip(st, 40)))
		} else {
			f.Student = st
		}
	}
	for _, p := range []struct {
		name string
		to   *int64
	}{{"before", &f.Before}, {"after", &f.After}} {
		raw, ok := c.GetQuery(p.name)
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil || n < 1 {
			bad = append(bad, fmt.Sprintf("%s: %q is not an entry number; use the Newer and Older links", p.name, clip(raw, 40)))
			continue
		}
		*p.to = n
	}
	if f.Before > 0 && f.After > 0 {
		bad = append(bad, "before and after: give one of them, not both")
	}
	if _, ok := c.GetQuery("page"); ok {
		bad = append(bad, "page: this log is paged with the Newer and Older links (before= and after= an entry number), not page numbers")
	}
	return f, strings.Join(bad, ". ")
}

// auditURL is the audit page for filter f, at entry id of bound ("before",
// "after", or "" for the newest page).
func auditURL(base string, f db.AuditFilter, bound string, id int64) string {
	q := url.Values{}
	if f.Action != "" {
		q.Set("action", f.Action)
	}
	if f.Student != "" {
		q.Set("student", f.Student)
	}
	if bound != "" {
		q.Set(bound, strconv.FormatInt(id, 10))
	}
	if len(q) == 0 {
		return base
	}
	return base + "?" + q.Encode()
}

func entryCount(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return strconv.Itoa(n) + " entries"
}
