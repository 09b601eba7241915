package config

// CredentialVars are the environment variables that may hold a credential gito reads. No child
// process inherits them (git, ssh, the git that kustomize runs for a remote base): git gets a
// forge token only through gito's own scoped credential helper, for the remote's host.
var CredentialVars = []string{
	"GH_TOKEN", "GITHUB_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN",
	"GITLAB_TOKEN", "CI_JOB_TOKEN", "GITEA_TOKEN",
	"ARGOCD_AUTH_TOKEN", "GITO_GITHUB_APP_KEY",
	"DOCKER_AUTH_CONFIG", // registry credentials; internal/registry reads it from the snapshot
}

// IsCredentialVar reports whether name is one of CredentialVars.
func IsCredentialVar(name string) bool {
	for _, v := range CredentialVars {
		if v == name {
			return true
		}
	}
	return false
}
