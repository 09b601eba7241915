package gitrepo

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

// recorder keeps every git invocation a test's runner makes.
type recorder struct {
	mu   sync.Mutex
	invs []Invocation
}

func (r *recorder) add(inv Invocation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.invs = append(r.invs, inv)
}

func (r *recorder) all() []Invocation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.invs)
}

// count returns how many invocations ran subcommand.
func (r *recorder) count(sub string) int {
	n := 0
	for _, inv := range r.all() {
		if subcommand(inv.Args) == sub {
			n++
		}
	}
	return n
}

// newGit returns a runner isolated from the machine's git config, recording invocations.
func newGit(t *testing.T) (*Git, *recorder) {
	t.Helper()
	rec := &recorder{}
	return &Git{Env: gitserver.Env(t), Hook: rec.add}, rec
}

func openRepo(t *testing.T, g *Git, cacheRoot, remoteURL string, auth Auth) *Repo {
	t.Helper()
	r, err := Open(context.Background(), OpenOptions{CacheRoot: cacheRoot, Remote: remoteURL, Auth: auth, Git: g})
	if err != nil {
		t.Fatalf("Open(%s): %v", remoteURL, err)
	}
	return r
}

func newSnapshot(t *testing.T, r *Repo, base string, sparse ...string) *Snapshot {
	t.Helper()
	w, err := r.NewSnapshot(context.Background(), base, sparse...)
	if err != nil {
		t.Fatalf("NewSnapshot(%s): %v", base, err)
	}
	t.Cleanup(func() {
		if err := w.Remove(); err != nil {
			t.Errorf("Remove: %v", err)
		}
	})
	return w
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// assertNoSnapshots checks that the cache holds no snapshot and no work tree registration.
func assertNoSnapshots(t *testing.T, r *Repo) {
	t.Helper()
	for _, dir := range []string{r.snapshotsDir(), filepath.Join(r.cacheRoot, "worktrees")} {
		entries, err := os.ReadDir(dir)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if len(entries) != 0 {
			t.Errorf("directories left behind in %s: %v", dir, entries)
		}
	}
	list := gitserver.Git(t, gitserver.Env(t), r.Dir(), "", "worktree", "list", "--porcelain")
	if n := strings.Count(list, "worktree "); n != 1 {
		t.Errorf("git worktree list shows %d entries, want only the bare repository:\n%s", n, list)
	}
}

var sampleFiles = map[string]string{
	".gito.yaml":                             "layout: overlays/{env}/{service}\n",
	"base/api/kustomization.yaml":            "resources:\n  - deployment.yaml\n",
	"base/api/deployment.yaml":               "kind: Deployment\n",
	"overlays/prod/api/kustomization.yaml":   "resources:\n  - ../../../base/api\nimages:\n  - name: api\n    newTag: v1\n",
	"overlays/dev/api/kustomization.yaml":    "resources:\n  - ../../../base/api\nimages:\n  - name: api\n    newTag: v1\n",
	"overlays/dev/worker/kustomization.yaml": "images:\n  - name: worker\n    newTag: v1\n",
}
