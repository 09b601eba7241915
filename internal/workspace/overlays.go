package workspace

import (
	"sort"

	"github.com/gito-dev/gito/internal/config"
)

// OverlayFile is one (service, env) overlay in a tree listing.
type OverlayFile struct {
	Service       string
	Env           string
	Dir           string // repo-relative
	Kustomization string // repo-relative path of its kustomization file
}

// Overlays lists every overlay of the layout (cfg's, else the first default layout that
// matches) in a listing of a tree's files, sorted by service then env: what a status view or
// the Argo CD plugin generator reads without a checkout.
func Overlays(files []string, cfg *config.Repo) []OverlayFile {
	t := newTree(files)
	layout := cfg.Layout
	if layout == "" {
		layout = t.detectLayout()
	}
	if layout == "" {
		return nil
	}
	re := layoutRegexp(layout)
	order := placeholderOrder(layout)
	var out []OverlayFile
	for dir, kust := range t.kust {
		m := re.FindStringSubmatch(dir)
		if m == nil {
			continue
		}
		got := map[string]string{order[0]: m[1], order[1]: m[2]}
		if notOverlayNames[got["service"]] || notOverlayNames[got["env"]] {
			continue
		}
		if config.ValidateName("service", got["service"]) != nil || config.ValidateName("env", got["env"]) != nil {
			continue
		}
		out = append(out, OverlayFile{Service: got["service"], Env: got["env"], Dir: dir, Kustomization: kust})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return out[i].Env < out[j].Env
	})
	return out
}
