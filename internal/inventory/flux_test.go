package inventory

import (
	"strings"
	"testing"
)

// Flux's flux2-kustomize-helm-example shape: clusters/{env} hold Flux Kustomizations whose
// path is apps/{env}; apps/{env} patches the base HelmRelease's values and chart version.
const fluxRepo = `
-- clusters/staging/apps.yaml --
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  path: ./apps/staging
-- clusters/staging/infrastructure.yaml --
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: infra-controllers
spec:
  path: ./infrastructure/controllers
-- clusters/staging/flux-system/kustomization.yaml --
resources:
- gotk-sync.yaml
-- clusters/staging/flux-system/gotk-sync.yaml --
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
spec:
  path: ./clusters/staging
-- clusters/production/apps.yaml --
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
spec:
  path: ./apps/production
-- clusters/production/infrastructure.yaml --
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: infra-controllers
spec:
  path: ./infrastructure/controllers
-- infrastructure/controllers/kustomization.yaml --
resources:
- ingress-nginx.yaml
-- infrastructure/controllers/ingress-nginx.yaml --
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ingress-nginx
spec:
  chart:
    spec:
      chart: ingress-nginx
      version: "4.x"
-- apps/base/podinfo/kustomization.yaml --
resources:
- release.yaml
-- apps/base/podinfo/release.yaml --
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: podinfo
spec:
  chart:
    spec:
      chart: podinfo
      version: "6.4.0"
-- apps/staging/kustomization.yaml --
resources:
- ../base/podinfo
patches:
- path: podinfo-values.yaml
  target:
    kind: HelmRelease
-- apps/staging/podinfo-values.yaml --
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  chart:
    spec:
      version: ">=1.0.0-alpha"
-- apps/production/kustomization.yaml --
resources:
- ../base/podinfo
patches:
- path: podinfo-values.yaml
-- apps/production/podinfo-values.yaml --
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  values:
    ingress:
      enabled: true
`

func TestFluxKustomizationAndHelmRelease(t *testing.T) {
	inv := build(t, fluxRepo)
	wantSummary(t, inv, `
podinfo production 6.4.0 flux Kustomization apps/production
podinfo staging >=1.0.0-alpha flux Kustomization apps/staging
`)
	st, _ := inv.Find("podinfo", "staging")
	if c := st.Decider(); c.Kind != CarrierChart || c.File != "apps/staging/podinfo-values.yaml" || c.Key != "spec.chart.spec.version" || c.Line != 8 {
		t.Errorf("staging's chart version is set in its patch: %+v", c)
	}
	pr, _ := inv.Find("podinfo", "production")
	if c := pr.Decider(); c.File != "apps/base/podinfo/release.yaml" {
		t.Errorf("production's comes from the base: %+v", c)
	}
	var reasons []string
	for _, s := range inv.Skipped {
		reasons = append(reasons, s.Reason)
	}
	if got := strings.Join(reasons, "\n"); !strings.Contains(got, "infrastructure/controllers is applied in 2 envs (shared)") ||
		!strings.Contains(got, "clusters/staging holds no kustomization file") {
		t.Errorf("skipped:\n%s", got)
	}
}

func TestFluxNotApplying(t *testing.T) {
	// Without Flux objects the tree still finds apps/{env}.
	var kept []string
	for _, part := range strings.Split(fluxRepo, "\n-- ")[1:] {
		if !strings.HasPrefix(part, "clusters/") {
			kept = append(kept, part)
		}
	}
	inv := build(t, "\n-- "+strings.Join(kept, "\n-- "))
	wantSummary(t, inv, `
podinfo production 6.4.0 tree apps/production
podinfo staging >=1.0.0-alpha tree apps/staging
`)
}

func TestFluxAmbiguous(t *testing.T) {
	repo := fluxRepo + `-- clusters/staging/apps2.yaml --
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps2
spec:
  path: ./apps2/staging
-- apps2/staging/kustomization.yaml --
resources:
- ../../apps/base/podinfo
`
	_, err := build(t, repo).Find("podinfo", "staging")
	if err == nil || !strings.Contains(err.Error(), "apps/staging, apps2/staging") {
		t.Fatalf("Find = %v", err)
	}
}

// podinfo's shape: deploy/overlays/{env} over several bases, two images: two services.
const podinfoRepo = `
-- deploy/bases/backend/kustomization.yaml --
resources:
- deployment.yaml
-- deploy/bases/backend/deployment.yaml --
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
spec:
  template:
    spec:
      containers:
      - name: backend
        image: ghcr.io/stefanprodan/podinfo:6.0.0
-- deploy/bases/cache/kustomization.yaml --
resources:
- deployment.yaml
-- deploy/bases/cache/deployment.yaml --
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cache
spec:
  template:
    spec:
      containers:
      - name: redis
        image: public.ecr.aws/docker/library/redis:7.0.7
-- deploy/overlays/dev/kustomization.yaml --
resources:
- ../../bases/backend
- ../../bases/cache
images:
- name: ghcr.io/stefanprodan/podinfo
  newTag: 6.1.0
-- deploy/overlays/production/kustomization.yaml --
resources:
- ../../bases/backend
- ../../bases/cache
`

func TestTreeSeveralImagesAreSeveralServices(t *testing.T) {
	inv := build(t, podinfoRepo)
	wantSummary(t, inv, `
podinfo dev 6.1.0 tree deploy/overlays/dev
podinfo production 6.0.0 tree deploy/overlays/production
redis dev 7.0.7 tree deploy/overlays/dev
redis production 7.0.7 tree deploy/overlays/production
`)
	if inv.Layout != "deploy/overlays/{env}" {
		t.Errorf("layout %q", inv.Layout)
	}
	if _, ok := inv.OneService(); ok {
		t.Error("two services are not one")
	}
	if _, err := inv.Find("api", "dev"); err == nil || !strings.Contains(err.Error(), "known: podinfo, redis") || !strings.Contains(err.Error(), "layout deploy/overlays/{env}") {
		t.Errorf("unknown service: %v", err)
	}
}

// The Codefresh course shape: deprecated bases and patchesStrategicMerge.
func TestTreeDeprecatedFields(t *testing.T) {
	inv := build(t, `
-- base/kustomization.yml --
resources:
- deployment.yml
-- base/deployment.yml --
kind: Deployment
spec:
  template:
    spec:
      containers:
      - image: docker.io/kostiscodefresh/simple-env-app:1.0
-- envs/prod-us/kustomization.yml --
bases:
- ../../base
patchesStrategicMerge:
- version.yml
-- envs/prod-us/version.yml --
kind: Deployment
spec:
  template:
    spec:
      containers:
      - image: docker.io/kostiscodefresh/simple-env-app:v2.0
-- envs/qa/kustomization.yml --
bases:
- ../../base
`)
	wantSummary(t, inv, `
simple-env-app prod-us v2.0 tree envs/prod-us
simple-env-app qa 1.0 tree envs/qa
`)
	e, _ := inv.Find("simple-env-app", "prod-us")
	if c := e.Decider(); c.Kind != CarrierPatchImage || c.File != "envs/prod-us/version.yml" || c.Line != 6 {
		t.Errorf("carrier: %+v", c)
	}
}

// {app}/overlays/{cluster}, and {env}/{service} told from {service}/{env}.
func TestTreeAppOverlays(t *testing.T) {
	var b strings.Builder
	for _, app := range []string{"api", "web", "worker"} {
		for _, env := range []string{"dev", "prod"} {
			b.WriteString("-- " + app + "/overlays/" + env + "/kustomization.yaml --\nimages:\n- name: r.io/" + app + "\n  newTag: \"1\"\nresources:\n- d.yaml\n")
			b.WriteString("-- " + app + "/overlays/" + env + "/d.yaml --\nkind: Deployment\nspec:\n  containers:\n  - image: r.io/" + app + ":0\n")
		}
	}
	inv := build(t, b.String())
	if inv.Layout != "{service}/overlays/{env}" || len(inv.Entries) != 6 || inv.Entries[0].Ref() != "1" {
		t.Errorf("%s %s", inv.Layout, summary(inv))
	}
	flipped := build(t, strings.ReplaceAll(b.String(), "/overlays/", "/"))
	if flipped.Layout != "{service}/{env}" || len(flipped.Entries) != 6 || flipped.Entries[0].Service != "api" {
		t.Errorf("%s %s", flipped.Layout, summary(flipped))
	}
	// Equal counts: today's {env}/{service} stays.
	same := build(t, "-- a/x/kustomization.yaml --\nresources: []\n-- b/y/kustomization.yaml --\nresources: []\n")
	if same.Layout != "{env}/{service}" || len(same.Skipped) != 1 || !strings.Contains(same.Skipped[0].Reason, `ambiguous: the tree reads as {env}/{service} or {service}/{env}`) {
		t.Errorf("layout %q, notes %v", same.Layout, same.Skipped)
	}
}
