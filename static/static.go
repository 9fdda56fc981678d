// Package static embeds labdash's CSS and JavaScript, including htmx vendored
// from npm (htmx.org 2.0.11, htmx-ext-ws 2.0.4), so nothing loads from a CDN.
package static

import "embed"

// FS holds the files served under /static/.
//
//go:embed *.css *.js *.svg
var FS embed.FS
