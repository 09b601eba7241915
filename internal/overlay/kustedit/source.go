package kustedit

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// source maps yaml.v3 node positions (1-based line, column counted in runes) back to byte
// offsets of the original file.
type source struct {
	src        []byte
	lineStarts []int  // byte offset where each line starts
	lineEnds   []int  // byte offset of each line's terminator (== next start when none)
	eol        string // line terminator used for added lines
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func newSource(src []byte) *source {
	s := &source{src: src, eol: "\n"}
	start := 0
	if bytes.HasPrefix(src, utf8BOM) {
		// yaml.v3 skips a leading BOM without counting it as a column.
		start = len(utf8BOM)
	}
	s.lineStarts = append(s.lineStarts, start)
	eolSeen := false
	for i := start; i < len(src); {
		n := breakLen(src[i:])
		if n == 0 {
			i++
			continue
		}
		if !eolSeen {
			eolSeen = true
			if src[i] == '\r' && n == 2 {
				s.eol = "\r\n"
			} else if src[i] == '\r' {
				s.eol = "\r"
			}
		}
		s.lineEnds = append(s.lineEnds, i)
		i += n
		s.lineStarts = append(s.lineStarts, i)
	}
	s.lineEnds = append(s.lineEnds, len(src))
	return s
}

// breakLen reports the length of the line break at the start of b, or 0. yaml.v3 (like
// libyaml) also breaks lines at NEL, LS and PS, so its line numbers count them.
func breakLen(b []byte) int {
	switch {
	case len(b) == 0:
		return 0
	case b[0] == '\n':
		return 1
	case b[0] == '\r':
		if len(b) > 1 && b[1] == '\n' {
			return 2
		}
		return 1
	case len(b) > 1 && b[0] == 0xC2 && b[1] == 0x85:
		return 2
	case len(b) > 2 && b[0] == 0xE2 && b[1] == 0x80 && (b[2] == 0xA8 || b[2] == 0xA9):
		return 3
	}
	return 0
}

// offset converts a node's position to a byte offset.
func (s *source) offset(n *yaml.Node) (int, error) {
	if n.Line < 1 || n.Line > len(s.lineStarts) || n.Column < 1 {
		return 0, fmt.Errorf("line %d column %d: position outside the file", n.Line, n.Column)
	}
	off := s.lineStarts[n.Line-1]
	end := s.lineEnds[n.Line-1]
	for range n.Column - 1 {
		if off >= end {
			return 0, fmt.Errorf("line %d column %d: position outside the line", n.Line, n.Column)
		}
		_, size := utf8.DecodeRune(s.src[off:end])
		off += size
	}
	return off, nil
}

// lineOf returns the 0-based line index that holds byte offset off.
func (s *source) lineOf(off int) int {
	lo, hi := 0, len(s.lineStarts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if s.lineStarts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// afterLine returns the offset just past the terminator of the line holding off, and whether
// that line has a terminator (the last line of a file may not).
func (s *source) afterLine(off int) (int, bool) {
	l := s.lineOf(off)
	if l+1 < len(s.lineStarts) {
		return s.lineStarts[l+1], true
	}
	return len(s.src), false
}

// onlySpaceBefore reports whether only blanks precede off on its line.
func (s *source) onlySpaceBefore(off int) bool {
	for i := s.lineStarts[s.lineOf(off)]; i < off; i++ {
		if s.src[i] != ' ' && s.src[i] != '\t' {
			return false
		}
	}
	return true
}

// endsWithBreak reports whether the file ends with a line terminator.
func (s *source) endsWithBreak() bool {
	return len(s.lineStarts) > 1 && s.lineStarts[len(s.lineStarts)-1] == len(s.src)
}
