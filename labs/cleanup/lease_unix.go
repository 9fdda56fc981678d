//go:build unix

package cleanup

import (
	"errors"
	"syscall"
)

// processExists reports whether pid names a live process (signal 0 checks without
// sending anything; EPERM means it exists under another user).
func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
