package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gito-dev/gito/internal/app"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/pipeline"
	"github.com/gito-dev/gito/internal/testutil"
	"github.com/gito-dev/gito/internal/testutil/gitserver"
	"github.com/gito-dev/gito/internal/tui/picker"
	"github.com/gito-dev/gito/internal/workspace"
)

// BenchmarkWarmRelease times a whole `gito release` (fetch, sparse work tree, edit, render
// twice, commit, push with lease) with the cache already present, on the demo repo and on a
// generated repo of 2,000 overlays and 20,000 commits. Each iteration releases a new
// version, so no run is a no-op.
//
//	go test -run '^$' -bench WarmRelease -benchtime 20x ./integration
func BenchmarkWarmRelease(b *testing.B) {
	b.Run("demo", func(b *testing.B) {
		bare := demoRemote(b)
		benchRelease(b, bare, "api", "prod")
	})
	b.Run("2000-overlays-20000-commits", func(b *testing.B) {
		bare := filepath.Join(b.TempDir(), "large.git")
		start := time.Now()
		gitserver.GenerateLargeRepo(b, bare, 2000, 20000)
		b.Logf("generated the repo in %s", time.Since(start).Round(time.Millisecond))
		env, service := gitserver.LargeRepoOverlay(1234)
		benchRelease(b, bare, service, env)
	})
}

func demoRemote(b *testing.B) string {
	fixture, err := filepath.Abs("testdata/infra")
	if err != nil {
		b.Fatal(err)
	}
	env := gitserver.Env(b)
	src := filepath.Join(b.TempDir(), "src")
	if err := os.CopyFS(src, os.DirFS(fixture)); err != nil {
		b.Fatal(err)
	}
	bare := filepath.Join(b.TempDir(), "infra.git")
	gitserver.Git(b, env, src, "", "init", "-q", "-b", "main")
	gitserver.Git(b, env, src, "", "add", "-A")
	gitserver.Git(b, env, src, "", "-c", "user.name=Bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "infra")
	gitserver.InitBare(b, bare)
	gitserver.Git(b, env, src, "", "push", "-q", bare, "main")
	return bare
}

func benchRelease(b *testing.B, bare, service, env string) {
	getenv := testutil.GitoEnv(b)
	release := func(i int) {
		ios, _, _, errOut := iostreams.Test()
		f := app.NewFactory(getenv)
		f.IOStreams = ios
		args := []string{"release", "--repo", bare, "-s", service, "-e", env, "--version", fmt.Sprintf("v9.%d.0", i), "--yes"}
		if code := app.Run(context.Background(), f, args); code != 0 {
			b.Fatalf("gito %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
	}
	start := time.Now()
	release(0) // cold: clones the cache
	b.Logf("cold release (clone) took %s", time.Since(start).Round(time.Millisecond))
	b.ResetTimer()
	for i := 1; i <= b.N; i++ {
		release(i)
	}
}

// BenchmarkHistoryJSON times `gito history --json` (fetch, sparse work tree, log, blobs,
// signatures) on an overlay with 1,000 releases in a repo of 20,000 commits, cache warm.
//
//	go test -run '^$' -bench HistoryJSON -benchtime 10x ./integration
func BenchmarkHistoryJSON(b *testing.B) {
	bare := filepath.Join(b.TempDir(), "history.git")
	gitserver.GenerateLargeRepo(b, bare, 20, 20000) // 20 overlays: each changes 1,000 times
	env, service := gitserver.LargeRepoOverlay(3)
	getenv := testutil.GitoEnv(b)
	run := func() int {
		ios, _, out, errOut := iostreams.Test()
		f := app.NewFactory(getenv)
		f.IOStreams = ios
		args := []string{"history", "--repo", bare, "-s", service, "-e", env, "--limit", "0", "--json"}
		if code := app.Run(context.Background(), f, args); code != 0 {
			b.Fatalf("gito %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
		return strings.Count(out.String(), `"version"`)
	}
	start := time.Now()
	n := run() // cold: clone, and fetch the 1,000 blobs once
	b.Logf("cold history of %d releases took %s", n, time.Since(start).Round(time.Millisecond))
	if n != 1001 { // the initial version and 1,000 releases
		b.Fatalf("history has %d releases, want 1001", n)
	}
	b.ResetTimer()
	for b.Loop() {
		run()
	}
}

// BenchmarkPickerFirstFrame times what stands between `gito rollback` on a terminal and the
// picker's first frame with data: open the workspace (fetch, sparse work tree), load the
// history of an overlay with 1,000 releases, deliver it to the model and render the view.
//
//	go test -run '^$' -bench PickerFirstFrame -benchtime 10x ./integration
func BenchmarkPickerFirstFrame(b *testing.B) {
	bare := filepath.Join(b.TempDir(), "picker.git")
	gitserver.GenerateLargeRepo(b, bare, 20, 20000)
	env, service := gitserver.LargeRepoOverlay(3)
	getenv := testutil.GitoEnv(b)
	ctx := context.Background()
	frame := func() string {
		ws, err := workspace.Open(ctx, workspace.Options{Remote: bare, Getenv: getenv, Service: service, Env: env})
		if err != nil {
			b.Fatal(err)
		}
		defer ws.Close()
		releases, err := pipeline.LoadHistory(ctx, ws, service, env, 0)
		if err != nil {
			b.Fatal(err)
		}
		m := picker.New(picker.Options{Service: service, Env: env, Styles: picker.NewStyles(false), KeyMap: picker.DefaultKeyMap()})
		next, _ := m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
		next, _ = next.Update(picker.ReleasesLoadedMsg{Releases: releases})
		return next.View()
	}
	if view := frame(); !strings.Contains(view, "current") { // cold: clone and fetch the blobs
		b.Fatalf("first frame shows no releases:\n%s", view)
	}
	for b.Loop() {
		frame()
	}
}
