package renderdiff

import (
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/gito-dev/gito/internal/yamlnode"
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
		yamlnode.WalkContainers(n, func(name, image string) {
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
