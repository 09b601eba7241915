package config

import (
	"fmt"
	"strings"
)

// ArgoCD is .gito.yaml's argocd key: where --wait asks whether a release is running.
type ArgoCD struct {
	// Server is the Argo CD API server: host[:port] (https) or a URL (its scheme kept). A
	// server only the repo names is never sent the token (see argocd.ResolveServer).
	Server string `yaml:"server"`
	// App is the Application name pattern; {service} and {env} are filled in.
	App string `yaml:"app"`
}

// UserArgoCD is the user config's argocd key: a server the user trusts with
// ARGOCD_AUTH_TOKEN, and the argocd CLI's connection switches.
type UserArgoCD struct {
	Server    string `yaml:"server"`
	PlainText bool   `yaml:"plaintext"` // like argocd --plaintext: http for a host[:port]
	Insecure  bool   `yaml:"insecure"`  // like argocd --insecure: skip TLS verification
}

// DefaultArgoCDApp names an Application when .gito.yaml sets no argocd.app.
const DefaultArgoCDApp = "{service}-{env}"

// AppName fills the argocd.app pattern for one overlay.
func (a ArgoCD) AppName(service, env string) string {
	pattern := a.App
	if pattern == "" {
		pattern = DefaultArgoCDApp
	}
	return strings.NewReplacer("{service}", service, "{env}", env).Replace(pattern)
}

// AppPattern is the pattern in effect, for messages.
func (a ArgoCD) AppPattern() string {
	if a.App == "" {
		return DefaultArgoCDApp
	}
	return a.App
}

func (a ArgoCD) validate() error {
	if strings.ContainsAny(a.Server, " \t\r\n") {
		return fmt.Errorf("key argocd.server: %q is not a host or URL", a.Server)
	}
	if a.App != "" {
		if rest := strings.NewReplacer("{service}", "", "{env}", "").Replace(a.App); strings.ContainsAny(rest, "{}") {
			return fmt.Errorf("key argocd.app: %q: only {service} and {env} may be used", a.App)
		}
		probe := a.AppName("svc", "env")
		if strings.ContainsAny(probe, "/ \t\r\n?#%") || probe == "" {
			return fmt.Errorf("key argocd.app: %q does not make an Application name (no slashes, spaces, ? # or %%)", a.App)
		}
	}
	return nil
}
