package inventory

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/overlay/targetedit"
)

// configRule: .gito.yaml's layout names the overlay directories; a one-app layout's service
// is the one services: names, else what the directory renders. Targets are added after the
// entries (addTargets).
func (b *builder) configRule() {
	if b.cfg.Layout == "" || config.ValidateLayout(b.cfg.Layout) != nil {
		return
	}
	b.inv.Layout = b.cfg.Layout
	one := ""
	if config.OneApp(b.cfg.Layout) && len(b.cfg.Services) == 1 {
		for name := range b.cfg.Services {
			one = name
		}
	}
	for _, m := range b.matchLayout(b.cfg.Layout, false) {
		if m.service == "" {
			m.service = one
		}
		b.addClaim(claim{dir: m.dir, env: m.env, service: m.service, rule: RuleLayout, source: config.FileName + " layout"})
	}
	b.markClaims()
}

// layoutMatch is a directory that fits a layout.
type layoutMatch struct{ dir, service, env string }

var placeholderRe = regexp.MustCompile(`\{(service|env)\}`)

// matchLayout lists the overlay directories (a kustomization, or Helm values) fitting layout,
// sorted; rootsOnly leaves out bases and directories an earlier rule decided.
func (b *builder) matchLayout(layout string, rootsOnly bool) []layoutMatch {
	var re strings.Builder
	var keys []string
	re.WriteString("^")
	last := 0
	for _, loc := range placeholderRe.FindAllStringSubmatchIndex(layout, -1) {
		re.WriteString(regexp.QuoteMeta(layout[last:loc[0]]))
		re.WriteString(`([a-z0-9._-]+)`)
		keys = append(keys, layout[loc[2]:loc[3]])
		last = loc[1]
	}
	re.WriteString(regexp.QuoteMeta(layout[last:]) + "$")
	rx := regexp.MustCompile(re.String())
	var out []layoutMatch
	for dir := range b.dirs {
		sub := rx.FindStringSubmatch(dir)
		if sub == nil {
			continue
		}
		got := map[string]string{}
		ok := true
		for i, k := range keys {
			v := sub[i+1]
			if !validName(v) || notOverlayNames[v] || (got[k] != "" && got[k] != v) {
				ok = false
				break
			}
			got[k] = v
		}
		if !ok || !b.isOverlay(dir, got["env"]) {
			continue
		}
		if rootsOnly && (b.usedAsBase[dir] || b.claimed[dir]) {
			continue
		}
		out = append(out, layoutMatch{dir: dir, service: got["service"], env: got["env"]})
	}
	slices.SortFunc(out, func(a, c layoutMatch) int { return strings.Compare(a.dir, c.dir) })
	return out
}

// isOverlay reports a directory holding a kustomization, or the Helm values of env.
func (b *builder) isOverlay(dir, env string) bool {
	if b.kust[dir] != "" {
		return true
	}
	return b.hasFile(path.Join(dir, "values.yaml")) || b.hasFile(path.Join(dir, "values-"+env+".yaml"))
}

// treeLayouts are the env axes the tree rule tries, in order: gito's default layouts, with
// the one-app axes of common GitOps repos before the catch-all {env}/{service}.
var treeLayouts = []string{
	"overlays/{env}/{service}",
	"deploy/overlays/{env}",
	"{service}/overlays/{env}",
	"apps/{service}/overlays/{env}",
	"apps/{service}/{env}",
	"envs/{env}/{service}",
	"envs/{env}",
	"deploy/{env}",
	"overlays/{env}",
	"env/{env}",
	"environments/{env}",
	"apps/{env}",
	"clusters/{env}",
	"{service}/envs/{env}",
	"{service}/environments/{env}",
	"{env}/{service}",
}

// treeRule: without a configured layout, the first axis that fits a directory no other
// kustomization uses as a base, and that no earlier rule decided.
func (b *builder) treeRule() {
	if b.cfg.Layout != "" {
		return
	}
	for _, layout := range treeLayouts {
		ms := b.matchLayout(layout, true)
		if len(ms) == 0 {
			continue
		}
		if layout == "{env}/{service}" {
			flipped := b.matchLayout("{service}/{env}", true)
			switch {
			case len(flipped) > 0 && distinct(ms, true) > distinct(ms, false):
				layout, ms = "{service}/{env}", flipped // env names repeat under each service
			case len(flipped) > 0 && distinct(ms, true) == distinct(ms, false) && len(ms) > 1:
				b.skip(".", "ambiguous: the tree reads as {env}/{service} or {service}/{env}; took {env}/{service} (settle it in %s with the line layout: \"{service}/{env}\")", config.FileName)
			}
		}
		b.inv.Layout = layout
		for _, m := range ms {
			b.addClaim(claim{dir: m.dir, env: m.env, service: m.service, rule: RuleTree, source: layout})
		}
		b.markClaims()
		return
	}
}

// distinct counts the env (or service) names of matches.
func distinct(ms []layoutMatch, envs bool) int {
	seen := map[string]bool{}
	for _, m := range ms {
		if envs {
			seen[m.env] = true
		} else {
			seen[m.service] = true
		}
	}
	return len(seen)
}

// objects lists the Argo CD or Flux objects of the repo's YAML files.
func (b *builder) objects(group string) []object {
	var files []string
	for f, data := range b.blobs {
		if containsAny(data, group) {
			files = append(files, f)
		}
	}
	slices.Sort(files)
	var out []object
	for _, f := range files {
		for _, n := range docs(b.blobs[f]) {
			if o := objectOf(n, f); strings.HasSuffix(o.apiGroup, group) {
				out = append(out, o)
			}
		}
	}
	return out
}

// argoRule: ApplicationSets with git generators (the glob gives the envs, the name the
// service) and Applications (the path's last segment is the env).
func (b *builder) argoRule() {
	for _, o := range b.objects("argoproj.io") {
		switch o.kind {
		case "ApplicationSet":
			b.appSet(o)
		case "Application":
			b.application(o)
		}
	}
	b.markClaims()
}

var basenameRe = regexp.MustCompile(`\{\{\s*\.?path\.basename\s*\}\}`)
var pathRe = regexp.MustCompile(`\{\{\s*\.?path(\.path)?\s*\}\}`)

func (b *builder) appSet(o object) {
	tmpl := at(o.node, "spec", "template")
	if at(tmpl, "spec", "sources") != nil {
		b.skip(o.file, "ApplicationSet %s: multi-source template not read", o.name)
		return
	}
	srcPath := str(at(tmpl, "spec", "source", "path"))
	name := str(at(tmpl, "metadata", "name"))
	service := strings.Trim(basenameRe.ReplaceAllString(name, ""), "-_.")
	if !validName(service) {
		service = o.name
	}
	gens := at(o.node, "spec", "generators")
	if gens == nil || gens.Kind != yaml.SequenceNode {
		b.skip(o.file, "ApplicationSet %s has no generators", o.name)
		return
	}
	for _, g := range gens.Content {
		git := mapValue(g, "git")
		if git == nil {
			kind := "unknown"
			if len(g.Content) > 0 {
				kind = g.Content[0].Value
			}
			b.skip(o.file, "ApplicationSet %s: %s generator not read", o.name, kind)
			continue
		}
		var params []string
		if dirs := mapValue(git, "directories"); dirs != nil {
			var excl []string
			for _, d := range dirs.Content {
				if str(mapValue(d, "exclude")) == "true" {
					excl = append(excl, strings.Trim(str(mapValue(d, "path")), "/"))
				}
			}
			for _, d := range dirs.Content {
				if str(mapValue(d, "exclude")) == "true" {
					continue
				}
				glob := strings.Trim(str(mapValue(d, "path")), "/")
				for dir := range b.dirs {
					if ok, _ := path.Match(glob, dir); ok && !slices.ContainsFunc(excl, func(x string) bool { m, _ := path.Match(x, dir); return m }) {
						params = append(params, dir)
					}
				}
			}
		}
		if files := mapValue(git, "files"); files != nil {
			for _, f := range files.Content {
				glob := strings.Trim(str(mapValue(f, "path")), "/")
				for file := range b.files {
					if ok, _ := path.Match(glob, file); ok {
						params = append(params, path.Dir(file))
					}
				}
			}
		}
		if len(params) == 0 {
			b.skip(o.file, "ApplicationSet %s: its git generator matches no directory", o.name)
			continue
		}
		slices.Sort(params)
		for _, p := range slices.Compact(params) {
			dir := basenameRe.ReplaceAllString(srcPath, path.Base(p))
			dir = strings.Trim(path.Clean(pathRe.ReplaceAllString(dir, p)), "/")
			env := path.Base(p)
			switch {
			case strings.Contains(dir, "{{"):
				b.skip(o.file, "ApplicationSet %s: source path %s not understood", o.name, srcPath)
				return
			case !validName(env) || notOverlayNames[env]:
				continue
			case !b.isOverlay(dir, env):
				b.skip(o.file, "ApplicationSet %s: %s holds no kustomization or Helm values", o.name, dir)
				continue
			}
			b.addClaim(claim{dir: dir, env: env, service: service, rule: RuleAppSet, source: o.file, appName: service})
		}
	}
}

func (b *builder) application(o object) {
	spec := mapValue(o.node, "spec")
	if mapValue(spec, "sources") != nil {
		b.skip(o.file, "Application %s: multi-source Application not read", o.name)
		return
	}
	src := mapValue(spec, "source")
	if chart := str(mapValue(src, "chart")); chart != "" {
		b.argoHelm(o, src, chart)
		return
	}
	dir := strings.Trim(path.Clean(str(mapValue(src, "path"))), "/")
	if dir == "" || dir == "." {
		b.skip(o.file, "Application %s has no source path", o.name)
		return
	}
	env := path.Base(dir)
	service := strings.Trim(strings.TrimSuffix(strings.TrimPrefix(o.name, env+"-"), "-"+env), "-")
	if !validName(env) || notOverlayNames[env] || !validName(service) || !b.isOverlay(dir, env) {
		b.skip(o.file, "Application %s: %s is not an env overlay", o.name, dir)
		return
	}
	b.addClaim(claim{dir: dir, env: env, service: service, rule: RuleApplication, source: o.file, appName: service})
}

// argoHelm records an Application that installs a chart from a Helm repository: its
// targetRevision is the version. The env is the part of the name beside the chart's.
func (b *builder) argoHelm(o object, src *yaml.Node, chart string) {
	rev := mapValue(src, "targetRevision")
	service := str(at(src, "helm", "releaseName"))
	if service == "" {
		service = chart
	}
	env := strings.Trim(strings.TrimSuffix(strings.TrimPrefix(o.name, service), service), "-")
	if env == "" {
		env = path.Base(path.Dir(o.file))
	}
	if !validName(service) || !validName(env) || rev == nil {
		b.skip(o.file, "Application %s: Helm source without a service, env or targetRevision", o.name)
		return
	}
	b.addClaim(claim{rule: RuleApplication, entry: &Entry{Service: service, Env: env, Rule: RuleApplication, Source: o.file,
		Version: rev.Value, Image: chart, Files: []string{o.file},
		Carriers: []Carrier{{Kind: CarrierArgoHelm, File: o.file, Key: "spec.source.targetRevision", Line: rev.Line, Image: chart, Version: rev.Value}}}})
}

// fluxRule: Flux Kustomizations name the directories Flux applies (spec.path); the env is the
// cluster directory the object sits in (clusters/{env}/...), else the path's last segment.
// A directory several envs apply is shared infrastructure: skipped.
func (b *builder) fluxRule() {
	type use struct {
		env, file, name string
	}
	byDir := map[string][]use{}
	var order []string
	for _, o := range b.objects("fluxcd.io") {
		if o.kind != "Kustomization" || !strings.HasPrefix(o.apiGroup, "kustomize.toolkit.fluxcd.io") {
			continue
		}
		dir := strings.Trim(path.Clean(str(at(o.node, "spec", "path"))), "/")
		if dir == "" || dir == "." {
			continue
		}
		env := path.Base(dir)
		if parts := strings.Split(o.file, "/"); len(parts) > 2 && parts[0] == "clusters" {
			env = parts[1]
		}
		if b.kust[dir] == "" {
			b.skip(o.file, "Kustomization %s: %s holds no kustomization file (Flux generates one)", o.name, dir)
			continue
		}
		if _, ok := byDir[dir]; !ok {
			order = append(order, dir)
		}
		byDir[dir] = append(byDir[dir], use{env: env, file: o.file, name: o.name})
	}
	for _, dir := range order {
		uses := byDir[dir]
		envs := map[string]bool{}
		for _, u := range uses {
			envs[u.env] = true
		}
		if len(envs) > 1 {
			b.claimed[dir] = true
			b.skip(uses[0].file, "Kustomization %s: %s is applied in %d envs (shared)", uses[0].name, dir, len(envs))
			continue
		}
		u := uses[0]
		if !validName(u.env) {
			continue
		}
		b.addClaim(claim{dir: dir, env: u.env, rule: RuleFluxKust, source: fmt.Sprintf("%s (Kustomization %s)", u.file, u.name)})
	}
	b.markClaims()
}

// addTargets adds .gito.yaml's targets: to the entry of the same (service, env), or as
// entries of their own in the envs whose file pattern matches a file.
func (b *builder) addTargets() {
	for name, svc := range b.cfg.Services {
		for i, t := range svc.Targets {
			if config.ValidateTargetFile(t.File) != nil {
				continue
			}
			pattern := strings.ReplaceAll(path.Clean(t.File), "{service}", name)
			for _, env := range b.targetEnvs(pattern) {
				file := strings.ReplaceAll(pattern, "{env}", env)
				c := Carrier{Kind: CarrierTarget, File: file, Key: t.Path, Line: t.Line}
				if data, ok := b.blobs[file]; ok {
					if vals, err := targetedit.Select(data, t.Path); err == nil && len(vals) > 0 {
						c.Image, c.Version, c.Digest = config.DecodeTargetValue(t.ValueTemplate(), vals[0])
					}
				}
				b.addTarget(name, env, fmt.Sprintf("%s services.%s.targets[%d] line %d", config.FileName, name, i, t.Line), c)
			}
		}
	}
}

func (b *builder) addTarget(service, env, source string, c Carrier) {
	for i := range b.inv.Entries {
		e := &b.inv.Entries[i]
		if e.Service == service && e.Env == env {
			e.Carriers = append([]Carrier{c}, e.Carriers...)
			if c.Version != "" || c.Digest != "" {
				e.Version, e.Digest, e.Unknown = c.Version, c.Digest, ""
			}
			return
		}
	}
	e := Entry{Service: service, Env: env, Rule: RuleTargets, Source: source, Carriers: []Carrier{c},
		Version: c.Version, Digest: c.Digest, Image: c.Image, Files: []string{c.File}}
	if e.Version == "" && e.Digest == "" {
		e.Unknown = "the target " + c.File + " " + c.Key + " holds no version"
	}
	b.inv.Entries = append(b.inv.Entries, e)
}

// targetEnvs lists the envs of the files a target pattern matches; a pattern without {env}
// names none.
func (b *builder) targetEnvs(pattern string) []string {
	if !strings.Contains(pattern, "{env}") {
		return nil
	}
	parts := strings.Split(pattern, "{env}")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	rx := regexp.MustCompile("^" + strings.Join(parts, `([a-z0-9._-]+)`) + "$")
	var out []string
	for f := range b.files {
		m := rx.FindStringSubmatch(f)
		if m == nil {
			continue
		}
		env := m[1]
		if validName(env) && !notOverlayNames[env] && !slices.ContainsFunc(m[2:], func(v string) bool { return v != env }) {
			out = append(out, env)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
