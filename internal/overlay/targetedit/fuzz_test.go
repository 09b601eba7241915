package targetedit

import (
	"bytes"
	"container/list"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/mikefarah/yq/v4/pkg/yqlib"
)

var fuzzExprs = []string{
	".image.tag",
	".image.repository",
	`.spec.template.spec.containers[] | select(.name == "api") | .image`,
	`.. | select(tag == "!!str" and . == "v1")`,
	".[0]",
	".a.b.c",
	`.spec.source.helm.parameters[] | select(.name == "image.tag") | .value`,
	`select(.kind == "Deployment") | .spec.replicas`,
}

// FuzzSet checks the editor against yqlib itself: whenever Set succeeds, its output must
// parse (with yqlib) to what yqlib's own assignment makes of the input, and the expression
// must now select only the new value. Failing is always allowed; corrupting is not.
func FuzzSet(f *testing.F) {
	entries, err := os.ReadDir(filepath.Join("testdata", "golden"))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".golden" {
			continue
		}
		src, err := os.ReadFile(filepath.Join("testdata", "golden", e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src, uint8(0), "v2", true)
		f.Add(src, uint8(2), "ghcr.io/acme/api:v2", false)
	}
	f.Add([]byte("a: {b: {c: 1.10}}\n"), uint8(5), "1.11", true)
	f.Fuzz(func(t *testing.T, src []byte, which uint8, value string, create bool) {
		if len(src) > 4096 || len(value) > 64 {
			return
		}
		expr := fuzzExprs[int(which)%len(fuzzExprs)]
		out, changes, err := Set(src, expr, func(string) string { return value }, Options{Create: create})
		if err != nil {
			return
		}
		got, err := Select(out, expr)
		if err != nil {
			t.Fatalf("Select on the output of Set: %v\n%q", err, out)
		}
		if _, plain := plainPath(expr); plain {
			// A filter on the old value (select(. == "v1")) selects nothing once it changed;
			// a plain path must select exactly the new value.
			if len(got) == 0 {
				t.Fatalf("the expression selects nothing in the output\n%q", out)
			}
			for _, v := range got {
				if v != value {
					t.Fatalf("the output holds %q at %s, want %q\n%q", v, expr, value, out)
				}
			}
		}
		created := len(changes) == 1 && changes[0].Created
		if created && !yqLiteralSafe(value) {
			return // the oracle cannot spell the value as a yq string literal
		}
		want, err := expected(src, expr, value, created)
		if err != nil {
			if created {
				return // yq cannot add it either: nothing to compare with
			}
			t.Fatalf("yq cannot assign what Set did: %v", err)
		}
		have, err := readDocs(out)
		if err != nil {
			t.Fatalf("yq cannot read the output: %v\n%q", err, out)
		}
		if !created {
			// Evaluating may add the empty keys it walked through to yqlib's tree: do the same
			// to the output's tree before comparing.
			l := list.New()
			for _, d := range have {
				l.PushBack(d)
			}
			if _, err := evalSafely(expr, l); err != nil {
				t.Fatalf("yq cannot evaluate on the output: %v", err)
			}
		}
		if created && len(want) != 1 {
			return // yq adds the key to every document; gito only to the one it has
		}
		if len(have) != len(want) {
			t.Fatalf("%d documents, yq makes %d", len(have), len(want))
		}
		for i := range have {
			if d := diffNodes(have[i], want[i], "$"); d != "" {
				t.Fatalf("document %d differs from yq's assignment at %s\ninput  %q\noutput %q", i, d, src, out)
			}
		}
	})
}

func readDocs(src []byte) ([]*yqlib.CandidateNode, error) {
	prefs := yqlib.NewDefaultYamlPreferences()
	prefs.LeadingContentPreProcessing = false
	src = yaml12Directive.ReplaceAllFunc(bytes.Clone(src), func(m []byte) []byte {
		m[len(m)-1] = '1'
		return m
	})
	l, err := yqlib.ReadDocuments(bytes.NewReader(src), yqlib.NewYamlDecoder(prefs))
	if err != nil {
		return nil, err
	}
	var out []*yqlib.CandidateNode
	for e := l.Front(); e != nil; e = e.Next() {
		out = append(out, e.Value.(*yqlib.CandidateNode))
	}
	return out, nil
}

// expected is the input with the selected nodes set to value, as yqlib sees it: the nodes
// yqlib selects are the nodes of its own tree, so they are set in place. A created path
// goes through yq's assignment, which adds missing keys.
func expected(src []byte, expr, value string, created bool) ([]*yqlib.CandidateNode, error) {
	if created {
		return yqAssign(src, expr, value)
	}
	docs, err := readDocs(src)
	if err != nil {
		return nil, err
	}
	setup()
	l := list.New()
	for _, d := range docs {
		l.PushBack(d)
	}
	res, err := evalSafely(expr, l)
	if err != nil {
		return nil, err
	}
	for e := res.Front(); e != nil; e = e.Next() {
		n := e.Value.(*yqlib.CandidateNode)
		if n.Line == 0 && n.Tag == "!!null" {
			continue // yqlib made it up walking a path the document does not have (.[0] of an empty document): not a node of the file
		}
		n.Value, n.Tag = value, "!!str"
	}
	return docs, nil
}

func yqAssign(src []byte, expr, value string) ([]*yqlib.CandidateNode, error) {
	docs, err := readDocs(src)
	if err != nil {
		return nil, err
	}
	setup()
	var out []*yqlib.CandidateNode
	for _, d := range docs {
		res, err := evalSafely("("+expr+") = "+strconv.Quote(value), listOf(d))
		if err != nil {
			return nil, err
		}
		for e := res.Front(); e != nil; e = e.Next() {
			out = append(out, e.Value.(*yqlib.CandidateNode))
		}
	}
	return out, nil
}

// diffNodes compares two trees by kind, tag and value, following aliases.
func diffNodes(a, b *yqlib.CandidateNode, at string) string {
	for a.Kind == yqlib.AliasNode && a.Alias != nil {
		a = a.Alias
	}
	for b.Kind == yqlib.AliasNode && b.Alias != nil {
		b = b.Alias
	}
	if a.Kind != b.Kind || len(a.Content) != len(b.Content) {
		return fmt.Sprintf("%s (kind or length)", at)
	}
	if a.Kind == yqlib.ScalarNode && (a.Value != b.Value || a.Tag != b.Tag) {
		return fmt.Sprintf("%s: %s %q vs %s %q", at, a.Tag, a.Value, b.Tag, b.Value)
	}
	for i := range a.Content {
		if d := diffNodes(a.Content[i], b.Content[i], fmt.Sprintf("%s[%d]", at, i)); d != "" {
			return d
		}
	}
	return ""
}

func listOf(n *yqlib.CandidateNode) *list.List {
	l := list.New()
	l.PushBack(n)
	return l
}

// yqLiteralSafe reports a value that a double-quoted yq literal holds without escapes.
func yqLiteralSafe(v string) bool {
	for _, r := range v {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return false
		}
	}
	return true
}
