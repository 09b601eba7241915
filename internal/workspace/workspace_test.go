package workspace

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/testutil"
	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

var infraFiles = map[string]string{
	".gito.yaml":                               "services:\n  api:\n    images: [api]\n",
	".gito/allowed_signers":                    "",
	"base/api/kustomization.yaml":              "resources:\n  - deployment.yaml\n",
	"base/api/deployment.yaml":                 "kind: Deployment\n",
	"components/monitoring/kustomization.yaml": "kind: Component\n",
	"shared/config.env":                        "A=1\n",
	"overlays/prod/api/kustomization.yaml": "resources:\n  - ../../../base/api\ncomponents:\n  - ../../../components/monitoring\n" +
		"configMapGenerator:\n  - name: cfg\n    envs: [../../../shared/config.env]\nimages:\n  - name: api\n    newTag: v1\n",
	"overlays/dev/api/kustomization.yaml":  "resources:\n  - ../../../base/api\n",
	"overlays/prod/web/kustomization.yaml": "resources: []\n",
	"unrelated/big/kustomization.yaml":     "resources: []\n",
	"unrelated/big/file.yaml":              "x: 1\n",
}

func TestSparseDirs(t *testing.T) {
	getenv := testutil.GitoEnv(t)
	bare := gitserver.NewBare(t, infraFiles)
	ctx := context.Background()
	ws, err := Open(ctx, Options{Remote: bare, Getenv: getenv, Service: "api", Env: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	for _, p := range []string{".gito.yaml", ".gito/allowed_signers", "overlays/prod/api/kustomization.yaml",
		"base/api/deployment.yaml", "components/monitoring/kustomization.yaml", "shared/config.env"} {
		if _, err := os.Stat(ws.Abs(p)); err != nil {
			t.Errorf("%s should be checked out: %v", p, err)
		}
	}
	for _, p := range []string{"unrelated/big/file.yaml", "overlays/dev/api/kustomization.yaml", "overlays/prod/web/kustomization.yaml"} {
		if _, err := os.Stat(ws.Abs(p)); err == nil {
			t.Errorf("%s should not be checked out", p)
		}
	}
	if ws.Base != "main" || ws.Target.Kind != "none" {
		t.Errorf("base %q, forge %q", ws.Base, ws.Target.Kind)
	}
}

func TestUnknownOverlayChecksOutEverything(t *testing.T) {
	getenv := testutil.GitoEnv(t)
	bare := gitserver.NewBare(t, infraFiles)
	ws, err := Open(context.Background(), Options{Remote: bare, Getenv: getenv, Service: "apj", Env: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	// Everything is there, so the overlay package can list the services that do exist.
	if _, err := os.Stat(ws.Abs("unrelated/big/file.yaml")); err != nil {
		t.Errorf("full checkout expected: %v", err)
	}
}

func TestTreeNamesAndLayout(t *testing.T) {
	t.Parallel()
	var files []string
	for p := range infraFiles {
		files = append(files, p)
	}
	tr := newTree(files)
	if got := tr.detectLayout(); got != "overlays/{env}/{service}" {
		t.Errorf("detectLayout = %q", got)
	}
	cfg := &config.Repo{}
	if got := tr.names(cfg, "service", ""); !slices.Equal(got, []string{"api", "web"}) {
		t.Errorf("services = %v", got)
	}
	if got := tr.names(cfg, "env", "api"); !slices.Equal(got, []string{"dev", "prod"}) {
		t.Errorf("envs of api = %v", got)
	}
	if got := tr.names(cfg, "env", ""); !slices.Equal(got, []string{"dev", "prod"}) {
		t.Errorf("envs = %v", got)
	}
	// {env}/{service} must not see base/api as env "base".
	tr = newTree([]string{"base/api/kustomization.yaml", "prod/api/kustomization.yaml"})
	if got := tr.detectLayout(); got != "{env}/{service}" {
		t.Errorf("detectLayout = %q", got)
	}
	if got := tr.names(&config.Repo{}, "env", ""); !slices.Equal(got, []string{"prod"}) {
		t.Errorf("envs = %v, want base excluded", got)
	}
}

func TestResolveRemote(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	outside := t.TempDir() // not in any repository
	getenv := func(k string) string { return map[string]string{"XDG_CONFIG_HOME": dir}[k] }
	if _, _, err := ResolveRemote(ctx, "", outside, getenv); err == nil || !strings.Contains(err.Error(), "--repo is required") {
		t.Errorf("err = %v", err)
	}
	if got, note, _ := ResolveRemote(ctx, "/x", outside, getenv); got != "/x" || note != "" {
		t.Errorf("flag: %q (%q)", got, note)
	}
	if err := os.MkdirAll(filepath.Join(dir, "gito"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gito", "config.yaml"), []byte("repo: git@github.com:a/b.git\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _, err := ResolveRemote(ctx, "", outside, getenv); err != nil || got != "git@github.com:a/b.git" {
		t.Errorf("user config: %q, %v", got, err)
	}
}

// Item 11: inside a user's clone, --repo . (or no --repo at all) means the clone's origin, and
// gito says so; it never pushes into the clone itself.
func TestResolveRemoteCheckoutMeansOrigin(t *testing.T) {
	ctx := context.Background()
	bare := gitserver.NewBare(t, infraFiles)
	clone := filepath.Join(t.TempDir(), "infra")
	env := gitserver.Env(t)
	gitserver.Git(t, env, "", "", "clone", "-q", bare, clone)
	getenv := func(string) string { return "" }
	sub := filepath.Join(clone, "overlays", "prod")

	got, note, err := ResolveRemote(ctx, ".", sub, getenv)
	if err != nil || got != bare || !strings.Contains(note, "is a checkout: using its origin "+bare) {
		t.Errorf("--repo . = %q, %q, %v; want the origin %s and a note", got, note, err, bare)
	}
	got, note, err = ResolveRemote(ctx, "", sub, getenv)
	if err != nil || got != bare || !strings.Contains(note, "using the origin of the checkout at "+clone) {
		t.Errorf("no --repo = %q, %q, %v; want the origin", got, note, err)
	}
	if got, note, err := ResolveRemote(ctx, bare, sub, getenv); err != nil || got != bare || note != "" {
		t.Errorf("a bare repository stays itself: %q, %q, %v", got, note, err)
	}
	gitserver.Git(t, env, clone, "", "remote", "remove", "origin")
	if _, _, err := ResolveRemote(ctx, ".", sub, getenv); err == nil || !strings.Contains(err.Error(), "checkout without an origin remote") {
		t.Errorf("clone without origin: %v", err)
	}
}

func TestGitAuthFor(t *testing.T) {
	t.Parallel()
	env := map[string]string{"GH_TOKEN": "gh-secret", "GITLAB_TOKEN": "gl-secret", "GH_ENTERPRISE_TOKEN": "ghe-secret", "GITEA_TOKEN": "tea-secret",
		"GITEA_HOST": "tea.acme.internal", "GH_HOST": "hub.acme.internal"}
	getenv := func(k string) string { return env[k] }
	hosts := forge.KnownHosts(map[string]string{"git.acme.internal": "gitlab", "ghe.acme.internal": "github", "forge.acme.internal:3000": "gitea"}, getenv)
	tests := []struct{ remote, token, username string }{
		{"https://github.com/acme/infra.git", "gh-secret", "x-access-token"},
		{"https://gitlab.com/g/infra.git", "gl-secret", "oauth2"},
		{"https://git.acme.internal/g/infra.git", "gl-secret", "oauth2"},
		{"https://ghe.acme.internal/a/infra.git", "ghe-secret", "x-access-token"},
		{"https://tea.acme.internal/a/infra.git", "tea-secret", "gito"},
		{"http://forge.acme.internal:3000/a/infra.git", "tea-secret", "gito"},
		{"https://forge.acme.internal/a/infra.git", "", ""}, // declared with a port: another port is another server
		{"https://codeberg.org/a/infra.git", "tea-secret", "gito"},
		{"https://hub.acme.internal/a/infra.git", "ghe-secret", "x-access-token"}, // GH_HOST: GitHub Enterprise, never GH_TOKEN
		{"https://unknown.example/a/b.git", "", ""},                               // a token is never sent to a host gito cannot place
		{"git@github.com:acme/infra.git", "", ""},                                 // ssh uses the user's keys
		{"/srv/infra.git", "", ""},
	}
	for _, tt := range tests {
		cred := gitAuthFor(tt.remote, hosts, getenv)
		got, source := cred.auth, ""
		if cred.token != nil {
			source = cred.token.Source
		}
		if got.Token != tt.token || got.Username != tt.username {
			t.Errorf("gitAuthFor(%q) = %q/%q, want %q/%q", tt.remote, got.Username, got.Token, tt.username, tt.token)
		}
		if (source != "") != (tt.token != "") {
			t.Errorf("gitAuthFor(%q) token source %q, token %q", tt.remote, source, got.Token)
		}
	}
}

func TestCompleterReadsTheCacheOffline(t *testing.T) {
	getenv := testutil.GitoEnv(t)
	files := map[string]string{}
	for k, v := range infraFiles {
		files[k] = v
	}
	files[".gito.yaml"] = "services:\n  api:\n    images: [api]\nenvironments:\n  prod:\n    labels: [release, prod]\n    reviewers: [alice]\n  dev:\n    labels: [dev]\n"
	bare := gitserver.NewBare(t, files)
	prod := "overlays/prod/api/kustomization.yaml"
	gitserver.Commit(t, bare, "main", "release v2\n\nGito-Version: v2", map[string]string{prod: strings.Replace(files[prod], "newTag: v1", "newTag: v2", 1)})
	gitserver.Commit(t, bare, "main", "release v3\n\nGito-Version: v3", map[string]string{prod: strings.Replace(files[prod], "newTag: v1", "newTag: v3", 1)})

	c := Completer{Getenv: getenv, Remote: bare}
	ctx := context.Background()
	if got := c.Services(ctx); got != nil {
		t.Fatalf("before any run the cache is empty, want no candidates, got %v", got)
	}
	ws, err := Open(ctx, Options{Remote: bare, Getenv: getenv}) // a first run fills the cache
	if err != nil {
		t.Fatal(err)
	}
	ws.Close()
	// The release's cache is shallow; the first version completion deepens it, once.
	if got := c.Versions(ctx, "api", "prod", 10); !slices.Equal(got, []string{"v3", "v2"}) {
		t.Errorf("Versions on a shallow cache = %v, want it deepened", got)
	}

	if err := os.Rename(bare, bare+".gone"); err != nil { // completion must not need the remote
		t.Fatal(err)
	}
	if got := c.Services(ctx); !slices.Equal(got, []string{"api", "web"}) {
		t.Errorf("Services = %v", got)
	}
	if got := c.Envs(ctx, ""); !slices.Equal(got, []string{"dev", "prod"}) {
		t.Errorf("Envs = %v", got)
	}
	// The blobless cache holds only the newest file: older versions come from gito's trailers.
	if got := c.Versions(ctx, "api", "prod", 10); !slices.Equal(got, []string{"v3", "v2"}) {
		t.Errorf("Versions = %v, want newest first from the trailers", got)
	}
	labels := c.Labels(ctx, "")
	slices.Sort(labels)
	if !slices.Equal(labels, []string{"dev", "prod", "release"}) {
		t.Errorf("Labels = %v", labels)
	}
	if got := c.Reviewers(ctx, "prod"); !slices.Equal(got, []string{"alice"}) {
		t.Errorf("Reviewers = %v", got)
	}
}

func TestBaseBranchFromConfig(t *testing.T) {
	getenv := testutil.GitoEnv(t)
	files := map[string]string{}
	for k, v := range infraFiles {
		files[k] = v
	}
	files[".gito.yaml"] = "baseBranch: release\n"
	bare := gitserver.NewBare(t, files)
	ctx := context.Background()
	_, err := Open(ctx, Options{Remote: bare, Getenv: getenv})
	if err == nil || !strings.Contains(err.Error(), `.gito.yaml baseBranch "release" does not exist`) {
		t.Fatalf("err = %v", err)
	}
	// The release branch exists now, with its own .gito.yaml: that one applies.
	gitserver.Commit(t, bare, "release", "release branch", map[string]string{".gito.yaml": "baseBranch: release\nlayout: \"overlays/{env}/{service}\"\n"})
	ws, err := Open(ctx, Options{Remote: bare, Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if ws.Base != "release" || ws.Config.Layout != "overlays/{env}/{service}" {
		t.Errorf("base %q, layout %q: want the release branch and its config", ws.Base, ws.Config.Layout)
	}
	// --base wins over the config.
	ws2, err := Open(ctx, Options{Remote: bare, Getenv: getenv, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	defer ws2.Close()
	if ws2.Base != "main" || ws2.Config.Layout != "" {
		t.Errorf("--base main: base %q, layout %q", ws2.Base, ws2.Config.Layout)
	}
}

func TestGitAuthHint(t *testing.T) {
	t.Parallel()
	getenv := func(k string) string { return map[string]string{"XDG_CONFIG_HOME": "/cfg"}[k] }
	tests := []struct{ remote, source, want string }{
		{"https://github.com/a/b.git", "GH_TOKEN", "the token from GH_TOKEN: check that it is valid and may read and push https://github.com/a/b.git"},
		{"https://x-access-token:secret@git.corp/a/b.git", "", "no token for git.corp: set GH_TOKEN, GITLAB_TOKEN or GITEA_TOKEN, and if the host's name does not say which forge it runs, name it in GH_HOST, GITLAB_HOST or GITEA_HOST or under hosts: in /cfg/gito/config.yaml"},
		{"git@github.com:a/b.git", "", "git used your own credentials"},
		// a host whose forge is known takes its one variable
		{"https://gitlab.com/a/b.git", "", "no token for gitlab.com, a gitlab host: set GITLAB_TOKEN"},
		{"https://tea.corp/a/b.git", "", "no token for tea.corp, a gitea host: set GITEA_TOKEN"},
	}
	hosts := forge.KnownHosts(nil, func(k string) string { return map[string]string{"GITEA_HOST": "tea.corp"}[k] })
	for _, tt := range tests {
		got := gitAuthHint(tt.remote, tt.source, hosts, getenv)
		if !strings.Contains(got, tt.want) || strings.Contains(got, "secret") {
			t.Errorf("gitAuthHint(%q, %q) = %q, want it to contain %q and no credentials", tt.remote, tt.source, got, tt.want)
		}
	}
}

// S2: a .gito.yaml whose forge.apiURL names another host never gets the releaser's token; the
// same host declared in the user's own config does.
func TestForgeTokenGoesOnlyToTrustedHosts(t *testing.T) {
	t.Parallel()
	var seen atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			seen.Add(1)
		}
		w.WriteHeader(http.StatusNotFound)
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	env := map[string]string{"GH_TOKEN": "gh-secret", "GH_ENTERPRISE_TOKEN": "ghe-secret", "XDG_CONFIG_HOME": t.TempDir()}
	open := func(user *config.User) (*Workspace, error) {
		target, err := forge.Detect("https://github.com/acme/infra.git", config.Forge{Type: "github", APIURL: srv.URL + "/api/v3/"}, forge.Hosts{})
		if err != nil {
			t.Fatal(err)
		}
		w := &Workspace{Remote: "https://github.com/acme/infra.git", User: user, Target: target, hosts: forge.KnownHosts(user.Hosts, nil),
			getenv: func(k string) string { return env[k] }, httpClient: func() (*http.Client, error) { return srv.Client(), nil }}
		_, err = w.Forge(context.Background())
		return w, err
	}
	_, err := open(&config.User{})
	if err == nil || !strings.Contains(err.Error(), "refusing to send the github token to http://"+host) || !strings.Contains(err.Error(), "under hosts:") {
		t.Fatalf("untrusted apiURL: err = %v", err)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error shows the token: %v", err)
	}
	// host:port alone declares https there: the repo's http:// is still refused (H4).
	if _, err := open(&config.User{Hosts: map[string]string{host: "github"}}); err == nil || !strings.Contains(err.Error(), `add "http://`+host+`: github" under hosts:`) {
		t.Fatalf("plain http on a host declared without a scheme: err = %v", err)
	}
	if _, err := open(&config.User{Hosts: map[string]string{"http://" + host: "github"}}); err != nil {
		t.Fatalf("declared host refused: %v", err)
	}
	if n := seen.Load(); n != 0 {
		t.Errorf("%d authenticated requests reached the undeclared host", n)
	}
}
