package fakeargocd_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gito-dev/gito/integration/fakeargocd"
	"github.com/gito-dev/gito/internal/argocd"
	"github.com/gito-dev/gito/internal/config"
)

func client(t *testing.T, s *fakeargocd.Server, token string) *argocd.Client {
	t.Helper()
	u, _ := url.Parse(s.URL)
	c, err := argocd.New(&argocd.Server{URL: u}, token, &http.Client{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The real client against the fake: states, and Argo CD's refusals mapped to typed errors.
func TestClientAgainstFake(t *testing.T) {
	t.Parallel()
	s := fakeargocd.New(t, "good-token")
	s.SetApp("api-prod", fakeargocd.App{SyncStatus: "Synced", Revision: "abc", Health: "Degraded", Message: "crash loop"})
	s.SetApp("secret-prod", fakeargocd.App{Forbidden: true})
	ctx := context.Background()

	app, err := client(t, s, "good-token").Application(ctx, "api-prod")
	if err != nil {
		t.Fatal(err)
	}
	if app.SyncStatus != "Synced" || app.Revisions[0] != "abc" || app.Health != "Degraded" || app.Message != "crash loop" {
		t.Errorf("app = %+v", app)
	}
	_, err = client(t, s, "bad-token").Application(ctx, "api-prod")
	if !errors.Is(err, argocd.ErrAuth) || strings.Contains(err.Error(), "bad-token") {
		t.Errorf("bad token: %v", err)
	}
	if _, err := client(t, s, "good-token").Application(ctx, "secret-prod"); !errors.Is(err, argocd.ErrAuth) {
		t.Errorf("forbidden: %v", err)
	}
	var nf *argocd.NotFoundError
	if _, err := client(t, s, "good-token").Application(ctx, "nope"); !errors.As(err, &nf) || nf.App != "nope" {
		t.Errorf("unknown app: %v", err)
	}
	if s.Polls("api-prod") != 2 {
		t.Errorf("polls = %d", s.Polls("api-prod"))
	}
	if err := s.AwaitPolls(ctx, "api-prod", 2); err != nil {
		t.Error(err)
	}
}

func TestResolveServer(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tests := []struct {
		name    string
		repo    config.ArgoCD
		user    config.UserArgoCD
		getenv  func(string) string
		want    string
		wantErr string
	}{
		{"env host is https", config.ArgoCD{}, config.UserArgoCD{}, env("ARGOCD_SERVER", "cd.example.com:8443"), "https://cd.example.com:8443", ""},
		{"plaintext", config.ArgoCD{}, config.UserArgoCD{}, env("ARGOCD_SERVER", "cd.example.com", "ARGOCD_OPTS", "--plaintext --grpc-web"), "http://cd.example.com", ""},
		{"url keeps scheme", config.ArgoCD{}, config.UserArgoCD{}, env("ARGOCD_SERVER", "http://127.0.0.1:9/"), "http://127.0.0.1:9", ""},
		{"user config", config.ArgoCD{Server: "cd.example.com"}, config.UserArgoCD{Server: "cd.example.com"}, env(), "https://cd.example.com", ""},
		{"env wins over repo", config.ArgoCD{Server: "evil.example.com"}, config.UserArgoCD{}, env("ARGOCD_SERVER", "cd.example.com"), "https://cd.example.com", ""},
		{"repo only refused", config.ArgoCD{Server: "evil.example.com"}, config.UserArgoCD{}, env(),
			"", `.gito.yaml argocd.server "evil.example.com" is named only by the repo, and a repo's content never sends ARGOCD_AUTH_TOKEN to a new host: set ARGOCD_SERVER=evil.example.com or argocd.server in /u/config.yaml to allow it`},
		{"none", config.ArgoCD{}, config.UserArgoCD{}, env(), "", "no Argo CD server: set ARGOCD_SERVER (or argocd.server in /u/config.yaml) to the Argo CD API server"},
		{"bad", config.ArgoCD{}, config.UserArgoCD{}, env("ARGOCD_SERVER", "ftp://x"), "", `ARGOCD_SERVER: Argo CD server "ftp://x" is not host[:port] or an http(s) URL`},
	}
	for _, tt := range tests {
		s, err := argocd.ResolveServer(tt.repo, tt.user, tt.getenv, "/u/config.yaml")
		switch {
		case tt.wantErr != "":
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%s: err = %v\nwant %s", tt.name, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case s.URL.String() != tt.want:
			t.Errorf("%s: URL = %s, want %s", tt.name, s.URL, tt.want)
		}
	}
}
