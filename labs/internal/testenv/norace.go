//go:build !race

// Package testenv tells tests how they were built.
package testenv

// Race reports whether the binary was built with the race detector.
const Race = false
