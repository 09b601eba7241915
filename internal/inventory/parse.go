package inventory

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// kustomization is what the resolver reads of a kustomization file.
type kustomization struct {
	Resources             []string        `yaml:"resources"`
	Bases                 []string        `yaml:"bases"`
	Components            []string        `yaml:"components"`
	PatchesStrategicMerge []string        `yaml:"patchesStrategicMerge"`
	Patches               []patchRef      `yaml:"patches"`
	PatchesJSON6902       []patchRef      `yaml:"patchesJson6902"`
	Images                []imageOverride `yaml:"images"`
	Replacements          []yaml.Node     `yaml:"replacements"`
	HelmCharts            []yaml.Node     `yaml:"helmCharts"`
	Generators            []string        `yaml:"generators"`
	Transformers          []string        `yaml:"transformers"`
	Kind                  string          `yaml:"kind"`
}

type patchRef struct {
	Path  string `yaml:"path"`
	Patch string `yaml:"patch"`
}

type imageOverride struct {
	Name    string `yaml:"name"`
	NewName string `yaml:"newName"`
	NewTag  string `yaml:"newTag"`
	Digest  string `yaml:"digest"`
	line    int
	tagLine int
}

// parseKustomization reads a kustomization; nodes keep the images' lines.
func parseKustomization(data []byte) (*kustomization, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	var k kustomization
	if err := root.Decode(&k); err != nil {
		return nil, err
	}
	if len(root.Content) > 0 {
		if imgs := mapValue(root.Content[0], "images"); imgs != nil && imgs.Kind == yaml.SequenceNode {
			for i, n := range imgs.Content {
				if i < len(k.Images) {
					k.Images[i].line = n.Line
					k.Images[i].tagLine = n.Line
					if t := mapValue(n, "newTag"); t != nil {
						k.Images[i].tagLine = t.Line
					}
				}
			}
		}
	}
	return &k, nil
}

// docs decodes every YAML document of data; an unparsable file yields what came before.
func docs(data []byte) []*yaml.Node {
	var out []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) || err != nil {
			return out
		}
		if len(doc.Content) > 0 && doc.Content[0].Kind == yaml.MappingNode {
			out = append(out, doc.Content[0])
		}
	}
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
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

// at follows keys through mappings.
func at(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		n = mapValue(n, k)
	}
	return n
}

func str(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// object is a Kubernetes object's identity.
type object struct {
	apiGroup, kind, name, namespace string
	node                            *yaml.Node
	file                            string
}

func objectOf(n *yaml.Node, file string) object {
	api := str(mapValue(n, "apiVersion"))
	group, _, _ := strings.Cut(api, "/")
	return object{apiGroup: group, kind: str(mapValue(n, "kind")), name: str(at(n, "metadata", "name")),
		namespace: str(at(n, "metadata", "namespace")), node: n, file: file}
}

// imageRef splits a container image string into repository, tag and digest.
func imageRef(s string) (repo, tag, digest string) {
	name, digest, _ := strings.Cut(s, "@")
	if i := strings.LastIndexByte(name, ':'); i > strings.LastIndexByte(name, '/') {
		name, tag = name[:i], name[i+1:]
	}
	return name, tag, digest
}

// lastSegment is an image repository's last path segment: the service it names.
func lastSegment(repo string) string {
	if i := strings.LastIndexByte(repo, '/'); i >= 0 {
		return repo[i+1:]
	}
	return repo
}
