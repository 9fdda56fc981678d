//go:build race

package testenv

// Race reports whether the binary was built with the race detector, which makes
// CPU-bound tests 5–10× slower: the 2,000-student call-count tests count calls,
// which the detector does not change, so they run without it (docs/benchmarks.md
// gives the command) and their 500-student cases run with it.
const Race = true
