package gitrepo

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

func TestLogAndReadBlobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const file = "overlays/prod/api/kustomization.yaml"
	bare := gitserver.NewBare(t, sampleFiles)
	c0 := gitserver.Head(t, bare, "main")
	c1 := gitserver.Commit(t, bare, "main", "release api v2 to prod\n\nWhy: testing\n\nGito-Service: api\nGito-Env: prod\nGito-Version: v2\nGito-Previous: v1\n",
		map[string]string{file: "newTag: v2\n"})
	gitserver.Commit(t, bare, "main", "unrelated", map[string]string{"overlays/dev/api/kustomization.yaml": "newTag: v9\n"})
	c3 := gitserver.Commit(t, bare, "main", "release api v3 to prod\n\nGito-Version: v3\nGito-Previous: v2\n", map[string]string{file: "newTag: v3\n"})
	c4 := gitserver.Commit(t, bare, "main", "remove api from prod", map[string]string{file: gitserver.Delete})

	g, rec := newGit(t)
	r := openRepo(t, g, t.TempDir(), "file://"+bare, Auth{})
	log, err := r.Log(ctx, RemoteRef("main"), file, 0)
	if err != nil {
		t.Fatalf("Log: %v", err)
	}
	var shas []string
	for _, c := range log {
		shas = append(shas, c.SHA)
	}
	if want := []string{c4, c3, c1, c0}; !slices.Equal(shas, want) {
		t.Fatalf("Log commits = %v, want %v", shas, want)
	}
	got := log[2]
	if got.Subject != "release api v2 to prod" || !strings.HasPrefix(got.Body, "Why: testing") ||
		got.AuthorName != gitserver.AuthorName || got.AuthorEmail != gitserver.AuthorEmail ||
		!slices.Equal(got.Parents, []string{c0}) || got.Date.IsZero() {
		t.Errorf("Log entry = %+v", got)
	}
	if want := map[string]string{"Gito-Service": "api", "Gito-Env": "prod", "Gito-Version": "v2", "Gito-Previous": "v1"}; !maps.Equal(got.Trailers, want) {
		t.Errorf("trailers = %v, want %v", got.Trailers, want)
	}
	if len(log[0].Trailers) != 0 || log[0].Body != "" {
		t.Errorf("commit without body: %+v", log[0])
	}
	if limited, err := r.Log(ctx, RemoteRef("main"), file, 2); err != nil || len(limited) != 2 || limited[1].SHA != c3 {
		t.Errorf("Log limit 2 = %v, %v", limited, err)
	}
	if none, err := r.Log(ctx, RemoteRef("main"), "no/such/file", 0); err != nil || len(none) != 0 {
		t.Errorf("Log of a path never there = %v, %v", none, err)
	}

	specs := []string{c0 + ":" + file, c1 + ":" + file, c3 + ":" + file, c4 + ":" + file, c0 + ":.gito.yaml",
		c1 + ":nope/x", c3 + ":overlays/prod", "0123456789abcdef0123456789abcdef01234567:x"}
	want := map[string]string{
		c0 + ":" + file:    sampleFiles[file],
		c1 + ":" + file:    "newTag: v2\n",
		c3 + ":" + file:    "newTag: v3\n",
		c0 + ":.gito.yaml": sampleFiles[".gito.yaml"],
	}
	for round := 1; round <= 2; round++ {
		fetchesBefore := rec.count("fetch")
		blobs, err := r.ReadBlobs(ctx, specs)
		if err != nil {
			t.Fatalf("ReadBlobs: %v", err)
		}
		if len(blobs) != len(want) {
			t.Errorf("ReadBlobs returned %d blobs, want %d: %q", len(blobs), len(want), blobs)
		}
		for spec, content := range want {
			if string(blobs[spec]) != content {
				t.Errorf("ReadBlobs[%s] = %q, want %q", spec, blobs[spec], content)
			}
		}
		// The blobless cache fetches what it lacks in one request, then never again.
		wantFetches := map[int]int{1: 1, 2: 0}[round]
		if n := rec.count("fetch") - fetchesBefore; n != wantFetches {
			t.Errorf("round %d: %d fetches, want %d", round, n, wantFetches)
		}
	}
	if _, err := r.ReadBlobs(ctx, []string{"no-colon"}); err == nil {
		t.Error("ReadBlobs accepted a spec without a path")
	}
}
