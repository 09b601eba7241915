//go:build unix

package history

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// BenchmarkLoad1000Releases loads every release of an overlay changed 1,000 times in a
// 20,000-commit repository; the target is under 300 ms per Load once the OS cache is warm.
// The sub-benchmarks run in order on the same repository: as git fast-import left it, after
// `git gc` (which writes a commit-graph), and with changed-path Bloom filters, which let
// `git log -- path` skip the tree diffs of commits that did not touch the overlay.
func BenchmarkLoad1000Releases(b *testing.B) {
	dir := b.TempDir()
	importHistory(b, dir, 20000, 20)
	for _, stage := range []struct {
		name    string
		prepare []string
	}{
		{"imported", nil},
		{"gc", []string{"gc", "-q"}},
		{"bloom", []string{"commit-graph", "write", "--reachable", "--changed-paths"}},
	} {
		b.Run(stage.name, func(b *testing.B) {
			if stage.prepare != nil {
				runGit(b, dir, nil, stage.prepare...)
			}
			benchmarkLoad(b, dir)
		})
	}
}

func benchmarkLoad(b *testing.B, dir string) {
	req := Request{Source: localSource(dir), Ref: "main", Paths: []string{kfile}, Images: []string{"api"}}
	ctx := context.Background()
	rs, err := Load(ctx, req) // warms the OS cache
	if err != nil {
		b.Fatal(err)
	}
	if len(rs) != 1000 || !rs[0].Current || rs[0].Version != "v1.0.999" || rs[999].Version != "v1.0.0" {
		b.Fatalf("got %d releases from %s to %s, want 1000 from v1.0.999 to v1.0.0", len(rs), rs[0].Ref(), rs[len(rs)-1].Ref())
	}
	// CPU time of Load and its git processes: unlike wall time, it holds on a busy machine.
	before := cpuTime(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Load(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime(b)-before).Milliseconds())/float64(b.N), "cpu-ms/op")
}

func cpuTime(tb testing.TB) time.Duration {
	var total time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err != nil {
			tb.Fatal(err)
		}
		total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return total
}

func runGit(tb testing.TB, dir string, stdin []byte, args ...string) {
	tb.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	cmd.Stdin = bytes.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// importHistory writes commits commits with git fast-import; every every-th one changes
// the api overlay, the others change one of 50 other overlays.
func importHistory(tb testing.TB, dir string, commits, every int) {
	tb.Helper()
	runGit(tb, dir, nil, "init", "-q", "-b", "main")

	var s bytes.Buffer
	data := func(content string) { fmt.Fprintf(&s, "data %d\n%s\n", len(content), content) }
	release := 0
	for i := range commits {
		path, content, msg := "", "", ""
		if i%every == 0 {
			path = kfile
			content = kustomization(entry("api", fmt.Sprintf("v1.0.%d", release), ""))
			msg = fmt.Sprintf("Release api v1.0.%d (#%d)", release, i+1)
			release++
		} else {
			svc := fmt.Sprintf("svc%02d", i%50)
			path = "overlays/prod/" + svc + "/kustomization.yaml"
			content = kustomization(entry(svc, fmt.Sprintf("v%d", i), ""))
			msg = "Release " + svc
		}
		fmt.Fprintf(&s, "commit refs/heads/main\ncommitter Bot <bot@example.com> %d +0000\n", epoch.Unix()+int64(i)*60)
		data(msg)
		fmt.Fprintf(&s, "M 100644 inline %s\n", path)
		data(content)
	}
	runGit(tb, dir, s.Bytes(), "fast-import", "--quiet")
}
