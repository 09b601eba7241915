package shared

import (
	"context"
	"slices"
	"time"

	"github.com/gito-dev/gito/internal/pipeline"
	"github.com/gito-dev/gito/internal/workspace"
)

// registryCompletionTimeout bounds the registry's part of a TAB press; a slower registry
// leaves completion to the history, as without registry.check.
const registryCompletionTimeout = time.Second

// registryTags lists the newest tags of the service's image when .gito.yaml has
// registry.check on and the registry answers in time.
func registryTags(ctx context.Context, d CompletionDeps, co workspace.Completer, service string) ([]string, bool) {
	if d.HTTPClient == nil {
		return nil, false
	}
	image, forbidden, ok := co.RegistryImage(ctx, service)
	if !ok {
		return nil, false
	}
	c, err := pipeline.RegistryClient(d.HTTPClient, d.Getenv)
	if err != nil {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(ctx, registryCompletionTimeout)
	defer cancel()
	tags, err := c.Tags(ctx, image)
	tags = slices.DeleteFunc(tags, func(t string) bool { return slices.Contains(forbidden, t) })
	if err != nil || len(tags) == 0 {
		return nil, false
	}
	return firstTags(tags, 20), true
}

func firstTags(tags []string, n int) []string {
	if len(tags) > n {
		return tags[:n]
	}
	return tags
}
