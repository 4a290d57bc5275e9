package sdk

import (
	"os/exec"
	"syscall"
)

// endWithThisProcess has the kernel end the emulator when this test process ends, even by a
// panic or a kill that skips its deferred Stop.
func endWithThisProcess(process *exec.Cmd) {
	process.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
