package cleanup

// Job leases: which process runs a cleanup job. A lease names its holder as
// host|pid|nonce; a holder on this host whose process no longer exists is dead
// at once (kill -9 leaves no heartbeat to wait out), one elsewhere after its
// lease's lifetime without a heartbeat.

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// processOwner names this process in job leases.
var processOwner = func() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s|%d|%s", host, os.Getpid(), hex.EncodeToString(b))
}()

// holderAlive reports whether the process a lease names may still run: false only
// when it names this host and a process that no longer exists.
func holderAlive(holder string) bool {
	parts := strings.Split(holder, "|")
	if len(parts) != 3 {
		return true
	}
	host, _ := os.Hostname()
	pid, err := strconv.Atoi(parts[1])
	if parts[0] != host || err != nil || pid <= 0 {
		return true
	}
	if holder == processOwner {
		return true
	}
	return processExists(pid)
}
