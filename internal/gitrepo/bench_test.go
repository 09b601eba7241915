package gitrepo

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

// BenchmarkLargeRepo runs on 2,000 overlays and 20,000 commits (generated once):
//   - snapshot-partial, snapshot-full: what every release pays, a warm Open (a no-op fetch),
//     a snapshot of the overlay (or of everything), and its removal;
//   - history: one overlay's log and its kustomization at each of those commits.
func BenchmarkLargeRepo(b *testing.B) {
	start := time.Now()
	bare := gitserver.GenerateLargeRepo(b, filepath.Join(b.TempDir(), "infra.git"), 2000, 20000)
	generated := time.Since(start)
	opts := OpenOptions{CacheRoot: b.TempDir(), Remote: "file://" + bare, Git: &Git{Env: gitserver.Env(b)}}
	ctx := context.Background()
	start = time.Now()
	r, err := Open(ctx, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generate: %v, cold blobless clone: %v", generated, time.Since(start))

	env, svc := gitserver.LargeRepoOverlay(0)
	for _, tc := range []struct {
		name   string
		sparse []string
	}{
		{"snapshot-partial", []string{"overlays/" + env + "/" + svc, "base/" + svc}},
		{"snapshot-full", nil},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cycle := func() {
				r, err := Open(ctx, opts)
				if err != nil {
					b.Fatal(err)
				}
				w, err := r.NewSnapshot(ctx, RemoteRef("main"), tc.sparse...)
				if err != nil {
					b.Fatal(err)
				}
				if err := w.Remove(); err != nil {
					b.Fatal(err)
				}
			}
			cycle() // the first checkout fetches the blobs it needs
			for b.Loop() {
				cycle()
			}
		})
	}

	b.Run("history", func(b *testing.B) {
		env, svc := gitserver.LargeRepoOverlay(7)
		file := "overlays/" + env + "/" + svc + "/kustomization.yaml"
		for b.Loop() {
			out, err := r.Log(ctx, LogQuery{Ref: RemoteRef("main"), Paths: []string{file}, Limit: 20, Format: "%H"})
			if err != nil || len(out) == 0 {
				b.Fatalf("Log = %q, %v", out, err)
			}
			var specs []string
			for _, rec := range strings.Split(string(out), "\x00") {
				if sha := strings.TrimSpace(rec); fullSHA.MatchString(sha) {
					specs = append(specs, sha+":"+file)
				}
			}
			blobs, err := r.ReadBlobs(ctx, specs)
			if err != nil || len(blobs) != len(specs) {
				b.Fatalf("ReadBlobs = %d blobs, %v", len(blobs), err)
			}
		}
	})
}
