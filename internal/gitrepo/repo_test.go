package gitrepo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

func TestOpenFetchesEachRemoteKind(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"path", "file", "http"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			bare := gitserver.NewBare(t, sampleFiles)
			remoteURL := bare
			switch kind {
			case "file":
				remoteURL = "file://" + bare
			case "http":
				remoteURL = gitserver.ServeHTTP(t, filepath.Dir(bare), "").URL + "/infra.git"
			}
			g, _ := newGit(t)
			cache := t.TempDir()
			r := openRepo(t, g, cache, remoteURL, Auth{})
			if !strings.HasPrefix(r.Dir(), filepath.Join(cache, "repos")+string(filepath.Separator)) {
				t.Errorf("cache at %s, want under %s/repos", r.Dir(), cache)
			}
			cfg := readFile(t, filepath.Join(r.Dir(), "config"))
			for _, want := range []string{"partialclonefilter = blob:none", "fetch = +refs/heads/*:refs/remotes/origin/*"} {
				if !strings.Contains(cfg, want) {
					t.Errorf("cache config lacks %q:\n%s", want, cfg)
				}
			}
			// A cold start fetches the tips only; history deepens the cache, with the
			// changed-path commit-graph, and a deepened cache stays deep.
			if !r.isShallow() {
				t.Errorf("a cold Open fetched the whole history")
			}
			if err := r.Deepen(context.Background()); err != nil {
				t.Fatalf("Deepen: %v", err)
			}
			if r.isShallow() {
				t.Errorf("the cache is still shallow after Deepen")
			}
			if _, err := os.Stat(filepath.Join(r.Dir(), "objects/info/commit-graphs/commit-graph-chain")); err != nil {
				t.Errorf("no (split) commit-graph for history: %v", err)
			}
			branch, err := r.DefaultBranch(context.Background())
			if err != nil || branch != "main" {
				t.Fatalf("DefaultBranch = %q, %v; want main", branch, err)
			}
			assertBranch(t, r, "main", gitserver.Head(t, bare, "main"))

			// A new branch upstream and a moved main show up on the next Open; a deleted
			// branch is pruned.
			gitserver.Commit(t, bare, "feature", "feature", map[string]string{"x": "1"})
			next := gitserver.Commit(t, bare, "main", "second", map[string]string{"y": "2"})
			r = openRepo(t, g, cache, remoteURL, Auth{})
			assertBranch(t, r, "main", next)
			assertBranch(t, r, "feature", gitserver.Head(t, bare, "feature"))
			gitserver.Git(t, gitserver.Env(t), bare, "", "update-ref", "-d", "refs/heads/feature")
			r = openRepo(t, g, cache, remoteURL, Auth{})
			if _, ok, err := r.RemoteBranchSHA(context.Background(), "feature"); ok || err != nil {
				t.Errorf("RemoteBranchSHA(feature) after deletion: exists %v, %v; want false", ok, err)
			}
		})
	}
}

func assertBranch(t *testing.T, r *Repo, branch, want string) {
	t.Helper()
	sha, ok, err := r.RemoteBranchSHA(context.Background(), branch)
	if err != nil || !ok || sha != want {
		t.Errorf("RemoteBranchSHA(%s) = %q, %v, %v; want %q, true", branch, sha, ok, err, want)
	}
}

func TestDefaultBranchFollowsRemoteHEAD(t *testing.T) {
	t.Parallel()
	bare := gitserver.NewBare(t, sampleFiles)
	gitserver.Commit(t, bare, "trunk", "trunk", map[string]string{"t": "1"})
	gitserver.Git(t, gitserver.Env(t), bare, "", "symbolic-ref", "HEAD", "refs/heads/trunk")
	g, _ := newGit(t)
	r := openRepo(t, g, t.TempDir(), bare, Auth{})
	if b, err := r.DefaultBranch(context.Background()); err != nil || b != "trunk" {
		t.Errorf("DefaultBranch = %q, %v; want trunk", b, err)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	g, _ := newGit(t)
	missing := filepath.Join(t.TempDir(), "nope.git")
	cache := t.TempDir()
	_, err := Open(context.Background(), OpenOptions{CacheRoot: cache, Remote: missing, Git: g})
	var gitErr *Error
	if !errors.As(err, &gitErr) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "git fetch: ") {
		t.Fatalf("Open(missing) = %v; want a one-line *Error from git fetch", err)
	}
	if errors.Is(err, ErrAuth) {
		t.Errorf("a missing repository is not an auth failure: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(cache, "repos"))
	for _, e := range entries {
		if e.IsDir() {
			t.Errorf("failed clone left %s behind", e.Name())
		}
	}
	if _, err := Open(context.Background(), OpenOptions{Remote: missing, Git: g}); err == nil {
		t.Error("Open without a cache root succeeded")
	}
}

func TestListFiles(t *testing.T) {
	t.Parallel()
	bare := gitserver.NewBare(t, sampleFiles)
	g, _ := newGit(t)
	r := openRepo(t, g, t.TempDir(), bare, Auth{})
	got, err := r.ListFiles(context.Background(), RemoteRef("main"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for p := range sampleFiles {
		want = append(want, p)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("ListFiles = %v, want %v", got, want)
	}
	if _, err := r.ListFiles(context.Background(), RemoteRef("no-such-branch")); err == nil {
		t.Error("ListFiles of a missing ref succeeded")
	}
	if _, err := r.ListFiles(context.Background(), "--output=x"); err == nil {
		t.Error("ListFiles accepted an option as a ref")
	}
}
