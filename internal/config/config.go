// Package config reads the infra repo's .gito.yaml and the user's config file.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// FileName is the infra repo's config file at its root.
const FileName = ".gito.yaml"

// DefaultLayouts are tried in order when .gito.yaml sets no layout.
var DefaultLayouts = []string{
	"overlays/{env}/{service}",
	"{service}/overlays/{env}",
	"apps/{service}/overlays/{env}",
	"apps/{service}/{env}",
	"envs/{env}/{service}",
	"envs/{env}",
	"deploy/{env}",
	"overlays/{env}",
	"{env}/{service}",
}

// Repo is .gito.yaml. Every key is optional.
type Repo struct {
	Layout       string                 `yaml:"layout"`
	BaseBranch   string                 `yaml:"baseBranch"`
	Forge        Forge                  `yaml:"forge"`
	Services     map[string]Service     `yaml:"services"`
	Environments map[string]Environment `yaml:"environments"`
	Signing      Signing                `yaml:"signing"`
	Templates    string                 `yaml:"templates"`
	Registry     Registry               `yaml:"registry"`
	Policy       Policy                 `yaml:"policy"`
	ArgoCD       ArgoCD                 `yaml:"argocd"`
	Flux         Flux                   `yaml:"flux"`

	root *yaml.Node // the document as nodes: where each key is, for errors that name the line
}

// Forge says where pull requests go.
type Forge struct {
	Type    string `yaml:"type"` // github | gitlab | none | "" (detect)
	APIURL  string `yaml:"apiURL"`
	Project string `yaml:"project"`
}

// Service lists the images that make up one service.
type Service struct {
	Images  []string `yaml:"images"`
	Targets []Target `yaml:"targets"` // see targets.go
}

// Environment holds per-env PR settings.
type Environment struct {
	Labels    []string `yaml:"labels"`
	Reviewers []string `yaml:"reviewers"`
	Draft     bool     `yaml:"draft"`
	AutoMerge bool     `yaml:"autoMerge"`
	PinDigest bool     `yaml:"pinDigest"`
	Group     []string `yaml:"group"` // members: a release to the group edits each of them

	Guardrails `yaml:",inline"` // freeze, timezone, promoteFrom, soak: see guardrails.go
}

// Signing configures kustomization signatures.
type Signing struct {
	Required       bool   `yaml:"required"`
	AllowedSigners string `yaml:"allowedSigners"`
}

// DefaultAllowedSigners is where allowed signers live when .gito.yaml does not say.
const DefaultAllowedSigners = ".gito/allowed_signers"

// DefaultTemplatesDir holds template overrides when .gito.yaml does not name a directory.
const DefaultTemplatesDir = ".gito/templates"

// ImagesFor returns the images configured for a service, defaulting to the service name.
func (r *Repo) ImagesFor(service string) []string {
	if s, ok := r.Services[service]; ok && len(s.Images) > 0 {
		return s.Images
	}
	return []string{service}
}

// Env returns the settings of an environment (zero value when unset).
func (r *Repo) Env(env string) Environment { return r.Environments[env] }

// AllowedSignersPath returns the repo-relative allowed signers path.
func (r *Repo) AllowedSignersPath() string {
	if r.Signing.AllowedSigners != "" {
		return r.Signing.AllowedSigners
	}
	return DefaultAllowedSigners
}

// LoadRepo reads root/.gito.yaml. A missing file yields the defaults.
func LoadRepo(root string) (*Repo, error) {
	path := filepath.Join(root, FileName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Repo{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", FileName, err)
	}
	return ParseRepo(data)
}

// ParseRepo decodes and validates .gito.yaml content. Unknown keys are errors, so a typo
// ("baseBrach") is reported rather than silently ignored.
func ParseRepo(data []byte) (*Repo, error) {
	var r Repo
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil && !errors.Is(err, io.EOF) {
		return nil, repoError(nil, err)
	}
	// The document again as nodes, for what the struct cannot tell: lines, and a key
	// present but empty.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, repoError(nil, err)
	}
	if err := emptyGroup(&root); err != nil {
		return nil, repoError(&root, err)
	}
	r.root = &root
	if err := r.validate(); err != nil {
		return nil, repoError(&root, err)
	}
	return &r, nil
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}

func (r *Repo) validate() error {
	if r.Layout != "" {
		if err := ValidateLayout(r.Layout); err != nil {
			return fmt.Errorf("key layout: %w", err)
		}
	}
	if r.BaseBranch != "" {
		if err := ValidateBranch("key baseBranch:", r.BaseBranch); err != nil {
			return err
		}
	}
	switch r.Forge.Type {
	case "", "github", "gitlab", "gitea", "none":
	default:
		return fmt.Errorf("key forge.type: %q is not one of github, gitlab, gitea, none", r.Forge.Type)
	}
	for name, s := range r.Services {
		if err := ValidateName("service", name); err != nil {
			return fmt.Errorf("key services.%s: %w", name, err)
		}
		for i, img := range s.Images {
			if img == "" || strings.ContainsAny(img, " \t\n@") {
				return fmt.Errorf("key services.%s.images[%d]: %q is not an image name", name, i, img)
			}
		}
		for i, t := range s.Targets {
			if err := t.validate(fmt.Sprintf("services.%s.targets[%d]", name, i)); err != nil {
				return err
			}
		}
	}
	for name, e := range r.Environments {
		if err := ValidateName("environment", name); err != nil {
			return fmt.Errorf("key environments.%s: %w", name, err)
		}
		for i, l := range e.Labels {
			if err := ValidateLabel(fmt.Sprintf("key environments.%s.labels[%d]:", name, i), l); err != nil {
				return err
			}
		}
		for i, rv := range e.Reviewers {
			if err := ValidateReviewer(fmt.Sprintf("key environments.%s.reviewers[%d]:", name, i), rv); err != nil {
				return err
			}
		}
	}
	for _, err := range []error{r.Policy.validate(), r.validateGroups(), r.ArgoCD.validate(), r.Flux.validate(), r.validateGuardrails()} {
		if err != nil {
			return err // the first: one line
		}
	}
	if strings.Contains(r.Templates, "..") || filepath.IsAbs(r.Templates) {
		return fmt.Errorf("key templates: %q must be a path inside the repo", r.Templates)
	}
	if strings.Contains(r.Signing.AllowedSigners, "..") || filepath.IsAbs(r.Signing.AllowedSigners) {
		return fmt.Errorf("key signing.allowedSigners: %q must be a path inside the repo", r.Signing.AllowedSigners)
	}
	return nil
}

// ValidateLayout checks a layout pattern: relative, {env} (and {service} unless the repo
// holds one app), no "..".
func ValidateLayout(layout string) error {
	if !strings.Contains(layout, "{env}") {
		return fmt.Errorf("%q must contain {env} (and {service} when the repo holds several services)", layout)
	}
	if rest := strings.NewReplacer("{env}", "", "{service}", "").Replace(layout); strings.ContainsAny(rest, "{}") {
		return fmt.Errorf("%q: only {env} and {service} may be used", layout)
	}
	if filepath.IsAbs(layout) || strings.Contains(layout, "..") {
		return fmt.Errorf("%q must be a relative path inside the repo", layout)
	}
	return nil
}

// OneApp reports a layout without {service}: the repo deploys one service.
func OneApp(layout string) bool { return !strings.Contains(layout, "{service}") }

// ExpandLayout fills a layout pattern with a service and env.
func ExpandLayout(layout, service, env string) string {
	return strings.NewReplacer("{service}", service, "{env}", env).Replace(layout)
}
