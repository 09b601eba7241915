package kustedit

import (
	"fmt"
	"regexp"

	"gopkg.in/yaml.v3"
)

var (
	tagPattern    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	digestPattern = regexp.MustCompile(`^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`)
)

func (t Target) validate() error {
	if !tagPattern.MatchString(t.Tag) {
		return fmt.Errorf("invalid image tag %q", t.Tag)
	}
	if t.Digest != "" && !digestPattern.MatchString(t.Digest) {
		return fmt.Errorf("invalid image digest %q", t.Digest)
	}
	if len(t.Names) == 0 {
		return fmt.Errorf("no image names to match")
	}
	return nil
}

// kustomization is a parsed kustomization file.
type kustomization struct {
	*plan
	docIndex int        // index of the document holding the kustomization, -1 when none
	root     *yaml.Node // the root mapping, nil for an empty file
}

func loadKustomization(src []byte) (*kustomization, error) {
	docs, err := parseDocuments(src)
	if err != nil {
		return nil, err
	}
	k := &kustomization{plan: &plan{src: newSource(src), docs: docs}, docIndex: len(docs) - 1}
	for i, doc := range docs {
		if isEmptyDocument(doc) {
			continue
		}
		if k.root != nil {
			return nil, fmt.Errorf("line %d: a kustomization holds one YAML document, found another", doc.Line)
		}
		root := doc.Content[0]
		if root.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("line %d: kustomization is not a mapping", root.Line)
		}
		if root.Anchor != "" {
			return nil, fmt.Errorf("line %d: kustomization root carries an anchor", root.Line)
		}
		k.root, k.docIndex = root, i
	}
	return k, nil
}

// images returns the `images:` value: nil when absent, the null node when empty.
func (k *kustomization) images() (key, value *yaml.Node, err error) {
	if k.root == nil {
		return nil, nil, nil
	}
	v, i := mappingValue(k.root, "images")
	if v == nil {
		return nil, nil, nil
	}
	key = k.root.Content[i]
	switch {
	case v.Kind == yaml.AliasNode || v.Anchor != "":
		return nil, nil, fmt.Errorf("line %d: images uses an anchor or alias", v.Line)
	case v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null":
		return key, v, nil
	case v.Kind != yaml.SequenceNode:
		return nil, nil, fmt.Errorf("line %d: images is not a list", v.Line)
	}
	for _, e := range v.Content {
		if e.Kind == yaml.AliasNode || e.Anchor != "" {
			return nil, nil, fmt.Errorf("line %d: images entry uses an anchor or alias", e.Line)
		}
		if e.Kind != yaml.MappingNode {
			return nil, nil, fmt.Errorf("line %d: images entry is not a mapping", e.Line)
		}
		if _, i := mappingValue(e, "<<"); i >= 0 {
			return nil, nil, fmt.Errorf("line %d: images entry uses a merge key", e.Line)
		}
	}
	return key, v, nil
}

// entryFields are the value nodes of one images entry (nil when absent).
type entryFields struct {
	name, newName, newTag, digest *yaml.Node
}

func readEntry(e *yaml.Node) (entryFields, error) {
	var f entryFields
	for _, field := range []struct {
		key string
		dst **yaml.Node
	}{{"name", &f.name}, {"newName", &f.newName}, {"newTag", &f.newTag}, {"digest", &f.digest}} {
		v, _ := mappingValue(e, field.key)
		if v == nil {
			continue
		}
		if v.Kind == yaml.AliasNode {
			return f, fmt.Errorf("line %d: images entry %s is an alias", v.Line, field.key)
		}
		if v.Kind != yaml.ScalarNode {
			return f, fmt.Errorf("line %d: images entry %s is not a string", v.Line, field.key)
		}
		*field.dst = v
	}
	return f, nil
}

func scalarString(n *yaml.Node) string {
	if n == nil || n.ShortTag() == "!!null" {
		return ""
	}
	return n.Value
}

// matches applies kustomize's rule with the entry's name (or newName) as the pattern and
// the configured image name as the reference. Only string names count: kustomize reads
// `name: 123` as no name at all.
func (f entryFields) matches(m *imageMatcher, names []string) bool {
	for _, n := range names {
		for _, pattern := range []*yaml.Node{f.name, f.newName} {
			if pattern != nil && pattern.ShortTag() == "!!str" && pattern.Value != "" && m.matches(n, pattern.Value) {
				return true
			}
		}
	}
	return false
}

// KustomizationImages lists the `images:` entries of a kustomization.
func KustomizationImages(src []byte) ([]Entry, error) {
	k, err := loadKustomization(src)
	if err != nil {
		return nil, err
	}
	_, seq, err := k.images()
	if err != nil || seq == nil {
		return nil, err
	}
	var entries []Entry
	for _, e := range seq.Content {
		f, err := readEntry(e)
		if err != nil {
			return nil, err
		}
		entries = append(entries, Entry{
			Name:    scalarString(f.name),
			NewName: scalarString(f.newName),
			NewTag:  scalarString(f.newTag),
			Digest:  scalarString(f.digest),
		})
	}
	return entries, nil
}
