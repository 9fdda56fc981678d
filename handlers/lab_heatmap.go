package handlers

import (
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/labs/monitor"
	"github.com/labdash/labdash/web"
)

var errLabNotInClass = errorf(http.StatusNotFound, "lab not in class", "this class has no such lab")

// showLabHeatmap shows one lab of a class per checkpoint (students × checkpoints),
// for the class's instructor and assistants. It is linked from the grid's column
// headers and re-reads itself every few seconds while the monitor runs.
func (s *Server) showLabHeatmap(c *gin.Context) {
	class, err := s.classFor(c, false)
	if err != nil {
		s.renderError(c, err)
		return
	}
	labID := c.Param("lab")
	if !slices.Contains(class.Labs, labID) {
		s.renderError(c, errLabNotInClass)
		return
	}
	students, err := s.store.Students(c.Request.Context(), class.ID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	lab, known := s.labs.Lab(labID)
	p := web.HeatmapPage{Class: classView(c, class), Lab: web.LabColumn{ID: labID, Title: labID},
		Built: known && lab.Built(), AsOf: time.Now().UTC().Format("15:04:05 UTC"),
		Live: s.monitor != nil}
	if known && lab.Title != "" {
		p.Lab.Title = lab.Title
	}
	p.Page = s.page(c, p.Lab.Title+" · "+class.Name, "classes")
	p.Virtual = p.Cloud == "sim"
	f, err := s.store.ClassFootprint(c.Request.Context(), class.ID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if f.CleanedUp() { // history: the sandboxes are gone, nothing changes any more
		p.Live, p.CleanedAt = false, fmtTime(f.CleanedAt)
	}
	if !p.Built {
		render(c, s.log, http.StatusOK, web.Heatmap(p))
		return
	}
	var snap map[string]map[string]monitor.Cell
	if s.monitor != nil {
		snap = s.monitor.ClassSnapshot(class.ID)
	}
	for i, cp := range lab.Checkpoints {
		p.Checkpoints = append(p.Checkpoints, web.HeatCheckpoint{N: i + 1, Title: cp.Title, Optional: cp.Optional})
	}
	p.Passed = make([]int, len(lab.Checkpoints))
	for _, st := range students {
		var cell *monitor.Cell
		if cl, ok := snap[st.Slug][labID]; ok {
			cell = &cl
		}
		row := web.HeatRow{Slug: st.Slug, Name: st.Name}
		for i, it := range checklistView(st.Slug, lab, cell, false).Items {
			title := it.Title + ": " + web.StatusWord(it.Status)
			if it.Evidence != "" {
				title += " — " + it.Evidence
			}
			row.Cells = append(row.Cells, web.HeatCell{Status: it.Status, Title: title})
			if it.Status == "pass" {
				p.Passed[i]++
			}
		}
		p.Rows = append(p.Rows, row)
	}
	render(c, s.log, http.StatusOK, web.Heatmap(p))
}
