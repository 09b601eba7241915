// Package targetedit sets the scalars a yq expression selects in any YAML file (a Helm
// values file, an Argo CD Application, a plain manifest) while keeping every other byte.
// yqlib evaluates the expression and reports where the selected nodes are; the bytes are
// spliced at those positions by kustedit's editor, which also checks that the output parses
// to the input with exactly the selected scalars changed.
package targetedit

import (
	"bytes"
	"container/list"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"

	"github.com/mikefarah/yq/v4/pkg/yqlib"
	"gopkg.in/yaml.v3"

	"github.com/gito-dev/gito/internal/overlay/kustedit"
)

// Change is one scalar that was (or would be) set.
type Change struct {
	Line    int // 1-based line of the scalar in the output
	Old     string
	New     string
	Created bool // the path did not exist and was added
}

// Options tune Set.
type Options struct {
	// Create adds a plain path (.a.b.c) that selects nothing, under its deepest existing map.
	Create bool
	// One refuses an expression that selects more than one scalar.
	One bool
	// OneValue refuses an expression that selects several scalars holding different values:
	// one version may be written in several places (the same image in every document of a
	// file), but scalars that disagree are different things the expression caught too.
	OneValue bool
}

// Error names the expression and says why it cannot be used; the caller adds the file.
type Error struct {
	Expr   string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("expression %s: %s", e.Expr, e.Reason) }

func fail(expr, format string, args ...any) error {
	return &Error{Expr: expr, Reason: fmt.Sprintf(format, args...)}
}

var setupOnce sync.Once

var yaml12Directive = regexp.MustCompile(`(?m)^%YAML[ \t]+1\.2\b`)

// setup makes yqlib quiet and keeps expressions from reading files or the environment: an
// expression comes from the repo's config and must not reach a token.
func setup() {
	setupOnce.Do(func() {
		yqlib.GetLogger().SetSlogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
		yqlib.ConfiguredSecurityPreferences.DisableEnvOps = true
		yqlib.ConfiguredSecurityPreferences.DisableFileOps = true
		yqlib.InitExpressionParser()
	})
}

// Check parses an expression without evaluating it.
func Check(expr string) error {
	setup()
	if strings.TrimSpace(expr) == "" {
		return fail(expr, "is empty")
	}
	if _, err := yqlib.ExpressionParser.ParseExpression(expr); err != nil {
		return fail(expr, "%s", oneLine(err))
	}
	return nil
}

// Select returns the values of the scalars expr selects (nil when it selects nothing).
func Select(src []byte, expr string) ([]string, error) {
	ed, err := kustedit.NewEditor(src)
	if err != nil {
		return nil, fail(expr, "the file is not YAML: %s", oneLine(err))
	}
	nodes, err := locate(ed, src, expr)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, n.Value)
	}
	return out, nil
}

// Set sets every scalar expr selects to value(old). A plain path that selects nothing is
// created when opts.Create is set; otherwise selecting nothing is an error.
func Set(src []byte, expr string, value func(old string) string, opts Options) ([]byte, []Change, error) {
	ed, err := kustedit.NewEditor(src)
	if err != nil {
		return nil, nil, fail(expr, "the file is not YAML: %s", oneLine(err))
	}
	nodes, err := locate(ed, src, expr)
	if err != nil {
		return nil, nil, err
	}
	if len(nodes) == 0 {
		if !opts.Create {
			return nil, nil, fail(expr, "selects nothing")
		}
		keys, ok := plainPath(expr)
		if !ok {
			return nil, nil, fail(expr, "selects nothing, and only a plain path like .image.tag can be added")
		}
		return create(ed, expr, keys, value(""))
	}
	if opts.One && len(nodes) > 1 {
		return nil, nil, fail(expr, "selects %d scalars (lines %s) where one is expected", len(nodes), linesOf(nodes))
	}
	if opts.OneValue && !sameValue(nodes) {
		return nil, nil, fail(expr, "selects %d scalars (lines %s) where one is expected: they hold different values (%s); narrow it, e.g. with select(.name == \"...\")",
			len(nodes), linesOf(nodes), valuesOf(nodes))
	}
	var changes []Change
	var idx []int
	for _, n := range nodes {
		v := value(n.Value)
		i, err := ed.SetScalar(n, v)
		if err != nil {
			return nil, nil, fail(expr, "%s", oneLine(err))
		}
		idx = append(idx, i)
		changes = append(changes, Change{Old: n.Value, New: v})
	}
	out, err := ed.Apply()
	if err != nil {
		return nil, nil, fail(expr, "%s", oneLine(err))
	}
	for i := range changes {
		changes[i].Line = ed.Line(idx[i])
	}
	return out, changes, nil
}

// locate evaluates expr with yqlib and maps every selected node back to the editor's tree
// by position, refusing what cannot be edited on its own.
func locate(ed *kustedit.Editor, src []byte, expr string) ([]*yaml.Node, error) {
	if err := Check(expr); err != nil {
		return nil, err
	}
	results, err := evaluate(src, expr)
	if err != nil {
		return nil, fail(expr, "%s", oneLine(err))
	}
	idx := indexTree(ed.Documents())
	var out []*yaml.Node
	seen := map[*yaml.Node]bool{}
	for e := results.Front(); e != nil; e = e.Next() {
		c := e.Value.(*yqlib.CandidateNode)
		if c.Line == 0 {
			if c.Kind == yqlib.ScalarNode && c.Tag == "!!null" {
				continue // a path the document does not have
			}
			return nil, fail(expr, "yields a computed value, not a node of the file")
		}
		switch c.Kind {
		case yqlib.MappingNode:
			return nil, fail(expr, "selects a map at line %d, not a scalar", c.Line)
		case yqlib.SequenceNode:
			return nil, fail(expr, "selects a list at line %d, not a scalar", c.Line)
		case yqlib.AliasNode:
			return nil, fail(expr, "selects the alias *%s at line %d: editing it would change every use of &%s", c.Value, c.Line, c.Value)
		}
		n := idx.at[[2]int{c.Line, c.Column}]
		if n == nil {
			return nil, fail(expr, "selects a node at line %d column %d that gito cannot find in the file", c.Line, c.Column)
		}
		if n.Kind == yaml.ScalarNode && (n.Value != c.Value || n.ShortTag() != c.Tag) {
			return nil, fail(expr, "yields a computed value (from line %d), not a node of the file", c.Line)
		}
		if err := idx.editable(n, expr); err != nil {
			return nil, err
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, nil
}

func evaluate(src []byte, expr string) (*list.List, error) {
	prefs := yqlib.NewDefaultYamlPreferences()
	// No pre-processing of leading comments: it would shift the line numbers.
	prefs.LeadingContentPreProcessing = false
	// yqlib's parser refuses `%YAML 1.2`; 1.1 has the same length, so positions still hold.
	src = yaml12Directive.ReplaceAllFunc(bytes.Clone(src), func(m []byte) []byte {
		m[len(m)-1] = '1'
		return m
	})
	docs, err := yqlib.ReadDocuments(bytes.NewReader(src), yqlib.NewYamlDecoder(prefs))
	if err != nil {
		return nil, err
	}
	return evalSafely(expr, docs)
}

func evalSafely(expr string, docs *list.List) (res *list.List, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("yq failed: %v", r)
		}
	}()
	return yqlib.NewAllAtOnceEvaluator().EvaluateCandidateNodes(expr, docs)
}

// tree indexes the editor's nodes by position, with what an edit must not touch.
type tree struct {
	at      map[[2]int]*yaml.Node
	parent  map[*yaml.Node]*yaml.Node
	isKey   map[*yaml.Node]bool
	aliased map[*yaml.Node]int // anchored node -> line of an alias that uses it
}

func indexTree(docs []*yaml.Node) *tree {
	t := &tree{at: map[[2]int]*yaml.Node{}, parent: map[*yaml.Node]*yaml.Node{},
		isKey: map[*yaml.Node]bool{}, aliased: map[*yaml.Node]int{}}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.ScalarNode:
			t.at[[2]int{n.Line, n.Column}] = n
		case yaml.AliasNode:
			t.at[[2]int{n.Line, n.Column}] = n
			if n.Alias != nil {
				if _, ok := t.aliased[n.Alias]; !ok {
					t.aliased[n.Alias] = n.Line
				}
			}
		}
		for i, c := range n.Content {
			t.parent[c] = n
			if n.Kind == yaml.MappingNode && i%2 == 0 {
				t.isKey[c] = true
			}
			walk(c)
		}
	}
	for _, d := range docs {
		walk(d)
	}
	return t
}

// editable refuses keys, aliases, tagged non-strings, block scalars and anything inside an
// anchor that an alias uses: changing it would change the alias too.
func (t *tree) editable(n *yaml.Node, expr string) error {
	switch {
	case n.Kind == yaml.AliasNode:
		return fail(expr, "selects the alias *%s at line %d: editing it would change every use of &%s", n.Value, n.Line, n.Value)
	case t.isKey[n]:
		return fail(expr, "selects the mapping key %q at line %d, not a value", n.Value, n.Line)
	case n.Style&yaml.TaggedStyle != 0 && n.ShortTag() != "!!str":
		return fail(expr, "selects a scalar tagged %s at line %d", n.Tag, n.Line)
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return fail(expr, "selects a block scalar at line %d, which gito does not rewrite", n.Line)
	}
	for a := n; a != nil; a = t.parent[a] {
		if line, ok := t.aliased[a]; ok {
			if a == n {
				return fail(expr, "selects the anchored scalar &%s at line %d, which the alias at line %d also uses: edit the anchor's value by hand or drop the alias", a.Anchor, n.Line, line)
			}
			return fail(expr, "selects line %d inside the anchor &%s (line %d), which the alias at line %d also uses: editing it would change both", n.Line, a.Anchor, a.Line, line)
		}
	}
	return nil
}

func sameValue(nodes []*yaml.Node) bool {
	for _, n := range nodes[1:] {
		if n.Value != nodes[0].Value {
			return false
		}
	}
	return true
}

func valuesOf(nodes []*yaml.Node) string {
	var parts []string
	for _, n := range nodes {
		parts = append(parts, fmt.Sprintf("%q", n.Value))
	}
	return strings.Join(parts, ", ")
}

func linesOf(nodes []*yaml.Node) string {
	var parts []string
	for _, n := range nodes {
		parts = append(parts, fmt.Sprint(n.Line))
	}
	return strings.Join(parts, ", ")
}

func oneLine(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}
