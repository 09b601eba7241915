package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/app"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/testutil/ociregistry"
)

// registryFixture is the completion fixture with its images in host and registry.check on,
// committed so history has one release to offer.
func registryFixture(t *testing.T, host string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "integration", "testdata", "infra"))); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		text := strings.ReplaceAll(string(b), "registry.example.com", host)
		if filepath.Base(p) == ".gito.yaml" {
			text += "registry:\n  check: true\n"
		}
		return os.WriteFile(p, []byte(text), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"-c", "user.name=gito test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "infra"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", args[0], err, out)
		}
	}
	return dir
}

func completeVersion(t *testing.T, repo string) []string {
	t.Helper()
	ios, _, out, _ := iostreams.Test()
	home := t.TempDir()
	f := app.NewFactory(func(k string) string { return map[string]string{"HOME": home}[k] })
	f.IOStreams = ios
	code := app.Run(context.Background(), f, []string{"__complete", "release", "--repo", repo, "-s", "api", "-e", "prod", "--version", ""})
	if code != 0 {
		t.Fatalf("__complete exit %d", code)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if !strings.HasPrefix(line, ":") && line != "" {
			got = append(got, line)
		}
	}
	return got
}

func TestVersionCompletionFromTheRegistry(t *testing.T) {
	t.Parallel()
	reg := ociregistry.Start(t, ociregistry.Options{})
	for _, tag := range []string{"v2.3.0", "v2.10.0", "v2.4.0", "latest"} {
		reg.Push(t, "team/api", tag)
	}
	got := completeVersion(t, registryFixture(t, reg.Host))
	if want := []string{"v2.10.0", "v2.4.0", "v2.3.0"}; !slices.Equal(got, want) {
		t.Errorf("--version offers %v, want the registry's tags newest first, without latest (policy.forbidTags) %v", got, want)
	}
}

func TestVersionCompletionFallsBackToHistory(t *testing.T) {
	t.Parallel()
	reg := ociregistry.Start(t, ociregistry.Options{})
	host := reg.Host
	reg.Close()
	history := completeVersion(t, registryFixture(t, host))
	if len(history) == 0 || slices.Contains(history, "latest") {
		t.Fatalf("registry down: --version offers %v, want the overlay's history", history)
	}

	// A registry slower than a second: the TAB press does not wait for it.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(slow.Close)
	got := completeVersion(t, registryFixture(t, strings.TrimPrefix(slow.URL, "http://")))
	if !slices.Equal(got, history) {
		t.Errorf("slow registry: --version offers %v, want the history %v", got, history)
	}
}
