package helmrender

import (
	"path"
	"slices"
	"strings"
)

// manifests joins the rendered templates that are manifests (not NOTES.txt or partials) in
// name order as one multi-document YAML.
func manifests(out map[string]string) []byte {
	var names []string
	for name := range out {
		if (strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) && !strings.HasPrefix(path.Base(name), "_") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var b strings.Builder
	for _, name := range names {
		if strings.TrimSpace(out[name]) == "" {
			continue
		}
		b.WriteString("---\n# Source: " + name + "\n")
		b.WriteString(strings.TrimSuffix(out[name], "\n") + "\n")
	}
	return []byte(b.String())
}
