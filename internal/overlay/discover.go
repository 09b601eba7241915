package overlay

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/overlay/kustedit"
)

// discoverImages finds a service's images when .gito.yaml names none: the rendered images
// whose repository's last path segment is the service (ghcr.io/acme/api for api), else the
// overlay's only `images:` entry, else the only image the overlay renders. Anything else is an error that says which line settles it.
func (p *planner) discoverImages(dir string, rendered []renderedImage, entries []kustedit.Entry) ([]string, error) {
	var names []string
	for _, img := range rendered {
		if path.Base(img.Name) == p.req.Service && !slices.Contains(names, img.Name) {
			names = append(names, img.Name)
		}
	}
	if len(names) > 0 {
		slices.Sort(names)
		return names, nil
	}
	if len(entries) == 1 && entries[0].Name != "" {
		return []string{entries[0].Name}, nil
	}
	// Beyond design.md: an overlay that renders one image only leaves no doubt either (a
	// one-app repo whose image is not named after the app).
	if refs := refsOf(rendered); len(entries) == 0 && len(refs) > 0 {
		only, _, _ := splitImage(refs[0])
		if !slices.ContainsFunc(rendered, func(img renderedImage) bool { return img.Name != only }) {
			return []string{only}, nil
		}
	}
	there := "none"
	example := "IMAGE"
	if refs := refsOf(rendered); len(refs) > 0 {
		there = strings.Join(refs, ", ")
		example, _, _ = splitImage(refs[0])
	}
	return nil, fmt.Errorf("no image of %s renders with a name ending in /%s and its images: list has %d entries, so gito cannot tell which image is %s; images there: %s; settle it in %s with services: {%s: {images: [%s]}}",
		dir, p.req.Service, len(entries), p.req.Service, there, config.FileName, p.req.Service, example)
}

// configuredImages reports whether .gito.yaml (or the request) names the images.
func (p *planner) configuredImages() bool {
	return len(p.req.Images) > 0 || len(p.repo.Services[p.req.Service].Images) > 0
}

// useImages switches the planner to the images it found.
func (p *planner) useImages(names []string) {
	p.images = names
	p.target.Names = names
}
