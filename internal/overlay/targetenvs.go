package overlay

import (
	"errors"
	"path"
	"slices"
	"strings"

	"github.com/gito-dev/gito/internal/config"
)

// targetsWhere names where the envs of a service with targets come from, for errors.
func targetsWhere(repo *config.Repo, service string) string {
	var pats []string
	for _, t := range repo.TargetsFor(service) {
		if p := strings.ReplaceAll(t.File, "{service}", service); !slices.Contains(pats, p) {
			pats = append(pats, p)
		}
	}
	return strings.Join(pats, ", ")
}

// targetServices are the services .gito.yaml gives targets, sorted.
func targetServices(repo *config.Repo) []string {
	var out []string
	for _, name := range configuredServices(repo) {
		if len(repo.TargetsFor(name)) > 0 {
			out = append(out, name)
		}
	}
	return out
}

// targetEnvs lists the envs of a service's targets: as design.md has it, a service with
// targets exists in the envs whose file pattern matches a file. A pattern without {env}
// names no env.
func targetEnvs(t Tree, repo *config.Repo, service string) []string {
	t = t.confined() // the envs are named in errors: never list a file outside the repo
	var out []string
	for _, tg := range repo.TargetsFor(service) {
		if !strings.Contains(tg.File, "{env}") || config.ValidateTargetFile(tg.File) != nil {
			continue
		}
		walkTargetFiles(t, strings.ReplaceAll(path.Clean(tg.File), "{service}", service), func(env string) {
			out = append(out, env)
		})
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// hasEnvPattern reports a target whose file pattern depends on the env.
func hasEnvPattern(repo *config.Repo, service string) bool {
	return slices.ContainsFunc(repo.TargetsFor(service), func(t config.Target) bool { return strings.Contains(t.File, "{env}") })
}

// walkTargetFiles calls fn with the env of every regular file that fits pattern, reading
// only the directories the pattern passes through (the layout walker finds the directories).
func walkTargetFiles(t Tree, pattern string, fn func(env string)) {
	dir, base := path.Split(pattern)
	visit := func(m match) bool {
		if !placeholderRe.MatchString(base) {
			if t.isRegular(path.Join(m.dir, base)) {
				fn(m.env)
			}
			return true
		}
		got := map[string]string{}
		if m.env != "" {
			got["env"] = m.env
		}
		re, keys := segmentRegexp(base)
		entries, _ := t.readDir(m.dir)
		for _, e := range entries {
			if sub := re.FindStringSubmatch(e.Name()); sub != nil && t.isRegular(path.Join(m.dir, e.Name())) {
				if next, ok := bind(got, keys, sub[1:]); ok {
					fn(next["env"])
				}
			}
		}
		return true
	}
	if dir = strings.TrimSuffix(dir, "/"); dir == "" {
		visit(match{})
		return
	}
	_ = walkLayout(t, dir, visit) // an unreadable directory has no target files
}

// withTargetNames turns what Locate found missing into an error that also knows the
// services and envs that exist only through targets: an env of a service with targets is
// known when a target file of it exists, and a service with targets is known without an
// overlay directory. An env the targets have keeps the original error (the caller releases
// through the targets).
func withTargetNames(t Tree, repo *config.Repo, service, env string, err error) error {
	var nf *NotFoundError
	isNF := errors.As(err, &nf)
	if repo == nil || !(isNF || errors.Is(err, ErrNoOverlays)) {
		return err
	}
	if len(repo.TargetsFor(service)) == 0 {
		services := targetServices(repo)
		if len(services) == 0 {
			return err
		}
		if isNF && nf.Kind == "service" {
			known := union(nf.Known, services)
			return &NotFoundError{Kind: "service", Name: service, Layout: nf.Layout, Dir: nf.Dir,
				Known: known, Suggestion: nearest(service, known)}
		}
		if isNF {
			return err
		}
		return &NotFoundError{Kind: "service", Name: service, Layout: config.FileName + " targets",
			Known: services, Suggestion: nearest(service, services)}
	}
	var overlays []string
	if isNF && nf.Kind == "env" {
		overlays = nf.Known
	}
	if unknown := unknownTargetEnv(t, repo, service, env, overlays); unknown != nil {
		return unknown
	}
	return err
}

// unknownTargetEnv is the error for an env that no target file of the service exists for,
// naming those that do and the envs of its overlays; nil when env is one of them, when no
// target's file depends on the env, or when no target file exists for any env.
func unknownTargetEnv(t Tree, repo *config.Repo, service, env string, overlays []string) error {
	envs := targetEnvs(t, repo, service)
	if len(envs) == 0 || slices.Contains(envs, env) || !hasEnvPattern(repo, service) {
		return nil // no target file at all: the release names the one it misses
	}
	known := union(overlays, envs)
	return &NotFoundError{Kind: "env", Name: env, Service: service, Layout: targetsWhere(repo, service),
		Known: known, Suggestion: nearest(env, known)}
}

// union merges two name lists, sorted and without repeats.
func union(a, b []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(a), b...))))
}
