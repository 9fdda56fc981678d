// Package svg draws labdash's two diagram widgets as standalone SVG: Lab 5's
// Global Accelerator failover view (Failover) and Lab 7's X-Ray service map
// (ServiceMap). Output is deterministic (golden-file tested) and every piece of
// text is escaped, since names come from AWS and from students.
package svg
