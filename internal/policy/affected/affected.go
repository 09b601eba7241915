// Package affected answers which (service, env) overlays a change touches, with the layout
// engine and each overlay's kustomization closure: an edit to a shared base affects every
// overlay that builds on it. It implements policy.Inventory until the repo inventory does.
package affected

import (
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/overlay"
	"github.com/gito-dev/gito/internal/policy"
)

// ReadFile returns a repo-relative file of the tree, ok false when it is not there.
type ReadFile func(path string) (data []byte, ok bool)

// Layout maps paths to overlays in one tree (a commit).
type Layout struct {
	overlays []overlay.Found
	closure  map[string][]string // overlay dir -> the dirs and files it builds from
}

// New reads the overlays of the tree that files list and the closure of each one.
func New(files []string, read ReadFile, repo *config.Repo) (*Layout, error) {
	found, err := overlay.FindAll(overlay.ListedTree(files, "the tree"), repo)
	if err != nil {
		return nil, err
	}
	kust := map[string]string{}
	for _, f := range files {
		if slices.Contains([]string{"kustomization.yaml", "kustomization.yml", "Kustomization"}, path.Base(f)) {
			if _, ok := kust[path.Dir(f)]; !ok {
				kust[path.Dir(f)] = f
			}
		}
	}
	l := &Layout{overlays: found, closure: map[string][]string{}}
	for _, o := range found {
		l.closure[o.Dir] = closureOf(o.Dir, kust, read)
	}
	return l, nil
}

// Affected implements policy.Inventory.
func (l *Layout) Affected(paths []string) ([]policy.Target, error) {
	var out []policy.Target
	for _, o := range l.overlays {
		for _, p := range paths {
			if slices.ContainsFunc(l.closure[o.Dir], func(c string) bool { return within(p, c) }) {
				out = append(out, policy.Target{Service: o.Service, Env: o.Env})
				break
			}
		}
	}
	return out, nil
}

// Union answers for several trees (the base and the head of a change): an overlay a change
// removes, or a base it stops using, is affected too.
type Union []policy.Inventory

// Affected implements policy.Inventory.
func (u Union) Affected(paths []string) ([]policy.Target, error) {
	var out []policy.Target
	for _, inv := range u {
		ts, err := inv.Affected(paths)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// closureOf lists dir and every directory or file its kustomization reaches through
// resources, bases, components and patch files, transitively. Remote references are skipped:
// they are not in this repo.
func closureOf(dir string, kust map[string]string, read ReadFile) []string {
	out := []string{dir}
	queue := []string{dir}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		file, ok := kust[d]
		if !ok {
			continue
		}
		data, ok := read(file)
		if !ok {
			continue
		}
		for _, ref := range references(data) {
			if strings.Contains(ref, "://") || strings.HasPrefix(ref, "github.com/") || path.IsAbs(ref) {
				continue
			}
			p := path.Join(d, ref)
			if p == ".." || strings.HasPrefix(p, "../") || slices.Contains(out, p) {
				continue
			}
			out = append(out, p)
			if _, isKust := kust[p]; isKust {
				queue = append(queue, p)
			}
		}
	}
	return out
}

// references are the local paths a kustomization names.
func references(data []byte) []string {
	var k struct {
		Resources             []string `yaml:"resources"`
		Bases                 []string `yaml:"bases"`
		Components            []string `yaml:"components"`
		PatchesStrategicMerge []string `yaml:"patchesStrategicMerge"`
		Patches               []struct {
			Path string `yaml:"path"`
		} `yaml:"patches"`
	}
	if err := yaml.Unmarshal(data, &k); err != nil {
		return nil
	}
	refs := slices.Concat(k.Resources, k.Bases, k.Components, k.PatchesStrategicMerge)
	for _, p := range k.Patches {
		if p.Path != "" {
			refs = append(refs, p.Path)
		}
	}
	return refs
}

// within: p is c or lies under the directory c.
func within(p, c string) bool { return p == c || strings.HasPrefix(p, c+"/") }
