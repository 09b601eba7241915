//go:build unix

package gitrepo

import (
	"os"
	"syscall"
)

// terminate asks git to stop: on SIGTERM it removes its lock files and temporary packs.
func terminate(p *os.Process) error { return p.Signal(syscall.SIGTERM) }
