package workspace

import (
	"context"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/overlay"
)

// OverlayFiles is one (service, env) overlay as a tree listing shows it.
type OverlayFiles struct {
	Service, Env  string
	Dir           string   // repo-relative
	Kustomization string   // repo-relative path of its kustomization file
	YAML          []string // the other YAML files directly in Dir (patches may set the image)
}

// Overlays lists every overlay of the layout on the base commit, and maps every file of
// that commit to its blob id, from one tree listing: no per-overlay git call, however many
// overlays there are. With the ids a reader fetches the overlays' files by object name;
// "commit:path" specs would make git walk the tree once per file (1.5 s for 10,000
// overlays).
func (w *Workspace) Overlays(ctx context.Context) ([]OverlayFiles, map[string]string, error) {
	ids, err := w.Repo.ListBlobIDs(ctx, w.BaseSHA)
	if err != nil {
		return nil, nil, err
	}
	return OverlaysIn(slices.Sorted(maps.Keys(ids)), w.Config), ids, nil
}

// OverlaysIn lists every overlay of the layout (cfg's, else the first default layout that
// matches) in a listing of a tree's files, sorted by service then env: what status and the
// Argo CD plugin generator read without a checkout.
func OverlaysIn(files []string, cfg *config.Repo) []OverlayFiles {
	found, err := overlay.FindAll(overlay.ListedTree(files, "the base branch"), cfg)
	if err != nil {
		return nil
	}
	oneApp := ""
	if len(cfg.Services) == 1 {
		for name := range cfg.Services {
			oneApp = name // a one-app layout's service is the one .gito.yaml names
		}
	}
	byDir := map[string]*OverlayFiles{}
	var out []*OverlayFiles
	for _, f := range found {
		if f.Service == "" {
			f.Service = oneApp
		}
		if config.ValidateName("service", f.Service) != nil || config.ValidateName("env", f.Env) != nil {
			continue
		}
		o := &OverlayFiles{Service: f.Service, Env: f.Env, Dir: f.Dir, Kustomization: f.Kustomization}
		byDir[f.Dir] = o
		out = append(out, o)
	}
	for _, f := range files {
		o := byDir[path.Dir(f)]
		if o != nil && f != o.Kustomization && (strings.HasSuffix(f, ".yaml") || strings.HasSuffix(f, ".yml")) {
			o.YAML = append(o.YAML, f)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return out[i].Env < out[j].Env
	})
	var res []OverlayFiles
	for _, o := range out {
		res = append(res, *o)
	}
	return res
}
