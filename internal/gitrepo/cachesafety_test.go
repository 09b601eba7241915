package gitrepo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

// S6: a lock file left behind by a killed git (here commit-graph-chain.lock, which made every
// later release fail) is recovered by the next open, which holds gito's own lock.
func TestOpenRecoversStaleLocks(t *testing.T) {
	t.Parallel()
	bare := gitserver.NewBare(t, sampleFiles)
	g, _ := newGit(t)
	cache := t.TempDir()
	r := openRepo(t, g, cache, bare, Auth{})
	stale := []string{
		filepath.Join(r.Dir(), "objects", "info", "commit-graphs", "commit-graph-chain.lock"),
		filepath.Join(r.Dir(), "packed-refs.lock"),
		filepath.Join(r.Dir(), "refs", "remotes", "origin", "main.lock"),
	}
	for _, p := range stale {
		writeFile(t, p, "")
	}
	// A new commit on the remote makes the fetch write refs and the commit-graph.
	gitserver.Commit(t, bare, "main", "move main", map[string]string{"overlays/prod/api/kustomization.yaml": "x\n"})
	r = openRepo(t, g, cache, bare, Auth{})
	for _, p := range stale {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still there after open: %v", p, err)
		}
	}
	if _, _, err := r.RemoteBranchSHA(context.Background(), "main"); err != nil {
		t.Fatal(err)
	}
}

// S6: no git child of gito writes the shared commit-graph or starts gc on its own, not even
// the fetches git runs by itself for missing blobs: the settings travel in the environment.
func TestEveryChildGetsCacheConfig(t *testing.T) {
	t.Parallel()
	g := &Git{Env: []string{"PATH=" + os.Getenv("PATH"), "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=user.name", "GIT_CONFIG_VALUE_0=Dev"}}
	out, err := g.output(context.Background(), t.TempDir(), nil, "config", "--list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"user.name=Dev", "fetch.writecommitgraph=false", "gc.auto=0", "maintenance.auto=false"} {
		if !strings.Contains(string(out), want+"\n") {
			t.Errorf("git config --list lacks %q:\n%s", want, out)
		}
	}
}

// S9: credential variables never reach a git child; the scoped helper's own variable does.
func TestEnvironDropsCredentialVariables(t *testing.T) {
	t.Parallel()
	g := &Git{Env: []string{"PATH=/bin", "GH_ENTERPRISE_TOKEN=ghe-secret", "GITLAB_TOKEN=gl-secret", "ARGOCD_AUTH_TOKEN=argo", "HOME=/h"}}
	env := strings.Join(g.environ([]string{tokenEnv + "=scoped"}), "\n")
	for _, leaked := range []string{"ghe-secret", "gl-secret", "argo"} {
		if strings.Contains(env, leaked) {
			t.Errorf("git child environment carries %q:\n%s", leaked, env)
		}
	}
	if !strings.Contains(env, tokenEnv+"=scoped") || !strings.Contains(env, "HOME=/h") {
		t.Errorf("environment lost what git needs:\n%s", env)
	}
}

// S7: however the remote words it, losing a race on the branch is ErrStaleLease.
func TestLostRace(t *testing.T) {
	t.Parallel()
	for _, status := range []string{
		"[rejected] (stale info)",
		"[remote rejected] (failed to update ref)",
		"[remote rejected] (cannot lock ref 'refs/heads/gito/prod/api': is at 1 but expected 2)",
		"[rejected] (fetch first)",
	} {
		if !lostRace(status) {
			t.Errorf("lostRace(%q) = false", status)
		}
	}
	for _, status := range []string{"[remote rejected] (pre-receive hook declined)", "[rejected] (protected branch)"} {
		if lostRace(status) {
			t.Errorf("lostRace(%q) = true", status)
		}
	}
}
