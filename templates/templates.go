// Package templates embeds the text a user may want to change: the kustomization skeleton,
// the commit message and the PR title and body. An infra repo overrides any of them by
// putting a file of the same name in the directory its .gito.yaml names under `templates`.
package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/template"
)

//go:embed *.tmpl
var embedded embed.FS

// Names of the templates gito renders.
const (
	Kustomization = "kustomization.yaml.tmpl"
	Commit        = "commit.tmpl"
	PRTitle       = "pr-title.tmpl"
	PRBody        = "pr-body.tmpl"
	RollbackTitle = "rollback-title.tmpl"
	RollbackBody  = "rollback-body.tmpl"
)

// Set resolves templates: overrides from a directory first, then the embedded defaults.
type Set struct {
	// OverrideDir is an absolute directory holding overrides, or "".
	OverrideDir string
	// OverrideName is how errors name that directory: its repo-relative path
	// (".gito/templates"), not where the run happened to check the repo out.
	OverrideName string
}

// overrideOrigin names an override file in messages.
func (s Set) overrideOrigin(name string) string {
	if s.OverrideName != "" {
		return filepath.ToSlash(filepath.Join(s.OverrideName, name))
	}
	return filepath.Join(s.OverrideDir, name)
}

// Source returns the template text and where it came from.
func (s Set) Source(name string) (text, origin string, err error) {
	if s.OverrideDir != "" {
		data, err := os.ReadFile(filepath.Join(s.OverrideDir, name))
		if err == nil {
			return string(data), s.overrideOrigin(name), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", s.overrideOrigin(name), fmt.Errorf("read template %s: %w", s.overrideOrigin(name), errors.Unwrap(err))
		}
	}
	data, err := embedded.ReadFile(name)
	if err != nil {
		return "", name, fmt.Errorf("no template %s: %w", name, err)
	}
	return string(data), "templates/" + name, nil
}

// Render executes the named template with data. Errors name the template file.
func (s Set) Render(name string, data any) (string, error) {
	text, origin, err := s.Source(name)
	if err != nil {
		return "", err
	}
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs).Parse(text)
	if err != nil {
		return "", fmt.Errorf("template %s: %w", origin, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return "", fmt.Errorf("template %s: %w", origin, err)
	}
	return buf.String(), nil
}

var funcs = template.FuncMap{
	"join":      strings.Join,
	"trimSpace": strings.TrimSpace,
	"indent": func(n int, s string) string {
		pad := strings.Repeat(" ", n)
		return pad + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pad)
	},
}
