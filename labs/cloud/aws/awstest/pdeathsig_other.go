//go:build !linux

package awstest

import "os/exec"

// setParentDeath does nothing outside Linux: only Main's Stop ends moto there.
func setParentDeath(*exec.Cmd) {}
