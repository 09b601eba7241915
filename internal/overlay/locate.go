// Package overlay finds the Kustomize overlay of a (service, env) in an infra repo and plans
// the release edit in memory: it renders the overlay with kustomize's krusty before and after
// the edit and refuses any edit whose rendered output does not carry the new image.
package overlay

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"syscall"

	"github.com/gito-dev/gito/internal/config"
)

// kustomizationNames are the file names kustomize accepts, in the order it tries them.
var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// Overlay is the directory of one (service, env). Paths are repo-relative with slashes.
type Overlay struct {
	Dir               string // "overlays/prod/api"
	KustomizationFile string // "overlays/prod/api/kustomization.yaml"
	Layout            string // the layout pattern that found it
}

// NotFoundError says that a service or env has no overlay. Known lists what the layout
// discovered, Suggestion the nearest known name ("" when none is close).
type NotFoundError struct {
	Kind       string // "service" or "env"
	Name       string
	Service    string // for Kind "env"
	Layout     string
	Dir        string // the expanded directory that was looked for
	DirExists  bool   // the directory exists but holds no kustomization file
	Known      []string
	Suggestion string
	// CanCreate adds the hint to pass --create for a missing env; only callers that offer
	// that flag (release, through Plan) set it.
	CanCreate bool
}

func (e *NotFoundError) Error() string {
	if e.DirExists {
		msg := fmt.Sprintf("%s has no kustomization.yaml, kustomization.yml or Kustomization", e.Dir)
		if e.CanCreate {
			msg += "; pass --create to add one"
		}
		return msg
	}
	var b strings.Builder
	if e.Kind == "service" {
		fmt.Fprintf(&b, "unknown service %q in %s", e.Name, e.Layout)
	} else {
		fmt.Fprintf(&b, "unknown env %q for service %q in %s", e.Name, e.Service, e.Layout)
	}
	if e.Suggestion != "" {
		fmt.Fprintf(&b, ": did you mean %q?", e.Suggestion)
	} else {
		b.WriteString(":")
	}
	if len(e.Known) == 0 {
		fmt.Fprintf(&b, " no %ss found", e.Kind)
	} else {
		fmt.Fprintf(&b, " known: %s", joinLimited(e.Known, 12))
	}
	if e.Kind == "env" && e.CanCreate {
		b.WriteString("; pass --create to add the overlay")
	}
	return b.String()
}

func joinLimited(names []string, limit int) string {
	if len(names) <= limit {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, … (%d in all)", strings.Join(names[:limit], ", "), len(names))
}

// Locate finds the overlay of service in env. Names are validated before any file is read.
// What it cannot find is a *NotFoundError that also knows the services and envs that exist
// only through .gito.yaml's targets.
func Locate(root string, repo *config.Repo, service, env string) (*Overlay, error) {
	return LocateIn(DiskTree(root), repo, service, env)
}

// LocateIn is Locate over any Tree: a repo on disk, or a commit's file listing.
func LocateIn(t Tree, repo *config.Repo, service, env string) (*Overlay, error) {
	ov, err := locateOverlay(t, repo, service, env)
	if err != nil {
		return nil, withTargetNames(t, repo, service, env, err)
	}
	return ov, nil
}

func locateOverlay(t Tree, repo *config.Repo, service, env string) (*Overlay, error) {
	if err := config.ValidateName("--service", service); err != nil {
		return nil, err
	}
	if err := config.ValidateName("--env", env); err != nil {
		return nil, err
	}
	layout, err := resolveLayout(t, repo)
	if err != nil {
		return nil, err
	}
	dir := config.ExpandLayout(layout, service, env)
	if config.OneApp(layout) {
		if known := configuredServices(repo); len(known) > 0 && !slices.Contains(known, service) {
			return nil, &NotFoundError{Kind: "service", Name: service, Layout: layout, Dir: dir,
				Known: known, Suggestion: nearest(service, known)}
		}
	}
	file, err := findKustomization(t, dir)
	if err != nil {
		return nil, err
	}
	if file != "" {
		return &Overlay{Dir: dir, KustomizationFile: path.Join(dir, file), Layout: layout}, nil
	}
	return nil, notFound(t, layout, service, env, dir)
}

// configuredServices are the services .gito.yaml names, sorted.
func configuredServices(repo *config.Repo) []string {
	if repo == nil {
		return nil
	}
	var out []string
	for name := range repo.Services {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func notFound(t Tree, layout, service, env, dir string) error {
	services, err := listLayout(t, layout, "", "")
	if err != nil {
		return err
	}
	if !config.OneApp(layout) && !slices.Contains(services.services(), service) {
		known := services.services()
		return &NotFoundError{Kind: "service", Name: service, Layout: layout, Dir: dir,
			Known: known, Suggestion: nearest(service, known)}
	}
	envs, err := listLayout(t, layout, service, "")
	if err != nil {
		return err
	}
	known := envs.envs()
	e := &NotFoundError{Kind: "env", Name: env, Service: service, Layout: layout, Dir: dir,
		Known: known, DirExists: t.isDir(dir)}
	if !e.DirExists {
		e.Suggestion = nearest(env, known)
	}
	return e
}

// Services lists the services that have at least one overlay directory, and those with
// targets. It only lists directories, so it is fast enough for shell completion.
func Services(root string, repo *config.Repo) ([]string, error) {
	return ServicesIn(DiskTree(root), repo)
}

// ServicesIn is Services over any Tree.
func ServicesIn(t Tree, repo *config.Repo) ([]string, error) {
	layout, err := resolveLayout(t, repo)
	if errors.Is(err, ErrNoOverlays) && len(targetServices(repo)) > 0 {
		return targetServices(repo), nil
	}
	if err != nil {
		return nil, err
	}
	if config.OneApp(layout) {
		return configuredServices(repo), nil
	}
	m, err := listLayout(t, layout, "", "")
	if err != nil {
		return nil, err
	}
	return union(m.services(), targetServices(repo)), nil
}

// Envs lists the envs that have an overlay directory for service, or a target file.
func Envs(root string, repo *config.Repo, service string) ([]string, error) {
	return EnvsIn(DiskTree(root), repo, service)
}

// EnvsIn is Envs over any Tree.
func EnvsIn(t Tree, repo *config.Repo, service string) ([]string, error) {
	if err := config.ValidateName("--service", service); err != nil {
		return nil, err
	}
	layout, err := resolveLayout(t, repo)
	if errors.Is(err, ErrNoOverlays) && len(repo.TargetsFor(service)) > 0 {
		return targetEnvs(t, repo, service), nil
	}
	if err != nil {
		return nil, err
	}
	m, err := listLayout(t, layout, service, "")
	if err != nil {
		return nil, err
	}
	return union(m.envs(), targetEnvs(t, repo, service)), nil
}

// AllEnvsIn lists the envs of every overlay and of every service's targets.
func AllEnvsIn(t Tree, repo *config.Repo) ([]string, error) {
	var out []string
	layout, err := resolveLayout(t, repo)
	switch {
	case err == nil:
		m, err := listLayout(t, layout, "", "")
		if err != nil {
			return nil, err
		}
		out = m.envs()
	case !errors.Is(err, ErrNoOverlays):
		return nil, err
	}
	for _, s := range targetServices(repo) {
		out = union(out, targetEnvs(t, repo, s))
	}
	return out, nil
}

// resolveLayout returns the configured layout or the first default layout that has a
// directory holding a kustomization file.
func resolveLayout(t Tree, repo *config.Repo) (string, error) {
	if repo != nil && repo.Layout != "" {
		if err := config.ValidateLayout(repo.Layout); err != nil {
			return "", fmt.Errorf("%s key layout: %w", config.FileName, err)
		}
		return repo.Layout, nil
	}
	for _, layout := range config.DefaultLayouts {
		found := false
		err := walkLayout(t, layout, func(m match) bool {
			f, err := findKustomization(t, m.dir)
			found = err != nil || f != "" || hasHelmValues(t, m.dir, m.env) // two kustomization files still mark an overlay
			return !found
		})
		if err != nil {
			return "", err
		}
		if found {
			return layout, nil
		}
	}
	return "", fmt.Errorf("%w in %s: no directory of the layouts %s holds a kustomization file; set layout in %s",
		ErrNoOverlays, t.name, strings.Join(config.DefaultLayouts, ", "), config.FileName)
}

// Found is one overlay of the layout: its directory and kustomization file, and the service
// and env it is for (service "" in a one-app layout).
type Found struct {
	Dir, Kustomization, Service, Env string
}

// FindAll lists every directory of the repo's layout that holds one kustomization file, in
// the engine's order; a repo no layout fits has none.
func FindAll(t Tree, repo *config.Repo) ([]Found, error) {
	layout, err := resolveLayout(t, repo)
	if errors.Is(err, ErrNoOverlays) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ms, err := listLayout(t, layout, "", "")
	if err != nil {
		return nil, err
	}
	var out []Found
	for _, m := range ms {
		if name, err := findKustomization(t, m.dir); err == nil && name != "" {
			out = append(out, Found{Dir: m.dir, Kustomization: path.Join(m.dir, name), Service: m.service, Env: m.env})
		}
	}
	return out, nil
}

// DetectLayout is the repo's layout: .gito.yaml's, else the first default layout that has a
// directory holding a kustomization file or Helm values.
func DetectLayout(t Tree, repo *config.Repo) (string, error) { return resolveLayout(t, repo) }

// ErrNoOverlays is wrapped when no default layout fits the repo.
var ErrNoOverlays = errors.New("no overlays found")

// hasHelmValues reports a directory of Helm values for env, which releases through
// .image.tag when it holds no kustomization.
func hasHelmValues(t Tree, dir, env string) bool {
	for _, name := range []string{"values.yaml", "values-" + env + ".yaml"} {
		if fi, err := t.stat(path.Join(dir, name)); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// findKustomization returns the kustomization file name in the repo-relative dir, or "".
func findKustomization(t Tree, dir string) (string, error) {
	var found []string
	for _, name := range kustomizationNames {
		fi, err := t.stat(path.Join(dir, name))
		if err == nil && fi.Mode().IsRegular() {
			found = append(found, name)
		}
	}
	if len(found) > 1 {
		return "", fmt.Errorf("%s holds more than one kustomization file (%s): keep one", dir, strings.Join(found, ", "))
	}
	if len(found) == 0 {
		return "", nil
	}
	return found[0], nil
}

// match is one directory that fits a layout, with the names it was filled with.
type match struct {
	dir, service, env string
}

type matches []match

func (ms matches) services() []string { return ms.names(func(m match) string { return m.service }) }
func (ms matches) envs() []string     { return ms.names(func(m match) string { return m.env }) }

func (ms matches) names(get func(match) string) []string {
	var out []string
	for _, m := range ms {
		out = append(out, get(m))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// listLayout lists the directories fitting layout, with service and env fixed when not "".
func listLayout(t Tree, layout, service, env string) (matches, error) {
	var out matches
	err := walkLayout(t, fill(layout, service, env), func(m match) bool {
		if service != "" {
			m.service = service
		}
		if env != "" {
			m.env = env
		}
		out = append(out, m)
		return true
	})
	return out, err
}

func fill(layout, service, env string) string {
	if service != "" {
		layout = strings.ReplaceAll(layout, "{service}", service)
	}
	if env != "" {
		layout = strings.ReplaceAll(layout, "{env}", env)
	}
	return layout
}

// notOverlayNames are directory names that hold bases rather than overlays; a layout such
// as {env}/{service} would otherwise list base/ as an env.
var notOverlayNames = []string{"base", "bases", "components"}

var placeholderRe = regexp.MustCompile(`\{(service|env)\}`)

// walkLayout calls fn for every directory that fits layout, reading only directory
// listings. fn returns false to stop.
func walkLayout(t Tree, layout string, fn func(match) bool) error {
	segs := strings.Split(layout, "/")
	var walk func(i int, dir string, got map[string]string) (bool, error)
	walk = func(i int, dir string, got map[string]string) (bool, error) {
		if i == len(segs) {
			if !placeholderRe.MatchString(segs[len(segs)-1]) && !t.isDir(dir) {
				return true, nil
			}
			return fn(match{dir: dir, service: got["service"], env: got["env"]}), nil
		}
		seg := segs[i]
		if !placeholderRe.MatchString(seg) {
			return walk(i+1, path.Join(dir, seg), got)
		}
		re, keys := segmentRegexp(seg)
		entries, err := t.readDir(dir)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || isNotDir(err) {
			return true, nil
		}
		if err != nil {
			return false, fmt.Errorf("list %s: %w", dir, err)
		}
		for _, e := range entries {
			if !e.IsDir() && !(e.Type()&fs.ModeSymlink != 0 && t.isDir(path.Join(dir, e.Name()))) {
				continue
			}
			sub := re.FindStringSubmatch(e.Name())
			if sub == nil {
				continue
			}
			next, ok := bind(got, keys, sub[1:])
			if !ok {
				continue
			}
			more, err := walk(i+1, path.Join(dir, e.Name()), next)
			if err != nil || !more {
				return more, err
			}
		}
		return true, nil
	}
	_, err := walk(0, "", map[string]string{})
	return err
}

func isNotDir(err error) bool {
	return errors.Is(err, syscall.ENOTDIR) || errors.Is(err, fs.ErrInvalid)
}

// bind records placeholder values; a value must be a valid name, not a base directory, and
// agree with an earlier occurrence of the same placeholder.
func bind(got map[string]string, keys, values []string) (map[string]string, bool) {
	next := make(map[string]string, len(got)+len(keys))
	for k, v := range got {
		next[k] = v
	}
	for i, k := range keys {
		v := values[i]
		if config.ValidateName(k, v) != nil || slices.Contains(notOverlayNames, v) {
			return nil, false
		}
		if old, ok := next[k]; ok && old != v {
			return nil, false
		}
		next[k] = v
	}
	return next, true
}

// segmentRegexp turns one layout segment ("{service}-{env}") into an anchored regexp and
// the placeholder names of its groups.
func segmentRegexp(seg string) (*regexp.Regexp, []string) {
	var b strings.Builder
	var keys []string
	b.WriteString("^")
	last := 0
	for _, loc := range placeholderRe.FindAllStringSubmatchIndex(seg, -1) {
		b.WriteString(regexp.QuoteMeta(seg[last:loc[0]]))
		b.WriteString(`([a-z0-9._-]+)`)
		keys = append(keys, seg[loc[2]:loc[3]])
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(seg[last:]))
	b.WriteString("$")
	return regexp.MustCompile(b.String()), keys
}

// nearest returns the known name closest to name by edit distance, when it is close enough
// to be a plausible typo.
func nearest(name string, known []string) string {
	best, bestDist := "", -1
	for _, k := range known {
		d := levenshtein(name, k)
		if bestDist < 0 || d < bestDist {
			best, bestDist = k, d
		}
	}
	if bestDist < 0 || bestDist > max(2, len(name)/3) || bestDist >= len(name) {
		return ""
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
