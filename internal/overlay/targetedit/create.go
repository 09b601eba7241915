package targetedit

import (
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/gito-dev/gito/internal/overlay/kustedit"
)

var (
	plainPathRe = regexp.MustCompile(`^(?:\.(?:[A-Za-z_][A-Za-z0-9_-]*|"[^"\\]+"))+$`)
	segmentRe   = regexp.MustCompile(`\.(?:([A-Za-z_][A-Za-z0-9_-]*)|"([^"\\]+)")`)
)

// plainPath splits `.image.tag` or `.image."tag"` into its keys.
func plainPath(expr string) ([]string, bool) {
	expr = strings.TrimSpace(expr)
	if !plainPathRe.MatchString(expr) {
		return nil, false
	}
	var keys []string
	for _, m := range segmentRe.FindAllStringSubmatch(expr, -1) {
		keys = append(keys, m[1]+m[2])
	}
	return keys, true
}

// create adds the missing part of a plain path under its deepest existing map, in the
// file's indentation: new lines in a block map, new pairs in a flow map, a new block at the
// end of an empty document. The rest of the file is not touched.
func create(ed *kustedit.Editor, expr string, keys []string, value string) ([]byte, []Change, error) {
	docs := ed.Documents()
	var doc *yaml.Node
	for _, d := range docs {
		if kustedit.IsEmptyDocument(d) {
			continue
		}
		if doc != nil {
			return nil, nil, fail(expr, "selects nothing, and a file of several YAML documents gets no new keys: add it to the right document by hand")
		}
		doc = d
	}
	t := indexTree(docs)
	c := &creator{ed: ed, expr: expr, value: value, step: indentStep(doc)}
	var idx int
	var err error
	if doc == nil {
		idx, err = c.newDocument(keys)
	} else {
		idx, err = c.under(t, doc.Content[0], keys)
	}
	if err != nil {
		return nil, nil, err
	}
	out, err := ed.Apply()
	if err != nil {
		return nil, nil, fail(expr, "%s", oneLine(err))
	}
	return out, []Change{{Line: ed.Line(idx), New: value, Created: true}}, nil
}

type creator struct {
	ed    *kustedit.Editor
	expr  string
	value string
	step  int
}

// under walks keys down from the map m and adds what is missing.
func (c *creator) under(t *tree, m *yaml.Node, keys []string) (int, error) {
	if m.Kind != yaml.MappingNode {
		return 0, fail(c.expr, "selects nothing, and the document at line %d is not a map to add %s to", m.Line, keys[0])
	}
	for i, k := range keys {
		if err := c.notShared(t, m); err != nil {
			return 0, err
		}
		v := mappingValue(m, k)
		switch {
		case v == nil:
			return c.addPairs(m, keys[i:])
		case v.Kind == yaml.MappingNode:
			m = v
		case v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" && i+1 < len(keys):
			return c.fillNull(m, v, keys[i+1:])
		default:
			return 0, fail(c.expr, "selects nothing, and %s at line %d is not a map to add %s to", k, v.Line, keys[i+1])
		}
	}
	return 0, fail(c.expr, "selects nothing although every key exists")
}

func (c *creator) notShared(t *tree, m *yaml.Node) error {
	for a := m; a != nil; a = t.parent[a] {
		if line, ok := t.aliased[a]; ok {
			return fail(c.expr, "selects nothing, and the map to add it to is inside the anchor &%s, which the alias at line %d also uses", a.Anchor, line)
		}
	}
	if mappingValue(m, "<<") != nil {
		return fail(c.expr, "selects nothing, and the map at line %d uses a merge key: add it by hand", m.Line)
	}
	return nil
}

// addPairs appends keys (nested) with the value to the existing map m.
func (c *creator) addPairs(m *yaml.Node, keys []string) (int, error) {
	mutate := func() { m.Content = append(m.Content, kustedit.StrNode(keys[0]), chain(keys[1:], c.value)) }
	if m.Style&yaml.FlowStyle != 0 {
		text := key(keys[0]) + ": " + c.flowValue(keys[1:])
		if len(m.Content) == 0 {
			start, err := c.ed.NodeStart(m)
			if err != nil {
				return 0, fail(c.expr, "%s", oneLine(err))
			}
			return c.ed.Insert(start+1, text, 0, mutate), nil
		}
		end, err := c.ed.NodeEnd(m.Content[len(m.Content)-1])
		if err != nil {
			return 0, fail(c.expr, "%s", oneLine(err))
		}
		return c.ed.Insert(end, ", "+text, 2, mutate), nil
	}
	end, err := c.ed.NodeEnd(m.Content[len(m.Content)-1])
	if err != nil {
		return 0, fail(c.expr, "%s", oneLine(err))
	}
	return c.insertLines(end, c.blockLines(m.Content[0].Column-1, keys), mutate), nil
}

// fillNull turns `image:` (empty, ~ or null) into a block map holding the rest of the keys.
func (c *creator) fillNull(m, null *yaml.Node, keys []string) (int, error) {
	if m.Style&yaml.FlowStyle != 0 || null.Anchor != "" || null.Style&yaml.TaggedStyle != 0 {
		return 0, fail(c.expr, "selects nothing, and the empty value at line %d cannot take keys: add it by hand", null.Line)
	}
	var keyNode *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i+1] == null {
			keyNode = m.Content[i]
		}
	}
	start, end, err := c.ed.ScalarSpan(null)
	if err != nil {
		return 0, fail(c.expr, "%s", oneLine(err))
	}
	if start != end { // `image: ~`: drop the null and the blanks before it
		from := start
		for src := c.ed.Source(); from > 0 && (src[from-1] == ' ' || src[from-1] == '\t'); from-- {
		}
		c.ed.Delete(from, end, nil)
	}
	mutate := func() { *null = *chain(keys, c.value) }
	return c.insertLines(end, c.blockLines(keyNode.Column-1+c.step, keys), mutate), nil
}

// newDocument writes the keys as a block at the end of a file without content.
func (c *creator) newDocument(keys []string) (int, error) {
	src := c.ed.Source()
	if !onlyComments(src) {
		// A lone tag or anchor (`!`, `&a`) parses as an empty document but would attach to
		// the new map.
		return 0, fail(c.expr, "selects nothing, and the file holds no map to add it to")
	}
	lines := c.blockLines(0, keys)
	eol := c.ed.EOL()
	text := strings.Join(lines, eol)
	mark := len(text) - len(lines[len(lines)-1])
	if len(src) == 0 || c.ed.EndsWithBreak() {
		text += eol
	} else {
		text = eol + text
		mark += len(eol)
	}
	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{kustedit.StrNode(keys[0]), chain(keys[1:], c.value)}}
	mutate := func() {}
	c.ed.MutateDocuments(func(docs []*yaml.Node) []*yaml.Node {
		for _, d := range docs {
			if kustedit.IsEmptyDocument(d) {
				d.Content = []*yaml.Node{root}
				return docs
			}
		}
		return append(docs, &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}})
	})
	if strings.Contains(string(src), "\n...") || strings.HasPrefix(string(src), "...") {
		return 0, fail(c.expr, "selects nothing, and the file ends its document with `...`: add it by hand")
	}
	return c.ed.Insert(len(src), text, mark, mutate), nil
}

// insertLines puts whole lines after the line holding off; the change's line is the last.
func (c *creator) insertLines(off int, lines []string, mutate func()) int {
	eol := c.ed.EOL()
	at, hasBreak := c.ed.AfterLine(off)
	text := strings.Join(lines, eol)
	mark := len(text) - len(lines[len(lines)-1])
	if hasBreak {
		text += eol
	} else {
		text = eol + text
		mark += len(eol)
	}
	return c.ed.Insert(at, text, mark, mutate)
}

// blockLines renders keys as nested block lines at indent, the last one holding the value.
func (c *creator) blockLines(indent int, keys []string) []string {
	lines := make([]string, 0, len(keys))
	for i, k := range keys {
		line := strings.Repeat(" ", indent+i*c.step) + key(k) + ":"
		if i == len(keys)-1 {
			line += " " + kustedit.RenderScalar(c.value, nil)
		}
		lines = append(lines, line)
	}
	return lines
}

func (c *creator) flowValue(keys []string) string {
	if len(keys) == 0 {
		return kustedit.RenderScalar(c.value, nil)
	}
	return "{" + key(keys[0]) + ": " + c.flowValue(keys[1:]) + "}"
}

func key(k string) string { return kustedit.RenderScalar(k, nil) }

// chain builds the nodes of nested keys ending in the value, for the check.
func chain(keys []string, value string) *yaml.Node {
	if len(keys) == 0 {
		return kustedit.StrNode(value)
	}
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{kustedit.StrNode(keys[0]), chain(keys[1:], value)}}
}

func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// indentStep is how far the file indents a nested map, 2 when it has none.
func indentStep(doc *yaml.Node) int {
	if doc == nil || len(doc.Content) == 0 {
		return 2
	}
	var step int
	var walk func(m *yaml.Node)
	walk = func(m *yaml.Node) {
		if step > 0 || m.Kind != yaml.MappingNode || m.Style&yaml.FlowStyle != 0 {
			return
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			if v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle == 0 && v.Line > k.Line && v.Column > k.Column {
				step = v.Column - k.Column
				return
			}
		}
		for i := 1; i < len(m.Content); i += 2 {
			walk(m.Content[i])
		}
	}
	walk(doc.Content[0])
	if step == 0 {
		return 2
	}
	return step
}

// onlyComments reports a file of comments, blank lines, directives and document markers.
func onlyComments(src []byte) bool {
	for _, line := range strings.FieldsFunc(string(src), func(r rune) bool { return r == '\n' || r == '\r' }) {
		l := strings.TrimLeft(line, " \t\ufeff")
		switch {
		case l == "", strings.HasPrefix(l, "#"), strings.HasPrefix(l, "%"):
		case strings.HasPrefix(l, "---") && (len(l) == 3 || l[3] == ' ' || l[3] == '\t') && strings.HasPrefix(strings.TrimSpace(l[3:])+"#", "#"):
		default:
			return false
		}
	}
	return true
}
