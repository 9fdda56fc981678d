package awstest

import (
	"os/exec"
	"syscall"
)

// setParentDeath asks Linux to SIGTERM moto when the test binary dies without
// running Main's Stop (a test that calls Moto from a package without TestMain, or
// a crash), so no moto_server outlives its tests.
func setParentDeath(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
