package overlay

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/testutil"
)

// leakTemplate fails with the contents of a chart file, as the probe's hostile chart did.
const leakTemplate = `{{ fail (printf "LEAK %q" (.Files.Get "files/hosts.yml")) }}
`

const secret = "oauth_token: gho_SECRET_FROM_OUTSIDE"

// H2: a chart file that is a symlink out of the repository (relative or absolute) is
// refused before Helm reads it; the secret it points at appears in no error.
func TestHelmChartSymlinkOutOfTheRepoIsRefused(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	testutil.WriteFile(t, outside, "gh/hosts.yml", secret+"\n")
	repo := &config.Repo{Services: map[string]config.Service{"api": {Targets: []config.Target{{File: "charts/api/values.yaml", Path: ".image.tag"}}}}}
	for name, link := range map[string]func(root string) string{
		"relative": func(root string) string {
			rel, err := filepath.Rel(filepath.Join(root, "charts/api/files"), filepath.Join(outside, "gh/hosts.yml"))
			if err != nil {
				t.Fatal(err)
			}
			return rel
		},
		"absolute": func(string) string { return filepath.Join(outside, "gh/hosts.yml") },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			root, err := filepath.EvalSymlinks(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			testutil.WriteTree(t, root, helmRepo(map[string]string{"charts/api/templates/leak.yaml": leakTemplate}))
			if err := os.MkdirAll(filepath.Join(root, "charts/api/files"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(link(root), filepath.Join(root, "charts/api/files/hosts.yml")); err != nil {
				t.Fatal(err)
			}
			_, err = plan(t, root, Request{Repo: repo, Version: v("v2", "")})
			if err == nil || strings.Contains(err.Error(), "gho_SECRET") || strings.Contains(err.Error(), outside) {
				t.Fatalf("Plan = %v; want a refusal that quotes nothing from outside", err)
			}
			if !strings.Contains(err.Error(), "charts/api/files/hosts.yml") || !strings.Contains(err.Error(), "leaves the repository") {
				t.Errorf("Plan = %v; want it to name the link that leaves the repository", err)
			}
		})
	}
}

// H2: a template failure whose message carries the contents of a chart file is reported
// without the message.
func TestHelmFailureQuotesNoFileContent(t *testing.T) {
	t.Parallel()
	files := helmRepo(map[string]string{
		"charts/api/templates/leak.yaml": leakTemplate,
		"charts/api/files/hosts.yml":     "in-repo-credential-line\n",
	})
	repo := &config.Repo{Services: map[string]config.Service{"api": {Targets: []config.Target{{File: "charts/api/values.yaml", Path: ".image.tag"}}}}}
	_, err, _ := planIn(t, files, repo, "prod", "v2")
	if err == nil || strings.Contains(err.Error(), "in-repo-credential-line") || !strings.Contains(err.Error(), "templates/leak.yaml") {
		t.Fatalf("Plan = %v; want the failing template named, not the file it quotes", err)
	}
}

// M3: a billion-laughs ConfigMap in a base fails the release plan at once, naming the file.
func TestPlanRefusesAliasBombs(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "  a%d: &a%d [*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	root := t.TempDir()
	testutil.WriteTree(t, root, classic(map[string]string{
		"api/overlays/prod/kustomization.yaml": prodEntry,
		"api/base/kustomization.yaml":          kustHeader + "resources:\n  - deployment.yaml\n  - lol.yaml\n",
		"api/base/lol.yaml":                    b.String(),
	}))
	_, err := plan(t, root, Request{Version: v("v2", "")})
	if err == nil || !strings.Contains(err.Error(), "api/base/lol.yaml") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("Plan = %v; want one line naming api/base/lol.yaml", err)
	}
}

// H1/M5: a release refuses a remote resource without contacting its host.
func TestPlanRefusesRemoteResourcesWithoutConnecting(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); http.NotFound(w, r) }))
	t.Cleanup(srv.Close)
	for _, ref := range []string{srv.URL + "/cm.yaml", srv.URL + "/evil/repo.git//base?ref=main", "git::" + srv.URL + "/evil/repo.git"} {
		root := t.TempDir()
		testutil.WriteTree(t, root, classic(map[string]string{"api/overlays/prod/kustomization.yaml": prodEntry + "  - " + ref + "\n"}))
		testutil.WriteFile(t, root, "api/overlays/prod/kustomization.yaml", strings.Replace(prodEntry, "  - ../../base   # shared base\n", "  - ../../base\n  - "+ref+"\n", 1))
		_, err := plan(t, root, Request{Version: v("v2", "")})
		if err == nil || !strings.Contains(err.Error(), "outside the repository") {
			t.Errorf("%s: Plan = %v; want a refusal of the remote resource", ref, err)
		}
	}
	if got := n.Load(); got != 0 {
		t.Errorf("the server got %d requests, want none", got)
	}
}

// L3: a targets pattern through a symlinked directory lists no file name outside the repo.
func TestTargetPatternThroughSymlinkListsNothingOutside(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	testutil.WriteTree(t, outside, map[string]string{"values-secretproject.yaml": "image:\n  tag: v1\n"})
	root := t.TempDir()
	testutil.WriteTree(t, root, map[string]string{"apps/api/values-dev.yaml": "image:\n  tag: v1\n"})
	if err := os.Symlink(outside, filepath.Join(root, "linked")); err != nil {
		t.Fatal(err)
	}
	repo := &config.Repo{Services: map[string]config.Service{"api": {Targets: []config.Target{
		{File: "linked/values-{env}.yaml", Path: ".image.tag"},
		{File: "apps/{service}/values-{env}.yaml", Path: ".image.tag"},
	}}}}
	_, err := plan(t, root, Request{Repo: repo, Env: "nosuch", Version: v("v2", "")})
	if err == nil || strings.Contains(err.Error(), "secretproject") {
		t.Fatalf("Plan = %v; want an unknown env error that names nothing outside the repo", err)
	}
}
