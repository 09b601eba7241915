package inventory

import (
	"strings"
	"testing"
)

// Kargo's example shape: base/ + env/{dev,staging,prod}, one ApplicationSet whose git
// directory generator globs env/*.
const kargoRepo = `
-- appset.yaml --
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: guestbook
spec:
  generators:
  - git:
      repoURL: https://github.com/example/guestbook.git
      revision: HEAD
      directories:
      - path: env/*
  template:
    metadata:
      name: guestbook-{{path.basename}}
    spec:
      source:
        path: '{{path}}'
-- base/kustomization.yaml --
resources:
- deploy.yaml
-- base/deploy.yaml --
apiVersion: apps/v1
kind: Deployment
metadata:
  name: guestbook
spec:
  template:
    spec:
      containers:
      - name: guestbook
        image: ghcr.io/akuity/guestbook:v0.0.1
-- env/dev/kustomization.yaml --
resources:
- ../../base
images:
- name: ghcr.io/akuity/guestbook
  newTag: v0.0.3
-- env/staging/kustomization.yaml --
resources:
- ../../base
images:
- name: ghcr.io/akuity/guestbook
  newTag: v0.0.2
-- env/prod/kustomization.yaml --
resources:
- ../../base
`

func TestArgoAppSetGitDirectories(t *testing.T) {
	inv := build(t, kargoRepo)
	wantSummary(t, inv, `
guestbook dev v0.0.3 argocd ApplicationSet env/dev
guestbook prod v0.0.1 argocd ApplicationSet env/prod
guestbook staging v0.0.2 argocd ApplicationSet env/staging
`)
	e, err := inv.Find("guestbook", "prod")
	if err != nil {
		t.Fatal(err)
	}
	if c := e.Decider(); c.Kind != CarrierBaseImage || c.File != "base/deploy.yaml" || c.Line != 10 {
		t.Errorf("prod's version comes from the base: %+v", c)
	}
	if c := inv.Entries[0].Decider(); c.Kind != CarrierImages || c.File != "env/dev/kustomization.yaml" || c.Key != "images[0].newTag" || c.Line != 5 {
		t.Errorf("dev's carrier: %+v", c)
	}
	if s, ok := inv.OneService(); !ok || s != "guestbook" {
		t.Errorf("one service = %q %v", s, ok)
	}
}

func TestArgoAppSetGoTemplateAndFiles(t *testing.T) {
	inv := build(t, strings.Replace(strings.Replace(kargoRepo, "{{path.basename}}", "{{.path.basename}}", 1), "'{{path}}'", "'{{.path.path}}'", 1))
	if len(inv.Entries) != 3 || inv.Entries[0].Service != "guestbook" || inv.Entries[0].Rule != RuleAppSet {
		t.Errorf("goTemplate form: %s", summary(inv))
	}
	files := strings.Replace(kargoRepo, "directories:\n      - path: env/*", "files:\n      - path: env/*/kustomization.yaml", 1)
	if inv := build(t, files); len(inv.Entries) != 3 || inv.Entries[2].Env != "staging" || inv.Entries[2].Rule != RuleAppSet {
		t.Errorf("files generator: %s", summary(inv))
	}
}

func TestArgoAppSetNotApplying(t *testing.T) {
	// a matrix generator is listed as skipped, not guessed; the tree still finds env/*.
	matrix := strings.Replace(kargoRepo, "  - git:\n", "  - matrix:\n      generators: []\n  - list:\n      elements: []\n  - x:\n", 1)
	inv := build(t, strings.Replace(matrix, "      repoURL:", "    y:\n      repoURL:", 1))
	wantSummary(t, inv, `
guestbook dev v0.0.3 tree env/dev
guestbook prod v0.0.1 tree env/prod
guestbook staging v0.0.2 tree env/staging
`)
	if len(inv.Skipped) < 2 || !strings.Contains(inv.Skipped[0].Reason, "matrix generator not read") || !strings.Contains(inv.Skipped[1].Reason, "list generator") {
		t.Errorf("skipped: %v", inv.Skipped)
	}
	multi := strings.Replace(kargoRepo, "      source:\n        path: '{{path}}'", "      sources:\n      - path: '{{path}}'", 1)
	if inv := build(t, multi); len(inv.Skipped) != 1 || !strings.Contains(inv.Skipped[0].Reason, "multi-source") {
		t.Errorf("multi-source: %v", inv.Skipped)
	}
}

func TestArgoAmbiguous(t *testing.T) {
	// Two ApplicationSets name the same service over two directories of the same env.
	repo := kargoRepo + `-- other.yaml --
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: guestbook
spec:
  generators:
  - git:
      directories:
      - path: alt/*
  template:
    metadata:
      name: guestbook-{{path.basename}}
    spec:
      source:
        path: '{{path}}'
-- alt/dev/kustomization.yaml --
resources:
- ../../base
`
	inv := build(t, repo)
	_, err := inv.Find("guestbook", "dev")
	if err == nil || !strings.Contains(err.Error(), "alt/dev, env/dev") || !strings.Contains(err.Error(), `layout: "alt/{env}"`) {
		t.Fatalf("Find = %v, want an ambiguity naming both and .gito.yaml", err)
	}
	if _, err := inv.Find("guestbook", "prod"); err != nil {
		t.Errorf("prod is not ambiguous: %v", err)
	}
}

func TestArgoApplication(t *testing.T) {
	repo := `
-- apps/api-prod.yaml --
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: api-prod
spec:
  source:
    path: deploy/prod
-- apps/podinfo.yaml --
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: podinfo-staging
spec:
  source:
    repoURL: https://stefanprodan.github.io/podinfo
    chart: podinfo
    targetRevision: 6.5.0
-- apps/multi.yaml --
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: multi
spec:
  sources:
  - path: deploy/prod
-- deploy/prod/kustomization.yaml --
resources:
- d.yaml
-- deploy/prod/d.yaml --
kind: Deployment
spec:
  template:
    spec:
      containers:
      - image: example.com/team/server:1.2.3
`
	inv := build(t, repo)
	wantSummary(t, inv, `
api prod 1.2.3 argocd Application deploy/prod
podinfo staging 6.5.0 argocd Application 
`)
	e, _ := inv.Find("podinfo", "staging")
	if c := e.Decider(); c.Kind != CarrierArgoHelm || c.Key != "spec.source.targetRevision" || c.Line != 9 {
		t.Errorf("helm carrier: %+v", c)
	}
	if len(inv.Skipped) != 1 || !strings.Contains(inv.Skipped[0].Reason, "multi-source") {
		t.Errorf("skipped: %v", inv.Skipped)
	}
}
