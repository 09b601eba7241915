package history

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// ImageRef is one image reference found in an overlay file. An `images:` entry of a
// kustomization fills Name and, when set, NewName, Tag and Digest; a container `image:` string
// (or a JSON 6902 patch value for an .../image path) fills Name with its repository.
type ImageRef struct {
	Name    string
	NewName string
	Tag     string
	Digest  string
}

// Repository is the image the reference resolves to: NewName when set, else Name.
func (r ImageRef) Repository() string {
	if r.NewName != "" {
		return r.NewName
	}
	return r.Name
}

// String renders the reference as a container would see it: repository[:tag][@digest].
func (r ImageRef) String() string {
	s := r.Repository()
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// ImageReader extracts the image references of a kustomization or patch file. Load calls it
// from several goroutines at once.
type ImageReader func(file []byte) ([]ImageRef, error)

// ReadImages is the default ImageReader. It reads, from every YAML document of file, the
// `images:` entries of a kustomization, each mapping's `image:` string (containers of a
// strategic-merge patch or a manifest) and JSON 6902 operations whose path ends in /image.
func ReadImages(file []byte) ([]ImageRef, error) {
	var refs []ImageRef
	dec := yaml.NewDecoder(bytes.NewReader(file))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return refs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parse yaml: %w", err)
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if entries := mappingValue(root, "images"); entries != nil && entries.Kind == yaml.SequenceNode {
			refs = append(refs, kustomizationImages(entries)...)
			continue
		}
		refs = walkImages(root, refs)
	}
}

func kustomizationImages(seq *yaml.Node) []ImageRef {
	var refs []ImageRef
	for _, e := range seq.Content {
		if e.Kind != yaml.MappingNode {
			continue
		}
		ref := ImageRef{
			Name:    scalar(mappingValue(e, "name")),
			NewName: scalar(mappingValue(e, "newName")),
			Tag:     scalar(mappingValue(e, "newTag")),
			Digest:  scalar(mappingValue(e, "digest")),
		}
		if ref.Name != "" {
			refs = append(refs, ref)
		}
	}
	return refs
}

// walkImages collects `image: string` values and JSON 6902 image replacements below n.
func walkImages(n *yaml.Node, refs []ImageRef) []ImageRef {
	switch n.Kind {
	case yaml.MappingNode:
		if p := scalar(mappingValue(n, "path")); strings.HasSuffix(p, "/image") {
			if v := scalar(mappingValue(n, "value")); v != "" {
				return append(refs, ParseImage(v))
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "image" && v.Kind == yaml.ScalarNode && v.Value != "" {
				refs = append(refs, ParseImage(v.Value))
				continue
			}
			refs = walkImages(v, refs)
		}
	case yaml.SequenceNode, yaml.DocumentNode:
		for _, c := range n.Content {
			refs = walkImages(c, refs)
		}
	}
	return refs
}

// ParseImage splits a container image string into repository, tag and digest.
func ParseImage(s string) ImageRef {
	var ref ImageRef
	name, digest, _ := strings.Cut(s, "@")
	ref.Digest = digest
	// A tag follows the last colon after the last slash; an earlier colon is a registry port.
	if i := strings.LastIndexByte(name, ':'); i > strings.LastIndexByte(name, '/') {
		name, ref.Tag = name[:i], name[i+1:]
	}
	ref.Name = name
	return ref
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}
