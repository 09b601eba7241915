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
