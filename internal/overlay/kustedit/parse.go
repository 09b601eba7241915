package kustedit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// yaml12Directive matches a `%YAML 1.2` directive line. yaml.v3 accepts only 1.1, so the
// parser is handed a copy where it reads 1.1: same length, so every offset still holds, and
// yaml.v3 resolves scalars by the 1.2 core schema either way.
var yaml12Directive = regexp.MustCompile(`(?m)^%YAML[ \t]+1\.2\b`)

// parseDocuments decodes every document of src into nodes, refusing what cannot be
// edited safely: invalid UTF-8, YAML errors and duplicate mapping keys.
func parseDocuments(src []byte) (docs []*yaml.Node, err error) {
	if !utf8.Valid(src) {
		return nil, errors.New("not valid UTF-8")
	}
	text := src
	if yaml12Directive.Match(src) {
		text = yaml12Directive.ReplaceAllFunc(bytes.Clone(src), func(m []byte) []byte {
			m[len(m)-1] = '1'
			return m
		})
	}
	defer func() {
		// yaml.v3 has panicked on hostile input before; a parse failure must stay an error.
		if r := recover(); r != nil {
			docs, err = nil, fmt.Errorf("parse YAML: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(text))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("parse YAML: %w", err)
		}
		if err := checkDuplicateKeys(&doc); err != nil {
			return nil, err
		}
		docs = append(docs, &doc)
	}
	return docs, nil
}

func checkDuplicateKeys(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		seen := map[[2]string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				continue
			}
			id := [2]string{k.ShortTag(), k.Value}
			if line, dup := seen[id]; dup {
				return fmt.Errorf("line %d: mapping key %q already defined at line %d", k.Line, k.Value, line)
			}
			seen[id] = k.Line
		}
	}
	for _, c := range n.Content {
		if err := checkDuplicateKeys(c); err != nil {
			return err
		}
	}
	return nil
}

// isEmptyDocument reports a document with no content (only comments, or a bare `---`).
func isEmptyDocument(doc *yaml.Node) bool {
	if len(doc.Content) == 0 {
		return true
	}
	c := doc.Content[0]
	return c.Kind == yaml.ScalarNode && c.ShortTag() == "!!null" && c.Value == "" &&
		c.Anchor == "" && c.Style&yaml.TaggedStyle == 0
}

// mappingValue returns the value node for key and the index of the key in m.Content.
func mappingValue(m *yaml.Node, key string) (*yaml.Node, int) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return m.Content[i+1], i
		}
	}
	return nil, -1
}
