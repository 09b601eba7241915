package history

import (
	"github.com/gito-dev/gito/internal/gitrepo"

	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testRepo is a throwaway git repository with deterministic authors and dates.
type testRepo struct {
	t   testing.TB
	dir string
	n   int // commits made; each one a minute after the last
}

var epoch = time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)

func newTestRepo(t testing.TB) *testRepo {
	t.Helper()
	r := &testRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func gitEnv() []string {
	return append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_COMMITTER_NAME=CI", "GIT_COMMITTER_EMAIL=ci@example.com")
}

func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	return r.gitEnv(nil, args...)
}

func (r *testRepo) gitEnv(env []string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = append(gitEnv(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// date is the time of the next commit.
func (r *testRepo) date() time.Time { return epoch.Add(time.Duration(r.n) * time.Minute) }

func (r *testRepo) dateEnv(author string) []string {
	d := r.date().Format(time.RFC3339)
	r.n++
	return []string{
		"GIT_AUTHOR_NAME=" + author, "GIT_AUTHOR_EMAIL=" + strings.ToLower(author) + "@example.com",
		"GIT_AUTHOR_DATE=" + d, "GIT_COMMITTER_DATE=" + d,
	}
}

// commit writes files (an empty content deletes the file) and commits them; it returns the SHA.
func (r *testRepo) commit(author, message string, files map[string]string) string {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.dir, filepath.FromSlash(name))
		if content == "" {
			r.git("rm", "-q", "--", name)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
		r.git("add", "--", name)
	}
	r.gitEnv(r.dateEnv(author), "commit", "-q", "-m", message)
	return r.git("rev-parse", "HEAD")
}

// merge merges branch into the checked-out branch with a merge commit and returns its SHA.
func (r *testRepo) merge(author, branch, message string) string {
	r.t.Helper()
	r.gitEnv(r.dateEnv(author), "merge", "-q", "--no-ff", "-m", message, branch)
	return r.git("rev-parse", "HEAD")
}

func kustomization(images ...string) string {
	var b strings.Builder
	b.WriteString("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base/api\n")
	if len(images) > 0 {
		b.WriteString("images:\n")
	}
	for _, img := range images {
		b.WriteString(img)
	}
	return b.String()
}

func entry(name, tag, digest string) string {
	s := fmt.Sprintf("  - name: %s\n", name)
	if tag != "" {
		s += fmt.Sprintf("    newTag: %q\n", tag)
	}
	if digest != "" {
		s += fmt.Sprintf("    digest: %s\n", digest)
	}
	return s
}

func digest(c byte) string { return "sha256:" + strings.Repeat(string(c), 64) }

// localSource reads a test repository in place through gitrepo, as the commands read a cache.
func localSource(dir string) RepoSource {
	return RepoSource{Repo: gitrepo.OpenLocal(dir, nil)}
}
