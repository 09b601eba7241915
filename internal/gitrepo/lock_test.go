package gitrepo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

func TestLockWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := lockFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := lockFile(ctx, path); !errors.Is(err, context.Canceled) {
		t.Fatalf("lockFile on a held lock with a cancelled context = %v", err)
	}
	unlock()
	// The abandoned waiter gets the lock and gives it back, so it is free again.
	unlock2, err := lockFile(context.Background(), path)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	unlock2()
}

func TestCancelledCloneLeavesNoCache(t *testing.T) {
	t.Parallel()
	bare := gitserver.NewBare(t, sampleFiles)
	g, _ := newGit(t)
	cache := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hooked := *g
	hooked.Hook = func(inv Invocation) {
		if subcommand(inv.Args) == "fetch" {
			cancel()
		}
	}
	if _, err := Open(ctx, OpenOptions{CacheRoot: cache, Remote: bare, Git: &hooked}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Open = %v; want context.Canceled", err)
	}
	entries, _ := os.ReadDir(filepath.Join(cache, "repos"))
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".lock") {
			t.Errorf("cancelled clone left %s", e.Name())
		}
	}
	openRepo(t, g, cache, bare, Auth{}) // and the next Open starts afresh
}

func TestOpenSweepsAbandonedSnapshots(t *testing.T) {
	t.Parallel()
	bare := gitserver.NewBare(t, sampleFiles)
	g, _ := newGit(t)
	cache := t.TempDir()
	r := openRepo(t, g, cache, bare, Auth{})
	old, err := r.NewSnapshot(context.Background(), RemoteRef("main"))
	if err != nil {
		t.Fatal(err)
	}
	fresh := newSnapshot(t, r, RemoteRef("main"))
	// A killed gito never calls Remove; a day later the next Open clears its snapshot.
	day := time.Now().Add(-25 * time.Hour)
	if err := os.Chtimes(old.Path(), day, day); err != nil {
		t.Fatal(err)
	}
	openRepo(t, g, cache, bare, Auth{})
	if _, err := os.Stat(old.Path()); !os.IsNotExist(err) {
		t.Errorf("abandoned snapshot still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(fresh.Path(), ".gito.yaml")); err != nil {
		t.Errorf("a live snapshot was swept: %v", err)
	}
}
