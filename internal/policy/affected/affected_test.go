package affected

import (
	"slices"
	"testing"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/policy"
)

func TestAffected(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"base/api/kustomization.yaml":           "resources: [deployment.yaml]\n",
		"base/api/deployment.yaml":              "kind: Deployment\n",
		"components/tls/kustomization.yaml":     "kind: Component\n",
		"shared/patch.yaml":                     "kind: Deployment\n",
		"overlays/prod/api/kustomization.yaml":  "resources: [../../../base/api]\ncomponents: [../../../components/tls]\npatches:\n  - path: ../../../shared/patch.yaml\n",
		"overlays/dev/api/kustomization.yaml":   "resources: [../../../base/api, https://example.com/remote.yaml]\n",
		"overlays/prod/web/kustomization.yaml":  "resources: [deployment.yaml]\n",
		"overlays/prod/web/deployment.yaml":     "kind: Deployment\n",
		"overlays/prod/evil/kustomization.yaml": "resources: [../../../../outside]\n",
	}
	var list []string
	for f := range files {
		list = append(list, f)
	}
	slices.Sort(list)
	l, err := New(list, func(p string) ([]byte, bool) { d, ok := files[p]; return []byte(d), ok }, &config.Repo{Layout: "overlays/{env}/{service}"})
	if err != nil {
		t.Fatal(err)
	}
	api := func(envs ...string) []policy.Target {
		var out []policy.Target
		for _, e := range envs {
			out = append(out, policy.Target{Service: "api", Env: e})
		}
		return out
	}
	tests := []struct {
		paths []string
		want  []policy.Target
	}{
		{[]string{"base/api/deployment.yaml"}, api("dev", "prod")},
		{[]string{"components/tls/kustomization.yaml"}, api("prod")},
		{[]string{"shared/patch.yaml"}, api("prod")},
		{[]string{"overlays/prod/web/deployment.yaml"}, []policy.Target{{Service: "web", Env: "prod"}}},
		{[]string{"README.md", "base/apiserver/x.yaml", "overlays/prod/api-old/x"}, nil},
	}
	for _, tt := range tests {
		got, err := l.Affected(tt.paths)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(got, func(a, b policy.Target) int { return cmpTarget(a, b) })
		if !slices.Equal(got, tt.want) {
			t.Errorf("Affected(%v) = %v, want %v", tt.paths, got, tt.want)
		}
	}
	u := Union{l, l}
	if got, _ := u.Affected([]string{"base/api/deployment.yaml"}); len(got) != 2 {
		t.Errorf("Union must not repeat targets: %v", got)
	}
}

func cmpTarget(a, b policy.Target) int {
	if a.Service != b.Service {
		if a.Service < b.Service {
			return -1
		}
		return 1
	}
	if a.Env < b.Env {
		return -1
	}
	if a.Env > b.Env {
		return 1
	}
	return 0
}
