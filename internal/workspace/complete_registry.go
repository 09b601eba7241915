package workspace

import "context"

// RegistryImage is the image whose registry tags complete --version: the service's first
// configured image, and only when .gito.yaml turns registry.check on (a repo that did not ask
// for registry lookups never causes one from a TAB press).
func (c Completer) RegistryImage(ctx context.Context, service string) (string, bool) {
	src, ok := c.open(ctx)
	if !ok || service == "" || !src.cfg.Registry.Check {
		return "", false
	}
	s, ok := src.cfg.Services[service]
	if !ok || len(s.Images) == 0 {
		return "", false
	}
	return s.Images[0], true
}
