package handlers

import (
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/roster"
	"github.com/labdash/labdash/web"
)

// previewRoster validates an uploaded CSV and shows every bad row, or the rows to
// import. Nothing is written here.
func (s *Server) previewRoster(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p := web.RosterPreviewPage{Page: s.page(c, "Roster preview", "classes"), Class: classView(c, class)}
	fh, err := c.FormFile("roster")
	if err != nil {
		s.renderError(c, errorf(http.StatusUnprocessableEntity, "no file", "choose a CSV file to import"))
		return
	}
	p.FileName = clip(fh.Filename, 80)
	var data []byte
	if fh.Size > roster.MaxBytes {
		p.Errors = []web.RowErrorView{{Field: "file", Message: fmt.Sprintf("the file is %.1f MB; a roster may be at most %d MB (about %d students)",
			float64(fh.Size)/(1<<20), roster.MaxBytes>>20, roster.MaxStudents)}}
		render(c, s.log, http.StatusUnprocessableEntity, web.RosterPreview(p))
		return
	}
	f, err := fh.Open()
	if err != nil {
		s.renderError(c, err)
		return
	}
	defer f.Close()
	if data, err = io.ReadAll(io.LimitReader(f, roster.MaxBytes+1)); err != nil {
		s.renderError(c, err)
		return
	}
	rows, rowErrs, err := roster.Check(c.Request.Context(), s.store, class, data)
	if err != nil {
		s.renderError(c, err)
		return
	}
	status := http.StatusOK
	if len(rowErrs) > 0 {
		status = http.StatusUnprocessableEntity
		p.Errors = rowErrorViews(rowErrs)
		if p.Repeated, err = roster.AlreadyImported(c.Request.Context(), s.store, class, data); err != nil {
			s.renderError(c, err)
			return
		}
		if err := s.offerSkip(c, class, data, &p); err != nil {
			s.renderError(c, err)
			return
		}
	}
	for _, r := range rows {
		p.Rows = append(p.Rows, web.PreviewRow{Line: r.Line, Name: r.Name, Email: r.Email, AccountID: r.AccountID})
	}
	p.CSV = string(data)
	render(c, s.log, status, web.RosterPreview(p))
}

// offerSkip fills in the preview's offer to skip the students already on the roster:
// when those are the file's only problem and it has new students too (a roster
// download with names added, say), the confirm form comes with a checkbox to import
// just the new ones.
func (s *Server) offerSkip(c *gin.Context, class *db.Class, data []byte, p *web.RosterPreviewPage) error {
	news, skipped, errs, err := roster.CheckSkipping(c.Request.Context(), s.store, class, data)
	if err != nil || len(errs) > 0 || len(news) == 0 || len(skipped) == 0 {
		return err
	}
	p.SkipOffer, p.SkipNew, p.SkipCount = true, len(news), len(skipped)
	p.CSV = string(data)
	return nil
}

func rowErrorViews(errs []roster.RowError) []web.RowErrorView {
	out := make([]web.RowErrorView, len(errs))
	for i, e := range errs {
		out[i] = web.RowErrorView{Line: e.Line, Field: e.Field, Message: e.Message}
	}
	return out
}
