package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/app"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/testutil"
	"github.com/gito-dev/gito/internal/testutil/gitserver"
	"github.com/gito-dev/gito/internal/testutil/ociregistry"
)

// BenchmarkRegistryRoundTrip measures what asking the registry adds to a warm `gito release`
// on loopback. Each iteration runs three releases of a new version, interleaved so that
// machine noise hits all three alike: plain (no registry), checked (registry.check: one HEAD
// after the ping) and pinned (--pin-digest: the lookup plus a second plan with the digest).
// The ratios against the plain release of the same run are the result.
//
//	go test -run '^$' -bench RegistryRoundTrip -benchtime 10x ./integration
func BenchmarkRegistryRoundTrip(b *testing.B) {
	reg := ociregistry.Start(b, ociregistry.Options{})
	plainRepo := registryRemote(b, reg.Host, false)
	checkRepo := registryRemote(b, reg.Host, true)
	getenv := testutil.GitoEnv(b)
	for k, v := range map[string]string{"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
		"GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com"} {
		b.Setenv(k, v) // gito invents no identity, and GitoEnv's git config has none
	}
	release := func(repo, env, version string, extra ...string) time.Duration {
		ios, _, _, errOut := iostreams.Test()
		f := app.NewFactory(getenv)
		f.IOStreams = ios
		args := append([]string{"release", "--repo", repo, "-s", "api", "-e", env, "--version", version, "--yes"}, extra...)
		start := time.Now()
		if code := app.Run(context.Background(), f, args); code != 0 {
			b.Fatalf("gito %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
		return time.Since(start)
	}
	version := func(i int) string { return fmt.Sprintf("v9.%d.0", i) }
	for i := 0; i <= b.N; i++ {
		reg.Push(b, "team/api", version(i))
	}
	// cold: clone both caches
	release(plainRepo, "prod", version(0))
	release(checkRepo, "prod", version(0))
	release(checkRepo, "staging", version(0), "--pin-digest")
	var plain, checked, pinned time.Duration
	b.ResetTimer()
	for i := 1; i <= b.N; i++ {
		plain += release(plainRepo, "prod", version(i))
		checked += release(checkRepo, "prod", version(i))
		pinned += release(checkRepo, "staging", version(i), "--pin-digest")
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(plain.Milliseconds())/n, "plain-ms/release")
	b.ReportMetric(float64(checked.Milliseconds())/n, "checked-ms/release")
	b.ReportMetric(float64(pinned.Milliseconds())/n, "pinned-ms/release")
	b.ReportMetric(float64(checked)/float64(plain), "checked/plain")
	b.ReportMetric(float64(pinned)/float64(plain), "pinned/plain")
}

// registryRemote is the demo infra repo as a bare remote, its images in the registry at
// host, with registry.check on or off.
func registryRemote(b *testing.B, host string, check bool) string {
	fixture, err := filepath.Abs("testdata/infra")
	if err != nil {
		b.Fatal(err)
	}
	src := filepath.Join(b.TempDir(), "src")
	if err := os.CopyFS(src, os.DirFS(fixture)); err != nil {
		b.Fatal(err)
	}
	err = filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		text := strings.ReplaceAll(string(data), "registry.example.com", host)
		if check && filepath.Base(p) == ".gito.yaml" {
			text += "registry:\n  check: true\n"
		}
		return os.WriteFile(p, []byte(text), 0o644)
	})
	if err != nil {
		b.Fatal(err)
	}
	env := gitserver.Env(b)
	bare := filepath.Join(b.TempDir(), "infra.git")
	gitserver.Git(b, env, src, "", "init", "-q", "-b", "main")
	gitserver.Git(b, env, src, "", "add", "-A")
	gitserver.Git(b, env, src, "", "-c", "user.name=Bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "infra")
	gitserver.InitBare(b, bare)
	gitserver.Git(b, env, src, "", "push", "-q", bare, "main")
	return bare
}
