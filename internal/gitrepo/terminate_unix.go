//go:build unix

package gitrepo

import (
	"os"
	"os/exec"
	"syscall"
)

// terminate asks git to stop: on SIGTERM it removes its lock files and temporary packs.
func terminate(p *os.Process) error { return p.Signal(syscall.SIGTERM) }

// inOwnGroup starts x as the leader of a new process group, which its children join.
func inOwnGroup(x *exec.Cmd) { x.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// terminateGroup sends SIGTERM to git and every process it started.
func terminateGroup(p *os.Process) error { return syscall.Kill(-p.Pid, syscall.SIGTERM) }

// killGroup kills what is left of the group once git has been waited for. The group id
// cannot be reused while any member lives.
func killGroup(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGKILL) }
