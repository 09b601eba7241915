package app_test

import (
	"regexp"
	"testing"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/forge/githubapp"
)

// `gito help environment` names every variable that carries a credential or says which forge
// a host runs, each at the start of a line.
func TestHelpEnvironmentListsForgeVariables(t *testing.T) {
	t.Parallel()
	code, out, _ := runGito(t, "help", "environment")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	vars := []string{githubapp.IDEnv, githubapp.KeyEnv}
	for _, v := range forge.HostVars {
		vars = append(vars, v)
	}
	for _, v := range config.CredentialVars {
		if v != "ARGOCD_AUTH_TOKEN" && v != "CI_JOB_TOKEN" && v != "GITHUB_ENTERPRISE_TOKEN" {
			vars = append(vars, v)
		}
	}
	for _, v := range vars {
		if !regexp.MustCompile(`(?m)^(\S+, )?` + v + `\b`).MatchString(out) {
			t.Errorf("help environment does not list %s:\n%s", v, out)
		}
	}
}
