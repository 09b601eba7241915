package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// errLocked is what tryLock returns when another holder has the lock.
var errLocked = errors.New("locked")

// lockFile takes an exclusive lock on path, waiting until it is free or ctx ends. Every call
// opens the file anew, so goroutines of one process exclude each other as processes do.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	release := func() {
		_ = unlockFile(f)
		_ = f.Close()
	}
	if err := tryLock(f); err == nil {
		return release, nil
	} else if !errors.Is(err, errLocked) {
		_ = f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// A blocking lock cannot be interrupted, so it waits in its own goroutine; if ctx ends
	// first, that goroutine releases the lock as soon as it gets it.
	got := make(chan error, 1)
	go func() { got <- waitLock(f) }()
	select {
	case err := <-got:
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		return release, nil
	case <-ctx.Done():
		go func() {
			if <-got == nil {
				release()
				return
			}
			_ = f.Close()
		}()
		return nil, fmt.Errorf("wait for lock %s: %w", path, ctx.Err())
	}
}
