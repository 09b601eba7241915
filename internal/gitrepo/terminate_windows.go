//go:build windows

package gitrepo

import "os"

// terminate stops git; Windows has no SIGTERM to let it clean up first.
func terminate(p *os.Process) error { return p.Kill() }
