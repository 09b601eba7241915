package inventory

import (
	"reflect"
	"testing"

	"github.com/gito-dev/gito/internal/config"
)

func TestOverlaysFromListing(t *testing.T) {
	t.Parallel()
	files := []string{
		"overlays/prod/web/kustomization.yml",
		"overlays/prod/api/kustomization.yaml",
		"overlays/dev/api/Kustomization",
		"overlays/dev/api/patch.yaml",
		"overlays/prod/base/kustomization.yaml", // a shared base, not a service
		"overlays/prod/Bad_Name/kustomization.yaml",
		"base/api/kustomization.yaml",
	}
	got := Overlays(files, &config.Repo{})
	want := []Overlay{
		{Service: "api", Env: "dev", Dir: "overlays/dev/api", Kustomization: "overlays/dev/api/Kustomization"},
		{Service: "api", Env: "prod", Dir: "overlays/prod/api", Kustomization: "overlays/prod/api/kustomization.yaml"},
		{Service: "web", Env: "prod", Dir: "overlays/prod/web", Kustomization: "overlays/prod/web/kustomization.yml"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Overlays = %+v", got)
	}
	// The configured layout wins over detection.
	got = Overlays([]string{"apps/api/prod/kustomization.yaml"}, &config.Repo{Layout: "apps/{service}/{env}"})
	if len(got) != 1 || got[0].Service != "api" || got[0].Env != "prod" {
		t.Errorf("configured layout: %+v", got)
	}
	if got := Overlays([]string{"README.md"}, &config.Repo{}); got != nil {
		t.Errorf("no layout: %+v", got)
	}
}
