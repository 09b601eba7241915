// Package release turns "version V of service S in env E" into a pull request in three steps
// that are testable alone: Plan computes every byte that will change and every text the PR
// carries (nothing is written); Apply records those bytes as one commit; Publish creates or
// updates the one PR of the overlay. Pushing the commit between the two is internal/pipeline's.
package release

import (
	"context"
	"fmt"

	"slices"
	"strings"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/overlay"
	"github.com/gito-dev/gito/templates"
)

// Signer signs a file's bytes for a namespace; implemented by internal/signing.
type Signer interface {
	// SignFile returns the armored SSH signature of data for the repo-relative path.
	SignFile(relPath string, data []byte) ([]byte, error)
	// Identity names the signer for humans: principal and key fingerprint.
	Identity() string
}

// Input is everything Plan needs; it reads the snapshot at Root and writes nothing.
type Input struct {
	Root        string // snapshot of the infra repo at the base branch
	Repo        *config.Repo
	Service     string
	Env         string
	Version     config.Version
	Base        string
	Create      bool // create a missing env overlay from the template
	Rollback    bool
	PromoteFrom string   // the env whose release this promotes; "" for a release
	Labels      []string // from flags; merged with .gito.yaml's environment labels
	Reviewers   []string
	Draft       bool
	AutoMerge   bool
	Signer      Signer // nil: unsigned
	Templates   templates.Set
	Registry    []RegistryImage // what the registry answered; set by MakeRegistryPlan
	// BodyLimit is the forge's limit on a pull request body in characters (0: none); the
	// rendered diff is cut to fit it.
	BodyLimit int
	// Dir and Images, when set, are what the inventory found: the overlay directory and
	// the service's image, for a repo whose shape no layout names.
	Dir     string
	Images  []string
	Targets []overlay.FoundTarget
}

// File is one file the release writes, with its content before (nil when new).
type File struct {
	Path   string // repo-relative, slash-separated
	Before []byte
	After  []byte
}

// Plan is the complete description of a release before anything is written.
type Plan struct {
	Service     string
	Env         string
	Rollback    bool
	PromoteFrom string
	From        string // previous version of the first image, "" when the entry is new
	To          config.Version
	Base        string
	Branch      string
	Edit        *overlay.Result
	Files       []File // edited files followed by their signatures
	Signer      string // "" when unsigned
	SigFiles    []string
	Commit      string // full commit message including trailers
	Title       string
	Body        string
	Labels      []string
	Reviewers   []string
	Draft       bool
	AutoMerge   bool
	Noop        bool
	Registry    []RegistryImage // the registry's answer when the release looked the tag up
	BodyLimit   int             // see Input.BodyLimit
}

// BranchName is the one branch of an overlay's release PR.
func BranchName(env, service string) string { return "gito/" + env + "/" + service }

// SignatureSuffix is appended to a signed file's name.
const SignatureSuffix = ".sig"

// MakePlan computes the edit (rendered and checked by the overlay engine), signs the
// edited bytes and renders commit message, title and body. Nothing is written.
func MakePlan(ctx context.Context, in Input) (*Plan, error) {
	edit, err := overlay.Plan(ctx, overlay.Request{
		Root: in.Root, Repo: in.Repo, Service: in.Service, Env: in.Env,
		Version: in.Version, Create: in.Create, Dir: in.Dir, Images: in.Images, Targets: in.Targets,
	})
	if err != nil {
		return nil, err
	}
	envCfg := in.Repo.Env(in.Env)
	p := &Plan{
		Service: in.Service, Env: in.Env, Rollback: in.Rollback, PromoteFrom: in.PromoteFrom,
		To: in.Version, Base: in.Base, Branch: BranchName(in.Env, in.Service),
		Edit:      edit,
		Labels:    union(envCfg.Labels, in.Labels),
		Reviewers: union(envCfg.Reviewers, in.Reviewers),
		Draft:     in.Draft || envCfg.Draft,
		AutoMerge: in.AutoMerge || envCfg.AutoMerge,
		Noop:      edit.Noop,
		Registry:  in.Registry,
		BodyLimit: in.BodyLimit,
	}
	if p.Draft && p.AutoMerge {
		return nil, fmt.Errorf("%s environments.%s asks for a draft with auto-merge (from flags or config): a draft pull request never merges", config.FileName, in.Env)
	}
	if len(edit.Previous) > 0 {
		p.From = refVersion(edit.Previous[0].Tag, edit.Previous[0].Digest)
	}
	if p.Noop {
		return p, nil
	}
	for _, fe := range edit.Files {
		p.Files = append(p.Files, File{Path: fe.Path, Before: fe.Before, After: fe.After})
	}
	if in.Signer != nil {
		p.Signer = in.Signer.Identity()
		for _, fe := range edit.Files {
			sig, err := in.Signer.SignFile(fe.Path, fe.After)
			if err != nil {
				return nil, fmt.Errorf("sign %s: %w", fe.Path, err)
			}
			sigPath := fe.Path + SignatureSuffix
			before, err := readIfExists(in.Root, sigPath)
			if err != nil {
				return nil, err
			}
			p.Files = append(p.Files, File{Path: sigPath, Before: before, After: sig})
			p.SigFiles = append(p.SigFiles, sigPath)
		}
	}
	if err := p.renderText(in.Templates); err != nil {
		return nil, err
	}
	return p, nil
}

// Paths lists every file the plan writes.
func (p *Plan) Paths() []string {
	out := make([]string, 0, len(p.Files))
	for _, f := range p.Files {
		out = append(out, f.Path)
	}
	return out
}

func refVersion(tag, digest string) string {
	if digest == "" {
		return tag
	}
	if tag == "" {
		return "@" + digest
	}
	return tag + "@" + digest
}

// union keeps order, first occurrence wins.
func union(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, s := range l {
			s = strings.TrimSpace(s)
			if s != "" && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}
