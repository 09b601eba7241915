package integration

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/app"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/testutil"
	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

// BenchmarkWarmStatus times `gito status --json` (fetch, one tree listing with blob ids, one
// batched read of every overlay and signature by id) on a generated repo of 10,000 overlays, cache warm,
// and reports it as a ratio of a floor measured in the same run: `git ls-tree -r` of the
// same commit in the same cache, the least any tree read costs. Target: ≤ 2 s warm.
//
//	go test -run '^$' -bench WarmStatus -benchtime 5x ./integration
func BenchmarkWarmStatus(b *testing.B) {
	bare := filepath.Join(b.TempDir(), "large.git")
	gitserver.GenerateLargeRepo(b, bare, 10000, 100)
	getenv := testutil.GitoEnv(b)
	status := func() {
		ios, _, out, errOut := iostreams.Test()
		f := app.NewFactory(getenv)
		f.IOStreams = ios
		if code := app.Run(context.Background(), f, []string{"status", "--repo", bare, "--json"}); code != 0 {
			b.Fatalf("gito status: exit %d: %s", code, errOut)
		}
		if n := strings.Count(out.String(), `"service"`); n != 10000 {
			b.Fatalf("status listed %d overlays, want 10000", n)
		}
	}
	status() // cold: clones the cache
	floor := func() time.Duration {
		start := time.Now()
		cmd := exec.Command("git", "-C", bare, "ls-tree", "-r", "main")
		var sink bytes.Buffer
		cmd.Stdout = &sink
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var floorTotal time.Duration
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		status()
	}
	elapsed := time.Since(start)
	b.StopTimer()
	for range b.N {
		floorTotal += floor()
	}
	per := elapsed / time.Duration(b.N)
	b.ReportMetric(float64(per.Milliseconds()), "ms/status")
	b.ReportMetric(float64(elapsed)/float64(floorTotal), "x-ls-tree")
	if per > 2*time.Second {
		b.Logf("warning: warm status took %s, over the 2 s target", per)
	}
}
