package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// repoError is a .gito.yaml error in one line, with the line of the key it names when known:
// ".gito.yaml:12: key environments.prod.reviewers[0]: …".
func repoError(root *yaml.Node, err error) error {
	var keyErr *KeyError
	if errors.As(err, &keyErr) {
		return err // names the file and the line already
	}
	msg := oneLine(err)
	var typeErr *yaml.TypeError
	if errors.As(err, &typeErr) && len(typeErr.Errors) > 0 {
		msg = strings.Join(typeErr.Errors, "; ") // without yaml's "unmarshal errors:" heading
	}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, after, ok := strings.Cut(rest, ": "); ok {
			if _, err := strconv.Atoi(n); err == nil {
				return fmt.Errorf("%s:%s: %s", FileName, n, after)
			}
		}
	}
	if path, ok := strings.CutPrefix(msg, "key "); ok && root != nil {
		if end := strings.IndexAny(path, ": "); end >= 0 {
			path = path[:end]
		}
		if line := lineOf(root, path); line > 0 {
			return fmt.Errorf("%s:%d: %s", FileName, line, msg)
		}
	}
	return fmt.Errorf("%s: %s", FileName, msg)
}

// lineOf finds the line of a key path such as environments.prod.eu.reviewers[1] (names may
// hold dots: the longest key that fits is taken), or of the deepest part of it that exists.
func lineOf(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for path != "" {
		switch {
		case strings.HasPrefix(path, "["):
			end := strings.Index(path, "]")
			if end < 0 {
				return line
			}
			i, err := strconv.Atoi(path[1:end])
			if n.Kind != yaml.SequenceNode || err != nil || i < 0 || i >= len(n.Content) {
				return line
			}
			n, line, path = n.Content[i], n.Content[i].Line, path[end+1:]
		case n.Kind == yaml.MappingNode:
			path = strings.TrimPrefix(path, ".")
			best := -1
			for k := 0; k+1 < len(n.Content); k += 2 {
				key := n.Content[k].Value
				fits := strings.HasPrefix(path, key) && (len(path) == len(key) || path[len(key)] == '.' || path[len(key)] == '[')
				if fits && (best < 0 || len(key) > len(n.Content[best].Value)) {
					best = k
				}
			}
			if best < 0 {
				return line
			}
			line, path, n = n.Content[best].Line, path[len(n.Content[best].Value):], n.Content[best+1]
		default:
			return line
		}
	}
	return line
}

// emptyGroup refuses `group: []` (or `group:` alone): read as a plain environment, the group
// would fail later as an unknown one.
func emptyGroup(root *yaml.Node) error {
	envs := mappingValue(root, "environments")
	if envs == nil || envs.Kind != yaml.MappingNode {
		return nil
	}
	for k := 0; k+1 < len(envs.Content); k += 2 {
		name := envs.Content[k].Value
		g := mappingValue(envs.Content[k+1], "group")
		if g != nil && (g.Tag == "!!null" || g.Kind == yaml.SequenceNode && len(g.Content) == 0) {
			return fmt.Errorf("key environments.%s.group: the group %s has no members: list them, or remove the key", name, name)
		}
	}
	return nil
}

// mappingValue is the value of key in the mapping n (or the document holding it), nil when absent.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for k := 0; k+1 < len(n.Content); k += 2 {
		if n.Content[k].Value == key {
			return n.Content[k+1]
		}
	}
	return nil
}

// line is the line of a key path of .gito.yaml ("environments.prod.freeze[0]"), or of the
// deepest part of it the document holds; 0 for a Repo not parsed from a document.
func (r *Repo) line(key string) int {
	if r.root == nil {
		return 0
	}
	return lineOf(r.root, key)
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
	return &KeyError{Key: key, Line: r.line(key), Err: fmt.Errorf(format, args...)}
}
