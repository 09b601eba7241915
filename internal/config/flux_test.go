package config

import (
	"strings"
	"testing"
)

func TestFluxKey(t *testing.T) {
	t.Parallel()
	r, err := ParseRepo([]byte("flux:\n  kustomization: \"apps-{env}\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Flux.Enabled() || r.Flux.KustomizationName("api", "prod") != "apps-prod" || r.Flux.KustomizationNamespace() != "flux-system" {
		t.Errorf("flux = %+v", r.Flux)
	}
	r, err = ParseRepo([]byte("flux:\n  kustomization: \"{service}.{env}\"\n  namespace: gitops\n"))
	if err != nil || r.Flux.KustomizationName("api", "prod") != "api.prod" || r.Flux.KustomizationNamespace() != "gitops" {
		t.Errorf("flux = %+v, err %v", r.Flux, err)
	}
	if r, _ := ParseRepo([]byte("layout: \"overlays/{env}/{service}\"\n")); r.Flux.Enabled() {
		t.Errorf("flux enabled without the key")
	}
}

func TestFluxKeyErrors(t *testing.T) {
	t.Parallel()
	for yaml, want := range map[string]string{
		"flux:\n  kustomization: \"apps/{env}\"\n":                 "key flux.kustomization",
		"flux:\n  kustomization: \"Apps-{env}\"\n":                 "key flux.kustomization",
		"flux:\n  kustomization: \"apps-{cluster}\"\n":             "only {env} and {service}",
		"flux:\n  kustomization: apps\n  namespace: flux_system\n": "key flux.namespace",
		"flux:\n  namespace: flux-system\n":                        "key flux.kustomization: missing",
		"flux:\n  kustomisation: apps\n":                           "field kustomisation not found",
	} {
		_, err := ParseRepo([]byte(yaml))
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseRepo(%q) error = %v, want one line containing %q", yaml, err, want)
		}
	}
}
