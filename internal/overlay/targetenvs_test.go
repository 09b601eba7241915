package overlay

import (
	"errors"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/testutil"
)

// targetsOnlyRepo has a service that exists only through targets (no overlay directory),
// with its files for prod and staging, and a directory for qa that holds no target file.
func targetsOnlyRepo(t *testing.T) (string, *config.Repo) {
	t.Helper()
	root := t.TempDir()
	testutil.WriteTree(t, root, map[string]string{
		"manifests/prod/api.yaml":    deployment("api", "ghcr.io/acme/api:v1"),
		"manifests/staging/api.yaml": deployment("api", "ghcr.io/acme/api:v1"),
		"manifests/qa/web.yaml":      deployment("web", "ghcr.io/acme/web:v1"),
		"argocd/api-prod.yaml":       "spec:\n  source:\n    helm:\n      valuesObject:\n        image:\n          tag: v1\n",
	})
	repo := &config.Repo{Services: map[string]config.Service{"api": {Targets: []config.Target{
		{File: "manifests/{env}/{service}.yaml", Path: `.spec.template.spec.containers[] | select(.name == "api") | .image`, Value: "{image}:{tag}"},
		{File: "argocd/{service}-{env}.yaml", Path: ".spec.source.helm.valuesObject.image.tag"},
	}}}}
	return root, repo
}

func TestTargetsOnlyServiceListsItsEnvs(t *testing.T) {
	t.Parallel()
	root, repo := targetsOnlyRepo(t)
	envs, err := Envs(root, repo, "api")
	if err != nil || strings.Join(envs, ",") != "prod,staging" {
		t.Fatalf("Envs = %v, %v; want prod,staging", envs, err)
	}
	services, err := Services(root, repo)
	if err != nil || strings.Join(services, ",") != "api" {
		t.Fatalf("Services = %v, %v; want api", services, err)
	}

	_, err = Locate(root, repo, "api", "prodd")
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Kind != "env" {
		t.Fatalf("Locate = %v, want an unknown env", err)
	}
	want := `unknown env "prodd" for service "api" in manifests/{env}/api.yaml, argocd/api-{env}.yaml: did you mean "prod"? known: prod, staging`
	if err.Error() != want {
		t.Fatalf("Locate error\n got %s\nwant %s", err, want)
	}

	_, err = Locate(root, repo, "apii", "prod")
	if err == nil || err.Error() != `unknown service "apii" in .gito.yaml targets: did you mean "api"? known: api` {
		t.Fatalf("Locate of an unknown service = %v", err)
	}

	// An env the targets have is not refused by the name check: the release goes through
	// the targets, and a missing file of that env is named as such.
	if _, err := Locate(root, repo, "api", "prod"); !errors.Is(err, ErrNoOverlays) {
		t.Fatalf("Locate of a target env = %v, want the original no-overlays error", err)
	}
}

func TestTargetsOnlyReleaseToAnUnknownEnv(t *testing.T) {
	t.Parallel()
	root, repo := targetsOnlyRepo(t)
	before := hashTree(t, root)
	for env, want := range map[string]string{
		"bogus": `unknown env "bogus" for service "api" in manifests/{env}/api.yaml, argocd/api-{env}.yaml: known: prod, staging`,
		"qa":    `unknown env "qa" for service "api"`,
		// staging has the manifest but not the Application: that file is named.
		"staging": "argocd/api-staging.yaml: the file does not exist (from services.api.targets[1]",
	} {
		_, err := Plan(t.Context(), Request{Root: root, Repo: repo, Service: "api", Env: env, Version: config.Version{Tag: "v2"}})
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Plan to %s = %v, want one line with %q", env, err, want)
		}
	}
	if _, err := TargetReads(root, repo, "api", "bogus"); err == nil || !strings.Contains(err.Error(), `unknown env "bogus"`) {
		t.Errorf("TargetReads of an unknown env = %v", err)
	}
	if hashTree(t, root) != before {
		t.Fatal("the tree changed")
	}
	res, err := Plan(t.Context(), Request{Root: root, Repo: repo, Service: "api", Env: "prod", Version: config.Version{Tag: "v2"}})
	if err != nil || len(res.Files) != 2 {
		t.Fatalf("Plan to prod = %+v, %v", res, err)
	}
}

func TestTargetEnvsBesideOverlays(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteTree(t, root, merge(baseFiles("base", "web", "ghcr.io/acme/web:v1"), map[string]string{
		"overlays/prod/web/kustomization.yaml": kustHeader + "resources:\n  - ../../../base\n",
		"values/api-dev.yaml":                  "image:\n  tag: v1\n",
	}))
	repo := &config.Repo{Services: map[string]config.Service{"api": {Targets: []config.Target{{File: "values/{service}-{env}.yaml", Path: ".image.tag"}}}}}
	services, err := Services(root, repo)
	if err != nil || strings.Join(services, ",") != "api,web" {
		t.Fatalf("Services = %v, %v", services, err)
	}
	envs, err := Envs(root, repo, "api")
	if err != nil || strings.Join(envs, ",") != "dev" {
		t.Fatalf("Envs(api) = %v, %v", envs, err)
	}
	_, err = Locate(root, repo, "wbe", "prod")
	if err == nil || !strings.Contains(err.Error(), `did you mean "web"? known: api, web`) {
		t.Fatalf("Locate(wbe) = %v", err)
	}
	_, err = Locate(root, repo, "api", "prod")
	if err == nil || !strings.Contains(err.Error(), `unknown env "prod" for service "api" in values/api-{env}.yaml: known: dev`) {
		t.Fatalf("Locate(api, prod) = %v", err)
	}
}
