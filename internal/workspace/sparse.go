package workspace

import (
	"context"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/gitrepo"
	"github.com/gito-dev/gito/internal/overlay"
)

// kustomizationNames are the file names kustomize reads, in its order of preference.
var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// notOverlayNames never name a service or env: they hold what overlays share.
var notOverlayNames = map[string]bool{"base": true, "bases": true, "components": true}

// tree is a listing of the base branch's files, used to decide what to check out.
type tree struct {
	files map[string]bool
	dirs  map[string]bool
	kust  map[string]string   // dir -> its kustomization file
	helm  map[string][]string // dir -> the Helm values files it holds (values.yaml, values-ENV.yaml)
	// list, when set, lists one directory into the tree on demand (lazyTree); nil: the tree
	// holds a full listing, which listed has for the layout engine.
	list   func(dir string) error
	listed overlay.Tree
}

func newTree(files []string) *tree {
	t := &tree{files: map[string]bool{}, dirs: map[string]bool{}, kust: map[string]string{}, helm: map[string][]string{}}
	t.add(files)
	t.listed = overlay.ListedTree(files, "the base branch")
	return t
}

// add records files (and their directories) in the tree.
func (t *tree) add(files []string) {
	for _, f := range files {
		t.files[f] = true
		for d := path.Dir(f); d != "." && !t.dirs[d]; d = path.Dir(d) {
			t.dirs[d] = true
		}
		if b := path.Base(f); b == "values.yaml" || strings.HasPrefix(b, "values-") && strings.HasSuffix(b, ".yaml") {
			t.helm[path.Dir(f)] = append(t.helm[path.Dir(f)], b)
		}
		if slices.Contains(kustomizationNames, path.Base(f)) {
			dir := path.Dir(f)
			if cur, ok := t.kust[dir]; !ok || slices.Index(kustomizationNames, path.Base(f)) < slices.Index(kustomizationNames, path.Base(cur)) {
				t.kust[dir] = f
			}
		}
	}
}

// sparseDirs works out the directories a release of (service, env) reads: .gito, the
// overlay and everything its kustomizations reference, transitively. ok is false when the
// overlay is not in the listing; the caller then checks out everything, so that the overlay
// package can explain what is missing with the full list of services and envs.
func sparseDirs(ctx context.Context, repo *gitrepo.Repo, ref string, cfg *config.Repo, service, env string) (dirs []string, ok bool, err error) {
	if len(cfg.TargetsFor(service)) > 0 {
		return nil, false, nil // target files may live anywhere: check out everything
	}
	layout := cfg.Layout
	var t *tree
	if layout == "" {
		// Only the whole listing can say which layout the repo uses.
		files, err := repo.ListFiles(ctx, ref)
		if err != nil {
			return nil, false, err
		}
		t = newTree(files)
		layout = t.detectLayout()
	} else {
		t = lazyTree(ctx, repo, ref)
	}
	if layout == "" {
		return nil, false, nil
	}
	overlayDir := config.ExpandLayout(layout, service, env)
	if err := t.know(overlayDir); err != nil {
		return nil, false, err
	}
	if _, found := t.kust[overlayDir]; !found {
		return nil, false, nil
	}
	return closureDirs(ctx, repo, ref, cfg, t, overlayDir)
}

// inventoryDirs is sparseDirs for an overlay directory the inventory found.
func inventoryDirs(ctx context.Context, repo *gitrepo.Repo, ref string, cfg *config.Repo, overlayDir string) ([]string, error) {
	dirs, ok, err := closureDirs(ctx, repo, ref, cfg, lazyTree(ctx, repo, ref), overlayDir)
	if err != nil || !ok {
		return nil, err
	}
	return dirs, nil
}

// closureDirs lists .gito, the overlay and every directory its kustomizations reach.
func closureDirs(ctx context.Context, repo *gitrepo.Repo, ref string, cfg *config.Repo, t *tree, overlayDir string) (dirs []string, ok bool, err error) {
	if err := t.know(overlayDir); err != nil {
		return nil, false, err
	}
	if _, found := t.kust[overlayDir]; !found {
		return nil, false, nil
	}
	need := map[string]bool{".gito": true}
	for _, p := range []string{cfg.Templates, cfg.AllowedSignersPath()} {
		if p != "" {
			need[strings.Trim(path.Clean(p), "/")] = true
		}
	}
	if err := t.closure(ctx, repo, ref, overlayDir, need); err != nil {
		return nil, false, err
	}
	for d := range need {
		if err := t.know(d); err != nil {
			return nil, false, err
		}
		if d != "." && t.dirs[d] {
			dirs = append(dirs, d)
		} else if t.files[d] && path.Dir(d) != "." {
			dirs = append(dirs, path.Dir(d))
		}
	}
	slices.Sort(dirs)
	return slices.Compact(dirs), true, nil
}

// closure adds to need every directory reachable from start through the paths its
// kustomization files name (resources, components, patches, generator files, …). Any string
// value that names an existing file or directory counts, so new kustomize fields need no
// code here; the tree listing is the oracle.
func (t *tree) closure(ctx context.Context, repo *gitrepo.Repo, ref, start string, need map[string]bool) error {
	queue := []string{start}
	visited := map[string]bool{}
	for len(queue) > 0 {
		var specs []string
		for _, dir := range queue {
			visited[dir] = true
			need[dir] = true
			specs = append(specs, ref+":"+t.kust[dir])
		}
		blobs, err := repo.ReadBlobs(ctx, specs)
		if err != nil {
			return err
		}
		next := queue[:0:0]
		for _, dir := range queue {
			for _, s := range yamlStrings(blobs[ref+":"+t.kust[dir]]) {
				if _, after, found := strings.Cut(s, "="); found {
					s = after // generator entries: key=path
				}
				p := path.Clean(path.Join(dir, s))
				if p != "." && p != ".." && !strings.HasPrefix(p, "../") {
					if err := t.know(p); err != nil {
						return err
					}
				}
				switch {
				case p == "." || p == ".." || strings.HasPrefix(p, "../"):
				case t.dirs[p]:
					need[p] = true
					if _, isKust := t.kust[p]; isKust && !visited[p] && !slices.Contains(next, p) {
						next = append(next, p)
					}
				case t.files[p]:
					need[path.Dir(p)] = true
				}
			}
		}
		queue = next
	}
	return nil
}

// lazyTree is a tree that lists a directory of ref only when asked (know): a release with a
// configured layout reads the few trees on its overlay's paths, not a listing of the repo.
func lazyTree(ctx context.Context, repo *gitrepo.Repo, ref string) *tree {
	t := newTree(nil)
	listed := map[string]bool{}
	t.list = func(dir string) error {
		if listed[dir] {
			return nil
		}
		listed[dir] = true
		entries, ok, err := repo.ListDir(ctx, ref, dir)
		if err != nil || !ok {
			return err
		}
		var files []string
		for _, e := range entries {
			p := path.Join(dir, e.Name)
			if e.IsDir {
				t.dirs[p] = true
			} else {
				files = append(files, p)
			}
		}
		t.add(files)
		return nil
	}
	return t
}

// know makes sure the tree has what it holds at p and in p's directory (a no-op for a full
// listing).
func (t *tree) know(p string) error {
	if t.list == nil {
		return nil
	}
	if dir := path.Dir(p); dir != "." {
		if err := t.list(dir); err != nil {
			return err
		}
	} else if err := t.list(""); err != nil {
		return err
	}
	if t.dirs[p] {
		return t.list(p)
	}
	return nil
}

// yamlStrings returns every scalar string in a YAML document (an unparsable one yields
// nothing: the render check will report it with kustomize's own words).
func yamlStrings(data []byte) []string {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil
	}
	var out []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && n.Value != "" && !strings.Contains(n.Value, "\n") {
			out = append(out, n.Value)
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&root)
	return out
}

// detectLayout is the layout the overlay package's layout engine finds in the listing ("" when
// none fits): one engine decides what an overlay is, on disk and in a listing.
func (t *tree) detectLayout() string {
	layout, err := overlay.DetectLayout(t.listed, &config.Repo{})
	if err != nil {
		return ""
	}
	return layout
}

// names lists the services or envs (of service; every env when service is "") of the repo's
// layout in the listing, through the overlay package's layout engine (for shell completion).
// A one-app layout's service is the one .gito.yaml names.
func (t *tree) names(cfg *config.Repo, which string, service string) []string {
	var out []string
	var err error
	switch {
	case which == "service":
		out, err = overlay.ServicesIn(t.listed, cfg)
	case service == "":
		out, err = overlay.AllEnvsIn(t.listed, cfg)
	default:
		out, err = overlay.EnvsIn(t.listed, cfg, service)
	}
	if err != nil {
		return nil
	}
	return out
}
