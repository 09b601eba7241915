package config

import (
	"slices"
	"testing"
)

func TestGroupsAndArgoCD(t *testing.T) {
	t.Parallel()
	r, err := ParseRepo([]byte("environments:\n  prod-all:\n    group: [prod-us, prod-eu]\n  prod-us: {}\nargocd:\n  server: cd.example.com\n  app: \"apps-{env}-{service}\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !r.IsGroup("prod-all") || r.IsGroup("prod-us") || !slices.Equal(r.Members("prod-all"), []string{"prod-us", "prod-eu"}) || !slices.Equal(r.Members("dev"), []string{"dev"}) {
		t.Errorf("groups: %+v", r.Environments)
	}
	if got := r.ArgoCD.AppName("api", "prod-us"); got != "apps-prod-us-api" {
		t.Errorf("AppName = %q", got)
	}
	if got := (ArgoCD{}).AppName("api", "prod"); got != "api-prod" {
		t.Errorf("default AppName = %q", got)
	}
	for _, tt := range []struct{ yaml, want string }{
		{"environments:\n  all:\n    group: [a, all]\n", ".gito.yaml:3: key environments.all.group[1]: a group cannot contain itself"},
		{"environments:\n  all:\n    group: [a, sub]\n  sub:\n    group: [b]\n", `.gito.yaml:3: key environments.all.group[1]: "sub" is a group; list its members instead`},
		{"environments:\n  all:\n    group: [a, a]\n", `.gito.yaml:3: key environments.all.group[1]: "a" is listed twice`},
		{"environments:\n  all:\n    group: [a, ../x]\n", `.gito.yaml:3: key environments.all.group[1]: environment "../x" is not a valid name`},
		{"argocd:\n  app: \"{service}/{env}\"\n", `.gito.yaml:2: key argocd.app: "{service}/{env}" does not make an Application name`},
	} {
		_, err := ParseRepo([]byte(tt.yaml))
		if err == nil || len(err.Error()) < len(tt.want) || err.Error()[:len(tt.want)] != tt.want {
			t.Errorf("ParseRepo(%q) = %v\nwant prefix %s", tt.yaml, err, tt.want)
		}
	}
}
