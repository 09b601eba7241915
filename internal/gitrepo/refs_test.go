package gitrepo

import (
	"context"
	"testing"

	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

func TestFetchRemoteBranchesAndBlobIDs(t *testing.T) {
	t.Parallel()
	g, rec := newGit(t)
	bare := gitserver.NewBare(t, map[string]string{"a/kustomization.yaml": "resources: []\n", "b.txt": "b\n"})
	r := openRepo(t, g, t.TempDir(), bare, Auth{})
	ids, err := r.ListBlobIDs(context.Background(), RemoteRef("main"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || len(ids["a/kustomization.yaml"]) != 40 || ids["a/kustomization.yaml"] == ids["b.txt"] {
		t.Fatalf("ids = %v", ids)
	}

	head := gitserver.Commit(t, bare, "gito/prod/api", "release", map[string]string{"a/kustomization.yaml": "resources: []\n", "b.txt": "c\n"}) // a new branch starts from an empty tree
	before := rec.count("fetch")
	if err := r.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rec.count("fetch") != before+1 {
		t.Errorf("Fetch ran %d fetches", rec.count("fetch")-before)
	}
	branches, err := r.RemoteBranches(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if branches["gito/prod/api"] != head || branches["main"] != gitserver.Head(t, bare, "main") || len(branches) != 2 {
		t.Errorf("branches = %v", branches)
	}
	after, err := r.ListBlobIDs(context.Background(), RemoteRef("gito/prod/api"))
	if err != nil {
		t.Fatal(err)
	}
	if after["a/kustomization.yaml"] != ids["a/kustomization.yaml"] || after["b.txt"] == ids["b.txt"] {
		t.Errorf("blob ids after a change of b.txt: %v, before %v", after, ids)
	}
	if _, err := r.ListBlobIDs(context.Background(), "-x"); err == nil {
		t.Error("an option-like ref was accepted")
	}
}

// An update fetches only branches at commits the cache lacks: the release branch this cache
// pushed is known already, and a branch gone upstream is dropped without a fetch.
func TestOpenFetchesOnlyWhatMoved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bare := gitserver.NewBare(t, sampleFiles)
	g, rec := newGit(t)
	cache := t.TempDir()
	r := openRepo(t, g, cache, bare, Auth{})
	s := newSnapshot(t, r, RemoteRef("main"), "overlays/prod/api")
	writeFile(t, s.Abs("overlays/prod/api/kustomization.yaml"), "images: []\n")
	sha, err := s.Commit(ctx, CommitOptions{Message: "release", Paths: []string{"overlays/prod/api/kustomization.yaml"}, AuthorEmail: "dev@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Push(ctx, PushOptions{SHA: sha, Branch: "gito/prod/api"}); err != nil {
		t.Fatal(err)
	}
	before := rec.count("fetch")
	again := openRepo(t, g, cache, bare, Auth{})
	if n := rec.count("fetch") - before; n != 0 {
		t.Errorf("the branch this cache pushed was fetched again (%d fetches)", n)
	}
	assertBranch(t, again, "gito/prod/api", sha)

	gitserver.Git(t, gitserver.Env(t), bare, "", "update-ref", "-d", "refs/heads/gito/prod/api")
	last := openRepo(t, g, cache, bare, Auth{})
	if _, ok, err := last.RemoteBranchSHA(ctx, "gito/prod/api"); ok || err != nil {
		t.Errorf("a branch deleted upstream is still cached (%v)", err)
	}
	if n := rec.count("fetch") - before; n != 0 {
		t.Errorf("dropping a branch fetched %d times", n)
	}
}
