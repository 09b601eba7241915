package giteaserver

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestSegmentsMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"/repos/acme/infra/pulls", "/repos/acme/infra/pulls", true},
		{"/repos/acme/infra/pulls/*", "/repos/acme/infra/pulls/3", true},
		{"/repos/acme/infra/pulls/*", "/repos/acme/infra/pulls", false},
		{"/repos/acme/infra/issues/*/labels", "/repos/acme/infra/issues/1/labels", true},
		{"/repos/acme/infra/pulls", "/repos/acme/other/pulls", false},
	}
	for _, tt := range tests {
		if got := segmentsMatch(tt.pattern, tt.path); got != tt.want {
			t.Errorf("segmentsMatch(%q, %q) = %v", tt.pattern, tt.path, got)
		}
	}
}

// The harness end to end against the real Gitea: a repo under the organization, the fixture
// pushed over HTTP with the token, the PR routes ready, the proxy counting and failing.
func TestServer(t *testing.T) {
	tpl := NewTemplate(t)
	t.Logf("template (migrate, users, token, org) took %s", tpl.Startup)
	s := tpl.Start(t, "")
	t.Logf("a fresh server from the template took %s", s.Startup)
	ctx := context.Background()

	if err := s.CreateRepo(ctx, Org, "infra", true); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	if err := os.WriteFile(filepath.Join(work, "README"), []byte("hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("init", "-q", "-b", "main")
	git("add", "README")
	git("commit", "-q", "-m", "first")
	git("push", "-q", s.PushURL(Org, "infra"), "main")
	if err := s.WaitPullsReady(ctx, Org, "infra"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.RepoDir(Org, "infra"), "HEAD")); err != nil {
		t.Errorf("RepoDir: %v", err)
	}
	prs, err := s.PRs(ctx, Org, "infra")
	if err != nil || len(prs) != 0 {
		t.Fatalf("PRs = %v, %v; want none", prs, err)
	}

	// Through the proxy: a write is counted, an injected fault answers without Gitea.
	s.FailNext("POST", "/repos/acme/infra/pulls", http.StatusServiceUnavailable, map[string]string{"Retry-After": "1"}, 1)
	req, _ := http.NewRequest("POST", s.APIURL()+"/repos/acme/infra/pulls", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "token "+s.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" || s.Writes() != 1 {
		t.Errorf("fault: status %d, Retry-After %q, writes %d", resp.StatusCode, resp.Header.Get("Retry-After"), s.Writes())
	}
	resp, err = http.Get(s.APIURL() + "/repos/acme/infra/pulls")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound { // private: an anonymous caller sees nothing
		t.Errorf("anonymous GET pulls of a private repo: %d, want 404", resp.StatusCode)
	}
}
