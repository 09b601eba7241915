package overlay

import (
	"fmt"
	"slices"

	"github.com/gito-dev/gito/internal/renderdiff"
)

// renderPair is what one source rendered before and after the edit.
type renderPair struct {
	source        string
	before, after []byte
}

// addRender records a render the plan checked, once per source.
func (p *planner) addRender(source string, before, after []byte) {
	r := renderPair{source: source, before: before, after: after}
	if i := slices.IndexFunc(p.renders, func(r renderPair) bool { return r.source == source }); i >= 0 {
		p.renders[i] = r
		return
	}
	p.renders = append(p.renders, r)
}

// renderedDiff fills res.Rendered from the renders and masks the secret values they hold in
// the file diff: its context lines may show a secretGenerator's literals or a values file's
// password next to the image.
func (p *planner) renderedDiff(res *Result) {
	res.Rendered = res.Rendered[:0]
	var all [][]byte
	for _, r := range p.renders {
		all = append(all, r.before, r.after)
		sec, err := renderdiff.Compute(r.source, r.before, r.after)
		if err != nil {
			res.Notes = appendOnce(res.Notes, fmt.Sprintf("no rendered diff: %s", err))
			continue
		}
		res.Rendered = append(res.Rendered, sec)
	}
	res.Diff = renderdiff.Mask(res.Diff, renderdiff.SecretValues(all...))
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
