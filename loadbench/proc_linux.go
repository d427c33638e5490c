package loadbench

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill cmd if the bench dies first, killed
// itself, so that no serve process or balancer outlives a bench.
func dieWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
