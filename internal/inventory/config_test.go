package inventory

import (
	"strings"
	"testing"
)

const layoutRepo = `
-- overlays/prod/api/kustomization.yaml --
images:
- name: r.io/api
  newTag: v2
-- overlays/prod/web/kustomization.yaml --
images:
- name: r.io/web
  newTag: v1
-- overlays/dev/api/kustomization.yaml --
images:
- name: r.io/api
  newTag: v3
`

func TestConfigLayout(t *testing.T) {
	// applies: the configured layout names the overlays, and a services: entry for one
	// service hides none of the others.
	inv := build(t, layoutRepo+`-- .gito.yaml --
layout: "overlays/{env}/{service}"
services:
  api:
    images: [r.io/api]
`)
	wantSummary(t, inv, `
api dev v3 gito.yaml layout overlays/dev/api
api prod v2 gito.yaml layout overlays/prod/api
web prod v1 gito.yaml layout overlays/prod/web
`)
	// does not apply: a layout that fits nothing leaves an empty inventory, the tree is not
	// asked (the configured layout is the repo's axis).
	none := build(t, layoutRepo+"-- .gito.yaml --\nlayout: \"envs/{env}/{service}\"\n")
	if len(none.Entries) != 0 || none.Layout != "envs/{env}/{service}" {
		t.Errorf("%s", summary(none))
	}
	if _, err := none.Find("api", "prod"); err == nil || !strings.Contains(err.Error(), "layout envs/{env}/{service}") {
		t.Errorf("Find: %v", err)
	}
	// ambiguous: a one-app layout whose overlay renders two configured services' images
	// names both; a service named by two directories in one env is an error.
	two := build(t, `
-- .gito.yaml --
layout: "deploy/{env}"
services:
  api:
    images: [r.io/api]
  web:
    images: [r.io/web]
-- deploy/prod/kustomization.yaml --
resources: [a.yaml]
-- deploy/prod/a.yaml --
kind: Deployment
spec:
  containers:
  - image: r.io/api:1
  - image: r.io/web:2
`)
	wantSummary(t, two, `
api prod 1 gito.yaml layout deploy/prod
web prod 2 gito.yaml layout deploy/prod
`)
}

func TestConfigTargetsAndGroups(t *testing.T) {
	inv := build(t, layoutRepo+`-- .gito.yaml --
layout: "overlays/{env}/{service}"
services:
  chart:
    targets:
    - file: charts/chart/values-{env}.yaml
      path: .image.tag
environments:
  all:
    group: [dev, prod]
-- charts/chart/values-prod.yaml --
image:
  repository: r.io/chart
  tag: "1.4"
-- charts/chart/values-dev.yaml --
image:
  tag: "1.4"
-- charts/chart/values.yaml --
image:
  tag: "0"
`)
	wantSummary(t, inv, `
api all unknown(members run different versions) gito.yaml environments group 
api dev v3 gito.yaml layout overlays/dev/api
api prod v2 gito.yaml layout overlays/prod/api
chart all 1.4 gito.yaml environments group 
chart dev 1.4 gito.yaml targets 
chart prod 1.4 gito.yaml targets 
web all v1 gito.yaml environments group 
web prod v1 gito.yaml layout overlays/prod/web
`)
	e, _ := inv.Find("chart", "prod")
	if c := e.Decider(); c.Kind != CarrierTarget || c.File != "charts/chart/values-prod.yaml" || c.Key != ".image.tag" || c.Line != 5 {
		t.Errorf("target carrier: %+v (source %s)", c, e.Source)
	}
}

func TestSetterMarkers(t *testing.T) {
	inv := build(t, `
-- env/dev/kustomization.yaml --
resources: [d.yaml, hr.yaml]
-- env/dev/d.yaml --
kind: Deployment
spec:
  containers:
  - name: a
    image: r.io/app:1.0.0 # {"$imagepolicy": "flux-system:app"}
  - name: b
    image: r.io/other:2.0.0
-- env/dev/hr.yaml --
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  chart:
    spec:
      version: 6.0.0
  values:
    image:
      repository: ghcr.io/stefanprodan/podinfo # {"$imagepolicy": "flux-system:podinfo:name"}
      tag: "6.5.1" # {"$imagepolicy": "flux-system:podinfo:tag"}
`)
	wantSummary(t, inv, `
app dev 1.0.0 tree env/dev
other dev 2.0.0 tree env/dev
podinfo dev 6.5.1 tree env/dev
`)
	e, _ := inv.Find("podinfo", "dev")
	if c := e.Decider(); c.Kind != CarrierSetter || c.File != "env/dev/hr.yaml" || c.Line != 12 || c.Key != `tag (flux-system:podinfo:tag)` {
		t.Errorf("setter carrier: %+v", c)
	}
	if len(e.Carriers) != 2 || e.Carriers[1].Kind != CarrierChart {
		t.Errorf("the chart version is a carrier too: %+v", e.Carriers)
	}
	if got := setters("f", []byte(`x: 1 # no marker`)); got != nil {
		t.Errorf("setters without a marker: %v", got)
	}
}

func TestUnknownNeverBlank(t *testing.T) {
	inv := build(t, `
-- env/dev/kustomization.yaml --
resources:
- https://github.com/acme/base//deploy?ref=v1
-- env/prod/kustomization.yaml --
resources: [d.yaml]
replacements:
- source: {kind: ConfigMap}
-- env/prod/d.yaml --
kind: Deployment
spec:
  containers:
  - image: r.io/app
`)
	for _, e := range inv.Entries {
		if e.Ref() == "" && e.Unknown == "" {
			t.Errorf("%s/%s: blank version without a reason", e.Service, e.Env)
		}
	}
	e, err := inv.Find("app", "prod")
	if err != nil || !strings.Contains(e.Unknown, "replacements in env/prod/kustomization.yaml") {
		t.Errorf("prod: %+v %v", e, err)
	}
	if len(inv.Entries) != 1 {
		t.Errorf("dev renders only a remote base: no service can be named: %s", summary(inv))
	}
}
