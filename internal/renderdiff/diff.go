package renderdiff

import (
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"
)

// Changes of an object.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
)

// Section is the rendered diff of one render a release checked: an overlay's kustomize build
// or a chart rendered with the edited values.
type Section struct {
	Source    string     `json:"source"` // "overlays/prod/api", "chart charts/api with charts/api/values-prod.yaml"
	Objects   []Object   `json:"objects"`
	Workloads []Workload `json:"workloads"`
}

// Object is one object that changes, with the unified diff of its YAML (secret values
// redacted).
type Object struct {
	ID
	Change string `json:"change"` // Added, Removed or Changed
	Diff   string `json:"diff"`
}

// Workload is one container of a workload that changes, with its image before and after
// ("" where the container or the workload is not there).
type Workload struct {
	ID
	Container string `json:"container"`
	From      string `json:"from"`
	To        string `json:"to"`
}

// Compute diffs the manifests a source renders before and after a change (before is nil for
// an overlay that is created). Only objects that change are listed, sorted by kind,
// namespace and name; secret values are redacted before anything is compared, and any
// secret value left in the text is masked.
func Compute(source string, before, after []byte) (Section, error) {
	old, err := parse(before)
	if err != nil {
		return Section{}, fmt.Errorf("%s before the change: %w", source, err)
	}
	cur, err := parse(after)
	if err != nil {
		return Section{}, fmt.Errorf("%s after the change: %w", source, err)
	}
	secrets := secretValues(append(slices.Clip(old), cur...))
	pairs := pair(old, cur)
	sec := Section{Source: source}
	for _, p := range pairs {
		var b, a *yaml.Node
		if p.before != nil {
			b = p.before.node
		}
		if p.after != nil {
			a = p.after.node
		}
		redactPair(b, a)
		from, to := "", ""
		if b != nil {
			from = encode(b)
		}
		if a != nil {
			to = encode(a)
		}
		if from == to {
			continue
		}
		o := Object{ID: p.id, Change: Changed}
		oldLabel, newLabel := "a/"+p.id.String(), "b/"+p.id.String()
		switch {
		case b == nil:
			o.Change, oldLabel = Added, "/dev/null"
		case a == nil:
			o.Change, newLabel = Removed, "/dev/null"
		}
		o.Diff = mask(unified(oldLabel, newLabel, from, to), secrets)
		sec.Objects = append(sec.Objects, o)
		sec.Workloads = append(sec.Workloads, workloadRows(p.id, b, a)...)
	}
	return sec, nil
}

type objectPair struct {
	id            ID
	before, after *object
}

// pair matches the objects of both sides by identity, sorted. A name that occurs twice on a
// side (a render that would not apply) pairs in order of appearance.
func pair(before, after []object) []objectPair {
	var out []objectPair
	index := map[string][]int{}
	for i := range before {
		k := before[i].id.key()
		index[k] = append(index[k], len(out))
		out = append(out, objectPair{id: before[i].id, before: &before[i]})
	}
	for i := range after {
		k := after[i].id.key()
		if idx := index[k]; len(idx) > 0 {
			out[idx[0]].after = &after[i]
			index[k] = idx[1:]
			continue
		}
		out = append(out, objectPair{id: after[i].id, after: &after[i]})
	}
	slices.SortStableFunc(out, func(x, y objectPair) int {
		switch {
		case x.id.less(y.id):
			return -1
		case y.id.less(x.id):
			return 1
		}
		return 0
	})
	return out
}
