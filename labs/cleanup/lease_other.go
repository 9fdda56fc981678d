//go:build !unix

package cleanup

// processExists cannot tell on this platform: a holder waits out its lease.
func processExists(int) bool { return true }
