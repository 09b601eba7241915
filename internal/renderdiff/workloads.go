package renderdiff

import (
	"slices"

	"gopkg.in/yaml.v3"
)

// workloadKinds are the kinds whose containers run: the table lists them when they change.
var workloadKinds = map[string]bool{
	"Deployment": true, "StatefulSet": true, "DaemonSet": true, "Job": true, "CronJob": true,
	"Pod": true, "Rollout": true, // Argo Rollouts
}

// workloadRows lists the containers of a changed workload, one row per container name, with
// its image on each side.
func workloadRows(id ID, before, after *yaml.Node) []Workload {
	if !workloadKinds[id.Kind] {
		return nil
	}
	type images struct{ from, to string }
	var names []string
	byName := map[string]*images{}
	visit := func(n *yaml.Node, set func(*images, string)) {
		if n == nil {
			return
		}
		walkContainers(n, func(name, image string) {
			im, ok := byName[name]
			if !ok {
				im = &images{}
				byName[name] = im
				names = append(names, name)
			}
			set(im, image)
		})
	}
	visit(after, func(im *images, ref string) { im.to = ref })
	visit(before, func(im *images, ref string) { im.from = ref })
	rows := make([]Workload, 0, len(names))
	for _, n := range names {
		rows = append(rows, Workload{ID: id, Container: n, From: byName[n].from, To: byName[n].to})
	}
	if len(rows) == 0 {
		rows = append(rows, Workload{ID: id})
	}
	return slices.Clip(rows)
}

// walkContainers finds `image` in the items of any `containers` or `initContainers`
// sequence, at any depth (a CronJob's job template, a Rollout's pod template).
func walkContainers(n *yaml.Node, fn func(container, image string)) {
	switch n.Kind {
	case yaml.SequenceNode:
		for _, c := range n.Content {
			walkContainers(c, fn)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			walkContainers(val, fn)
			if (key.Value == "containers" || key.Value == "initContainers") && val.Kind == yaml.SequenceNode {
				for _, item := range val.Content {
					if image := scalar(item, "image"); image != "" {
						fn(scalar(item, "name"), image)
					}
				}
			}
		}
	}
}
