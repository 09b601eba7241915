package overlay

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/testutil"
)

// layoutTree builds overlays for api and web in prod and staging under layout, plus bases
// that must not be mistaken for overlays.
func layoutTree(t *testing.T, layout string) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"base/api/kustomization.yaml": kustHeader,
		"README.md":                   "infra\n",
		".git/HEAD":                   "ref: refs/heads/main\n",
	}
	for _, svc := range []string{"api", "web"} {
		for _, env := range []string{"prod", "staging"} {
			files[config.ExpandLayout(layout, svc, env)+"/kustomization.yaml"] = kustHeader
		}
	}
	testutil.WriteTree(t, root, files)
	return root
}

func TestLocateDefaultLayouts(t *testing.T) {
	t.Parallel()
	for _, layout := range config.DefaultLayouts {
		t.Run(layout, func(t *testing.T) {
			t.Parallel()
			root := layoutTree(t, layout)
			ov, err := Locate(root, &config.Repo{}, "api", "prod")
			if err != nil {
				t.Fatalf("Locate: %v", err)
			}
			want := Overlay{
				Dir:               config.ExpandLayout(layout, "api", "prod"),
				KustomizationFile: config.ExpandLayout(layout, "api", "prod") + "/kustomization.yaml",
				Layout:            layout,
			}
			if *ov != want {
				t.Errorf("Locate = %+v, want %+v", *ov, want)
			}
			services, err := Services(root, &config.Repo{})
			if config.OneApp(layout) {
				// One app: the service is the one .gito.yaml names, none here.
				if err != nil || len(services) != 0 {
					t.Errorf("Services = %v, %v; want none", services, err)
				}
			} else if err != nil || !slices.Equal(services, []string{"api", "web"}) {
				t.Errorf("Services = %v, %v; want [api web]", services, err)
			}
			envs, err := Envs(root, &config.Repo{}, "web")
			if err != nil || !slices.Equal(envs, []string{"prod", "staging"}) {
				t.Errorf("Envs = %v, %v; want [prod staging]", envs, err)
			}
		})
	}
}

func TestLocateConfiguredLayout(t *testing.T) {
	t.Parallel()
	layout := "deploy/{service}-{env}/k8s"
	root := layoutTree(t, layout)
	// A tree that also fits a default layout: the configured one must win.
	testutil.WriteTree(t, root, map[string]string{"overlays/prod/api/kustomization.yml": kustHeader})
	repo := &config.Repo{Layout: layout}
	ov, err := Locate(root, repo, "web", "staging")
	if err != nil {
		t.Fatal(err)
	}
	if ov.Dir != "deploy/web-staging/k8s" || ov.KustomizationFile != "deploy/web-staging/k8s/kustomization.yaml" {
		t.Errorf("Locate = %+v", *ov)
	}
	envs, err := Envs(root, repo, "api")
	if err != nil || !slices.Equal(envs, []string{"prod", "staging"}) {
		t.Errorf("Envs = %v, %v", envs, err)
	}
	// Without the config, detection picks the first default layout that matches.
	ov, err = Locate(root, &config.Repo{}, "api", "prod")
	if err != nil {
		t.Fatal(err)
	}
	if ov.Layout != "overlays/{env}/{service}" || ov.KustomizationFile != "overlays/prod/api/kustomization.yml" {
		t.Errorf("detected %+v", *ov)
	}
}

func TestLocateKustomizationFileNames(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			testutil.WriteTree(t, root, map[string]string{"envs/prod/api/" + name: kustHeader})
			ov, err := Locate(root, nil, "api", "prod")
			if err != nil {
				t.Fatal(err)
			}
			if ov.KustomizationFile != "envs/prod/api/"+name {
				t.Errorf("KustomizationFile = %q", ov.KustomizationFile)
			}
		})
	}
}

func TestLocateUnknown(t *testing.T) {
	t.Parallel()
	root := layoutTree(t, "overlays/{env}/{service}")
	testutil.WriteTree(t, root, map[string]string{"overlays/qa/api/README.md": "empty\n"})
	tests := []struct {
		service, env string
		kind         string
		want         string
	}{
		{"apj", "prod", "service", `unknown service "apj" in overlays/{env}/{service}: did you mean "api"? known: api, web`},
		{"zzzzzz", "prod", "service", `unknown service "zzzzzz" in overlays/{env}/{service}: known: api, web`},
		{"api", "stagin", "env", `unknown env "stagin" for service "api" in overlays/{env}/{service}: did you mean "staging"? known: prod, qa, staging`},
		{"web", "dev", "env", `unknown env "dev" for service "web" in overlays/{env}/{service}: known: prod, staging`},
		{"api", "qa", "env", `overlays/qa/api has no kustomization.yaml, kustomization.yml or Kustomization`},
	}
	for _, tt := range tests {
		_, err := Locate(root, nil, tt.service, tt.env)
		var nf *NotFoundError
		if !errors.As(err, &nf) {
			t.Errorf("Locate(%s, %s) = %v, want a NotFoundError", tt.service, tt.env, err)
			continue
		}
		if nf.Kind != tt.kind || err.Error() != tt.want {
			t.Errorf("Locate(%s, %s):\n got %s %q\nwant %s %q", tt.service, tt.env, nf.Kind, err, tt.kind, tt.want)
		}
	}
}

func TestLocateRefusesBadNamesBeforeReading(t *testing.T) {
	t.Parallel()
	// The root does not exist: any file access would fail with a different error.
	root := filepath.Join(t.TempDir(), "missing")
	for _, bad := range []string{"../x", "a/b", "A", "a b", "x\n", "", "..", "-a", "a..b"} {
		for _, which := range []string{"--service", "--env"} {
			service, env := bad, "prod"
			if which == "--env" {
				service, env = "api", bad
			}
			_, err := Locate(root, nil, service, env)
			if err == nil || !strings.HasPrefix(err.Error(), which+" ") || strings.Contains(err.Error(), "missing") {
				t.Errorf("Locate(%q, %q) = %v, want a %s name error", service, env, err, which)
			}
		}
		if _, err := Envs(root, nil, bad); err == nil || !strings.HasPrefix(err.Error(), "--service ") {
			t.Errorf("Envs(%q) = %v, want a --service name error", bad, err)
		}
	}
}

func TestLocateErrors(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteTree(t, root, map[string]string{"notes/readme.md": "x\n"})
	_, err := Locate(root, nil, "api", "prod")
	if err == nil || !strings.Contains(err.Error(), "no overlays found") || !strings.Contains(err.Error(), config.FileName) {
		t.Errorf("empty repo: %v", err)
	}
	_, err = Locate(root, &config.Repo{Layout: "../{service}/{env}"}, "api", "prod")
	if err == nil || !strings.Contains(err.Error(), config.FileName+" key layout") {
		t.Errorf("bad layout: %v", err)
	}
	testutil.WriteTree(t, root, map[string]string{
		"overlays/prod/api/kustomization.yaml": kustHeader,
		"overlays/prod/api/kustomization.yml":  kustHeader,
	})
	_, err = Locate(root, nil, "api", "prod")
	if err == nil || err.Error() != "overlays/prod/api holds more than one kustomization file (kustomization.yaml, kustomization.yml): keep one" {
		t.Errorf("two kustomizations: %v", err)
	}
}

func TestNearest(t *testing.T) {
	t.Parallel()
	known := []string{"api", "web", "payments", "staging"}
	for name, want := range map[string]string{
		"apj": "api", "wbe": "web", "paymnts": "payments", "stagign": "staging",
		"x": "", "database": "", "ap": "api",
	} {
		if got := nearest(name, known); got != want {
			t.Errorf("nearest(%q) = %q, want %q", name, got, want)
		}
	}
}

// The --create hint belongs to Plan (release has the flag); Locate serves history and
// rollback too, which do not.
func TestPlanSuggestsCreate(t *testing.T) {
	t.Parallel()
	root := layoutTree(t, "overlays/{env}/{service}")
	testutil.WriteTree(t, root, map[string]string{"overlays/qa/api/README.md": "empty\n"})
	for env, want := range map[string]string{
		"stagin": `did you mean "staging"? known: prod, qa, staging; pass --create to add the overlay`,
		"qa":     `overlays/qa/api has no kustomization.yaml, kustomization.yml or Kustomization; pass --create to add one`,
	} {
		_, err := Plan(context.Background(), Request{Root: root, Service: "api", Env: env, Version: config.Version{Tag: "v2"}})
		if err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("Plan(api, %s) err = %v, want it to end with %q", env, err, want)
		}
	}
}
