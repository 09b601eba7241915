package inventory

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/gito-dev/gito/internal/config"
)

// builder holds one build's listing and blobs.
type builder struct {
	cfg   *config.Repo
	files map[string]string // path -> blob id
	dirs  map[string]bool
	kust  map[string]string // dir -> its kustomization file
	blobs map[string][]byte
	kusts map[string]*kustomization // kustomization path -> parsed (nil: does not parse)
	// usedAsBase marks directories another kustomization names as a resource or component.
	usedAsBase map[string]bool
	// yamlIn maps a directory to the YAML files directly in it, sorted.
	yamlIn map[string][]string
	// imageService maps a configured image to its service.
	imageService map[string]string

	inv    *Inventory
	rv     *resolver
	claims []claim
	// claimed marks directories a rule already decided, so a later rule leaves them.
	claimed map[string]bool
}

// claim is one directory a rule says is an env (and, when the rule says so, a service).
type claim struct {
	dir, env, service, rule, source string
	// appName is the deployer's name for what dir renders; it names the service of a dir
	// that renders one image (or one HelmRelease) whatever its name.
	appName string
	// entry, when set, is the whole entry (a version that lives in no directory).
	entry *Entry
}

func (b *builder) hasFile(p string) bool { _, ok := b.files[p]; return ok }

// Build makes the inventory of one commit from its listing: it reads every kustomization and
// YAML file in one batch, then applies the rules.
func Build(ctx context.Context, l Lister, cfg *config.Repo) (*Inventory, error) {
	if cfg == nil {
		cfg = &config.Repo{}
	}
	files, err := l.Files(ctx)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	b := &builder{cfg: cfg, files: files, dirs: map[string]bool{}, kust: map[string]string{},
		kusts: map[string]*kustomization{}, usedAsBase: map[string]bool{}, claimed: map[string]bool{},
		yamlIn: map[string][]string{}, imageService: map[string]string{},
		inv: &Inventory{files: files}}
	var keys, paths []string
	for f, id := range files {
		for d := path.Dir(f); d != "." && !b.dirs[d]; d = path.Dir(d) {
			b.dirs[d] = true
		}
		if base := path.Base(f); slices.Contains(kustomizationNames, base) {
			dir := path.Dir(f)
			if cur, ok := b.kust[dir]; !ok || slices.Index(kustomizationNames, base) < slices.Index(kustomizationNames, path.Base(cur)) {
				b.kust[dir] = f
			}
		}
		if strings.HasSuffix(f, ".yaml") || strings.HasSuffix(f, ".yml") {
			b.yamlIn[path.Dir(f)] = append(b.yamlIn[path.Dir(f)], f)
		}
		if isYAML(f) && !strings.HasPrefix(f, ".gito/") {
			key := id
			if key == "" {
				key = f
			}
			keys, paths = append(keys, key), append(paths, f)
		}
	}
	data, err := l.Read(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	b.blobs = make(map[string][]byte, len(paths))
	for i, p := range paths {
		if d, ok := data[keys[i]]; ok {
			b.blobs[p] = d
		}
	}
	b.inv.blobs = b.blobs
	for name, svc := range cfg.Services {
		for _, img := range svc.Images {
			b.imageService[img] = name
		}
	}
	b.parseKustomizations()
	b.rv = &resolver{b: b, cache: map[string]*rendered{}}
	b.configRule()
	b.argoRule()
	b.fluxRule()
	b.treeRule()
	b.entries()
	b.addTargets()
	b.groups()
	return b.inv, nil
}

// parseKustomizations parses every kustomization on every CPU and marks the directories
// they use as bases.
func (b *builder) parseKustomizations() {
	var list []string
	for _, f := range b.kust {
		list = append(list, f)
	}
	parsed := make([]*kustomization, len(list))
	var wg sync.WaitGroup
	work := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range work {
				if k, err := parseKustomization(b.blobs[list[i]]); err == nil {
					parsed[i] = k
				}
			}
		})
	}
	for i := range list {
		work <- i
	}
	close(work)
	wg.Wait()
	for i, f := range list {
		b.kusts[f] = parsed[i]
		k := parsed[i]
		if k == nil {
			continue
		}
		dir := path.Dir(f)
		for _, res := range slices.Concat(k.Resources, k.Bases, k.Components) {
			if p := path.Clean(path.Join(dir, res)); b.kust[p] != "" {
				b.usedAsBase[p] = true
			}
		}
	}
}

// addClaim records a claim unless an earlier rule decided the directory.
func (b *builder) addClaim(c claim) bool {
	if c.dir != "" && b.claimed[c.dir] && c.rule != b.claimRule(c.dir) {
		return false
	}
	b.claims = append(b.claims, c)
	return true
}

func (b *builder) claimRule(dir string) string {
	for _, c := range b.claims {
		if c.dir == dir {
			return c.rule
		}
	}
	return ""
}

func (b *builder) skip(file, format string, args ...any) {
	b.inv.Skipped = append(b.inv.Skipped, Note{File: file, Reason: fmt.Sprintf(format, args...)})
}

// markClaims marks the directories of the claims made so far: later rules leave them.
func (b *builder) markClaims() {
	for _, c := range b.claims {
		if c.dir != "" {
			b.claimed[c.dir] = true
		}
	}
}

// entries turns the claims into entries, one per (service, env), the first rule winning.
func (b *builder) entries() {
	type key struct{ s, e string }
	seen := map[key]int{}
	ambiguous := map[key]*Ambiguity{}
	add := func(e Entry) {
		k := key{e.Service, e.Env}
		if i, ok := seen[k]; ok {
			prev := b.inv.Entries[i]
			if prev.Rule == e.Rule && prev.Dir != e.Dir {
				a := ambiguous[k]
				if a == nil {
					a = &Ambiguity{Service: e.Service, Env: e.Env, Rule: e.Rule, Candidates: []string{prev.Dir}}
					ambiguous[k] = a
				}
				a.Candidates = append(a.Candidates, e.Dir)
			}
			return
		}
		seen[k] = len(b.inv.Entries)
		b.inv.Entries = append(b.inv.Entries, e)
	}
	for _, c := range b.claims {
		for _, e := range b.entriesOf(c) {
			add(e)
		}
	}
	for _, a := range ambiguous {
		b.inv.Ambiguous = append(b.inv.Ambiguous, *a)
	}
	sort.Slice(b.inv.Ambiguous, func(i, j int) bool {
		return b.inv.Ambiguous[i].Service+"\x00"+b.inv.Ambiguous[i].Env < b.inv.Ambiguous[j].Service+"\x00"+b.inv.Ambiguous[j].Env
	})
	sort.SliceStable(b.inv.Entries, func(i, j int) bool {
		a, c := b.inv.Entries[i], b.inv.Entries[j]
		if a.Service != c.Service {
			return a.Service < c.Service
		}
		return a.Env < c.Env
	})
}

// entriesOf reads what a claimed directory renders: one entry for the named service, else
// one per service it renders.
func (b *builder) entriesOf(c claim) []Entry {
	if c.entry != nil {
		return []Entry{*c.entry}
	}
	if c.dir == "" {
		return nil
	}
	base := Entry{Env: c.env, Dir: c.dir, Kustomization: b.kust[c.dir], Rule: c.rule, Source: c.source}
	if base.Kustomization == "" {
		return b.valuesEntries(c, base)
	}
	r := b.rv.resolve(c.dir, map[string]bool{})
	base.Files = b.dirFiles(c.dir)
	if c.service != "" {
		e := base
		e.Service = c.service
		b.fill(&e, r, c.service, true)
		return []Entry{e}
	}
	var out []Entry
	for _, s := range b.servicesOf(r) {
		e := base
		e.Service = s
		b.fill(&e, r, s, false)
		out = append(out, e)
	}
	if len(out) == 0 && c.appName != "" {
		e := base
		e.Service = c.appName
		b.fill(&e, r, c.appName, true)
		out = append(out, e)
	}
	return out
}

// dirFiles lists the YAML files directly in dir, its kustomization first.
func (b *builder) dirFiles(dir string) []string {
	out := []string{b.kust[dir]}
	for _, f := range b.yamlIn[dir] {
		if f != b.kust[dir] {
			out = append(out, f)
		}
	}
	slices.Sort(out[1:])
	return out
}

// servicesOf names the services a render carries: configured services whose images it
// renders, HelmReleases, setters' policies and the last path segment of each image.
func (b *builder) servicesOf(r *rendered) []string {
	var out []string
	add := func(s string) {
		if validName(s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, im := range r.images {
		if name, ok := b.imageService[im.repo]; ok {
			add(name)
		}
	}
	for _, hr := range r.releases {
		add(hr.name)
	}
	for _, s := range r.setters {
		add(s.Image)
	}
	for _, im := range r.images {
		if _, ok := b.imageService[im.repo]; !ok {
			add(lastSegment(im.repo))
		}
	}
	slices.Sort(out)
	return out
}

// fill sets the entry's carriers and version from what the directory renders. only says the
// service is the directory's one app: its one image (or release) is the service's whatever
// its name.
func (b *builder) fill(e *Entry, r *rendered, service string, only bool) {
	images := b.cfg.Services[service].Images
	for _, s := range r.setters {
		if s.Image == service {
			e.Carriers = append(e.Carriers, s)
		}
	}
	var im *renderedImage
	for _, want := range images {
		if im = r.image(want); im != nil {
			break
		}
	}
	if im == nil && len(images) == 0 {
		for _, cand := range r.images {
			if lastSegment(cand.repo) == service {
				im = cand
				break
			}
		}
	}
	hr := r.release(service)
	if im == nil && hr == nil && only && len(images) == 0 {
		switch {
		case len(r.images) == 1 && len(r.releases) == 0:
			im = r.images[0]
		case len(r.releases) == 1 && len(r.images) == 0:
			hr = r.releases[0]
		}
	}
	if im != nil {
		e.Carriers = append(e.Carriers, im.carriers...)
		e.Image = im.repo
	}
	if hr != nil {
		e.Carriers = append(e.Carriers, hr.carriers...)
	}
	switch {
	case len(e.Carriers) > 0 && e.Carriers[0].Kind == CarrierSetter:
		e.Version, e.Digest = e.Carriers[0].Version, e.Carriers[0].Digest
		if im != nil {
			e.Image = im.repo
		}
	case im != nil && (im.tag != "" || im.digest != ""):
		e.Version, e.Digest = im.tag, im.digest
	case hr != nil && hr.version != "":
		e.Version = hr.version
	}
	if e.Version == "" && e.Digest == "" {
		switch {
		case len(r.unknown) > 0:
			e.Unknown = strings.Join(r.unknown, "; ")
		case im != nil:
			e.Unknown = "the image " + im.repo + " has no tag"
		case hr != nil:
			e.Unknown = "HelmRelease " + hr.name + " sets no chart version"
		default:
			e.Unknown = "no image of " + service + " in what " + e.Dir + " renders"
		}
	}
}

// valuesEntries reads a directory of Helm values (no kustomization): .image.tag of
// values-{env}.yaml, else values.yaml.
func (b *builder) valuesEntries(c claim, base Entry) []Entry {
	e := base
	e.Service = c.service
	if e.Service == "" {
		e.Service = c.appName
	}
	if e.Service == "" {
		return nil
	}
	for _, name := range []string{"values-" + c.env + ".yaml", "values.yaml"} {
		f := path.Join(c.dir, name)
		data, ok := b.blobs[f]
		if !ok {
			continue
		}
		e.Files = append(e.Files, f)
		for _, s := range setters(f, data) {
			if s.Image == e.Service {
				e.Carriers = append(e.Carriers, s)
			}
		}
		for _, n := range docs(data) {
			if t := at(n, "image", "tag"); t != nil && t.Value != "" {
				e.Carriers = append(e.Carriers, Carrier{Kind: CarrierHelmValues, File: f, Key: ".image.tag", Line: t.Line,
					Image: str(at(n, "image", "repository")), Version: t.Value})
			}
		}
	}
	if len(e.Carriers) > 0 {
		e.Version, e.Digest, e.Image = e.Carriers[0].Version, e.Carriers[0].Digest, e.Carriers[0].Image
	} else {
		e.Unknown = "no .image.tag in the Helm values of " + c.dir
	}
	return []Entry{e}
}

// groups adds an entry per env group and service present in one of its members.
func (b *builder) groups() {
	names := make([]string, 0, len(b.cfg.Environments))
	for name, env := range b.cfg.Environments {
		if len(env.Group) > 0 {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, g := range names {
		members := b.cfg.Environments[g].Group
		for _, s := range b.inv.Services() {
			e := Entry{Service: s, Env: g, Rule: RuleGroup, Source: config.FileName + " environments." + g, Members: members}
			var refs []string
			for _, m := range members {
				for _, me := range b.inv.Entries {
					if me.Service == s && me.Env == m {
						refs = append(refs, me.Ref())
						e.Carriers = append(e.Carriers, me.Carriers...)
					}
				}
			}
			if len(refs) == 0 {
				continue
			}
			if slices.Contains(refs, "") {
				e.Unknown = "a member's version is unknown"
				b.inv.Entries = append(b.inv.Entries, e)
				continue
			}
			if uniq := slices.Compact(slices.Sorted(slices.Values(refs))); len(uniq) == 1 {
				e.Version, e.Digest = splitRef(uniq[0])
			} else {
				e.Unknown = "members run different versions"
			}
			b.inv.Entries = append(b.inv.Entries, e)
		}
	}
	sort.SliceStable(b.inv.Entries, func(i, j int) bool {
		a, c := b.inv.Entries[i], b.inv.Entries[j]
		if a.Service != c.Service {
			return a.Service < c.Service
		}
		return a.Env < c.Env
	})
}

func splitRef(ref string) (tag, digest string) {
	tag, digest, _ = strings.Cut(ref, "@")
	return tag, digest
}

// containsAny reports whether data mentions one of the API groups the rules read.
func containsAny(data []byte, subs ...string) bool {
	for _, s := range subs {
		if bytes.Contains(data, []byte(s)) {
			return true
		}
	}
	return false
}
