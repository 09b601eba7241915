package config

import (
	"fmt"
	"strings"
)

// Flux is .gito.yaml's flux key: the Flux Kustomization that applies an overlay, for --wait
// and status --live. Set, it makes Flux (not Argo CD) the deployer gito follows.
type Flux struct {
	// Kustomization is the Kustomization name pattern; {service} and {env} are filled in.
	Kustomization string `yaml:"kustomization"`
	// Namespace is the Kustomization's namespace; default flux-system.
	Namespace string `yaml:"namespace"`
}

// DefaultFluxNamespace is where flux bootstrap puts its Kustomizations.
const DefaultFluxNamespace = "flux-system"

// Enabled reports whether the repo names a Flux Kustomization.
func (f Flux) Enabled() bool { return f.Kustomization != "" }

// KustomizationName fills the flux.kustomization pattern for one overlay.
func (f Flux) KustomizationName(service, env string) string {
	return strings.NewReplacer("{service}", service, "{env}", env).Replace(f.Kustomization)
}

// KustomizationNamespace is flux.namespace, defaulted.
func (f Flux) KustomizationNamespace() string {
	if f.Namespace == "" {
		return DefaultFluxNamespace
	}
	return f.Namespace
}

func (f Flux) validate() error {
	if f.Namespace != "" && !isDNSLabel(f.Namespace) {
		return fmt.Errorf("key flux.namespace: %q is not a Kubernetes namespace name", f.Namespace)
	}
	if f.Namespace != "" && f.Kustomization == "" {
		return fmt.Errorf("key flux.kustomization: missing; flux.namespace alone does not name a Kustomization")
	}
	if f.Kustomization == "" {
		return nil
	}
	if rest := strings.NewReplacer("{env}", "", "{service}", "").Replace(f.Kustomization); strings.ContainsAny(rest, "{}") {
		return fmt.Errorf("key flux.kustomization: %q: only {env} and {service} may be used", f.Kustomization)
	}
	// Service and env names are DNS labels with dots; the filled pattern must be a
	// Kubernetes object name (a DNS subdomain).
	if probe := f.KustomizationName("svc", "env"); !isDNSSubdomain(probe) {
		return fmt.Errorf("key flux.kustomization: %q does not make a Kubernetes object name (lower case letters, digits, '-' and '.')", f.Kustomization)
	}
	return nil
}

func isDNSLabel(s string) bool {
	return len(s) <= 63 && isDNSSubdomain(s) && !strings.Contains(s, ".")
}

func isDNSSubdomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" || part[0] == '-' || part[len(part)-1] == '-' {
			return false
		}
		for _, r := range part {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return false
			}
		}
	}
	return true
}
