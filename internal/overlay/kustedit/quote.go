package kustedit

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

type quoteStyle int

const (
	plainQuote quoteStyle = iota
	doubleQuote
	singleQuote
)

func styleOf(n *yaml.Node) quoteStyle {
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		return doubleQuote
	case n.Style&yaml.SingleQuotedStyle != 0:
		return singleQuote
	}
	return plainQuote
}

// render writes v as a scalar in style q. A plain scalar that would not read back as the
// same string (1.10, true, 0755, 1e3, ...) is double-quoted instead.
func render(v string, q quoteStyle) string {
	if q == plainQuote && !plainSafe(v) {
		q = doubleQuote
	}
	switch q {
	case singleQuote:
		if printable(v) {
			return "'" + strings.ReplaceAll(v, "'", "''") + "'"
		}
		return doubleQuoted(v)
	case doubleQuote:
		return doubleQuoted(v)
	}
	return v
}

func printable(v string) bool {
	for _, r := range v {
		if r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xFEFF {
			return false
		}
	}
	return true
}

// doubleQuoted escapes with the subset of escapes that YAML and JSON share, so JSON
// patch files stay JSON.
func doubleQuoted(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range v {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xFEFF:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// isYAML11Bool reports the words YAML 1.1 parsers (sigs.k8s.io/yaml, yaml.v2) read as
// booleans although yaml.v3 reads most of them as strings.
func isYAML11Bool(v string) bool {
	switch strings.ToLower(v) {
	case "y", "n", "yes", "no", "on", "off", "true", "false":
		return true
	}
	return false
}

// plainSafe reports whether v written as a plain scalar reads back as the string v, both
// for yaml.v3 and for the YAML 1.1 parsers other tools in the pipeline use.
func plainSafe(v string) bool {
	if v == "" || isYAML11Bool(v) {
		return false
	}
	for i, r := range v {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'
		if i > 0 {
			ok = ok || strings.ContainsRune("./:@+-", r)
		}
		if !ok {
			return false
		}
	}
	if strings.HasSuffix(v, ":") {
		return false
	}
	if isNumberLike(v) {
		return false
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(v), &n); err != nil || len(n.Content) != 1 {
		return false
	}
	c := n.Content[0]
	return c.Kind == yaml.ScalarNode && c.ShortTag() == "!!str" && c.Value == v
}

// isNumberLike catches integers and floats in any base or with underscores.
func isNumberLike(v string) bool {
	plain := strings.ReplaceAll(v, "_", "")
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return true
	}
	if _, err := strconv.ParseFloat(plain, 64); err == nil {
		return true
	}
	return false
}
