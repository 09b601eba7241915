package config

import (
	"errors"
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"
)

// KeyLines maps a key path of a YAML document ("environments.prod.freeze[0]") to the line it
// starts on, so that an error about one value can name file and line.
type KeyLines map[string]int

// Line is the line of key, or 0 when the document does not hold it.
func (l KeyLines) Line(key string) int { return l[key] }

// keyLines walks a YAML document and records the line of every mapping value and sequence
// item. A document that does not parse records nothing: the decoder reports it.
func keyLines(data []byte) KeyLines {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return KeyLines{}
	}
	lines := KeyLines{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		if path != "" {
			lines[path] = n.Line
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				key := n.Content[i].Value
				if path != "" {
					key = path + "." + key
				}
				walk(n.Content[i+1], key)
			}
		case yaml.SequenceNode:
			for i, item := range n.Content {
				walk(item, path+"["+strconv.Itoa(i)+"]")
			}
		}
	}
	walk(doc.Content[0], "")
	return lines
}

// KeyError is a bad value in .gito.yaml at a known line.
type KeyError struct {
	Key  string
	Line int // 0: unknown
	Err  error
}

func (e *KeyError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %v", FileName, e.Line, e.Key, e.Err)
	}
	return fmt.Sprintf("%s: key %s: %v", FileName, e.Key, e.Err)
}

func (e *KeyError) Unwrap() error { return e.Err }

// keyErrorf makes a KeyError for key at the line the document has it on.
func (r *Repo) keyErrorf(key, format string, args ...any) error {
	return &KeyError{Key: key, Line: r.lines.Line(key), Err: fmt.Errorf(format, args...)}
}

// withFile names .gito.yaml in a validation error once: a KeyError already does.
func withFile(err error) error {
	var ke *KeyError
	if errors.As(err, &ke) {
		return err
	}
	return fmt.Errorf("%s: %w", FileName, err)
}
