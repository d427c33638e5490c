//go:build !linux

package loadbench

import "os/exec"

// dieWithParent does nothing here: only Linux kills a child when its
// parent dies. The bench stops its children when it ends, and on Ctrl-C.
func dieWithParent(cmd *exec.Cmd) {}
