package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/overlay"
	"github.com/gito-dev/gito/internal/workspace"
)

// probeVersion is a valid tag handed to the overlay planner only to read what an overlay
// renders now; the plan made with it is thrown away.
var probeVersion = config.Version{Tag: "gito-probe"}

// RenderedVersion is the version the overlay of (service, env) renders for the service's
// images: tag and digest, read from the rendered manifests, so an image set in a base counts.
// Images that render different versions cannot be promoted as one release.
func RenderedVersion(ctx context.Context, ws *workspace.Workspace, service, env, flag string) (config.Version, error) {
	if _, err := overlay.Locate(ws.Root(), ws.Config, service, env); err != nil {
		// No layout names it: the inventory read the version (a chart, a target, an
		// overlay of an Argo CD or Flux repo).
		return inventoryVersion(ctx, ws, service, env, flag, err)
	}
	edit, err := overlay.Plan(ctx, overlay.Request{Root: ws.Root(), Repo: ws.Config, Service: service, Env: env, Version: probeVersion})
	if err != nil {
		return config.Version{}, fmt.Errorf("%s %s: %w", flag, env, err)
	}
	var v config.Version
	var seen []string
	for i, img := range edit.Previous {
		seen = append(seen, fmt.Sprintf("%s=%s", img.Name, strings.TrimSuffix(img.Tag+"@"+img.Digest, "@")))
		cur := config.Version{Tag: img.Tag, Digest: img.Digest}
		if i == 0 {
			v = cur
		} else if cur != v {
			return config.Version{}, fmt.Errorf("%s %s: the images of %s render different versions (%s); promote them one at a time with gito release",
				flag, env, service, strings.Join(seen, ", "))
		}
	}
	if len(edit.Previous) == 0 || v.Tag == "" {
		return config.Version{}, fmt.Errorf("%s %s: the overlay of %s renders no tagged image to promote", flag, env, service)
	}
	return v, nil
}

// inventoryVersion is the version the inventory reads for (service, env); layoutErr is what
// the layout said, for a pair the inventory does not know either.
func inventoryVersion(ctx context.Context, ws *workspace.Workspace, service, env, flag string, layoutErr error) (config.Version, error) {
	inv, err := ws.Inventory(ctx)
	if err != nil {
		return config.Version{}, err
	}
	e, err := inv.Find(service, env)
	if err != nil {
		return config.Version{}, fmt.Errorf("%s: %w", flag, layoutErr)
	}
	if e.Unknown != "" || e.Version == "" {
		return config.Version{}, fmt.Errorf("%s %s: the version of %s cannot be read without rendering (%s)", flag, env, service, e.Unknown)
	}
	return config.Version{Tag: e.Version, Digest: e.Digest}, nil
}
