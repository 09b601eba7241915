package argocd

import (
	"fmt"

	"github.com/gito-dev/gito/internal/config"
)

// ServerForEnv is the Argo CD server of env: the user config's argocdServers entry for it,
// else what ResolveServer picks. Only the user config (or ARGOCD_SERVER) names a server
// that ARGOCD_AUTH_TOKEN goes to, never the repo.
func ServerForEnv(env string, repo config.ArgoCD, user *config.User, getenv func(string) string, userPath string) (*Server, error) {
	if s := user.ArgoCDServers[env]; s != "" {
		u, err := parseServer(s, user.ArgoCD.PlainText)
		if err != nil {
			return nil, fmt.Errorf("%s argocdServers.%s: %w", userPath, env, err)
		}
		return &Server{URL: u, Insecure: user.ArgoCD.Insecure, Source: userPath}, nil
	}
	return ResolveServer(repo, user.ArgoCD, getenv, userPath)
}
