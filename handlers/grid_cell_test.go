package handlers

import (
	"context"
	"strings"
	"testing"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/monitor"
)

// TestCellToneUnreadableIsPendingNotFailing: a checkpoint that could not be read
// (labs.Error: no observation of the student yet, a read that failed) is not yet
// judged, so a lab at its start is pending, not red with "1 failing"; only a Fail (the
// resource exists and is wrong) makes a cell failing, and a checkpoint that passed
// earlier never does.
func TestCellToneUnreadableIsPendingNotFailing(t *testing.T) {
	lab := labs.Lab{ID: "ga", Title: "Global Accelerator failover", Observe: func(context.Context, *cloud.Clients, *labs.Cache, []labs.Target) (map[string]labs.Observation, error) {
		return nil, nil
	},
		Checkpoints: []labs.Checkpoint{{ID: "a"}, {ID: "b"}, {ID: "c"}}}
	res := func(st ...labs.Status) []labs.Result {
		out := make([]labs.Result, len(st))
		for i, s := range st {
			out[i] = labs.Result{Status: s}
		}
		return out
	}
	for name, tc := range map[string]struct {
		cell       monitor.Cell
		tone       string
		title      string // part of the cell's title
		notInTitle string
	}{
		"unreadable at the start":    {monitor.Cell{Results: res(labs.Error, labs.Pending, labs.Pending), Total: 3, Running: -1}, "pending", "0 failing, 1 not readable yet", ""},
		"all pending":                {monitor.Cell{Results: res(labs.Pending, labs.Pending, labs.Pending), Total: 3, Running: -1}, "pending", "0 failing", "not readable"},
		"one wrong":                  {monitor.Cell{Results: res(labs.Pass, labs.Fail, labs.Pending), Ever: []bool{true, false, false}, Passed: 1, Total: 3, Running: -1}, "fail", "1 failing", ""},
		"unreadable after a pass":    {monitor.Cell{Results: res(labs.Pass, labs.Error, labs.Pending), Ever: []bool{true, false, false}, Passed: 1, Total: 3, Running: -1}, "progress", "0 failing, 1 not readable yet", ""},
		"failing now, passed before": {monitor.Cell{Results: res(labs.Fail, labs.Pending, labs.Pending), Ever: []bool{true, false, false}, Passed: 1, Total: 3, Running: -1}, "progress", "0 failing", ""},
		"all passed":                 {monitor.Cell{Results: res(labs.Pass, labs.Pass, labs.Pass), Ever: []bool{true, true, true}, Passed: 3, Total: 3, Running: -1}, "pass", "3 of 3", ""},
	} {
		t.Run(name, func(t *testing.T) {
			c := tc.cell
			v := cellView("s01", lab, &c, false)
			if v.Tone != tc.tone {
				t.Errorf("tone %q, want %q (title %q)", v.Tone, tc.tone, v.Title)
			}
			if !strings.Contains(v.Title, tc.title) {
				t.Errorf("title %q lacks %q", v.Title, tc.title)
			}
			if tc.notInTitle != "" && strings.Contains(v.Title, tc.notInTitle) {
				t.Errorf("title %q says %q", v.Title, tc.notInTitle)
			}
			if v.LabName != lab.Title {
				t.Errorf("LabName %q, want the lab's title", v.LabName)
			}
		})
	}
}
