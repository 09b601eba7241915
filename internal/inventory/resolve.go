package inventory

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// rendered is what a directory renders, as far as it can be read without kustomize: the
// container images with the places that set them (the last that applies first), the Flux
// HelmReleases with their chart versions, the image-automation setters, and why anything
// else is unknown.
type rendered struct {
	images   []*renderedImage
	releases []*renderedRelease
	setters  []Carrier // Image holds the policy name, Key the field (tag, name or the whole image)
	unknown  []string
	files    []string // the files read, in order
}

type renderedImage struct {
	repo, tag, digest string
	carriers          []Carrier
}

type renderedRelease struct {
	name     string
	version  string
	carriers []Carrier
}

func (r *rendered) image(repo string) *renderedImage {
	for _, im := range r.images {
		if im.repo == repo {
			return im
		}
	}
	return nil
}

func (r *rendered) release(name string) *renderedRelease {
	for _, hr := range r.releases {
		if hr.name == name {
			return hr
		}
	}
	return nil
}

func (r *rendered) unknownf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !slices.Contains(r.unknown, msg) {
		r.unknown = append(r.unknown, msg)
	}
}

// setImage records an image a file sets; a later one for the same repository overrides.
func (r *rendered) setImage(repo, tag, digest string, c Carrier) {
	c.Image, c.Version, c.Digest = repo, tag, digest
	if im := r.image(repo); im != nil {
		im.tag, im.digest = tag, digest
		im.carriers = append([]Carrier{c}, im.carriers...)
		return
	}
	r.images = append(r.images, &renderedImage{repo: repo, tag: tag, digest: digest, carriers: []Carrier{c}})
}

// merge adds what a base renders.
func (r *rendered) merge(b *rendered) {
	for _, im := range b.images {
		if cur := r.image(im.repo); cur != nil {
			cur.carriers = append(cur.carriers, im.carriers...)
			continue
		}
		cp := *im
		cp.carriers = slices.Clone(im.carriers)
		r.images = append(r.images, &cp)
	}
	for _, hr := range b.releases {
		if r.release(hr.name) == nil {
			cp := *hr
			cp.carriers = slices.Clone(hr.carriers)
			r.releases = append(r.releases, &cp)
		}
	}
	r.setters = append(r.setters, b.setters...)
	for _, u := range b.unknown {
		r.unknownf("%s", u)
	}
	r.files = append(r.files, b.files...)
}

// resolver follows kustomizations through the listing and the blobs read.
type resolver struct {
	b     *builder
	cache map[string]*rendered
}

// resolve renders dir statically. visiting guards against cycles.
func (rv *resolver) resolve(dir string, visiting map[string]bool) *rendered {
	if r, ok := rv.cache[dir]; ok {
		return r
	}
	r := &rendered{}
	if visiting[dir] {
		r.unknownf("%s is its own base", dir)
		return r
	}
	visiting[dir] = true
	defer delete(visiting, dir)
	kpath, ok := rv.b.kust[dir]
	if !ok {
		r.unknownf("%s holds no kustomization", dir)
		return r
	}
	k := rv.b.kusts[kpath]
	if k == nil {
		r.unknownf("%s does not parse", kpath)
		return r
	}
	r.files = append(r.files, kpath)
	for _, res := range slices.Concat(k.Resources, k.Bases, k.Components) {
		if isRemote(res) {
			r.unknownf("remote base %s in %s", res, kpath)
			continue
		}
		p := path.Clean(path.Join(dir, res))
		if p == ".." || strings.HasPrefix(p, "../") {
			r.unknownf("base %s of %s is outside the repo", res, kpath)
			continue
		}
		switch {
		case rv.b.kust[p] != "":
			r.merge(rv.resolve(p, visiting))
		case rv.b.hasFile(p):
			rv.scanFile(r, p, CarrierBaseImage)
		default:
			r.unknownf("%s names %s, which is not in the repo", kpath, res)
		}
	}
	for _, p := range k.PatchesStrategicMerge {
		if strings.Contains(p, "\n") {
			rv.scanData(r, kpath, []byte(p), CarrierPatchImage)
			continue
		}
		rv.scanFile(r, path.Clean(path.Join(dir, p)), CarrierPatchImage)
	}
	for _, p := range slices.Concat(k.Patches, k.PatchesJSON6902) {
		switch {
		case p.Path != "":
			rv.scanFile(r, path.Clean(path.Join(dir, p.Path)), CarrierPatchImage)
		case p.Patch != "":
			rv.scanData(r, kpath, []byte(p.Patch), CarrierPatchImage)
		}
	}
	for i, img := range k.Images {
		im := r.image(img.Name)
		if im == nil {
			// kustomize ignores an entry that matches no image of this render, but a base
			// out of reach (or a later overlay) may render it: the entry still says what
			// the overlay means.
			im = &renderedImage{repo: img.Name}
			r.images = append(r.images, im)
		}
		repo := im.repo
		if img.NewName != "" {
			repo = img.NewName
		}
		tag, digest := im.tag, im.digest
		if img.NewTag != "" {
			tag, digest = img.NewTag, ""
		}
		if img.Digest != "" {
			digest = img.Digest
		}
		im.repo, im.tag, im.digest = repo, tag, digest
		im.carriers = append([]Carrier{{Kind: CarrierImages, File: kpath, Key: fmt.Sprintf("images[%d].newTag", i),
			Line: img.tagLine, Image: repo, Version: tag, Digest: digest}}, im.carriers...)
	}
	if len(k.Replacements) > 0 {
		r.unknownf("replacements in %s", kpath)
	}
	if len(k.HelmCharts) > 0 {
		r.unknownf("helmCharts in %s", kpath)
	}
	if len(k.Generators) > 0 || len(k.Transformers) > 0 {
		r.unknownf("generators or transformers in %s", kpath)
	}
	rv.cache[dir] = r
	return r
}

func isRemote(res string) bool {
	return strings.Contains(res, "://") || strings.HasPrefix(res, "github.com/") || strings.HasPrefix(res, "git@") || strings.Contains(res, "?ref=")
}

func (rv *resolver) scanFile(r *rendered, p, kind string) {
	data, ok := rv.b.blobs[p]
	if !ok {
		if !rv.b.hasFile(p) {
			r.unknownf("%s is not in the repo", p)
		}
		return
	}
	r.files = append(r.files, p)
	rv.scanData(r, p, data, kind)
}

// scanData reads container images, HelmRelease chart versions and setter markers of a
// manifest or patch.
func (rv *resolver) scanData(r *rendered, file string, data []byte, kind string) {
	for _, s := range setters(file, data) {
		r.setters = append(r.setters, s)
	}
	for _, n := range docs(data) {
		o := objectOf(n, file)
		if o.kind == "HelmRelease" && strings.HasPrefix(o.apiGroup, "helm.toolkit.fluxcd.io") {
			if v := at(n, "spec", "chart", "spec", "version"); v != nil && v.Kind == yaml.ScalarNode {
				c := Carrier{Kind: CarrierChart, File: file, Key: "spec.chart.spec.version", Line: v.Line, Version: v.Value}
				if hr := r.release(o.name); hr != nil {
					hr.version = v.Value
					hr.carriers = append([]Carrier{c}, hr.carriers...)
				} else {
					r.releases = append(r.releases, &renderedRelease{name: o.name, version: v.Value, carriers: []Carrier{c}})
				}
			} else if r.release(o.name) == nil && o.name != "" {
				r.releases = append(r.releases, &renderedRelease{name: o.name})
			}
			continue // a HelmRelease's values are the chart's, not containers of this render
		}
		walkImages(n, "", func(key, val string, line int) {
			repo, tag, digest := imageRef(val)
			r.setImage(repo, tag, digest, Carrier{Kind: kind, File: file, Key: key, Line: line})
		})
	}
}

// walkImages calls fn for each container `image:` string and JSON 6902 image value below n.
func walkImages(n *yaml.Node, key string, fn func(key, val string, line int)) {
	switch n.Kind {
	case yaml.MappingNode:
		if p := str(mapValue(n, "path")); strings.HasSuffix(p, "/image") {
			if v := mapValue(n, "value"); str(v) != "" {
				fn(key+".value", v.Value, v.Line)
				return
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			sub := strings.TrimPrefix(key+"."+k.Value, ".")
			if k.Value == "image" && v.Kind == yaml.ScalarNode && v.Value != "" {
				fn(sub, v.Value, v.Line)
				continue
			}
			walkImages(v, sub, fn)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			walkImages(c, fmt.Sprintf("%s[%d]", key, i), fn)
		}
	}
}

// setterRe finds a Flux image-automation marker; lineRe the scalar it marks.
var (
	setterRe = regexp.MustCompile(`#\s*\{\s*"\$imagepolicy"\s*:\s*"([^"]+)"\s*\}`)
	lineRe   = regexp.MustCompile(`^\s*(?:-\s+)?([A-Za-z0-9_.-]+)\s*:\s*(?:"([^"]*)"|'([^']*)'|([^\s#]+))\s*#`)
)

// setters lists the marked scalars of a file: Image is the policy's name, Key the field it
// sets ("tag", "name" or "image").
func setters(file string, data []byte) []Carrier {
	if !strings.Contains(string(data), "$imagepolicy") {
		return nil
	}
	var out []Carrier
	for i, line := range strings.Split(string(data), "\n") {
		m := setterRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		v := lineRe.FindStringSubmatch(line)
		if v == nil {
			continue
		}
		value := v[2] + v[3] + v[4]
		parts := strings.Split(m[1], ":")
		if len(parts) < 2 || len(parts) > 3 {
			continue
		}
		c := Carrier{Kind: CarrierSetter, File: file, Key: v[1] + " (" + m[1] + ")", Line: i + 1, Image: parts[1]}
		field := "image"
		if len(parts) == 3 {
			field = parts[2]
		}
		switch field {
		case "tag":
			c.Version = value
		case "image":
			_, c.Version, c.Digest = imageRef(value)
		default:
			continue // ":name" carries the repository, not the version
		}
		out = append(out, c)
	}
	return out
}
