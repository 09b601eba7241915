package config

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/gito-dev/gito/internal/overlay/targetedit"
)

// Target is a file other than a kustomization that carries a service's version: a Helm
// values file, an Argo CD Application, a plain manifest.
type Target struct {
	File  string `yaml:"file"`  // repo-relative pattern with {env} and {service}
	Path  string `yaml:"path"`  // yq expression selecting one or more scalars
	Value string `yaml:"value"` // {tag} {digest} {image} {ref}; default {tag}
	Chart string `yaml:"chart"` // a chart in the repo to render these values with
	Line  int    `yaml:"-"`     // line in .gito.yaml, for errors
}

// DefaultTargetValue is what a target without value writes.
const DefaultTargetValue = "{tag}"

var (
	placeholderAnyRe  = regexp.MustCompile(`\{[^{}]*\}`)
	filePlaceholders  = []string{"{env}", "{service}"}
	valuePlaceholders = []string{"{tag}", "{digest}", "{image}", "{ref}"}
	targetKeys        = []string{"file", "path", "value", "chart"}
)

// UnmarshalYAML keeps the line for errors and refuses unknown keys, as the rest of the file
// does (a node's Decode would not).
func (t *Target) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a target is a map with file, path, value and chart", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !slices.Contains(targetKeys, k.Value) {
			return fmt.Errorf("line %d: field %s not found in type config.Target (known: %s)", k.Line, k.Value, strings.Join(targetKeys, ", "))
		}
	}
	type plain Target
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*t = Target(p)
	t.Line = n.Line
	return nil
}

// ValueTemplate is the value pattern, defaulted.
func (t Target) ValueTemplate() string {
	if t.Value == "" {
		return DefaultTargetValue
	}
	return t.Value
}

func (t Target) validate(key string) error {
	at := func(err error) error { return fmt.Errorf("line %d: key %s: %w", t.Line, key, err) }
	if err := ValidateTargetFile(t.File); err != nil {
		return at(fmt.Errorf("file %w", err))
	}
	if err := targetedit.Check(t.Path); err != nil {
		return at(fmt.Errorf("path: %w", err))
	}
	for _, ph := range placeholderAnyRe.FindAllString(t.Value, -1) {
		if !slices.Contains(valuePlaceholders, ph) {
			return at(fmt.Errorf("value %q: unknown placeholder %s (use %s)", t.Value, ph, strings.Join(valuePlaceholders, " ")))
		}
	}
	if t.Chart != "" {
		if err := repoRelative(t.Chart); err != nil {
			return at(fmt.Errorf("chart %w", err))
		}
	}
	return nil
}

// ValidateTargetFile checks a target's file pattern: repo-relative, no "..", only {env}
// and {service}.
func ValidateTargetFile(pattern string) error {
	if strings.TrimSpace(pattern) == "" {
		return fmt.Errorf("is empty")
	}
	for _, ph := range placeholderAnyRe.FindAllString(pattern, -1) {
		if !slices.Contains(filePlaceholders, ph) {
			return fmt.Errorf("%q: unknown placeholder %s (use {env} {service})", pattern, ph)
		}
	}
	return repoRelative(pattern)
}

func repoRelative(p string) error {
	if path.IsAbs(p) || strings.HasPrefix(p, "\\") || (len(p) > 1 && p[1] == ':') {
		return fmt.Errorf("%q must be a path inside the repo, not absolute", p)
	}
	for _, seg := range strings.Split(strings.ReplaceAll(p, "\\", "/"), "/") {
		if seg == ".." {
			return fmt.Errorf("%q must be a path inside the repo, without ..", p)
		}
	}
	return nil
}

// TargetFile expands a target's file pattern for (service, env) and checks that the
// result stays inside the repo.
func (t Target) TargetFile(service, env string) (string, error) {
	p := ExpandLayout(t.File, service, env)
	if err := repoRelative(p); err != nil {
		return "", fmt.Errorf("target file %s: %w", t.File, err)
	}
	c := path.Clean(p)
	if c == "." {
		return "", fmt.Errorf("target file %s names no file", t.File)
	}
	return c, nil
}

// TargetValue fills a value pattern: ref is image:tag@digest (or image:tag).
func TargetValue(pattern, image string, v Version) string {
	ref := image + ":" + v.Tag
	if v.Digest != "" {
		ref += "@" + v.Digest
	}
	return strings.NewReplacer("{tag}", v.Tag, "{digest}", v.Digest, "{image}", image, "{ref}", ref).Replace(pattern)
}

// TargetsFor returns a service's configured targets.
func (r *Repo) TargetsFor(service string) []Target {
	if r == nil {
		return nil
	}
	return r.Services[service].Targets
}

var valuePlaceholderRe = regexp.MustCompile(`\{(tag|digest|image|ref)\}`)

// DecodeTargetValue reads image, tag and digest back out of a value written by pattern; a
// digest appended as TAG@sha256:... is read too.
func DecodeTargetValue(pattern, value string) (image, tag, digest string) {
	if value == "" {
		return "", "", ""
	}
	var b strings.Builder
	b.WriteString("^")
	var keys []string
	last := 0
	for _, loc := range valuePlaceholderRe.FindAllStringIndex(pattern, -1) {
		b.WriteString(regexp.QuoteMeta(pattern[last:loc[0]]))
		keys = append(keys, pattern[loc[0]:loc[1]])
		switch pattern[loc[0]:loc[1]] {
		case "{tag}":
			b.WriteString(`([A-Za-z0-9_][A-Za-z0-9_.-]*)`)
		case "{digest}":
			b.WriteString(`(sha256:[0-9a-f]{64}|)`)
		default:
			b.WriteString(`(.+?)`)
		}
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(pattern[last:]))
	b.WriteString(`(?:@(sha256:[0-9a-f]{64}))?$`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return "", value, ""
	}
	m := re.FindStringSubmatch(value)
	if m == nil {
		return "", value, ""
	}
	for i, k := range keys {
		switch k {
		case "{tag}":
			tag = m[i+1]
		case "{digest}":
			digest = m[i+1]
		case "{image}":
			image = m[i+1]
		case "{ref}":
			image, tag, digest = splitRef(m[i+1])
		}
	}
	if m[len(m)-1] != "" {
		digest = m[len(m)-1]
	}
	return image, tag, digest
}

// splitRef splits name[:tag][@digest]; a colon before the last slash is a registry port.
func splitRef(ref string) (name, tag, digest string) {
	if at := strings.IndexByte(ref, '@'); at >= 0 {
		ref, digest = ref[:at], ref[at+1:]
	}
	if colon := strings.LastIndexByte(ref, ':'); colon > strings.LastIndexByte(ref, '/') {
		return ref[:colon], ref[colon+1:], digest
	}
	return ref, "", digest
}
