package renderdiff

import (
	"encoding/base64"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/gito-dev/gito/internal/yamlnode"
)

// LastApplied is the annotation kubectl writes with the whole object in it, a Secret's data
// included.
const LastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// Markers that stand for a secret value. A hash of the value would tell changed from
// unchanged too, but anyone who can read the pull request could test guesses of a short
// password against it; the marker says only what a reviewer needs.
const (
	Redacted        = "<redacted>"
	RedactedChanged = "<redacted, changed>"
)

// sensitive is one value node that must not be shown, addressed by its path in the object.
type sensitive struct {
	path   string
	parent *yaml.Node // the mapping or sequence that holds it
	index  int        // its index in parent.Content
}

func (s sensitive) node() *yaml.Node { return s.parent.Content[s.index] }

// findSensitive lists the values of a Secret's data and stringData (at any depth: a Secret in
// a List or a template counts too) and every last-applied-configuration annotation.
func findSensitive(n *yaml.Node, path string, out []sensitive) []sensitive {
	switch n.Kind {
	case yaml.SequenceNode:
		for i, c := range n.Content {
			out = findSensitive(c, path+"["+strconv.Itoa(i)+"]", out)
		}
	case yaml.MappingNode:
		secret := strings.EqualFold(yamlnode.Scalar(n, "kind"), "Secret")
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i].Value, n.Content[i+1]
			p := path + "." + key
			switch {
			case secret && (key == "data" || key == "stringData"):
				if val.Kind == yaml.MappingNode {
					for j := 0; j+1 < len(val.Content); j += 2 {
						out = append(out, sensitive{path: p + "." + val.Content[j].Value, parent: val, index: j + 1})
					}
				} else {
					out = append(out, sensitive{path: p, parent: n, index: i + 1})
				}
			case key == "annotations" && val.Kind == yaml.MappingNode:
				for j := 0; j+1 < len(val.Content); j += 2 {
					if val.Content[j].Value == LastApplied {
						out = append(out, sensitive{path: p + "." + LastApplied, parent: val, index: j + 1})
					}
				}
			default:
				out = findSensitive(val, p, out)
			}
		}
	}
	return out
}

// redactPair replaces the sensitive values of an object's two sides (either may be nil) by
// markers: the after side says when a value that was there before changed.
func redactPair(before, after *yaml.Node) {
	old := map[string]string{}
	if before != nil {
		for _, s := range findSensitive(before, "", nil) {
			old[s.path] = valueOf(s.node())
			s.parent.Content[s.index] = marker(Redacted)
		}
	}
	if after != nil {
		for _, s := range findSensitive(after, "", nil) {
			m := Redacted
			if prev, ok := old[s.path]; ok && prev != valueOf(s.node()) {
				m = RedactedChanged
			}
			s.parent.Content[s.index] = marker(m)
		}
	}
}

func marker(text string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: text}
}

// valueOf is a value's comparable form.
func valueOf(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return encode(n)
}

// A secret value of at least minMasked characters is masked where it is a whole value in
// free text (after "key: ", "KEY=" or "- "); from minAnywhere characters on it is masked
// wherever it occurs. Shorter values would blank out unrelated words and numbers all over a
// diff ("prod", "true", "8080"), and are still redacted wherever they are a Secret's data.
const (
	minMasked   = 4
	minAnywhere = 8
)

// secretValues lists the values found in Secrets of the manifests in every form they may
// take in a file: as written, decoded from base64, and base64-encoded.
func secretValues(objs []object) []string {
	var out []string
	add := func(v string) {
		if len(v) >= minMasked {
			out = append(out, v)
		}
	}
	for _, o := range objs {
		for _, s := range findSensitive(o.node, "", nil) {
			if strings.HasSuffix(s.path, "."+LastApplied) {
				continue // a JSON copy of the object; its Secret data are the values below
			}
			collect(s.node(), func(v string) {
				add(v)
				add(base64.StdEncoding.EncodeToString([]byte(v)))
				if dec, err := base64.StdEncoding.DecodeString(v); err == nil {
					add(string(dec))
				}
			})
		}
	}
	slices.SortFunc(out, func(a, b string) int { // longest first, so a value inside another goes after it
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return slices.Compact(out)
}

func collect(n *yaml.Node, fn func(string)) {
	if n.Kind == yaml.ScalarNode {
		fn(n.Value)
		return
	}
	for _, c := range n.Content {
		collect(c, fn)
	}
}

// mask replaces the secret values in text: the last line of defence for text that is not a
// Secret, such as the context lines of a file diff next to a secretGenerator's literals.
func mask(text string, values []string) string {
	for _, v := range values {
		for _, part := range maskedParts(v) {
			if !strings.Contains(text, part) {
				continue
			}
			if len(part) >= minAnywhere {
				text = strings.ReplaceAll(text, part, Redacted)
				continue
			}
			whole := regexp.MustCompile(`(?m)([=:]\s*|-\s+)(["']?)` + regexp.QuoteMeta(part) + `(["']?\s*(?:#.*)?)$`)
			text = whole.ReplaceAllString(text, "${1}${2}"+Redacted+"${3}")
		}
	}
	return text
}

// maskedParts are the value and, for a multi-line value, each of its lines, as a diff shows
// them one by one.
func maskedParts(v string) []string {
	parts := []string{v}
	if strings.Contains(v, "\n") {
		for _, line := range strings.Split(v, "\n") {
			if line = strings.TrimSpace(line); len(line) >= minMasked {
				parts = append(parts, line)
			}
		}
	}
	return parts
}

// SecretValues lists the secret values in the given rendered manifests, for Mask. Manifests
// that do not parse add none.
func SecretValues(manifests ...[]byte) []string {
	var objs []object
	for _, m := range manifests {
		if o, err := parse(m); err == nil {
			objs = append(objs, o...)
		}
	}
	return secretValues(objs)
}

// Mask replaces every occurrence of the values (from SecretValues) in text with Redacted.
func Mask(text string, values []string) string {
	return mask(text, values)
}
