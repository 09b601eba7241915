package gitserver

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

func TestCommitAndHead(t *testing.T) {
	t.Parallel()
	bare := NewBare(t, map[string]string{"a/b.txt": "one\n", "c.txt": "c\n"})
	first := Head(t, bare, "main")
	second := Commit(t, bare, "main", "edit", map[string]string{"a/b.txt": "two\n", "c.txt": Delete})
	env := Env(t)
	if got := Git(t, env, bare, "", "rev-parse", "main~1"); got != first {
		t.Errorf("parent = %s, want %s", got, first)
	}
	if got := Git(t, env, bare, "", "show", second+":a/b.txt"); got != "two" {
		t.Errorf("a/b.txt = %q", got)
	}
	if got := Git(t, env, bare, "", "ls-tree", "--name-only", second); got != "a" {
		t.Errorf("tree = %q, want only a", got)
	}
	if Head(t, bare, "nope") != "" {
		t.Error("Head of a missing branch is not empty")
	}
}

func TestServeHTTPRequiresToken(t *testing.T) {
	t.Parallel()
	bare := NewBare(t, map[string]string{"f": "x"})
	srv := ServeHTTP(t, filepath.Dir(bare), "s3cret")
	url := srv.URL + "/infra.git/info/refs?service=git-upload-pack"
	for _, tc := range []struct {
		password string
		want     int
	}{{"", http.StatusUnauthorized}, {"wrong", http.StatusUnauthorized}, {"s3cret", http.StatusOK}} {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if tc.password != "" {
			req.SetBasicAuth("x", tc.password)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("password %q: status %d, want %d", tc.password, resp.StatusCode, tc.want)
		}
		if tc.want == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
			t.Error("401 without a challenge")
		}
	}
	reqs := srv.Requests()
	if len(reqs) != 3 || reqs[0].Status != http.StatusUnauthorized || reqs[2].User != "x" || !strings.HasPrefix(reqs[2].URI, "/infra.git/") {
		t.Errorf("recorded %+v", reqs)
	}
}

func TestGenerateLargeRepo(t *testing.T) {
	t.Parallel()
	bare := GenerateLargeRepo(t, filepath.Join(t.TempDir(), "big.git"), 7, 16)
	env := Env(t)
	if n := Git(t, env, bare, "", "rev-list", "--count", "main"); n != "16" {
		t.Errorf("%s commits, want 16", n)
	}
	// Release 8 is the second to touch overlay 0 (releases cycle over 7 overlays).
	e, svc := LargeRepoOverlay(0)
	file := "overlays/" + e + "/" + svc + "/kustomization.yaml"
	log := Git(t, env, bare, "", "log", "--format=%(trailers:key=Gito-Version,valueonly)%x00", "main", "--", file)
	if got := strings.Fields(strings.ReplaceAll(log, "\x00", " ")); strings.Join(got, " ") != "v1.15.0 v1.8.0 v1.1.0" {
		t.Errorf("overlay 0 versions = %v", got)
	}
	if content := Git(t, env, bare, "", "show", "main:"+file); !strings.Contains(content, "newTag: v1.15.0") ||
		!strings.Contains(content, "../../../base/"+svc) {
		t.Errorf("overlay 0 at main:\n%s", content)
	}
	if got := Git(t, env, bare, "", "config", "uploadpack.allowFilter"); got != "true" {
		t.Errorf("allowFilter = %q", got)
	}
}
