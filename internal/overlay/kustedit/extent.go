package kustedit

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// nodeStart returns the offset of the node's first content byte, past any anchor or tag.
func (s *source) nodeStart(n *yaml.Node) (int, error) {
	off, err := s.offset(n)
	if err != nil {
		return 0, err
	}
	if n.Anchor == "" && n.Style&yaml.TaggedStyle == 0 {
		return off, nil
	}
	for off < len(s.src) && (s.src[off] == '&' || s.src[off] == '!') {
		for off < len(s.src) && !isBlankOrBreak(s.src[off:]) {
			off++
		}
		off = s.skipBlanks(off)
	}
	return off, nil
}

func isBlankOrBreak(b []byte) bool {
	return b[0] == ' ' || b[0] == '\t' || breakLen(b) > 0
}

func (s *source) skipBlanks(off int) int {
	for off < len(s.src) && (s.src[off] == ' ' || s.src[off] == '\t') {
		off++
	}
	return off
}

// scalarSpan returns the byte range of a scalar's text, quotes included.
func (s *source) scalarSpan(n *yaml.Node) (int, int, error) {
	start, err := s.nodeStart(n)
	if err != nil {
		return 0, 0, err
	}
	b := s.src
	switch {
	case n.Kind == yaml.AliasNode:
		end := start + 1 + len(n.Value)
		if end > len(b) || b[start] != '*' {
			return 0, 0, fmt.Errorf("line %d: cannot locate alias", n.Line)
		}
		return start, end, nil
	case n.Style&yaml.DoubleQuotedStyle != 0:
		if start >= len(b) || b[start] != '"' {
			return 0, 0, fmt.Errorf("line %d: cannot locate quoted scalar", n.Line)
		}
		for i := start + 1; i < len(b); i++ {
			switch b[i] {
			case '\\':
				i++
			case '"':
				return start, i + 1, nil
			}
		}
	case n.Style&yaml.SingleQuotedStyle != 0:
		if start >= len(b) || b[start] != '\'' {
			return 0, 0, fmt.Errorf("line %d: cannot locate quoted scalar", n.Line)
		}
		for i := start + 1; i < len(b); i++ {
			if b[i] == '\'' {
				if i+1 < len(b) && b[i+1] == '\'' {
					i++
					continue
				}
				return start, i + 1, nil
			}
		}
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return 0, 0, fmt.Errorf("line %d: block scalar %q cannot be edited in place", n.Line, n.Value)
	default:
		end := start + len(n.Value)
		if end <= len(b) && string(b[start:end]) == n.Value {
			return start, end, nil
		}
		return 0, 0, fmt.Errorf("line %d: multi-line plain scalar %q cannot be edited in place", n.Line, n.Value)
	}
	return 0, 0, fmt.Errorf("line %d: unterminated quoted scalar", n.Line)
}

// nodeEnd returns the offset just past a node's text. Flow collections end at their closing
// bracket; block collections end where their last descendant ends.
func (s *source) nodeEnd(n *yaml.Node) (int, error) {
	switch n.Kind {
	case yaml.ScalarNode, yaml.AliasNode:
		_, end, err := s.scalarSpan(n)
		return end, err
	case yaml.MappingNode, yaml.SequenceNode:
	default:
		return 0, fmt.Errorf("line %d: unexpected node kind", n.Line)
	}
	if n.Style&yaml.FlowStyle == 0 {
		if len(n.Content) == 0 {
			return 0, fmt.Errorf("line %d: empty block collection", n.Line)
		}
		return s.nodeEnd(n.Content[len(n.Content)-1])
	}
	var from int
	if len(n.Content) == 0 {
		start, err := s.nodeStart(n)
		if err != nil {
			return 0, err
		}
		from = start + 1
	} else {
		end, err := s.nodeEnd(n.Content[len(n.Content)-1])
		if err != nil {
			return 0, err
		}
		from = end
	}
	closer := byte('}')
	if n.Kind == yaml.SequenceNode {
		closer = ']'
	}
	off := s.skipFiller(from, true)
	if off >= len(s.src) || s.src[off] != closer {
		return 0, fmt.Errorf("line %d: cannot find the end of a flow collection", n.Line)
	}
	return off + 1, nil
}

// skipFiller skips blanks, line breaks and comments (and commas when commas is set).
func (s *source) skipFiller(off int, commas bool) int {
	for off < len(s.src) {
		c := s.src[off]
		switch {
		case c == ' ' || c == '\t' || (commas && c == ','):
			off++
		case c == '#':
			for off < len(s.src) && breakLen(s.src[off:]) == 0 {
				off++
			}
		default:
			n := breakLen(s.src[off:])
			if n == 0 {
				return off
			}
			off += n
		}
	}
	return off
}
