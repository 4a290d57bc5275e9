//go:build !linux

package sdk

import "os/exec"

// endWithThisProcess: elsewhere than Linux, TestMain's deferred Stop ends the emulators.
func endWithThisProcess(*exec.Cmd) {}
