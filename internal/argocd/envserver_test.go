package argocd

import (
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/config"
)

// An env's server comes from the user config's argocdServers, else ARGOCD_SERVER; the repo
// never names one.
func TestServerForEnv(t *testing.T) {
	t.Parallel()
	user := &config.User{ArgoCDServers: map[string]string{"prod": "argocd.prod.example.com:8443"}}
	getenv := func(k string) string { return map[string]string{"ARGOCD_SERVER": "argocd.example.com"}[k] }
	s, err := ServerForEnv("prod", config.ArgoCD{Server: "evil.example.com"}, user, getenv, "config.yaml")
	if err != nil || s.URL.String() != "https://argocd.prod.example.com:8443" {
		t.Errorf("prod: %v, %v", s, err)
	}
	s, err = ServerForEnv("staging", config.ArgoCD{Server: "evil.example.com"}, user, getenv, "config.yaml")
	if err != nil || s.URL.Host != "argocd.example.com" {
		t.Errorf("staging: %v, %v", s, err)
	}
	user.ArgoCDServers["dev"] = "ftp://x"
	if _, err := ServerForEnv("dev", config.ArgoCD{}, user, getenv, "config.yaml"); err == nil || !strings.Contains(err.Error(), "config.yaml argocdServers.dev") {
		t.Errorf("dev: %v", err)
	}
}
