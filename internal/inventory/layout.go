package inventory

import (
	"path"
	"slices"
	"strings"

	"github.com/gito-dev/gito/internal/config"
)

// Overlay is one (service, env) directory a layout names, from a listing alone.
type Overlay struct {
	Service, Env  string
	Dir           string // repo-relative
	Kustomization string // its kustomization file
}

// Overlays lists the overlays a listing's layout names (.gito.yaml's, else the first tree
// axis that fits), sorted by service then env, without reading a blob: what the Argo CD
// plugin generator serves between refreshes. A one-app layout's service is the one
// services: names; a directory without a kustomization is not served.
func Overlays(files []string, cfg *config.Repo) []Overlay {
	if cfg == nil {
		cfg = &config.Repo{}
	}
	b := &builder{cfg: cfg, files: map[string]string{}, dirs: map[string]bool{}, kust: map[string]string{}, claimed: map[string]bool{}}
	for _, f := range files {
		b.files[f] = ""
		for d := path.Dir(f); d != "." && !b.dirs[d]; d = path.Dir(d) {
			b.dirs[d] = true
		}
		if base := path.Base(f); slices.Contains(kustomizationNames, base) {
			dir := path.Dir(f)
			if cur, ok := b.kust[dir]; !ok || slices.Index(kustomizationNames, base) < slices.Index(kustomizationNames, path.Base(cur)) {
				b.kust[dir] = f
			}
		}
	}
	layouts := treeLayouts
	if cfg.Layout != "" {
		if config.ValidateLayout(cfg.Layout) != nil {
			return nil
		}
		layouts = []string{cfg.Layout}
	}
	one := ""
	if len(cfg.Services) == 1 {
		for name := range cfg.Services {
			one = name
		}
	}
	for _, layout := range layouts {
		var out []Overlay
		for _, m := range b.matchLayout(layout, false) {
			if m.service == "" {
				m.service = one
			}
			if b.kust[m.dir] == "" || !validName(m.service) {
				continue
			}
			out = append(out, Overlay{Service: m.service, Env: m.env, Dir: m.dir, Kustomization: b.kust[m.dir]})
		}
		if len(out) == 0 && cfg.Layout == "" {
			continue
		}
		slices.SortFunc(out, func(a, c Overlay) int {
			return strings.Compare(a.Service+"\x00"+a.Env, c.Service+"\x00"+c.Env)
		})
		return out
	}
	return nil
}
