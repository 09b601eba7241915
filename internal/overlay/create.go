package overlay

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/types"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/overlay/kustedit"
	"github.com/gito-dev/gito/templates"
)

// KustomizationData is what templates/kustomization.yaml.tmpl is rendered with.
type KustomizationData struct {
	Service  string
	Env      string
	BasePath string // from the new overlay's directory to the service's base, slash-separated
	Images   []TemplateImage
}

// TemplateImage is one `images:` entry of a generated kustomization.
type TemplateImage struct {
	Name   string
	Tag    string
	Digest string
}

// create generates the missing env overlay of a known service from the template: first
// without images, to learn what the base renders, then with the released images.
func (p *planner) create(nf *NotFoundError) (*Result, error) {
	dir := nf.Dir
	kfile := path.Join(dir, kustomizationNames[0])
	others := slices.DeleteFunc(slices.Clone(nf.Known), func(e string) bool { return e == nf.Name })
	base, err := findBase(p.root, nf.Layout, p.req.Service, others)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	basePath, err := filepath.Rel(filepath.FromSlash(dir), filepath.FromSlash(base))
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	dirOfTemplates := p.repo.Templates
	if dirOfTemplates == "" {
		dirOfTemplates = config.DefaultTemplatesDir
	}
	set := templates.Set{OverrideDir: filepath.Join(p.root, filepath.FromSlash(dirOfTemplates)), OverrideName: dirOfTemplates}
	data := KustomizationData{Service: p.req.Service, Env: p.req.Env, BasePath: filepath.ToSlash(basePath)}
	skeleton, err := set.Render(templates.Kustomization, data)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	before, err := p.render(dir, []FileEdit{{Path: kfile, After: []byte(skeleton)}})
	if p.ctx.Err() != nil {
		return nil, p.ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("create %s: the generated overlay (base %s) does not render: %s", dir, base, kustomizeError(p.root, err))
	}
	if !p.configuredImages() {
		found, err := p.discoverImages(dir, before, nil)
		if err != nil {
			return nil, err
		}
		p.useImages(found)
	}
	var present []string
	for _, n := range p.images {
		if len(usingImages(before, []string{n})) > 0 {
			present = append(present, n)
			data.Images = append(data.Images, TemplateImage{Name: n, Tag: p.target.Tag, Digest: p.target.Digest})
		}
	}
	if len(present) == 0 {
		return nil, p.errNoImage(dir, before)
	}
	using := usingImages(before, present)
	text, err := set.Render(templates.Kustomization, data)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	res := &Result{
		Overlay:  Overlay{Dir: dir, KustomizationFile: kfile, Layout: nf.Layout},
		Files:    []FileEdit{{Path: kfile, After: []byte(text)}},
		Previous: previous(using),
		Created:  true,
	}
	for _, n := range present {
		c := kustedit.Change{Image: n, NewTag: p.target.Tag, NewDigest: p.target.Digest, Appended: true, Line: lineOf(text, "name: "+n)}
		if old := usingImages(before, []string{n}); len(old) > 0 {
			c.OldTag, c.OldDigest = old[0].Tag, old[0].Digest
		}
		res.Changes = append(res.Changes, c)
	}
	if err := p.check(dir, res.Files, present); err != nil {
		return nil, err
	}
	p.addRender(dir, nil, p.lastManifests) // nothing was deployed from the overlay before
	p.finish(res)
	return res, nil
}

// findBase returns the repo-relative base of a service: the resources directory every other
// overlay of the service shares, else {service}/base or base/{service}.
func findBase(root, layout, service string, envs []string) (string, error) {
	var first []string
	count := map[string]int{}
	overlays := 0
	for _, env := range envs {
		dir := config.ExpandLayout(layout, service, env)
		name, err := findKustomization(DiskTree(root), dir)
		if err != nil || name == "" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(dir), name))
		if err != nil {
			continue
		}
		var k types.Kustomization
		if k.Unmarshal(data) != nil {
			continue
		}
		k.FixKustomization()
		overlays++
		seen := map[string]bool{}
		for _, r := range k.Resources {
			target := path.Join(dir, r)
			if seen[target] || strings.Contains(r, "://") || target == ".." || strings.HasPrefix(target, "../") {
				continue
			}
			if f, err := findKustomization(DiskTree(root), target); err != nil || f == "" {
				continue
			}
			seen[target] = true
			count[target]++
			if overlays == 1 {
				first = append(first, target)
			}
		}
	}
	for _, c := range first {
		if count[c] == overlays {
			return c, nil
		}
	}
	fallbacks := []string{service + "/base", "base/" + service}
	for _, c := range fallbacks {
		if f, err := findKustomization(DiskTree(root), c); err == nil && f != "" {
			return c, nil
		}
	}
	return "", fmt.Errorf("no base for service %q: its overlays share no resources directory and neither %s holds a kustomization",
		service, strings.Join(fallbacks, " nor "))
}

func lineOf(text, needle string) int {
	for i, l := range strings.Split(text, "\n") {
		if strings.HasSuffix(strings.TrimSpace(l), needle) {
			return i + 1
		}
	}
	return 0
}
