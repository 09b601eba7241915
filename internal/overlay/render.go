package overlay

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// renderedImage is one container image in kustomize's output.
type renderedImage struct {
	Resource  string // "Deployment/api"
	Container string
	Ref       string // as rendered: name[:tag][@digest]
	Name      string
	Tag       string
	Digest    string
}

// Kustomize builds the kustomization in the absolute dir with krusty, with the same defaults
// as `kustomize build` and `kubectl kustomize`: load restrictions on, plugins off, and the
// CLI's resource order (the kustomization's sortOptions, else legacy order).
func Kustomize(fsys filesys.FileSystem, dir string) (resmap.ResMap, error) {
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionUnspecified
	return krusty.MakeKustomizer(opts).Run(fsys, dir)
}

// renderManifests renders dir and returns the container images and the rendered YAML (for
// the rendered diff).
func renderManifests(fsys filesys.FileSystem, dir string) ([]renderedImage, []byte, error) {
	m, err := Kustomize(fsys, dir)
	if err != nil {
		return nil, nil, err
	}
	if err := CheckRenderSize(repoRel(fsys, dir), m.Size(), 0); err != nil {
		return nil, nil, err
	}
	var out []renderedImage
	for _, rn := range m.ToRNodeSlice() {
		if rn.GetKind() == "CustomResourceDefinition" {
			continue // kustomize leaves images in CRDs alone
		}
		id := rn.GetKind() + "/" + rn.GetName()
		walkContainers(rn.YNode(), func(container, ref string) {
			name, tag, digest := splitImage(ref)
			out = append(out, renderedImage{Resource: id, Container: container, Ref: ref, Name: name, Tag: tag, Digest: digest})
		})
	}
	manifests, err := m.AsYaml()
	if err != nil {
		return nil, nil, err
	}
	if err := CheckRenderSize(repoRel(fsys, dir), 0, len(manifests)); err != nil {
		return nil, nil, err
	}
	return out, manifests, nil
}

// MaxRenderBytes and MaxRenderObjects bound the manifests one render makes: far above any
// real application, far below what exhausts the memory of a release or a repo server.
const (
	MaxRenderBytes   = 64 << 20
	MaxRenderObjects = 50_000
)

// CheckRenderSize refuses a render of more objects or bytes than the limits allow.
func CheckRenderSize(dir string, objects, bytes int) error {
	return checkRenderSize(dir, objects, bytes, MaxRenderObjects, MaxRenderBytes)
}

func checkRenderSize(dir string, objects, bytes, maxObjects, maxBytes int) error {
	if objects > maxObjects {
		return fmt.Errorf("%s renders %d objects, over the limit of %d: refusing it", dir, objects, maxObjects)
	}
	if bytes > maxBytes {
		return fmt.Errorf("%s renders %d MiB of manifests, over the limit of %d MiB: refusing it", dir, bytes>>20, maxBytes>>20)
	}
	return nil
}

// repoRel names dir as the repo does when fsys knows the repo (a confined filesystem), so no
// cache path reaches a message.
func repoRel(fsys filesys.FileSystem, dir string) string {
	if r, ok := fsys.(interface{ Rel(string) (string, error) }); ok {
		if rel, err := r.Rel(dir); err == nil {
			return rel
		}
	}
	return filepath.Base(dir)
}

// walkContainers finds `image` in the items of any `containers` or `initContainers`
// sequence, at any depth: the fields kustomize's image transformer rewrites.
func walkContainers(n *yaml.Node, fn func(container, image string)) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			walkContainers(c, fn)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			walkContainers(val, fn)
			if (key.Value == "containers" || key.Value == "initContainers") && val.Kind == yaml.SequenceNode {
				for _, item := range val.Content {
					name, image := scalarField(item, "name"), scalarField(item, "image")
					if image != "" {
						fn(name, image)
					}
				}
			}
		}
	}
}

func scalarField(m *yaml.Node, key string) string {
	if m.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i+1].Kind == yaml.ScalarNode {
			return m.Content[i+1].Value
		}
	}
	return ""
}

// splitImage splits name[:tag][@digest] the way kustomize does: a colon before the first
// slash belongs to a registry port, not a tag.
func splitImage(ref string) (name, tag, digest string) {
	rest := ref
	if at := strings.IndexByte(rest, '@'); at >= 0 {
		rest, digest = rest[:at], rest[at+1:]
	}
	slash := strings.IndexByte(rest, '/')
	if colon := strings.LastIndexByte(rest, ':'); colon > slash {
		return rest[:colon], rest[colon+1:], digest
	}
	return rest, "", digest
}

// usingImages returns the rendered images whose name is one of names.
func usingImages(imgs []renderedImage, names []string) []renderedImage {
	var out []renderedImage
	for _, img := range imgs {
		if slices.Contains(names, img.Name) {
			out = append(out, img)
		}
	}
	return out
}

// refsOf lists the distinct rendered references, sorted.
func refsOf(imgs []renderedImage) []string {
	var out []string
	for _, img := range imgs {
		out = append(out, img.Ref)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// kustomizeError flattens a kustomize error to one line with repo-relative paths.
func kustomizeError(root string, err error) string {
	msg := strings.ReplaceAll(err.Error(), root+string(filepath.Separator), "")
	msg = strings.ReplaceAll(msg, root, ".")
	return strings.Join(strings.Fields(msg), " ")
}

func describe(img renderedImage) string {
	if img.Container == "" {
		return fmt.Sprintf("%s renders %s", img.Resource, img.Ref)
	}
	return fmt.Sprintf("%s container %s renders %s", img.Resource, img.Container, img.Ref)
}
