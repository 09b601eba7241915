// Package inventory owns discovery: from one tree listing of the base commit, and only the
// blobs it needs, it finds every (service, env) of the infra repo the way the deployer reads
// it — .gito.yaml, then Argo CD and Flux objects, then the tree — with the files that carry
// each version, the version they render and the rule that found them. Commands ask it; none
// re-discovers the repo.
package inventory

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/gito-dev/gito/internal/config"
)

// Rule names say how an entry was found (status --sources prints them).
const (
	RuleLayout       = "gito.yaml layout"
	RuleTargets      = "gito.yaml targets"
	RuleGroup        = "gito.yaml environments group"
	RuleAppSet       = "argocd ApplicationSet"
	RuleApplication  = "argocd Application"
	RuleFluxKust     = "flux Kustomization"
	RuleFluxRelease  = "flux HelmRelease"
	RuleTree         = "tree"
	RuleDefaultOrder = "config, argocd, flux, tree"
)

// Carrier kinds: where a version is written.
const (
	CarrierImages     = "kustomization images"
	CarrierPatchImage = "patch image"
	CarrierBaseImage  = "base image"
	CarrierHelmValues = "helm values"
	CarrierChart      = "helmrelease chart version"
	CarrierArgoHelm   = "argocd helm targetRevision"
	CarrierSetter     = "flux setter marker"
	CarrierTarget     = "gito.yaml target"
)

// Carrier is one place that holds a service's version in an env.
type Carrier struct {
	Kind    string `json:"kind"`
	File    string `json:"file"`
	Key     string `json:"key"`  // where in the file: images[0].newTag, spec.chart.spec.version, a yq path
	Line    int    `json:"line"` // 1-based, 0 when unknown
	Image   string `json:"image,omitempty"`
	Version string `json:"version"`
	Digest  string `json:"digest,omitempty"`
}

// Entry is one (service, env): its directory, what carries its version and how it was found.
type Entry struct {
	Service string
	Env     string
	Dir     string // the overlay (or values) directory; "" for a target-only service
	// Kustomization is the overlay's kustomization file ("" when the directory has none).
	Kustomization string
	Rule          string // one of the Rule* names
	Source        string // the file (and line) that decided it: the ApplicationSet, .gito.yaml, the directory
	// Carriers are every place that holds the version, the one that decides it first.
	Carriers []Carrier
	Version  string
	Digest   string
	Image    string // the image the version is of ("" for a chart)
	// Unknown says why the version cannot be read without rendering ("" when it can).
	Unknown string
	// Members are an env group's envs (Rule RuleGroup).
	Members []string
	// Files are the files of Dir whose contents the entry was read from (kustomization
	// first), for signature checks.
	Files []string
}

// Ref is the version as tag@digest ("" when none).
func (e Entry) Ref() string { return strings.TrimSuffix(e.Version+"@"+e.Digest, "@") }

// Decider is the carrier that decides the version (the first), or nil.
func (e Entry) Decider() *Carrier {
	if len(e.Carriers) == 0 {
		return nil
	}
	return &e.Carriers[0]
}

// Note is something the inventory saw and did not use: a skipped object or an ambiguity.
type Note struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
}

// Inventory is every (service, env) of one commit.
type Inventory struct {
	Entries []Entry // sorted by service, env
	Skipped []Note
	// Ambiguous lists (service, env) pairs two candidates claimed within one rule; Find of
	// one is an error that names them.
	Ambiguous []Ambiguity
	// Layout is the layout pattern the tree (or .gito.yaml) gave; "" when none.
	Layout string

	files map[string]string // path -> blob id
	blobs map[string][]byte // path -> contents, for the files read
}

// Ambiguity is one (service, env) with several candidate directories.
type Ambiguity struct {
	Service, Env string
	Rule         string
	Candidates   []string
}

func (a Ambiguity) Error() string {
	c := slices.Sorted(slices.Values(a.Candidates))
	return fmt.Sprintf("service %q in env %q is ambiguous (%s found %s): settle it in %s with the line layout: %q",
		a.Service, a.Env, a.Rule, strings.Join(c, ", "), config.FileName, layoutOf(c[0], a.Service, a.Env))
}

// layoutOf turns a directory back into the layout pattern that names it.
func layoutOf(dir, service, env string) string {
	segs := strings.Split(dir, "/")
	for i, s := range segs {
		switch s {
		case env:
			segs[i] = "{env}"
		case service:
			segs[i] = "{service}"
		}
	}
	return strings.Join(segs, "/")
}

// Lister reads one listing of a commit and the blobs asked for.
type Lister interface {
	// Files maps every file of the commit to its blob id.
	Files(ctx context.Context) (map[string]string, error)
	// Read reads blobs by id (or by the path when the id is "") in one batch; the result
	// is keyed like the request.
	Read(ctx context.Context, keys []string) (map[string][]byte, error)
}

// Blob returns a file the inventory read.
func (inv *Inventory) Blob(p string) ([]byte, bool) {
	b, ok := inv.blobs[p]
	return b, ok
}

// BlobID is the listing's blob id of a file.
func (inv *Inventory) BlobID(p string) (string, bool) {
	id, ok := inv.files[p]
	return id, ok
}

// Files lists the commit's files.
func (inv *Inventory) Files() []string {
	out := make([]string, 0, len(inv.files))
	for f := range inv.files {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// Services lists every service, sorted.
func (inv *Inventory) Services() []string {
	var out []string
	for _, e := range inv.Entries {
		out = append(out, e.Service)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Envs lists the envs of service (every env when service is ""), groups included.
func (inv *Inventory) Envs(service string) []string {
	var out []string
	for _, e := range inv.Entries {
		if service == "" || e.Service == service {
			out = append(out, e.Env)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// OneService is the repo's service when it has exactly one.
func (inv *Inventory) OneService() (string, bool) {
	s := inv.Services()
	if len(s) == 1 {
		return s[0], true
	}
	return "", false
}

// Find returns the entry of (service, env). An unknown name or an ambiguous pair is an error
// that lists what exists.
func (inv *Inventory) Find(service, env string) (*Entry, error) {
	for _, a := range inv.Ambiguous {
		if a.Service == service && a.Env == env {
			return nil, a
		}
	}
	for i, e := range inv.Entries {
		if e.Service == service && e.Env == env {
			return &inv.Entries[i], nil
		}
	}
	services := inv.Services()
	if !slices.Contains(services, service) {
		return nil, &NotFound{Kind: "service", Name: service, Known: services, Layout: inv.Layout}
	}
	return nil, &NotFound{Kind: "env", Name: env, Service: service, Known: inv.Envs(service), Layout: inv.Layout}
}

// NotFound says a service or env is not in the inventory.
type NotFound struct {
	Kind, Name, Service, Layout string
	Known                       []string
}

// ServiceName is the service the error is about: the unknown one, or the one whose env is.
func (e *NotFound) ServiceName() string {
	if e.Kind == "service" {
		return e.Name
	}
	return e.Service
}

func (e *NotFound) Error() string {
	var b strings.Builder
	if e.Kind == "service" {
		fmt.Fprintf(&b, "unknown service %q", e.Name)
	} else {
		fmt.Fprintf(&b, "unknown env %q for service %q", e.Name, e.Service)
	}
	if len(e.Known) == 0 {
		fmt.Fprintf(&b, ": no %ss found", e.Kind)
	} else {
		fmt.Fprintf(&b, ": known: %s", strings.Join(e.Known, ", "))
	}
	if e.Layout != "" {
		fmt.Fprintf(&b, " (layout %s; set layout: or services: in %s if that is wrong)", e.Layout, config.FileName)
	} else {
		fmt.Fprintf(&b, " (set layout: or services: in %s to name them)", config.FileName)
	}
	return b.String()
}

// kustomizationNames are the file names kustomize reads, in its order of preference.
var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// notOverlayNames never name a service or env: they hold what overlays share.
var notOverlayNames = map[string]bool{"base": true, "bases": true, "components": true}

func isYAML(p string) bool {
	return strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") || slices.Contains(kustomizationNames, path.Base(p))
}

func validName(s string) bool { return config.ValidateName("name", s) == nil }
