// Package yamllimit refuses YAML that would grow without bound once decoded: a document
// whose aliases expand to more nodes than any manifest has (a "billion laughs" of a few
// hundred bytes). kustomize expands every alias of a resource it reads, and yaml.v3 only
// guards decoding into Go values, so every file a render reads is checked here first.
package yamllimit

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// MaxExpansion is how many nodes aliases may add to a file beyond the nodes written in it.
// Ordinary anchors (a shared env block, a few ports) add hundreds.
const MaxExpansion = 1_000_000

// ErrAliasBomb marks YAML whose aliases expand past MaxExpansion, or into themselves.
var ErrAliasBomb = errors.New("YAML aliases expand past the limit of a manifest (a billion-laughs document?)")

// Check reports whether data, read from name, can be decoded without its aliases expanding
// past MaxExpansion. It parses each document as a node tree, where an alias is one pointer,
// and counts what expanding it would make. Data that is not YAML passes: whoever decodes
// it says so in its own words.
func Check(name string, data []byte) error {
	if !bytes.Contains(data, []byte("*")) {
		return nil // no alias, nothing to expand
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	c := counter{size: map[*yaml.Node]int64{}}
	var literal, expanded int64
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return nil // not YAML (or not valid YAML): not ours to report
		}
		literal += c.literal(&doc)
		n, ok := c.expanded(&doc, map[*yaml.Node]bool{}, literal+MaxExpansion-expanded)
		expanded += n
		if !ok || expanded-literal > MaxExpansion {
			return fmt.Errorf("%s: %w", name, ErrAliasBomb)
		}
	}
}

type counter struct {
	size map[*yaml.Node]int64 // expanded size of each node already counted
}

func (c *counter) literal(n *yaml.Node) int64 {
	total := int64(1)
	for _, ch := range n.Content {
		total += c.literal(ch)
	}
	return total
}

// expanded counts n with every alias replaced by what it points at, stopping as soon as the
// count passes limit (so it never overflows) and failing on an alias inside itself.
func (c *counter) expanded(n *yaml.Node, open map[*yaml.Node]bool, limit int64) (int64, bool) {
	if s, ok := c.size[n]; ok {
		return s, true
	}
	if open[n] {
		return 0, false
	}
	open[n] = true
	defer delete(open, n)
	total := int64(1)
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		s, ok := c.expanded(n.Alias, open, limit)
		if total += s; !ok || total > limit {
			return total, false
		}
	}
	for _, ch := range n.Content {
		s, ok := c.expanded(ch, open, limit)
		if !ok {
			return 0, false
		}
		if total += s; total > limit {
			return total, false
		}
	}
	c.size[n] = total
	return total, true
}
