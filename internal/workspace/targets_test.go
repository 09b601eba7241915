package workspace

import (
	"slices"
	"testing"

	"github.com/gito-dev/gito/internal/config"
)

func TestTreeNamesTargetsAndHelm(t *testing.T) {
	t.Parallel()
	cfg := &config.Repo{Services: map[string]config.Service{
		"api": {Targets: []config.Target{{File: "charts/{service}/values-{env}.yaml", Path: ".image.tag"}}},
	}}
	tr := newTree([]string{"charts/api/values-prod.yaml", "charts/api/values-qa.yaml", "charts/api/Chart.yaml", "charts/web/values-prod.yaml"})
	if got := tr.names(cfg, "service", ""); !slices.Equal(got, []string{"api"}) {
		t.Errorf("services = %v", got)
	}
	if got := tr.names(cfg, "env", "api"); !slices.Equal(got, []string{"prod", "qa"}) {
		t.Errorf("envs = %v", got)
	}
	helm := newTree([]string{"apps/api/prod/values.yaml", "apps/api/staging/values.yaml", "apps/web/prod/kustomization.yaml"})
	if got := helm.names(&config.Repo{}, "env", "api"); !slices.Equal(got, []string{"prod", "staging"}) {
		t.Errorf("helm envs = %v (layout %q)", got, helm.detectLayout())
	}
	one := newTree([]string{"envs/prod-us/kustomization.yml", "envs/qa/kustomization.yml", "variants/prod/kustomization.yml"})
	if got := one.detectLayout(); got != "envs/{env}" {
		t.Errorf("one-app layout = %q", got)
	}
	if got := one.names(&config.Repo{}, "env", "app"); !slices.Equal(got, []string{"prod-us", "qa"}) {
		t.Errorf("one-app envs = %v", got)
	}
}
