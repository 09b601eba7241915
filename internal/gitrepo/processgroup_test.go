//go:build linux

package gitrepo

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

// A git whose context ends while its transport helper waits on a remote that accepted the
// connection and stays silent leaves no process behind: the helper (git-remote-http) is
// stopped with it.
func TestProcessGroupStopsTheTransportHelper(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	accepted := make(chan struct{}, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered, until the listener closes
			select {
			case accepted <- struct{}{}:
			default:
			}
		}
	}()
	url := "http://" + ln.Addr().String() + "/silent.git"
	g := &Git{Env: gitserver.Env(t), ProcessGroup: true}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := g.output(ctx, t.TempDir(), nil, "ls-remote", url)
		done <- err
	}()
	<-accepted // the helper is connected and waiting for an answer
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("ls-remote on a silent remote = %v, want context.Canceled", err)
	}
	if left := processesNaming(t, ln.Addr().String()); len(left) > 0 {
		t.Errorf("left running after the cancel: %s", strings.Join(left, "; "))
	}
}

// processesNaming lists the command lines of live processes that contain s.
func processesNaming(t *testing.T, s string) []string {
	t.Helper()
	cmdlines, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range cmdlines {
		data, err := os.ReadFile(p)
		if err != nil {
			continue // exited meanwhile
		}
		if line := strings.ReplaceAll(string(data), "\x00", " "); strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return out
}

// A context that ends before git starts is an error like any cancel, not a crash.
func TestProcessGroupWithAnEndedContext(t *testing.T) {
	t.Parallel()
	g := &Git{Env: gitserver.Env(t), ProcessGroup: true}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := g.output(ctx, t.TempDir(), nil, "version"); !errors.Is(err, context.Canceled) {
		t.Fatalf("git on an ended context = %v, want context.Canceled", err)
	}
}
