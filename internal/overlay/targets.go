package overlay

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/overlay/helmrender"
	"github.com/gito-dev/gito/internal/overlay/kustedit"
	"github.com/gito-dev/gito/internal/overlay/targetedit"
	"github.com/gito-dev/gito/internal/repofs"
)

// targetFile is one file other than a kustomization that a release edits.
type targetFile struct {
	path   string // repo-relative
	source string // where it comes from, for errors: "services.api.targets[0] (.gito.yaml line 7)"
	edits  []targetEdit
	chart  string // repo-relative chart directory that renders these values; "" when none
	helm   bool   // Helm values (or an Application carrying them) whose chart is elsewhere
	image  string // the image the file names (Helm's image.repository), for the PR text
}

// targetEdit is one expression of a target file and the value it gets.
type targetEdit struct {
	expr   string
	value  string // template: {tag} {digest} {image} {ref}
	create bool   // a plain path that selects nothing is added
	one    bool   // the expression must select one scalar (several holding one value are set together otherwise)
}

// configuredTargets expands .gito.yaml's targets of the service for the env, one entry per
// file in the order they first appear.
func (p *planner) configuredTargets() ([]targetFile, error) {
	var files []targetFile
	for i, t := range p.repo.TargetsFor(p.req.Service) {
		source := fmt.Sprintf("services.%s.targets[%d] (%s line %d)", p.req.Service, i, config.FileName, t.Line)
		rel, err := t.TargetFile(p.req.Service, p.req.Env)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		e := targetEdit{expr: t.Path, value: t.ValueTemplate(), create: true}
		j := slices.IndexFunc(files, func(f targetFile) bool { return f.path == rel })
		if j < 0 {
			files = append(files, targetFile{path: rel, source: source})
			j = len(files) - 1
		}
		f := &files[j]
		f.edits = append(f.edits, e)
		if t.Chart != "" {
			f.chart = path.Clean(t.Chart)
		} else if f.chart == "" {
			f.chart = p.chartOf(rel)
		}
		if f.chart == "" && looksHelm(rel, t.Path) {
			f.helm = true
		}
	}
	return files, nil
}

func looksHelm(file, expr string) bool {
	base := path.Base(file)
	return strings.HasPrefix(base, "values") || strings.Contains(expr, ".helm.")
}

// chartOf returns the directory of rel when it holds a Chart.yaml (values next to their
// chart), else "".
func (p *planner) chartOf(rel string) string {
	dir := path.Dir(rel)
	if fi, err := p.fs.Stat(path.Join(dir, "Chart.yaml")); err == nil && fi.Mode().IsRegular() {
		return dir
	}
	return ""
}

// helmDefault is the target of an overlay directory that holds Helm values and no
// kustomization: values-{env}.yaml, else values.yaml, at .image.tag.
func (p *planner) helmDefault(dir string) (targetFile, bool, error) {
	var rel string
	for _, name := range []string{"values-" + p.req.Env + ".yaml", "values-" + p.req.Env + ".yml", "values.yaml", "values.yml"} {
		cand := path.Join(dir, name)
		if fi, err := p.fs.Lstat(cand); err == nil && fi.Mode().IsRegular() {
			rel = cand
			break
		}
	}
	if rel == "" {
		return targetFile{}, false, nil
	}
	src, err := p.readRegular(rel)
	if err != nil {
		return targetFile{}, false, err
	}
	f := targetFile{path: rel, source: "the Helm values default (.image.tag)", chart: p.chartOf(rel)}
	f.helm = f.chart == ""
	if repos, _ := targetedit.Select(src, ".image.repository"); len(repos) == 1 {
		f.image = repos[0]
		if regs, _ := targetedit.Select(src, ".image.registry"); len(regs) == 1 && regs[0] != "" {
			f.image = regs[0] + "/" + f.image
		}
	}
	tag := targetEdit{expr: ".image.tag", value: "{tag}", create: true, one: true}
	digests, _ := targetedit.Select(src, ".image.digest")
	switch {
	case len(digests) > 0:
		f.edits = append(f.edits, tag, targetEdit{expr: ".image.digest", value: "{digest}", one: true})
	case p.req.Version.Digest != "":
		tag.value = "{tag}@{digest}"
		f.edits = append(f.edits, tag)
	default:
		f.edits = append(f.edits, tag)
	}
	return f, true, nil
}

// planTargets edits the target files into res: it reads each file, applies its expressions
// one after the other, and checks the result (a chart in the repo renders it with the new
// image; anything else must parse, and the notes say so).
func (p *planner) planTargets(res *Result, files []targetFile) error {
	noop := true
	for _, f := range files {
		src, err := p.readRegular(f.path)
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: the file does not exist (from %s)", f.path, f.source)
		}
		if err != nil {
			return err
		}
		cur := src
		for _, e := range f.edits {
			out, changes, err := p.setTarget(f, e, cur)
			if err != nil {
				return err
			}
			for _, c := range changes {
				if c.Old != c.New {
					noop = false
				}
				res.Changes = append(res.Changes, p.changeOf(f, e, c))
			}
			if len(res.Previous) == 0 && len(changes) > 0 && e.value != "{digest}" {
				img, tag, digest := decodeValue(e.value, changes[0].Old)
				res.Previous = append(res.Previous, ImageRef{Name: p.imageName(img, f.image), Tag: tag, Digest: digest})
			}
			cur = out
		}
		if string(cur) == string(src) {
			continue
		}
		res.Files = append(res.Files, FileEdit{Path: f.path, Before: src, After: cur})
		if err := p.checkTarget(res, f, src, cur); err != nil {
			return err
		}
	}
	if noop && len(res.Files) == 0 {
		res.Noop = true
	}
	return nil
}

// setTarget applies one expression; errors name the file and the expression on one line.
func (p *planner) setTarget(f targetFile, e targetEdit, src []byte) ([]byte, []targetedit.Change, error) {
	var valueErr error
	value := func(old string) string {
		img := p.configuredImage()
		if img == "" && (strings.Contains(e.value, "{image}") || strings.Contains(e.value, "{ref}")) {
			img, _, _ = splitImage(old)
			if old == "" || img == "" {
				valueErr = fmt.Errorf("%s: %s: {image} needs services.%s.images in %s (the file holds no image to take it from)", f.path, e.expr, p.req.Service, config.FileName)
			}
		}
		return config.TargetValue(e.value, img, p.req.Version)
	}
	out, changes, err := targetedit.Set(src, e.expr, value, targetedit.Options{Create: e.create, One: e.one, OneValue: true})
	if valueErr != nil {
		return nil, nil, valueErr
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", f.path, err)
	}
	return out, changes, nil
}

func (p *planner) configuredImage() string {
	if imgs := p.repo.Services[p.req.Service].Images; len(imgs) > 0 {
		return imgs[0]
	}
	if len(p.req.Images) > 0 {
		return p.req.Images[0]
	}
	return ""
}

// imageName names the image of a target for the PR text and history.
func (p *planner) imageName(fromValue, fromFile string) string {
	for _, img := range []string{p.configuredImage(), fromValue, fromFile} {
		if img != "" {
			return img
		}
	}
	return p.req.Service
}

func (p *planner) changeOf(f targetFile, e targetEdit, c targetedit.Change) kustedit.Change {
	img, tag, digest := decodeValue(e.value, c.Old)
	ch := kustedit.Change{Image: p.imageName(img, f.image), OldTag: tag, OldDigest: digest,
		NewTag: p.req.Version.Tag, NewDigest: p.req.Version.Digest, Appended: c.Created, Line: c.Line}
	if e.value == "{digest}" {
		ch.OldTag, ch.OldDigest = "", c.Old
	}
	return ch
}

// checkTarget renders a chart in the repo with the edited values, or says that the file
// was only parsed (Set has already checked that it parses to the intended tree).
func (p *planner) checkTarget(res *Result, f targetFile, before, after []byte) error {
	if f.chart == "" {
		if f.helm {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: the chart is not in this repo, so the values were parse-checked only, not rendered", f.path))
		} else {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: parse-checked only (not rendered)", f.path))
		}
		return nil
	}
	if err := p.ctx.Err(); err != nil {
		return err
	}
	req := helmrender.Request{FS: p.fs, Chart: f.chart, Name: p.req.Service,
		ChartValues: f.path == path.Join(f.chart, "values.yaml")}
	req.Values = before
	if _, err := helmrender.Render(req); err != nil {
		return fmt.Errorf("chart %s does not render with %s before the edit, refusing: %s", f.chart, f.path, err)
	}
	req.Values = after
	imgs, err := helmrender.Render(req)
	if err != nil {
		return fmt.Errorf("chart %s does not render with the edited %s, nothing written: %s", f.chart, f.path, err)
	}
	var refs []string
	for _, img := range imgs {
		_, tag, digest := splitImage(img.Ref)
		if tag == p.req.Version.Tag && (p.req.Version.Digest == "" || digest == p.req.Version.Digest) {
			return nil
		}
		refs = append(refs, img.Ref)
	}
	slices.Sort(refs)
	return fmt.Errorf("after the edit of %s no workload of chart %s renders version %s (images: %s), nothing written",
		f.path, f.chart, p.req.Version, strings.Join(slices.Compact(refs), ", "))
}

func decodeValue(template, value string) (image, tag, digest string) {
	return config.DecodeTargetValue(template, value)
}

// withTargets releases a service with configured targets: its overlay too when it has one.
func (p *planner) withTargets(ov *Overlay) (*Result, error) {
	files, err := p.configuredTargets()
	if err != nil {
		return nil, err
	}
	if ov == nil {
		if err := p.knownTargetEnv(); err != nil {
			return nil, err
		}
		return p.targetsOnly(Overlay{Dir: path.Dir(files[0].path)}, files)
	}
	res, err := p.edit(ov)
	if err != nil {
		return nil, err
	}
	kustNoop := res.Noop
	res.Noop = false
	if err := p.planTargets(res, files); err != nil {
		return nil, err
	}
	res.Noop = kustNoop && res.Noop
	p.finish(res)
	return res, nil
}

// knownTargetEnv refuses an env that no target file of the service exists for, naming the
// envs that do.
func (p *planner) knownTargetEnv() error {
	overlays, _ := Envs(p.root, p.repo, p.req.Service)
	return unknownTargetEnv(DiskTree(p.root), p.repo, p.req.Service, p.req.Env, overlays)
}

// targetsOnly releases through target files alone (Helm values, manifests, Applications).
func (p *planner) targetsOnly(ov Overlay, files []targetFile) (*Result, error) {
	res := &Result{Overlay: ov}
	if err := p.planTargets(res, files); err != nil {
		return nil, err
	}
	for _, c := range res.Changes {
		if c.OldDigest != "" && c.NewDigest == "" && c.OldTag == "" {
			res.Notes = append(res.Notes, fmt.Sprintf("removed stale digest %s from %s (a plain tag would still be pulled by that digest)", c.OldDigest, c.Image))
		}
	}
	if res.Noop {
		res.Notes = nil
		return res, nil
	}
	p.finish(res)
	return res, nil
}

// TargetRead is a file a release of (service, env) writes outside kustomizations, with the
// expressions that hold the version: what history reads at every commit.
type TargetRead struct {
	Path  string
	Image string // names the reference when the value does not carry an image
	Exprs [][2]string
}

// TargetReads lists the target files of (service, env): the configured targets, or the Helm
// values of an overlay directory without a kustomization. It returns nil when the service
// releases through its kustomization alone.
func TargetReads(root string, repo *config.Repo, service, env string) ([]TargetRead, error) {
	if repo == nil {
		repo = &config.Repo{}
	}
	abs, err := resolveRoot(root)
	if err != nil {
		return nil, err
	}
	repoFS, err := repofs.Open(abs, nil)
	if err != nil {
		return nil, err
	}
	defer repoFS.Close()
	p := &planner{root: abs, fs: repoFS, repo: repo, req: Request{Service: service, Env: env}}
	var files []targetFile
	if len(repo.TargetsFor(service)) > 0 {
		if err := p.knownTargetEnv(); err != nil {
			return nil, err
		}
		if files, err = p.configuredTargets(); err != nil {
			return nil, err
		}
	} else {
		_, err := Locate(abs, repo, service, env)
		var nf *NotFoundError
		if !errors.As(err, &nf) || nf.Kind != "env" || !nf.DirExists {
			return nil, nil
		}
		f, ok, err := p.helmDefault(nf.Dir)
		if err != nil || !ok {
			return nil, err
		}
		files = []targetFile{f}
	}
	var out []TargetRead
	for _, f := range files {
		r := TargetRead{Path: f.path, Image: p.imageName("", f.image)}
		for _, e := range f.edits {
			r.Exprs = append(r.Exprs, [2]string{e.expr, e.value})
		}
		out = append(out, r)
	}
	return out, nil
}
