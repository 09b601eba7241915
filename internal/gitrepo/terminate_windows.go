//go:build windows

package gitrepo

import (
	"os"
	"os/exec"
)

// terminate stops git; Windows has no SIGTERM to let it clean up first.
func terminate(p *os.Process) error { return p.Kill() }

// Windows has no process groups to signal: ProcessGroup stops git alone.
func inOwnGroup(*exec.Cmd)               {}
func terminateGroup(p *os.Process) error { return p.Kill() }
func killGroup(*os.Process)              {}
