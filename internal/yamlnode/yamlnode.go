// Package yamlnode reads rendered Kubernetes manifests as yaml.v3 nodes: a mapping's fields
// and the container images of any workload. The Helm check and the rendered diff share it.
package yamlnode

import "gopkg.in/yaml.v3"

// Field returns the value of key in mapping m, or nil.
func Field(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Scalar returns the scalar value of key in mapping m, or "".
func Scalar(m *yaml.Node, key string) string {
	if v := Field(m, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// WalkContainers calls fn for the image of every item of a `containers` or `initContainers`
// sequence at any depth (a Deployment's pod template, a CronJob's job template, a Rollout):
// the fields kustomize's image transformer rewrites.
func WalkContainers(n *yaml.Node, fn func(container, image string)) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			WalkContainers(c, fn)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			WalkContainers(val, fn)
			if (key.Value == "containers" || key.Value == "initContainers") && val.Kind == yaml.SequenceNode {
				for _, item := range val.Content {
					if image := Scalar(item, "image"); image != "" {
						fn(Scalar(item, "name"), image)
					}
				}
			}
		}
	}
}
