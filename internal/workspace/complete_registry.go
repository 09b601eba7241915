package workspace

import "context"

// RegistryImage is the image whose registry tags complete --version: the service's first
// configured image, and only when .gito.yaml turns registry.check on (a repo that did not ask
// for registry lookups never causes one from a TAB press). forbidden are the tags
// policy.forbidTags refuses, which completion should not offer.
func (c Completer) RegistryImage(ctx context.Context, service string) (image string, forbidden []string, ok bool) {
	src, ok := c.open(ctx)
	if !ok || service == "" || !src.cfg.Registry.Check {
		return "", nil, false
	}
	s, ok := src.cfg.Services[service]
	if !ok || len(s.Images) == 0 {
		return "", nil, false
	}
	return s.Images[0], src.cfg.ForbiddenTags(), true
}
