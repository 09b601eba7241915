package kustedit

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// splice replaces src[start:end] with text; start == end inserts.
type splice struct {
	start, end int
	text       string
	change     int // index into plan.changes whose Line this splice sets, or -1
	mark       int // offset into text of the edited node, for that Line
}

// plan collects byte splices together with the same change applied to the parsed tree, so
// the result can be checked by parsing it again.
type plan struct {
	src     *source
	docs    []*yaml.Node
	splices []splice
	mutate  []func()
	changes []Change
}

func (p *plan) add(sp splice) { p.splices = append(p.splices, sp) }

// apply splices the original bytes, then verifies that the output parses to the input tree
// with exactly the planned changes.
func (p *plan) apply() ([]byte, error) {
	sps := p.splices
	sort.SliceStable(sps, func(i, j int) bool {
		if sps[i].start != sps[j].start {
			return sps[i].start < sps[j].start
		}
		return sps[i].end-sps[i].start < sps[j].end-sps[j].start // inserts first
	})
	var out strings.Builder
	out.Grow(len(p.src.src) + 256)
	at := 0
	marks := map[int]int{}
	for _, sp := range sps {
		if sp.start < at || sp.end < sp.start {
			return nil, fmt.Errorf("overlapping edits at byte %d", sp.start)
		}
		out.Write(p.src.src[at:sp.start])
		if sp.change >= 0 {
			marks[sp.change] = out.Len() + sp.mark
		}
		out.WriteString(sp.text)
		at = sp.end
	}
	out.Write(p.src.src[at:])
	result := []byte(out.String())

	for _, m := range p.mutate {
		m()
	}
	if err := verifyOutput(result, p.docs); err != nil {
		return nil, err
	}
	outSrc := newSource(result)
	for i, off := range marks {
		p.changes[i].Line = outSrc.lineOf(off) + 1
	}
	return result, nil
}

// verifyOutput parses out and compares it with the expected (mutated) input documents.
func verifyOutput(out []byte, want []*yaml.Node) error {
	got, err := parseDocuments(out)
	if err != nil {
		return fmt.Errorf("edit would produce invalid YAML (%v); the file was left alone", err)
	}
	if len(got) != len(want) {
		return fmt.Errorf("edit would change the number of YAML documents; the file was left alone")
	}
	for i := range got {
		if path, ok := sameNode(got[i], want[i]); !ok {
			return fmt.Errorf("edit would change the meaning of %s; the file was left alone", path)
		}
	}
	return nil
}

// sameNode compares two trees by kind, resolved tag, value and anchors, ignoring style,
// comments and positions. It returns the path of the first difference.
func sameNode(a, b *yaml.Node) (string, bool) {
	if path := firstDifference(a, b); path != nil {
		if len(path) == 0 {
			return "the document", false
		}
		return strings.TrimPrefix(strings.Join(path, ""), "."), false
	}
	return "", true
}

// firstDifference returns nil when the trees match, else the path to the first difference
// (built only on the way out, so deep documents cost no string building).
func firstDifference(a, b *yaml.Node) []string {
	if a.Kind != b.Kind || a.Anchor != b.Anchor || len(a.Content) != len(b.Content) ||
		(a.Kind == yaml.ScalarNode && (a.ShortTag() != b.ShortTag() || a.Value != b.Value)) ||
		(a.Kind == yaml.AliasNode && a.Value != b.Value) {
		return []string{}
	}
	for i := range a.Content {
		if path := firstDifference(a.Content[i], b.Content[i]); path != nil {
			step := fmt.Sprintf("[%d]", i)
			if a.Kind == yaml.MappingNode && i%2 == 1 {
				step = "." + a.Content[i-1].Value
			}
			return append([]string{step}, path...)
		}
	}
	return nil
}

// strNode builds a plain string scalar for the expected tree.
func strNode(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
}

// setScalar records that n now holds the string v.
func setScalar(n *yaml.Node, v string) func() {
	return func() {
		n.Kind, n.Tag, n.Value, n.Style = yaml.ScalarNode, "!!str", v, 0
	}
}

// insertPair records that key: value was added to m right after the pair keyed after.
func insertPair(m *yaml.Node, after, key string, value *yaml.Node) func() {
	return func() {
		_, i := mappingValue(m, after)
		pos := len(m.Content)
		if i >= 0 {
			pos = i + 2
		}
		pair := []*yaml.Node{strNode(key), value}
		m.Content = append(m.Content[:pos], append(pair, m.Content[pos:]...)...)
	}
}

// removePair records that key was removed from m.
func removePair(m *yaml.Node, key string) func() {
	return func() {
		if _, i := mappingValue(m, key); i >= 0 {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
		}
	}
}
