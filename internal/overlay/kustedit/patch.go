package kustedit

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// isContainerList reports the pod spec keys whose list items carry an `image:`.
func isContainerList(key string) bool {
	switch key {
	case "containers", "initContainers", "ephemeralContainers":
		return true
	}
	return false
}

// SetPatchImages rewrites container `image:` values that match t.Names in a strategic-merge
// patch (multi-document YAML) or a JSON6902 patch (YAML or JSON).
func SetPatchImages(src []byte, t Target) ([]byte, []Change, error) {
	if err := t.validate(); err != nil {
		return nil, nil, err
	}
	docs, err := parseDocuments(src)
	if err != nil {
		return nil, nil, err
	}
	p := &plan{src: newSource(src), docs: docs}
	var refs []*yaml.Node
	seen := map[*yaml.Node]bool{}
	collect := func(n *yaml.Node) {
		if !seen[n] {
			seen[n] = true
			refs = append(refs, n)
		}
	}
	for _, doc := range docs {
		if isEmptyDocument(doc) {
			continue
		}
		root := doc.Content[0]
		if isJSONPatch(root) {
			collectJSONPatchImages(root, collect)
		} else {
			collectContainerImages(root, collect)
		}
	}

	m := newImageMatcher()
	var found []string
	for _, n := range refs {
		ref := n.Value
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			ref = n.Alias.Value
		}
		if !matchesAny(m, ref, t.Names) {
			found = append(found, ref)
			continue
		}
		if err := editable(n, "image"); err != nil {
			return nil, nil, err
		}
		name, tag, digest := splitImage(ref)
		idx := len(p.changes)
		p.changes = append(p.changes, Change{
			Image: name, OldTag: tag, OldDigest: digest, NewTag: t.Tag, NewDigest: t.Digest,
			DigestRemoved: digest != "" && t.Digest == "",
		})
		if err := p.replaceScalar(n, joinImage(name, t.Tag, t.Digest), idx); err != nil {
			return nil, nil, err
		}
	}
	if len(p.changes) == 0 {
		return nil, nil, fmt.Errorf("%w: no container image %s in the patch (found: %s)",
			ErrNoMatch, strings.Join(t.Names, ", "), strings.Join(found, ", "))
	}
	out, err := p.apply()
	if err != nil {
		return nil, nil, err
	}
	return out, p.changes, nil
}

func matchesAny(m *imageMatcher, ref string, names []string) bool {
	for _, n := range names {
		if m.matches(ref, n) {
			return true
		}
	}
	return false
}

// collectContainerImages finds `image:` in the items of every containers-like list, at any
// depth, so Deployments, CronJobs, Pods and bare pod specs all work.
func collectContainerImages(n *yaml.Node, collect func(*yaml.Node)) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if isContainerList(k.Value) && v.Kind == yaml.SequenceNode {
				for _, c := range v.Content {
					collectImageKey(c, collect)
				}
			}
		}
	}
	for _, c := range n.Content {
		collectContainerImages(c, collect)
	}
}

// collectImageKey collects the image of one container object.
func collectImageKey(c *yaml.Node, collect func(*yaml.Node)) {
	if c.Kind != yaml.MappingNode {
		return
	}
	if img, _ := mappingValue(c, "image"); img != nil && (img.Kind == yaml.ScalarNode || img.Kind == yaml.AliasNode) {
		collect(img)
	}
}

// isJSONPatch reports a list of JSON6902 operations.
func isJSONPatch(root *yaml.Node) bool {
	if root.Kind != yaml.SequenceNode || len(root.Content) == 0 {
		return false
	}
	for _, op := range root.Content {
		if op.Kind != yaml.MappingNode {
			return false
		}
		if v, _ := mappingValue(op, "op"); v == nil {
			return false
		}
	}
	return true
}

// collectJSONPatchImages finds images set by add/replace operations: a value at a path
// ending in /image, a container object, a list of containers, or containers anywhere in a
// larger value. Values of test operations describe the base and stay as they are.
func collectJSONPatchImages(root *yaml.Node, collect func(*yaml.Node)) {
	for _, op := range root.Content {
		kind, _ := mappingValue(op, "op")
		path, _ := mappingValue(op, "path")
		value, _ := mappingValue(op, "value")
		if kind == nil || path == nil || value == nil || (kind.Value != "add" && kind.Value != "replace") {
			continue
		}
		switch {
		case strings.HasSuffix(path.Value, "/image") && (value.Kind == yaml.ScalarNode || value.Kind == yaml.AliasNode):
			collect(value)
		case value.Kind == yaml.MappingNode:
			collectImageKey(value, collect)
		case value.Kind == yaml.SequenceNode:
			for _, c := range value.Content {
				collectImageKey(c, collect)
			}
		}
		collectContainerImages(value, collect)
	}
}
