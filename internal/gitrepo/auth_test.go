package gitrepo

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

const testToken = "tok_S3cr3t-9f8e7d6c5b4a"

func TestHTTPTokenNeverLeaks(t *testing.T) {
	t.Parallel()
	bare := gitserver.NewBare(t, sampleFiles)
	srv := gitserver.ServeHTTP(t, filepath.Dir(bare), testToken)
	g, rec := newGit(t)
	home, _ := envValue(g.Env, "HOME")
	// A user's storing helper must never receive the token.
	writeFile(t, filepath.Join(home, ".gitconfig"), "[credential]\n\thelper = store\n")
	cache := t.TempDir()
	var progress bytes.Buffer
	ctx := context.Background()
	r, err := Open(ctx, OpenOptions{CacheRoot: cache, Remote: srv.URL + "/infra.git", Auth: Auth{Token: testToken}, Git: g, Progress: &progress})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := Open(ctx, OpenOptions{CacheRoot: cache, Remote: srv.URL + "/infra.git", Auth: Auth{Token: testToken}, Git: g}); err != nil {
		t.Fatalf("second Open: %v", err)
	}
	if b, err := r.DefaultBranch(ctx); err != nil || b != "main" {
		t.Fatalf("DefaultBranch = %q, %v", b, err)
	}
	// Blobs come on demand over the same authenticated remote: checkout, reads, push.
	w := newSnapshot(t, r, RemoteRef("main"), "overlays/prod/api")
	if got := readFile(t, filepath.Join(w.Path(), "overlays/prod/api/kustomization.yaml")); got != sampleFiles["overlays/prod/api/kustomization.yaml"] {
		t.Errorf("checked out %q", got)
	}
	blobs, err := r.ReadBlobs(ctx, []string{RemoteRef("main") + ":base/api/deployment.yaml"})
	if err != nil || string(blobs[RemoteRef("main")+":base/api/deployment.yaml"]) != "kind: Deployment\n" {
		t.Fatalf("ReadBlobs = %q, %v", blobs, err)
	}
	writeFile(t, filepath.Join(w.Path(), "overlays/prod/api/kustomization.yaml"), "images: []\n")
	sha, err := w.Commit(ctx, CommitOptions{Message: "edit", AuthorEmail: "dev@example.com"})
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if err := r.Push(ctx, PushOptions{SHA: sha, Branch: "gito/prod/api"}); err != nil {
		t.Fatalf("Push: %v", err)
	}
	if got := gitserver.Head(t, bare, "gito/prod/api"); got != sha {
		t.Errorf("remote branch at %q, want %q", got, sha)
	}

	sawToken := false
	for _, inv := range rec.all() {
		for _, a := range inv.Args {
			if strings.Contains(a, testToken) {
				t.Errorf("token in argument of git %v", inv.Args)
			}
		}
		for _, kv := range inv.Env {
			if strings.Contains(kv, testToken) {
				if kv != tokenEnv+"="+testToken {
					t.Errorf("token in unexpected variable %q", kv)
				}
				sawToken = true
			}
		}
	}
	if !sawToken {
		t.Error("no git child received the token")
	}
	if strings.Contains(progress.String(), testToken) {
		t.Error("token in progress output")
	}
	for _, req := range srv.Requests() {
		if strings.Contains(req.URI, testToken) {
			t.Errorf("token in request URI %s", req.URI)
		}
	}
	if n := len(srv.Requests()); n == 0 {
		t.Error("server saw no request")
	}
	assertNotInFiles(t, cache, testToken)
	assertNotInFiles(t, home, testToken)
	if _, err := os.Stat(filepath.Join(home, ".git-credentials")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the user's credential store was written: %v", err)
	}
}

func assertNotInFiles(t *testing.T, root, secret string) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("secret found in %s", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestHTTPAuthFailures(t *testing.T) {
	t.Parallel()
	bare := gitserver.NewBare(t, sampleFiles)
	srv := gitserver.ServeHTTP(t, filepath.Dir(bare), testToken)
	for name, auth := range map[string]Auth{
		"wrong token": {Token: "wrong-" + testToken},
		"no token":    {},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g, _ := newGit(t)
			_, err := Open(context.Background(), OpenOptions{CacheRoot: t.TempDir(), Remote: srv.URL + "/infra.git", Auth: auth, Git: g})
			if !errors.Is(err, ErrAuth) {
				t.Fatalf("Open = %v; want ErrAuth", err)
			}
			t.Logf("error: %v", err)
			if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error leaks the token or spans lines: %q", err)
			}
			var gitErr *Error
			if errors.As(err, &gitErr) && strings.Contains(gitErr.Stderr, testToken) {
				t.Errorf("stderr leaks the token: %q", gitErr.Stderr)
			}
		})
	}
}

// The token goes only to the remote's own scheme, host and port.
func TestAuthEnv(t *testing.T) {
	t.Parallel()
	https, _ := parseRemote("https://git.example.com:8443/acme/infra.git")
	ssh, _ := parseRemote("git@git.example.com:acme/infra.git")
	if env := authEnv(Auth{}, https, nil); env != nil {
		t.Errorf("no token: env = %v", env)
	}
	if env := authEnv(Auth{Token: "t"}, ssh, nil); env != nil {
		t.Errorf("ssh remote: env = %v", env)
	}
	env := authEnv(Auth{Token: "t", Username: "oauth2"}, https, []string{"GIT_CONFIG_COUNT=2"})
	want := map[string]string{
		"GITO_GIT_TOKEN":     "t",
		"GITO_GIT_USERNAME":  "oauth2",
		"GIT_CONFIG_COUNT":   "5",
		"GIT_CONFIG_KEY_2":   "credential.helper",
		"GIT_CONFIG_VALUE_2": "",
		"GIT_CONFIG_KEY_3":   "credential.https://git.example.com:8443.helper",
		"GIT_CONFIG_KEY_4":   "http.followRedirects",
		"GIT_CONFIG_VALUE_4": "false",
	}
	for k, v := range want {
		if got, ok := envValue(env, k); !ok || got != v {
			t.Errorf("%s = %q, %v; want %q", k, got, ok, v)
		}
	}
	if helper, _ := envValue(env, "GIT_CONFIG_VALUE_3"); strings.Contains(helper, "t\n") || !strings.Contains(helper, "$GITO_GIT_TOKEN") {
		t.Errorf("helper must read the token from the environment: %q", helper)
	}
}
