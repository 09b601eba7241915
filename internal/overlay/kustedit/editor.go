package kustedit

import (
	"gopkg.in/yaml.v3"
)

// Editor exposes the splicing machinery of this package to editors of other YAML files
// (internal/overlay/targetedit): the same parser, the same byte splices at node positions,
// the same check that the output parses to the input with exactly the planned changes.
type Editor struct {
	p *plan
}

// NewEditor parses src; it refuses invalid UTF-8, YAML errors and duplicate keys.
func NewEditor(src []byte) (*Editor, error) {
	docs, err := parseDocuments(src)
	if err != nil {
		return nil, err
	}
	return &Editor{p: &plan{src: newSource(src), docs: docs}}, nil
}

// Documents are the parsed documents; callers may read them, and record mutations only
// through the Editor's methods.
func (e *Editor) Documents() []*yaml.Node { return e.p.docs }

// IsEmptyDocument reports a document with no content.
func IsEmptyDocument(doc *yaml.Node) bool { return isEmptyDocument(doc) }

// EOL is the line terminator the file uses.
func (e *Editor) EOL() string { return e.p.src.eol }

// Source is the original bytes.
func (e *Editor) Source() []byte { return e.p.src.src }

// SetScalar plans replacing scalar n's text with v, keeping its quoting style. It returns
// the index whose output line Line reports after Apply.
func (e *Editor) SetScalar(n *yaml.Node, v string) (int, error) {
	idx := e.newChange()
	return idx, e.p.replaceScalar(n, v, idx)
}

// NodeEnd is the offset just past a node's text.
func (e *Editor) NodeEnd(n *yaml.Node) (int, error) { return e.p.src.nodeEnd(n) }

// NodeStart is the offset of a node's first content byte, past any anchor or tag.
func (e *Editor) NodeStart(n *yaml.Node) (int, error) { return e.p.src.nodeStart(n) }

// ScalarSpan is the byte range of a scalar's text, quotes included.
func (e *Editor) ScalarSpan(n *yaml.Node) (int, int, error) { return e.p.src.scalarSpan(n) }

// EndsWithBreak reports whether the file ends with a line terminator.
func (e *Editor) EndsWithBreak() bool { return e.p.src.endsWithBreak() }

// LineStart is the offset where the 1-based line starts.
func (e *Editor) LineStart(line int) int { return e.p.src.lineStarts[line-1] }

// Insert plans inserting text at off; mark is the offset into text of the new value, whose
// output line Line reports under the returned index. mutate records the same change in the
// parsed tree, so Apply can check it.
func (e *Editor) Insert(off int, text string, mark int, mutate func()) int {
	idx := e.newChange()
	e.p.add(splice{start: off, end: off, text: text, change: idx, mark: mark})
	e.p.mutate = append(e.p.mutate, mutate)
	return idx
}

// Delete plans removing src[start:end] (with mutate recording it in the tree).
func (e *Editor) Delete(start, end int, mutate func()) {
	e.p.add(splice{start: start, end: end, change: -1})
	if mutate != nil {
		e.p.mutate = append(e.p.mutate, mutate)
	}
}

// AddLines plans inserting whole lines after the line holding off.
func (e *Editor) AddLines(off int, lines []string, mutate func()) int {
	idx := e.newChange()
	e.p.addLines(off, lines, idx)
	e.p.mutate = append(e.p.mutate, mutate)
	return idx
}

func (e *Editor) newChange() int {
	e.p.changes = append(e.p.changes, Change{})
	return len(e.p.changes) - 1
}

// Apply splices the planned edits and verifies the result.
func (e *Editor) Apply() ([]byte, error) { return e.p.apply() }

// Line is the 1-based output line of change idx, valid after Apply.
func (e *Editor) Line(idx int) int { return e.p.changes[idx].Line }

// RenderScalar writes v as a scalar in the quoting style of like (plain when nil), quoting
// a plain scalar that would not read back as the string v.
func RenderScalar(v string, like *yaml.Node) string {
	if like == nil {
		return render(v, plainQuote)
	}
	return render(v, styleOf(like))
}

// StrNode is a plain string scalar, for recording an added value in the tree.
func StrNode(v string) *yaml.Node { return strNode(v) }

// AfterLine is the offset just past the terminator of the line holding off, and whether
// that line has one (the last line of a file may not).
func (e *Editor) AfterLine(off int) (int, bool) { return e.p.src.afterLine(off) }

// MutateDocuments records a change to the document list itself (a document added to an
// empty file), for the check in Apply.
func (e *Editor) MutateDocuments(f func(docs []*yaml.Node) []*yaml.Node) {
	e.p.mutate = append(e.p.mutate, func() { e.p.docs = f(e.p.docs) })
}
