package gitrepo

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

// useCache opens the cache, checks out a private worktree, commits in it and removes it: the
// steps parallel gito processes share a cache for.
func useCache(ctx context.Context, g *Git, cacheRoot, remoteURL, name string) error {
	r, err := Open(ctx, OpenOptions{CacheRoot: cacheRoot, Remote: remoteURL, Git: g})
	if err != nil {
		return err
	}
	w, err := r.NewSnapshot(ctx, RemoteRef("main"), "overlays/prod/api")
	if err != nil {
		return err
	}
	defer w.Remove()
	want := sampleFiles["overlays/prod/api/kustomization.yaml"]
	if got, err := os.ReadFile(filepath.Join(w.Path(), "overlays/prod/api/kustomization.yaml")); err != nil || string(got) != want {
		return fmt.Errorf("%s: checked out %q, %v", name, got, err)
	}
	if err := os.WriteFile(filepath.Join(w.Path(), "overlays/prod/api/kustomization.yaml"), []byte(name), 0o644); err != nil {
		return err
	}
	if _, err := w.Commit(ctx, CommitOptions{Message: name, AuthorEmail: "dev@example.com"}); err != nil {
		return err
	}
	return w.Remove()
}

func TestConcurrentGoroutinesShareCache(t *testing.T) {
	t.Parallel()
	bare := gitserver.NewBare(t, sampleFiles)
	g, _ := newGit(t)
	cache := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = useCache(context.Background(), g, cache, bare, fmt.Sprintf("goroutine %d", i)) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("goroutine %d: %v", i, err)
		}
	}
	assertNoSnapshots(t, openRepo(t, g, cache, bare, Auth{}))
}

const (
	helperCacheEnv  = "GITO_GITREPO_TEST_CACHE"
	helperRemoteEnv = "GITO_GITREPO_TEST_REMOTE"
)

// TestHelperProcess is the child of TestConcurrentProcessesShareCache.
func TestHelperProcess(t *testing.T) {
	cache, remoteURL := os.Getenv(helperCacheEnv), os.Getenv(helperRemoteEnv)
	if cache == "" {
		return // not a child: nothing to do (a skip would read as a missing referee in CI)
	}
	g := &Git{}
	if err := useCache(context.Background(), g, cache, remoteURL, fmt.Sprintf("process %d", os.Getpid())); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentProcessesShareCache(t *testing.T) {
	t.Parallel()
	bare := gitserver.NewBare(t, sampleFiles)
	cache := t.TempDir()
	env := append(gitserver.Env(t), helperCacheEnv+"="+cache, helperRemoteEnv+"="+bare)
	var cmds []*exec.Cmd
	outs := make([][]byte, 3)
	for range outs {
		c := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		c.Env = env
		cmds = append(cmds, c)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(cmds))
	for i, c := range cmds {
		wg.Go(func() { outs[i], errs[i] = c.CombinedOutput() })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil || !strings.Contains(string(outs[i]), "PASS") || strings.Contains(string(outs[i]), "SKIP") {
			t.Errorf("process %d: %v\n%s", i, err, outs[i])
		}
	}
	g, _ := newGit(t)
	assertNoSnapshots(t, openRepo(t, g, cache, bare, Auth{}))
}

// A process that waited for the lock while another fetched does not fetch again: the other
// fetch started after it asked, so it saw every push this one could.
func TestOpenSkipsAFetchAnotherProcessJustDid(t *testing.T) {
	t.Parallel()
	bare := gitserver.NewBare(t, sampleFiles)
	g, rec := newGit(t)
	cache := t.TempDir()
	r := openRepo(t, g, cache, bare, Auth{}) // the clone
	fetches := rec.count("ls-remote")

	// A fetch that started before this Open asked for the lock does not count...
	r.recordFetch(time.Now().Add(-time.Second))
	openRepo(t, g, cache, bare, Auth{})
	if got := rec.count("ls-remote") - fetches; got != 1 {
		t.Fatalf("Open after an older fetch asked the remote %d times, want 1", got)
	}
	// ...one that started after it asked (here: recorded in the future) does.
	r.recordFetch(time.Now().Add(time.Hour))
	openRepo(t, g, cache, bare, Auth{})
	if got := rec.count("ls-remote") - fetches; got != 1 {
		t.Errorf("Open after a newer fetch asked the remote %d more times, want never", got-1)
	}
}
